/* SPDX-License-Identifier: Apache-2.0
 *
 * main.c — remnant-verify: check a Remnant evidence bundle offline against
 * the log's public (verifier) key, without trusting the party that made it,
 * and say in plain words what was proved. Depends on libsodium alone; the
 * bundle format is docs/BUNDLE.md, so others can write their own.
 *
 *   remnant-verify --key VKEY [--witness VKEY]... BUNDLE
 *   remnant-verify --key VKEY --cosign WITNESS_KEY --state FILE BUNDLE
 *
 * With --cosign it also acts as a witness (c2sp.org/tlog-cosignature,
 * cosignature/v1): once the bundle verified, it checks the checkpoint against
 * the last one it cosigned (kept in the state file) — the same size must
 * have the same root (else: SPLIT VIEW), a smaller size is a ROLLBACK, a
 * larger one needs the bundle's consistency proof from the remembered size
 * (`remnant bundle --since SIZE`) — then prints a cosignature line for the
 * log operator and remembers the checkpoint.
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
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "ledger/tlog.h"

static const char usage[] =
    "usage: remnant-verify --key VKEY [--key VKEY]... [--witness VKEY]..."
    " [--cosign WITNESS_KEY --state FILE] BUNDLE\n";

#define KEY_FILE_MAX 1024

/* Read a small file whole into buf (NUL-terminated); -1 if it does not
 * exist, -2 on another failure or when it is too large. */
static int read_small(const char *path, char *buf, size_t cap, size_t *len,
                      int secret)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return errno == ENOENT ? -1 : -2;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
        (secret && (sb.st_mode & 077))) {
        close(fd);
        return -2;
    }
    ssize_t n = read(fd, buf, cap - 1);
    close(fd);
    if (n < 0 || (size_t)n >= cap - 1)
        return -2;
    buf[n] = '\0';
    *len = (size_t)n;
    return 0;
}

/* Replace path's content atomically (temp file, fsync, rename), mode 0600. */
static int write_atomic(const char *path, const char *data, size_t len)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", path) >= (int)sizeof tmp)
        return -1;
    int fd = mkstemp(tmp);
    if (fd < 0)
        return -1;
    int ok = fchmod(fd, 0600) == 0 && write(fd, data, len) == (ssize_t)len &&
             fsync(fd) == 0;
    close(fd);
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* Act as a witness for a verified bundle. Returns the exit code. */
static int cosign(const rn_bundle_info *info, const char *key_path,
                  const char *state_path)
{
    char text[KEY_FILE_MAX], state[RN_CHECKPOINT_MAX + 2];
    size_t tl = 0, sl = 0;
    rn_skey k;
    int rc = 1;
    memset(&k, 0, sizeof k);
    int r = read_small(key_path, text, sizeof text, &tl, 1);
    while (r == 0 && tl > 0 && (text[tl - 1] == '\n' || text[tl - 1] == '\r'))
        tl--;
    if (r != 0 || rn__skey_parse(text, tl, &k) != RN_OK ||
        k.v.type != RN_SIGTYPE_COSIG_V1) {
        fprintf(stderr, "remnant-verify: %s: not a private witness key (mode"
                " 0600; made by `remnant witness keygen`)\n", key_path);
        rc = 2;
        goto out;
    }
    r = read_small(state_path, state, sizeof state, &sl, 0);
    if (r == -2) {
        fprintf(stderr, "remnant-verify: %s: cannot read the state file\n",
                state_path);
        goto out;
    }
    if (r == 0) {
        rn_checkpoint old;
        if (rn__checkpoint_parse(state, sl, &old) != RN_OK) {
            fprintf(stderr, "remnant-verify: %s: not a witness state file\n",
                    state_path);
            goto out;
        }
        const rn_checkpoint *cp = &info->cp;
        if (old.origin_len != cp->origin_len ||
            memcmp(old.origin, cp->origin, cp->origin_len) != 0) {
            fprintf(stderr, "remnant-verify: %s holds the state of another"
                    " log\n", state_path);
            goto out;
        }
        if (cp->size == old.size &&
            sodium_memcmp(cp->root, old.root, RN_HASH_LEN) != 0) {
            printf("*** SPLIT VIEW *** this checkpoint of %llu entries has"
                   " another root than the one this witness cosigned at that"
                   " size. Not cosigned; keep %s and this bundle as"
                   " evidence.\n", (unsigned long long)cp->size, state_path);
            rc = 6;
            goto out;
        }
        if (cp->size < old.size) {
            printf("*** ROLLBACK *** this checkpoint has %llu entries, but this"
                   " witness already cosigned %llu. Not cosigned.\n",
                   (unsigned long long)cp->size, (unsigned long long)old.size);
            rc = 6;
            goto out;
        }
        if (cp->size > old.size) {
            if (!info->has_consistency || info->cons_old != old.size) {
                printf("Not cosigned: the bundle carries no consistency proof"
                       " from the %llu entries this witness saw last; ask for"
                       " one made with `remnant bundle --since %llu`.\n",
                       (unsigned long long)old.size,
                       (unsigned long long)old.size);
                rc = 3;
                goto out;
            }
            if (sodium_memcmp(info->cons_old_root, old.root, RN_HASH_LEN)) {
                printf("*** SPLIT VIEW *** the bundle's tree of %llu entries"
                       " has another root than the one this witness cosigned."
                       " Not cosigned.\n", (unsigned long long)old.size);
                rc = 6;
                goto out;
            }
        }
    }
    char line[1024];
    size_t ll = 0;
    if (rn__cosign_line(&k, (uint64_t)time(NULL), info->body, info->body_len,
                        line, sizeof line, &ll) != RN_OK) {
        fprintf(stderr, "remnant-verify: cannot cosign\n");
        goto out;
    }
    /* Remember the checkpoint before handing the cosignature out. */
    if (write_atomic(state_path, info->body, info->body_len) != 0) {
        fprintf(stderr, "remnant-verify: %s: cannot write the state\n",
                state_path);
        goto out;
    }
    char vk[RN_KEY_NAME_MAX + 80];
    rn__vkey_format(&k.v, vk, sizeof vk);
    printf("Cosigned as witness %s. Give the log operator this line (remnant"
           " witness record --witness %s LINE):\n%.*s", k.v.name, vk,
           (int)ll, line);
    rc = 0;
out:
    sodium_memzero(text, sizeof text);
    sodium_memzero(&k, sizeof k);
    return rc;
}

static void say(void *ctx, const char *line)
{
    (void)ctx;
    printf("%s\n", line);
}

int main(int argc, char **argv)
{
    rn_vkey keys[64];
    size_t nkeys = 0, nlog = 0;
    const char *path = NULL, *cosign_key = NULL, *state_path = NULL;
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
        if (strcmp(argv[i], "--cosign") == 0 || strcmp(argv[i], "--state") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "remnant-verify: %s needs a file\n%s",
                        argv[i], usage);
                return 2;
            }
            if (argv[i][2] == 'c')
                cosign_key = argv[++i];
            else
                state_path = argv[++i];
            continue;
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
    if (!cosign_key != !state_path) {
        fprintf(stderr, "remnant-verify: --cosign and --state go together\n%s",
                usage);
        return 2;
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
    rn_bundle_info info;
    rn_code rc = rn__bundle_check_info(data, (size_t)sb.st_size, keys, nkeys,
                                       say, NULL, &info);
    int ex = 0;
    if (rc == RN_OK && cosign_key)
        ex = cosign(&info, cosign_key, state_path);
    munmap((void *)data, (size_t)sb.st_size);
    if (rc == RN_OK)
        return ex;
    if (rc == RN_ECRYPTO)
        return 6;
    return rc == RN_EINVAL ? 2 : 3;
}
