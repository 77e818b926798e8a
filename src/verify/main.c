/* SPDX-License-Identifier: Apache-2.0
 *
 * main.c — remnant-verify: check a Remnant evidence bundle offline against
 * the log's public (verifier) key, without trusting the party that made it,
 * and say in plain words what was proved. Depends on libsodium alone; the
 * bundle format is docs/BUNDLE.md, so others can write their own.
 *
 *   remnant-verify --key VKEY [--witness VKEY]... BUNDLE
 *
 * Exit codes: 0 verified, 2 usage, 3 malformed bundle, 4 file not found,
 * 6 verification failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "ledger/tlog.h"

static const char usage[] =
    "usage: remnant-verify --key VKEY [--key VKEY]... [--witness VKEY]..."
    " BUNDLE\n";

static void say(void *ctx, const char *line)
{
    (void)ctx;
    printf("%s\n", line);
}

int main(int argc, char **argv)
{
    rn_vkey keys[64];
    size_t nkeys = 0, nlog = 0;
    const char *path = NULL;
    if (sodium_init() < 0) {
        fprintf(stderr, "remnant-verify: libsodium failed to initialise\n");
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            fputs("\nChecks an evidence bundle written by `remnant bundle`:"
                  " the checkpoint's\nsignature by the log key (from `remnant"
                  " key show`), each record's inclusion\nin the checkpoint's"
                  " Merkle tree, each file's SHA-256, and the cosignatures\nof"
                  " the witnesses given. Prints what was proved. Exit 0 when"
                  " everything\nverified, 6 when something did not, 3 for a"
                  " malformed bundle.\n", stdout);
            return 0;
        }
        int is_key = strcmp(argv[i], "--key") == 0;
        int is_wit = strcmp(argv[i], "--witness") == 0;
        if (is_key || is_wit) {
            if (i + 1 >= argc) {
                fprintf(stderr, "remnant-verify: %s needs a key\n%s", argv[i],
                        usage);
                return 2;
            }
            const char *k = argv[++i];
            if (nkeys == 64) {
                fprintf(stderr, "remnant-verify: too many keys\n");
                return 2;
            }
            if (rn__vkey_parse(k, strlen(k), &keys[nkeys]) != RN_OK ||
                keys[nkeys].type != (is_key ? RN_SIGTYPE_ED25519
                                            : RN_SIGTYPE_COSIG_V1)) {
                fprintf(stderr, "remnant-verify: not a %s verifier key: %s\n",
                        is_key ? "log" : "witness", k);
                return 2;
            }
            nkeys++;
            nlog += is_key;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "remnant-verify: unknown option %s\n%s", argv[i],
                    usage);
            return 2;
        }
        if (path) {
            fprintf(stderr, "remnant-verify: one bundle at a time\n%s", usage);
            return 2;
        }
        path = argv[i];
    }
    if (!path || nlog == 0) {
        fprintf(stderr, "remnant-verify: give the log's key and a bundle\n%s",
                usage);
        return 2;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "remnant-verify: %s: %s\n", path, strerror(errno));
        return errno == ENOENT ? 4 : 1;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size == 0) {
        fprintf(stderr, "remnant-verify: %s: not a bundle file\n", path);
        close(fd);
        return 3;
    }
    const char *data = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE,
                            fd, 0);
    close(fd);
    if (data == MAP_FAILED) {
        fprintf(stderr, "remnant-verify: %s: %s\n", path, strerror(errno));
        return 1;
    }
    rn_code rc = rn__bundle_check(data, (size_t)sb.st_size, keys, nkeys, say,
                                  NULL);
    munmap((void *)data, (size_t)sb.st_size);
    if (rc == RN_OK)
        return 0;
    if (rc == RN_ECRYPTO)
        return 6;
    return rc == RN_EINVAL ? 2 : 3;
}
