/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_edit.c — `remnant edit ID FIELD=VALUE ...`: change fields of a
 * record; FIELD= (empty) clears a field. */
#include "cli.h"

static const char usage[] = "remnant edit ID FIELD=VALUE ... [--json]";

int cmd_edit(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nChange fields of the record ID. FIELD= with nothing after the "
               "'=' clears FIELD.\nThe change is logged with its author ($REMNANT_AUTHOR or "
               "$USER).\n", usage);
        return EXIT_OK;
    }
    int json = cli_flag(&argc, argv, "--json");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc < 3)
        return cli_usage_error(usage, "name a record id and at least one FIELD=VALUE");
    rn_store *s;
    if ((rc = cli_open(0, &s)))
        return rc;
    rn_record *r = NULL;
    rn_error err;
    rn_error_clear(&err);
    rn_code c = rn_store_get(s, argv[1], &r, &err);
    if (c)
        rc = cli_error(c, &err);
    if (!rc)
        rc = cli_set_fields(r, argc - 2, argv + 2, 1);
    if (!rc && (c = rn_store_put(s, r, RN_PUT_REPLACE, &err)))
        rc = cli_error(c, &err);
    if (!rc)
        rc = cli_print_record(stdout, r, json);
    rn_record_free(r);
    rn_store_close(s);
    return rc;
}
