/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_init.c — `remnant init [PATH]`: create an empty database. */
#include <string.h>

#include "cli.h"

static const char usage[] = "remnant init [PATH]";

int cmd_init(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nCreate an empty Remnant database at PATH (default: --db, "
               "$REMNANT_DB or ./remnant.db)\nand the blob folder PATH.blobs beside it. "
               "Fails if PATH exists.\n", usage);
        return EXIT_OK;
    }
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
    return EXIT_OK;
}
