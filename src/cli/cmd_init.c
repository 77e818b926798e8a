/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_init.c — `remnant init [PATH] [--no-key]`: create an empty database
 * and, unless --no-key, the instance's signing key beside it, so that every
 * checkpoint of the evidence log is signed from the first change on. */
#include <string.h>

#include "cli.h"
#include "remnant/ledger.h"

static const char usage[] = "remnant init [PATH] [--no-key]";

int cmd_init(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nCreate an empty Remnant database at PATH (default: --db, "
               "$REMNANT_DB or ./remnant.db),\nthe blob folder PATH.blobs beside it, and "
               "the instance's signing key PATH.key\n(mode 0600; `remnant key` shows and "
               "rotates it), so that every checkpoint of\nthe evidence log is signed. "
               "Prints the verifier key: give it to whoever checks\nyour evidence. Fails "
               "if PATH exists.\n  --no-key  make no signing key (checkpoints stay unsigned "
               "until `remnant key\n            create`; `remnant verify` says so)\n",
               usage);
        return EXIT_OK;
    }
    int no_key = cli_flag(&argc, argv, "--no-key");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc > 2)
        return cli_usage_error(usage, "too many arguments");
    if (argc == 2)
        cli_set_db(argv[1]);
    rn_store *s;
    rn_error err;
    rn_error_clear(&err);
    rn_code c = rn_store_open(cli_db(), RN_STORE_CREATE | RN_STORE_EXCL, &s, &err);
    if (c)
        return cli_error(c, &err);
    printf("created %s (schema version %d)\n", cli_db(), rn_store_schema_version(s));
    rn_store_close(s);
    if (no_key) {
        printf("no signing key: checkpoints are unsigned until `remnant key create`\n");
        return EXIT_OK;
    }
    rn_ledger *l = NULL;
    char vkey[RN_LEDGER_VKEY_MAX];
    c = rn_ledger_open(cli_db(), 0, &l, &err);
    if (!c)
        c = rn_ledger_key_create(l, vkey, &err);
    rn_ledger_close(l);
    if (c)
        return cli_error(c, &err);
    printf("signing key: %s\n", vkey);
    fprintf(stderr, "secret key in %s.key (keep it private; back it up)\n", cli_db());
    return EXIT_OK;
}
