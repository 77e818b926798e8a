/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_checkpoint.c — `remnant checkpoint`: the signed checkpoints of the
 * evidence log with their witness cosignatures, and proofs against them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "remnant/ledger.h"
#include "witness_cli.h"

static const char usage[] =
    "remnant checkpoint [SIZE] | --list | --inclusion ID [--size N] |"
    " --consistency OLD [NEW] | --witness [--quorum N]";

static int list_one(void *ctx, uint64_t size, const char *note, size_t len,
                    size_t ncosigs)
{
    (void)ctx;
    /* Third line: the root; a blank line means signatures follow. */
    const char *p = note, *end = note + len;
    const char *root = "";
    int rootlen = 0, line = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        if (++line == 3) {
            root = p;
            rootlen = (int)(nl - p);
        }
        p = nl + 1;
    }
    int is_signed = strstr(note, "\n\n") != NULL;
    printf("%llu\t%.*s\t%s\t%zu cosignature%s\n", (unsigned long long)size,
           rootlen, root, is_signed ? "signed" : "unsigned", ncosigs,
           ncosigs == 1 ? "" : "s");
    return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (!s || !*s || *s == '-')
        return 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end)
        return 0;
    *out = v;
    return 1;
}

static void print_proof(const rn_ledger_proof *p)
{
    for (size_t i = 0; i < p->n; i++) {
        for (int k = 0; k < RN_LEDGER_HASH_LEN; k++)
            printf("%02x", p->hash[i][k]);
        putchar('\n');
    }
}

int cmd_checkpoint(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n"
               "Without options, print the latest checkpoint (or the one at SIZE) "
               "as a C2SP\nsigned note, with the cosignature lines of the "
               "witnesses that cosigned it.\n"
               "  --list              one line per checkpoint: size, root, "
               "signed, cosignatures\n"
               "  --inclusion ID      the inclusion proof of record ID's latest "
               "entry (hex,\n                      deepest first) in the latest "
               "checkpoint, or the one of --size N\n"
               "  --consistency OLD [NEW]  the consistency proof from size OLD "
               "to NEW (latest)\n"
               "  --witness           first ask the log's witnesses to cosign the "
               "latest checkpoint\n                      (`remnant witness ask`; "
               "exit 1 below the quorum, 6 on a split view)\n", usage);
        return EXIT_OK;
    }
    int list = cli_flag(&argc, argv, "--list");
    int witness = cli_flag(&argc, argv, "--witness");
    const char *qv = NULL;
    if (cli_opt(&argc, argv, "--quorum", &qv) < 0)
        return cli_usage_error(usage, "--quorum needs a number");
    if (witness) {
        /* c2sp.org/tlog-witness: ask, store, then print what the log holds */
        char *end = NULL;
        long q = qv ? strtol(qv, &end, 10) : -1;
        if (qv && (!*qv || *end || q < 0 || q > 64))
            return cli_usage_error(usage, "--quorum takes a number from 0 to 64");
        int rc = cli_unknown_option(argc, argv, usage);
        if (rc)
            return rc;
        if (argc > 1)
            return cli_usage_error(usage, "--witness asks about the latest checkpoint only");
        rn_store *s = NULL;
        if ((rc = cli_open(0, &s)))
            return rc;
        rn_store_close(s);
        rn_ledger *l = NULL;
        rn_error err;
        rn_error_clear(&err);
        rn_code c = rn_ledger_open(cli_db(), 0, &l, &err);
        if (c)
            return cli_error(c, &err);
        rc = cli_witness_ask(l, q, 1);
        char *note = NULL;
        size_t len = 0;
        if (rn_ledger_checkpoint(l, 0, &note, &len, &err) == RN_OK)
            fwrite(note, 1, len, stdout);
        rn_free(note);
        rn_ledger_close(l);
        return rc;
    }
    if (qv)
        return cli_usage_error(usage, "--quorum goes with --witness");
    const char *incl = NULL, *cons = NULL, *sz = NULL;
    if (cli_opt(&argc, argv, "--inclusion", &incl) < 0 ||
        cli_opt(&argc, argv, "--consistency", &cons) < 0 ||
        cli_opt(&argc, argv, "--size", &sz) < 0)
        return cli_usage_error(usage, "an option is missing its value");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    uint64_t size = 0, size2 = 0;
    if (sz && !parse_u64(sz, &size))
        return cli_usage_error(usage, "--size takes a number");
    if (argc > 2)
        return cli_usage_error(usage, "too many arguments");
    if (argc == 2 && !parse_u64(argv[1], cons ? &size2 : &size))
        return cli_usage_error(usage, "SIZE is a number");
    if (list + (incl != NULL) + (cons != NULL) > 1)
        return cli_usage_error(usage, "--list, --inclusion and --consistency go one at a time");
    if (sz && !incl)
        return cli_usage_error(usage, "--size goes with --inclusion");
    if (argc == 2 && (list || incl))
        return cli_usage_error(usage, "SIZE does not go with --list or --inclusion");
    rn_ledger *l = NULL;
    rn_error err;
    rn_error_clear(&err);
    rn_code c = rn_ledger_open(cli_db(), RN_LEDGER_READONLY, &l, &err);
    if (c)
        return cli_error(c, &err);
    /* a size beyond the log is a misused option (exit 2), not a failed
     * verification (exit 6) */
    uint64_t have = 0;
    c = rn_ledger_size(l, &have, &err);
    uint64_t asked = incl ? size : cons ? (size2 ? size2 : 0) : size;
    if (c == RN_OK && asked > have) {
        rn_ledger_close(l);
        return cli_usage_error(usage, "the log has %llu entries; %llu is beyond it",
                               (unsigned long long)have, (unsigned long long)asked);
    }
    if (c) {
        rn_ledger_close(l);
        return cli_error(c, &err);
    }
    if (list) {
        c = rn_ledger_checkpoints(l, list_one, NULL, &err);
    } else if (incl) {
        rn_ledger_proof p;
        char *entry = NULL;
        size_t elen;
        c = rn_ledger_inclusion(l, incl, size, &p, &entry, &elen, &err);
        if (c == RN_OK) {
            printf("entry %llu of %llu\n%s\n", (unsigned long long)p.index,
                   (unsigned long long)p.size, entry);
            print_proof(&p);
        }
        rn_free(entry);
    } else if (cons) {
        uint64_t old;
        rn_ledger_proof p;
        if (!parse_u64(cons, &old)) {
            rn_ledger_close(l);
            return cli_usage_error(usage, "--consistency takes a number");
        }
        if (size2 == 0)
            c = rn_ledger_size(l, &size2, &err);
        if (c == RN_OK)
            c = rn_ledger_consistency(l, old, size2, &p, &err);
        if (c == RN_OK) {
            printf("consistency %llu %llu\n", (unsigned long long)old,
                   (unsigned long long)size2);
            print_proof(&p);
        }
    } else {
        char *note = NULL;
        size_t len;
        c = rn_ledger_checkpoint(l, size, &note, &len, &err);
        if (c == RN_OK)
            fwrite(note, 1, len, stdout);
        rn_free(note);
    }
    rc = c ? cli_error(c, &err) : EXIT_OK;
    rn_ledger_close(l);
    return rc;
}
