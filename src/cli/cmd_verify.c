/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_verify.c — `remnant verify`: recompute records, log, blobs,
 * checkpoints and signatures, and name precisely what is wrong. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "remnant/ledger.h"
#include "remnant/sync.h"

static const char usage[] =
    "remnant verify [--key VKEY]... [--trust FILE] [--since-checkpoint FILE] [--quiet]";

/* The whole of a small file (a checkpoint note); NULL on failure. */
static char *slurp(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    fclose(f);
    if (!buf || n > max) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static void report(void *ctx, const rn_ledger_problem *p)
{
    (void)ctx;
    if (strcmp(p->what, "orphan") == 0) {
        printf("NOTE orphan: %s\n", p->message);
        return;
    }
    printf("PROBLEM %s%s%s: %s\n", p->what, p->id[0] ? " " : "", p->id,
           p->message);
}

/* Provenance problems (lib/sync/provenance.c P1-P4), counted in *ctx. */
static void sync_report(void *ctx, const char *what, const char *id, const char *message)
{
    (*(uint64_t *)ctx)++;
    printf("PROBLEM %s%s%s: %s\n", what, id[0] ? " " : "", id, message);
}

int cmd_verify(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n"
               "Recompute everything: every log entry's hash and link, the Merkle "
               "tree and\nevery checkpoint's root and signature, witness "
               "cosignatures, every record\nagainst its last log entry, every "
               "blob against its SHA-256. Each problem is\nprinted as \"PROBLEM "
               "<what> <id>: <message>\", naming the record, blob,\nentry or "
               "checkpoint. Exit 0 when all is consistent, 6 when not.\n"
               "Trust comes from outside the database, never from keys it lists: "
               "--key VKEY\n(repeatable), the keys pinned in --trust FILE (one verifier "
               "key a line, #\ncomments), else the instance's key file. A key on record "
               "counts only when a\nrotation signed by a trusted key leads to it. verify "
               "prints the anchors used.\n"
               "  --since-checkpoint FILE  a checkpoint kept elsewhere (by a witness, in "
               "the last\n              bundle): report a log that does not extend it, "
               "e.g. a cut tail,\n              which nothing inside one file can show\n"
               "  --quiet     print only problems\n", usage);
        return EXIT_OK;
    }
    const char *keys[64];
    size_t nkeys = 0;
    const char *k;
    int r;
    while ((r = cli_opt(&argc, argv, "--key", &k)) == 1) {
        if (nkeys == 64)
            return cli_usage_error(usage, "at most 64 keys");
        keys[nkeys++] = k;
    }
    if (r < 0)
        return cli_usage_error(usage, "--key needs a verifier key");
    const char *trust = NULL, *since = NULL;
    if (cli_opt(&argc, argv, "--trust", &trust) < 0 ||
        cli_opt(&argc, argv, "--since-checkpoint", &since) < 0)
        return cli_usage_error(usage, "--trust and --since-checkpoint need a file");
    int quiet = cli_flag(&argc, argv, "--quiet");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc != 1)
        return cli_usage_error(usage, "no arguments expected");
    rn_store *s = NULL;
    rn_error err;
    rn_error_clear(&err);
    rn_code c = rn_store_open(cli_db(), RN_STORE_READONLY, &s, &err);
    if (c) {
        /* A database that cannot be opened did not verify. */
        rc = cli_error(c, &err);
        /* A file that is there but cannot be opened as a Remnant database
         * did not verify; only a missing file is "not found". */
        int exists = access(cli_db(), F_OK) == 0;
        if (c != RN_EINVAL && c != RN_ESCHEMA &&
            (c != RN_ENOTFOUND || exists)) {
            printf("PROBLEM database: %s\n", err.message);
            rc = EXIT_VERIFY;
        }
        return rc;
    }
    rn_ledger_verify_stats st;
    rn_ledger_verify_opts vo = {nkeys ? keys : NULL, nkeys, trust, NULL, 0};
    char *since_text = NULL;
    if (since) {
        since_text = slurp(since, 65536, &vo.since_len);
        if (!since_text) {
            fprintf(stderr, "remnant: %s: cannot read the checkpoint (a checkpoint note of"
                    " at most 64 KiB)\n", since);
            rn_store_close(s);
            return EXIT_NOTFOUND;
        }
        vo.since = since_text;
    }
    c = rn_ledger_verify_ex(s, cli_db(), &vo, report, NULL, &st, &err);
    free(since_text);
    if (c == RN_OK || c == RN_ETAMPER) {
        /* where synced records came from, against the peers' checkpoints */
        uint64_t nprov = 0, nbad = 0;
        rn_error serr;
        rn_error_clear(&serr);
        rn_code sc = rn_sync_verify(s, sync_report, &nbad, &nprov, &serr);
        if (sc == RN_ETAMPER || (sc == RN_OK && nbad)) {
            st.problems += nbad;
            c = RN_ETAMPER;
        } else if (sc) {
            printf("PROBLEM provenance: %s\n", serr.message);
            st.problems++;
            c = RN_ETAMPER;
        }
        if (!quiet && nprov)
            printf("provenance: %llu synced changes checked against the peers' checkpoints\n",
                   (unsigned long long)nprov);
    }
    if (!quiet && (c == RN_OK || c == RN_ETAMPER))
        printf("trust: %s\n", st.anchors[0] ? st.anchors : "none");
    if (c == RN_OK) {
        uint64_t unsigned_cps = st.checkpoints - st.signed_checkpoints;
        if (!quiet)
            printf("verified: %llu log entries, %llu records, %llu blobs, "
                   "%llu checkpoints (%llu signed), %llu cosignatures — %s\n",
                   (unsigned long long)st.entries,
                   (unsigned long long)st.records, (unsigned long long)st.blobs,
                   (unsigned long long)st.checkpoints,
                   (unsigned long long)st.signed_checkpoints,
                   (unsigned long long)st.cosignatures,
                   unsigned_cps ? "consistent, but not all signed" : "all consistent");
        /* Said even with --quiet: an unsigned checkpoint proves nothing to
         * anyone who does not trust this very file. */
        if (unsigned_cps)
            printf("WARNING: %llu of %llu checkpoints %s unsigned: nobody outside can tell "
                   "them from a rewritten log. Make the instance's key (`remnant key "
                   "create`); checkpoints are signed from then on.\n",
                   (unsigned long long)unsigned_cps, (unsigned long long)st.checkpoints,
                   unsigned_cps == 1 ? "is" : "are");
        rc = EXIT_OK;
    } else if (c == RN_ETAMPER) {
        printf("FAILED: %llu problem%s found\n",
               (unsigned long long)st.problems, st.problems == 1 ? "" : "s");
        rc = EXIT_VERIFY;
    } else {
        rc = cli_error(c, &err);
        if (c == RN_EDB) {
            printf("PROBLEM database: %s\n", err.message);
            rc = EXIT_VERIFY;
        }
    }
    rn_store_close(s);
    return rc;
}
