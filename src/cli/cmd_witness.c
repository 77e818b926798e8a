/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_witness.c — `remnant witness`: act as a witness for a log (check the
 * latest checkpoint's signature and its consistency with the last one
 * cosigned, then cosign), and record witnesses' cosignatures beside the
 * instance's checkpoints. Split views and inconsistencies are reported
 * loudly and nothing is signed. The standard protocol (c2sp.org/tlog-witness)
 * on both sides: `serve` runs a witness on the web (src/witness/serve.c);
 * `add`, `rm`, `list`, `quorum` keep the witnesses this log asks, and `ask`
 * asks them (witness_http.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "remnant/ledger.h"
#include "witness_cli.h"

/* src/witness/serve.c, absent from a build without libmicrohttpd */
int cmd_witness_serve(int argc, char **argv) __attribute__((weak));

static const char usage[] =
    "remnant witness keygen --name NAME -o KEYFILE\n"
    "       remnant witness cosign --key KEYFILE --log-key VKEY --state FILE"
    " [--record]\n"
    "       remnant witness record --witness VKEY [--size N] LINE\n"
    "       remnant witness serve --key KEYFILE --log-key VKEY [--log-key VKEY"
    " ...] --state DIR [--listen ADDR:PORT]\n"
    "       remnant witness add NAME URL VKEY [--quorum N]\n"
    "       remnant witness rm NAME | list [--json] | quorum [N]\n"
    "       remnant witness ask [--quorum N]";

static int keygen(int argc, char **argv)
{
    const char *name = NULL, *out = NULL;
    if (cli_opt(&argc, argv, "--name", &name) < 0 ||
        cli_opt(&argc, argv, "-o", &out) < 0 || !name || !out)
        return cli_usage_error(usage, "keygen needs --name NAME and -o KEYFILE");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    char vkey[RN_LEDGER_VKEY_MAX];
    rn_error err;
    rn_error_clear(&err);
    rn_code c = rn_ledger_witness_keygen(out, name, vkey, &err);
    if (c)
        return cli_error(c, &err);
    printf("%s\n", vkey);
    fprintf(stderr, "secret witness key in %s (keep it private)\n", out);
    return EXIT_OK;
}

static const char *verdict_word(rn_witness_verdict v)
{
    switch (v) {
    case RN_WITNESS_COSIGNED: return "consistent with the last checkpoint seen";
    case RN_WITNESS_SAME: return "the same checkpoint as last time";
    case RN_WITNESS_SPLIT_VIEW: return "SPLIT VIEW";
    case RN_WITNESS_INCONSISTENT: return "INCONSISTENT";
    case RN_WITNESS_ROLLBACK: return "ROLLBACK";
    }
    return "?";
}

static int cosign(int argc, char **argv)
{
    const char *key = NULL, *logkey = NULL, *state = NULL;
    if (cli_opt(&argc, argv, "--key", &key) < 0 ||
        cli_opt(&argc, argv, "--log-key", &logkey) < 0 ||
        cli_opt(&argc, argv, "--state", &state) < 0 || !key || !logkey ||
        !state)
        return cli_usage_error(usage, "cosign needs --key, --log-key and"
                               " --state");
    int record = cli_flag(&argc, argv, "--record");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    rn_ledger *l = NULL;
    rn_error err;
    rn_error_clear(&err);
    rn_code c = rn_ledger_open(cli_db(), record ? 0 : RN_LEDGER_READONLY, &l,
                               &err);
    if (c)
        return cli_error(c, &err);
    rn_witness_verdict v;
    char *line = NULL;
    c = rn_ledger_witness_cosign(l, logkey, key, state, &v, &line, &err);
    if (c == RN_ETAMPER) {
        fprintf(stderr,
                "remnant witness: *** %s *** %s\n"
                "remnant witness: nothing was signed. Keep %s as evidence of "
                "what this witness saw.\n",
                verdict_word(v), err.message, state);
        rn_ledger_close(l);
        return EXIT_VERIFY;
    }
    if (c == RN_OK) {
        fputs(line, stdout);
        fprintf(stderr, "cosigned: %s\n", verdict_word(v));
        if (record) {
            char wv[RN_LEDGER_VKEY_MAX];
            c = rn_ledger_witness_key_show(key, wv, &err);
            if (c == RN_OK)
                c = rn_ledger_witness_record(l, 0, wv, line, &err);
        }
    }
    rn_free(line);
    rc = c ? cli_error(c, &err) : EXIT_OK;
    rn_ledger_close(l);
    return rc;
}

static int record(int argc, char **argv)
{
    const char *wv = NULL, *sz = NULL;
    if (cli_opt(&argc, argv, "--witness", &wv) < 0 ||
        cli_opt(&argc, argv, "--size", &sz) < 0 || !wv)
        return cli_usage_error(usage, "record needs --witness VKEY");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc != 2)
        return cli_usage_error(usage, "give the cosignature line");
    unsigned long long size = 0;
    if (sz && sscanf(sz, "%llu", &size) != 1)
        return cli_usage_error(usage, "--size takes a number");
    char buf[2048];
    const char *line = argv[1];
    if (strcmp(line, "-") == 0) {
        size_t n = fread(buf, 1, sizeof buf - 1, stdin);
        buf[n] = '\0';
        line = buf;
    }
    rn_ledger *l = NULL;
    rn_error err;
    rn_error_clear(&err);
    rn_code c = rn_ledger_open(cli_db(), 0, &l, &err);
    if (c == RN_OK)
        c = rn_ledger_witness_record(l, size, wv, line, &err);
    rc = c ? cli_error(c, &err) : EXIT_OK;
    rn_ledger_close(l);
    return rc;
}

/* Open the log for writing after the store has brought the schema up to
 * date (the witness tables arrive with migration 0011). */
static int open_rw(rn_ledger **l)
{
    rn_store *s = NULL;
    int rc = cli_open(0, &s);
    if (rc)
        return rc;
    rn_store_close(s);
    rn_error err;
    rn_error_clear(&err);
    rn_code c = rn_ledger_open(cli_db(), 0, l, &err);
    return c ? cli_error(c, &err) : EXIT_OK;
}

static int parse_quorum(const char *v, long *out)
{
    char *end;
    if (!v || !*v || *v == '-')
        return 0;
    long q = strtol(v, &end, 10);
    if (*end || q < 0 || q > 64)
        return 0;
    *out = q;
    return 1;
}

/* The options of add and ask: [--quorum N] and `nargs` arguments after the
 * subcommand. OUT *q (-1 when not given). 0, or the exit code of a usage
 * error. */
static int quorum_args(int *argc, char **argv, int nargs, const char *need, long *q)
{
    const char *qv = NULL;
    *q = -1;
    if (cli_opt(argc, argv, "--quorum", &qv) < 0)
        return cli_usage_error(usage, "--quorum needs a number");
    int rc = cli_unknown_option(*argc, argv, usage);
    if (rc)
        return rc;
    if (*argc != nargs + 1)
        return cli_usage_error(usage, "%s", need);
    if (qv && !parse_quorum(qv, q))
        return cli_usage_error(usage, "--quorum takes a number from 0 to 64");
    return 0;
}

static int add(int argc, char **argv)
{
    long q;
    int rc = quorum_args(&argc, argv, 3, "add needs NAME URL VKEY", &q);
    if (rc)
        return rc;
    rn_ledger *l = NULL;
    if ((rc = open_rw(&l)))
        return rc;
    rn_error err;
    rn_error_clear(&err);
    rn_code c = rn_ledger_witness_add(l, argv[1], argv[2], argv[3], &err);
    if (c == RN_OK && q >= 0)
        c = rn_ledger_witness_quorum_set(l, (unsigned)q, &err);
    rc = c ? cli_error(c, &err) : EXIT_OK;
    if (c == RN_OK)
        fprintf(stderr, "witness %s added: `remnant witness ask` asks it to"
                " cosign the latest checkpoint\n", argv[1]);
    rn_ledger_close(l);
    return rc;
}

static int rm(int argc, char **argv)
{
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc != 2)
        return cli_usage_error(usage, "rm needs a witness NAME");
    rn_ledger *l = NULL;
    if ((rc = open_rw(&l)))
        return rc;
    rn_error err;
    rn_error_clear(&err);
    unsigned q = 0;
    rn_code c = rn_ledger_witness_remove(l, argv[1], &err);
    /* A quorum larger than the witnesses left could never be met. */
    if (c == RN_OK)
        c = rn_ledger_witness_quorum_get(l, &q, &err);
    rc = c ? cli_error(c, &err) : EXIT_OK;
    if (c == RN_OK) {
        rn_error_clear(&err);
        if (rn_ledger_witness_quorum_set(l, q, &err) != RN_OK)
            fprintf(stderr, "remnant witness: warning: the quorum (%u) is now"
                    " larger than the number of witnesses; lower it with"
                    " `remnant witness quorum N`\n", q);
    }
    rn_ledger_close(l);
    return rc;
}

static int list_one(void *ctx, const rn_ledger_witness_info *w)
{
    if (*(int *)ctx) {
        json_t *o = json_pack("{s:s,s:s,s:s,s:I}", "name", w->name, "url",
                              w->url, "vkey", w->vkey, "size",
                              (json_int_t)w->size);
        char *t = o ? json_dumps(o, JSON_COMPACT) : NULL;
        if (t)
            printf("%s\n", t);
        free(t);
        json_decref(o);
        return 0;
    }
    printf("%s\t%s\t%s\t%llu\n", w->name, w->url, w->vkey,
           (unsigned long long)w->size);
    return 0;
}

static int list(int argc, char **argv)
{
    int json = cli_flag(&argc, argv, "--json");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc != 1)
        return cli_usage_error(usage, "list takes no arguments");
    rn_ledger *l = NULL;
    rn_error err;
    rn_error_clear(&err);
    rn_code c = rn_ledger_open(cli_db(), RN_LEDGER_READONLY, &l, &err);
    unsigned q = 0;
    if (c == RN_OK)
        c = rn_ledger_witness_list(l, list_one, &json, &err);
    if (c == RN_OK)
        c = rn_ledger_witness_quorum_get(l, &q, &err);
    if (c == RN_OK)
        fprintf(stderr, "quorum: %u\n", q);
    rc = c ? cli_error(c, &err) : EXIT_OK;
    rn_ledger_close(l);
    return rc;
}

static int quorum(int argc, char **argv)
{
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc > 2)
        return cli_usage_error(usage, "quorum takes at most one number");
    long q = -1;
    if (argc == 2 && !parse_quorum(argv[1], &q))
        return cli_usage_error(usage, "the quorum is a number from 0 to 64");
    rn_ledger *l = NULL;
    if ((rc = open_rw(&l)))
        return rc;
    rn_error err;
    rn_error_clear(&err);
    unsigned have = 0;
    rn_code c = q >= 0 ? rn_ledger_witness_quorum_set(l, (unsigned)q, &err)
                       : rn_ledger_witness_quorum_get(l, &have, &err);
    if (c == RN_OK && q < 0)
        printf("%u\n", have);
    rc = c ? cli_error(c, &err) : EXIT_OK;
    rn_ledger_close(l);
    return rc;
}

static int ask(int argc, char **argv)
{
    long q;
    int rc = quorum_args(&argc, argv, 0, "ask takes no arguments", &q);
    if (rc)
        return rc;
    rn_ledger *l = NULL;
    if ((rc = open_rw(&l)))
        return rc;
    rc = cli_witness_ask(l, q, 0);
    rn_ledger_close(l);
    return rc;
}

int cmd_witness(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "serve") == 0) {
        if (!cmd_witness_serve) {
            fprintf(stderr, "remnant witness: serve is not part of this build"
                    " (it needs libmicrohttpd)\n");
            return EXIT_FAIL;
        }
        return cmd_witness_serve(argc - 1, argv + 1);
    }
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n"
               "A witness is a second party that keeps the log honest: it cosigns "
               "a checkpoint\nonly after checking the log's signature and that "
               "the checkpoint extends the\nlast one it cosigned (C2SP "
               "tlog-cosignature, cosignature/v1). Two checkpoints\nof one size "
               "with different roots (a split view), an inconsistent pair or a\n"
               "smaller tree than already seen are reported loudly (exit 6) and "
               "not signed.\n\n"
               "  keygen   make a witness key file, print its verifier key\n"
               "  cosign   cosign the latest checkpoint of --db; print the "
               "cosignature line;\n           --record also stores it beside "
               "the checkpoint\n"
               "  record   store a cosignature line a witness gave (\"-\" reads "
               "stdin)\n"
               "\nThe standard protocol (c2sp.org/tlog-witness):\n"
               "  serve    run a witness on the web: POST /add-checkpoint "
               "(`remnant witness\n           serve --help`)\n"
               "  add      a witness this log asks: NAME, URL (the prefix before"
               " /add-checkpoint),\n           its verifier key; --quorum N "
               "sets how many must cosign\n"
               "  rm       forget a witness (its cosignatures stay)\n"
               "  list     the witnesses: name, URL, key, last size cosigned "
               "(--json: one\n           object per line)\n"
               "  quorum   show or set how many witnesses must cosign\n"
               "  ask      ask every witness to cosign the latest checkpoint "
               "(with a\n           consistency proof from the size it last "
               "cosigned), check and store\n           each cosignature; exit 1 "
               "when fewer than the quorum cosigned, 6 when\n           a "
               "witness saw another version of this log (split view, "
               "rollback).\n           An unreachable witness is reported, "
               "not fatal unless the quorum needs it.\n", usage);
        return EXIT_OK;
    }
    if (argc < 2)
        return cli_usage_error(usage, "name an action");
    if (strcmp(argv[1], "keygen") == 0)
        return keygen(argc - 1, argv + 1);
    if (strcmp(argv[1], "cosign") == 0)
        return cosign(argc - 1, argv + 1);
    if (strcmp(argv[1], "record") == 0)
        return record(argc - 1, argv + 1);
    if (strcmp(argv[1], "add") == 0)
        return add(argc - 1, argv + 1);
    if (strcmp(argv[1], "rm") == 0)
        return rm(argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0)
        return list(argc - 1, argv + 1);
    if (strcmp(argv[1], "quorum") == 0)
        return quorum(argc - 1, argv + 1);
    if (strcmp(argv[1], "ask") == 0)
        return ask(argc - 1, argv + 1);
    return cli_usage_error(usage, "unknown action '%s'", argv[1]);
}
