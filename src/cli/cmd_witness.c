/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_witness.c — `remnant witness`: act as a witness for a log (check the
 * latest checkpoint's signature and its consistency with the last one
 * cosigned, then cosign), and record witnesses' cosignatures beside the
 * instance's checkpoints. Split views and inconsistencies are reported
 * loudly and nothing is signed. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "remnant/ledger.h"

static const char usage[] =
    "remnant witness keygen --name NAME -o KEYFILE\n"
    "       remnant witness cosign --key KEYFILE --log-key VKEY --state FILE"
    " [--record]\n"
    "       remnant witness record --witness VKEY [--size N] LINE";

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

int cmd_witness(int argc, char **argv)
{
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
               "stdin)\n", usage);
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
    return cli_usage_error(usage, "unknown action '%s'", argv[1]);
}
