/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_export.c — `remnant export`: every record as JSON Lines (or one type
 * as CSV), in an order that `remnant import` takes back. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "remnant export [--format jsonl|csv] [--type TYPE] [--public] [-o FILE]";

int cmd_export(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nWrite records to standard output or FILE. JSON Lines (default) "
               "holds every type;\nCSV holds one, named by --type. --public leaves out "
               "sensitive fields (names,\nsources, custody). Importing the output into an "
               "empty database gives identical\nrecords. Formats: docs/FORMATS.md.\n", usage);
        return EXIT_OK;
    }
    rn_export_opts o = {RN_FMT_JSONL, 0, RN_T_EVENT, 0};
    const char *fmt = NULL, *type = NULL, *path = NULL;
    if (cli_flag(&argc, argv, "--public"))
        o.json_flags |= RN_JSON_PUBLIC;
    if (cli_opt(&argc, argv, "--format", &fmt) < 0 || cli_opt(&argc, argv, "--type", &type) < 0 ||
        cli_opt(&argc, argv, "-o", &path) < 0)
        return cli_usage_error(usage, "--format, --type and -o need a value");
    if (fmt && strcmp(fmt, "jsonl") && strcmp(fmt, "csv"))
        return cli_usage_error(usage, "--format is jsonl or csv, not '%s'", fmt);
    if (fmt && !strcmp(fmt, "csv"))
        o.format = RN_FMT_CSV;
    if (type) {
        if (rn_type_from_name(type, &o.type))
            return cli_usage_error(usage, "'%s' is not a record type", type);
        o.type_set = 1;
    }
    if (o.format == RN_FMT_CSV && !o.type_set)
        return cli_usage_error(usage, "CSV holds one record type: add --type TYPE");
    if (o.format == RN_FMT_CSV && (o.json_flags & RN_JSON_PUBLIC))
        return cli_usage_error(usage, "--public works with JSON Lines only");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc != 1)
        return cli_usage_error(usage, "unexpected argument '%s'", argv[1]);
    rn_store *s;
    if ((rc = cli_open(RN_STORE_READONLY, &s)))
        return rc;
    FILE *out = stdout;
    if (path && !(out = fopen(path, "wb"))) {
        perror(path);
        rn_store_close(s);
        return EXIT_DB;
    }
    rn_error err;
    rn_error_clear(&err);
    rn_code c = rn_export(s, out, &o, &err);
    if (c)
        rc = cli_error(c, &err);
    if (path && fclose(out) != 0 && !rc) {
        perror(path);
        rc = EXIT_DB;
    }
    rn_store_close(s);
    return rc;
}
