/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_add.c — `remnant add TYPE FIELD=VALUE ...`: create one record and
 * print its id. */
#include <string.h>

#include "cli.h"

static const char usage[] = "remnant add TYPE FIELD=VALUE ... [--json]";

int cmd_add(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nCreate a record of TYPE and print its new id (with --json, the "
               "whole record).\nTypes and fields: `remnant fields`. Dates: 2024, 2024-07, "
               "2024-W12, 2024-07-02,\n2024-07/2024-08. Lists: a;b;c. Example:\n"
               "  remnant add item kind=component category=ic parent=ID name=\"MCU\"\n", usage);
        return EXIT_OK;
    }
    int json = cli_flag(&argc, argv, "--json");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc < 2)
        return cli_usage_error(usage, "name a record type (see `remnant fields`)");
    rn_type t;
    if (rn_type_from_name(argv[1], &t))
        return cli_usage_error(usage, "'%s' is not a record type (see `remnant fields`)",
                               argv[1]);
    rn_record *r = rn_record_new(t);
    if (!r)
        return EXIT_FAIL;
    rn_store *s = NULL;
    rc = cli_set_fields(r, argc - 2, argv + 2, 0);
    if (!rc)
        rc = cli_open(0, &s);
    if (!rc) {
        rn_error err;
        rn_error_clear(&err);
        rn_code c = rn_store_put(s, r, RN_PUT_CREATE, &err);
        if (c)
            rc = cli_error(c, &err);
        else if (json)
            rc = cli_print_record(stdout, r, 1);
        else
            printf("%s\n", rn_record_id(r));
    }
    rn_store_close(s);
    rn_record_free(r);
    return rc;
}
