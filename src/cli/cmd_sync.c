/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_sync.c — `remnant sync export|import` (and, over HTTP, push|pull):
 * moving the evidence log's changes between instances as sync packages
 * (lib/sync, docs/SYNC.md). A package is written to a temporary file and
 * renamed into place, so a killed export never leaves half a package. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "remnant/ledger.h"
#include "remnant/sync.h"

static const char usage[] =
    "remnant sync export --peer PEER [--since CHECKPOINT] -o FILE | "
    "sync import FILE [--user NAME [--password-file F]]";

static int help(void)
{
    printf("usage: remnant sync export --peer PEER [--since CHECKPOINT] -o FILE\n"
           "       remnant sync import FILE [--user NAME [--password-file F]]\n\n"
           "export writes a sync package for the registered PEER (`remnant peer add`): the\n"
           "log entries since what it was last sent, with their disclosures, the files\n"
           "their attachments name, the latest signed checkpoint and the proof that it\n"
           "extends what the peer saw. --since starts at a checkpoint of this log instead\n"
           "(a file holding its note as `remnant checkpoint` prints it, or its size).\n"
           "-o - writes to standard output.\n\n"
           "import checks a package completely (the signature by a registered peer's key,\n"
           "consistency with what was seen from that peer: a fork or rollback is refused,\n"
           "every entry in the signed tree, every record against its entry) and then\n"
           "applies it in one transaction, keeping each change's author and time and\n"
           "where it came from (`remnant show`, `remnant history`). A record changed here\n"
           "too since the peer last had it is not overwritten: it is kept as a conflict\n"
           "(`remnant conflicts`, `remnant resolve`). Importing the same package twice\n"
           "changes nothing. The receiving account (--user, else $REMNANT_AUTHOR or $USER)\n"
           "is recorded as the one who brought the changes in.\n");
    return EXIT_OK;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 > cap) {
            if (cap > (1u << 20))
                break;
            char *nb = realloc(buf, cap = cap * 2 + 8192);
            if (!nb)
                break;
            buf = nb;
        }
        size_t k = fread(buf + n, 1, cap - n - 1, f);
        n += k;
        if (k == 0)
            break;
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    *len = n;
    return buf;
}

static int do_export(int argc, char **argv)
{
    const char *peer = NULL, *since = NULL, *outp = NULL;
    if (cli_opt(&argc, argv, "--peer", &peer) < 0 || cli_opt(&argc, argv, "--since", &since) < 0 ||
        cli_opt(&argc, argv, "-o", &outp) < 0)
        return cli_usage_error(usage, "--peer, --since and -o need a value");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (!peer || !outp || argc != 2)
        return cli_usage_error(usage, "sync export needs --peer PEER and -o FILE");
    char *note = NULL;
    size_t nlen = 0;
    if (since) {
        char *end = NULL;
        errno = 0;
        unsigned long long size = strtoull(since, &end, 10);
        if (since[0] >= '1' && since[0] <= '9' && end && *end == '\0' && errno == 0) {
            rn_ledger *l = NULL;
            rn_error e;
            rn_error_clear(&e);
            rn_code c = rn_ledger_open(cli_db(), RN_LEDGER_READONLY, &l, &e);
            if (!c)
                c = rn_ledger_checkpoint(l, (uint64_t)size, &note, &nlen, &e);
            rn_ledger_close(l);
            if (c)
                return cli_error(c, &e);
        } else if (!(note = read_all(since, &nlen))) {
            fprintf(stderr, "remnant: --since %s: cannot read it: %s\n", since, strerror(errno));
            return EXIT_NOTFOUND;
        }
    }
    rn_store *s;
    if ((rc = cli_open(0, &s))) {
        free(note);
        return rc;
    }
    char tmp[4200] = "";
    FILE *out = stdout;
    int fd = -1;
    if (strcmp(outp, "-") != 0) {
        if (snprintf(tmp, sizeof tmp, "%s.partial-XXXXXX", outp) >= (int)sizeof tmp ||
            (fd = mkstemp(tmp)) < 0 || !(out = fdopen(fd, "wb"))) {
            fprintf(stderr, "remnant: cannot write next to %s: %s\n", outp, strerror(errno));
            if (fd >= 0) {
                close(fd);
                unlink(tmp);
            }
            free(note);
            rn_store_close(s);
            return EXIT_FAIL;
        }
    }
    rn_error err;
    rn_error_clear(&err);
    rn_sync_export_opts o = {note, nlen, 0, 0, NULL, NULL};
    uint64_t n = 0;
    rn_code c = rn_sync_export(s, peer, &o, out, &n, &err);
    if (out != stdout) {
        if (!c && (fflush(out) != 0 || fsync(fileno(out)) != 0))
            c = RN_EIO;
        if (fclose(out) != 0 && !c)
            c = RN_EIO;
        if (!c && rename(tmp, outp) != 0)
            c = RN_EIO;
        if (c)
            unlink(tmp);
        if (c == RN_EIO && !err.message[0])
            snprintf(err.message, sizeof err.message, "writing %s: %s", outp, strerror(errno));
    }
    if (c)
        rc = cli_error(c, &err);
    else
        fprintf(stderr, "sync package for %s: %" PRIu64 " entries%s%s\n", peer, n,
                out != stdout ? " -> " : "", out != stdout ? outp : "");
    free(note);
    rn_store_close(s);
    return rc;
}

static int do_import(int argc, char **argv)
{
    const char *user = NULL, *pw = NULL;
    if (cli_opt(&argc, argv, "--user", &user) < 0 ||
        cli_opt(&argc, argv, "--password-file", &pw) < 0)
        return cli_usage_error(usage, "--user and --password-file need a value");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc != 3)
        return cli_usage_error(usage, "sync import needs one FILE");
    rn_store *s;
    if ((rc = cli_open(0, &s)))
        return rc;
    const char *by = getenv("REMNANT_AUTHOR");
    if (!by || !*by)
        by = getenv("USER");
    if (!by || strlen(by) >= 100)
        by = "";
    if (user) {
        if ((rc = cli_account_login(s, user, pw, 0))) {
            rn_store_close(s);
            return rc;
        }
        by = user;
    }
    rn_error err;
    rn_error_clear(&err);
    rn_sync_stats st;
    rn_code c = rn_sync_import_file(s, argv[2], by, &st, &err);
    if (c) {
        rc = cli_error(c, &err);
    } else if (st.already) {
        printf("peer %s: checkpoint of %" PRIu64 " entries imported already: nothing to do\n",
               st.peer, st.size);
    } else {
        printf("peer %s: entries %" PRIu64 "..%" PRIu64 " checked; %" PRIu64 " applied, %"
               PRIu64 " already here, %" PRIu64 " our own, %" PRIu64 " conflicts, %" PRIu64
               " files\n", st.peer, st.from, st.size, st.applied, st.same, st.echoes,
               st.conflicts, st.blobs);
        if (st.conflicts)
            printf("open conflicts: `remnant conflicts`, then `remnant resolve ID --take "
                   "mine|theirs|FILE`\n");
    }
    rn_store_close(s);
    return rc;
}

int cmd_sync(int argc, char **argv)
{
    if (cli_wants_help(argc, argv) || argc < 2)
        return argc < 2 ? cli_usage_error(usage, "say export or import") : help();
    if (strcmp(argv[1], "export") == 0)
        return do_export(argc, argv);
    if (strcmp(argv[1], "import") == 0)
        return do_import(argc, argv);
    if (strcmp(argv[1], "push") == 0 || strcmp(argv[1], "pull") == 0) {
        fprintf(stderr, "remnant: sync %s over HTTP is not part of this build yet: use sync "
                "export and sync import (docs/SYNC.md)\n", argv[1]);
        return EXIT_FAIL;
    }
    return cli_usage_error(usage, "'%.40s' is not export or import", argv[1]);
}
