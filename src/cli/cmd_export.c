/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_export.c — `remnant export`: every record as JSON Lines (or one type
 * as CSV), in an order that `remnant import` takes back. With --public, the
 * public view (include/remnant/public.h) and nothing else: the same records
 * and the same fields the anonymous API shows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "remnant/public.h"

static const char usage[] =
    "remnant export [--format jsonl|csv] [--type TYPE] [--blobs DIR] [-o FILE]\n"
    "       remnant export --public [--public-grid DEGREES] [--preview FINDING] [--blobs DIR]"
    " [-o FILE]";

static int export_public(rn_store *s, FILE *out, double grid, const char *preview,
                         const char *blobs)
{
    rn_error err;
    rn_error_clear(&err);
    rn_public_opts po = {grid, preview};
    rn_public *view = NULL;
    uint64_t n = 0;
    rn_code c = rn_public_open(s, &po, &view, &err);
    if (c == RN_OK)
        c = rn_public_export(view, s, out, &n, &err);
    uint64_t files = 0;
    if (c == RN_OK && blobs)
        c = rn_public_export_blobs(view, s, blobs, &files, &err);
    rn_public_free(view);
    if (c)
        return cli_error(c, &err);
    if (blobs)
        fprintf(stderr, "remnant: %llu public file%s in %s\n", (unsigned long long)files,
                files == 1 ? "" : "s", blobs);
    if (n == 0)
        fprintf(stderr, "remnant: nothing is public yet: no finding is published%s\n",
                preview ? " (besides the previewed one)" : "");
    return EXIT_OK;
}

int cmd_export(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nWrite records to standard output or FILE. JSON Lines (default) "
               "holds every type;\nCSV holds one, named by --type. Importing the output into "
               "an empty database\ngives identical records. Formats: docs/FORMATS.md.\n\n"
               "--public writes exactly what the public sees (docs/PUBLIC.md): published\n"
               "findings and the records they cite, without restricted fields, coordinates\n"
               "rounded to --public-grid degrees (default %g, as `remnant serve`). It imports\n"
               "into an empty database. --preview FINDING shows what the public would see\n"
               "once that finding is published.\n\n"
               "--blobs DIR also writes the file of every exported attachment record to\n"
               "DIR/<sha256> (with --public: the public copies, never an original photo),\n"
               "each checked against its SHA-256; `remnant import --blobs DIR` takes them\n"
               "back. Without them an attachment record does not import.\n",
               usage, RN_PUBLIC_GRID_DEFAULT);
        return EXIT_OK;
    }
    rn_export_opts o = {RN_FMT_JSONL, 0, RN_T_EVENT, 0};
    const char *fmt = NULL, *type = NULL, *path = NULL, *grid = NULL, *preview = NULL;
    const char *blobs = NULL;
    int pub = cli_flag(&argc, argv, "--public");
    if (cli_opt(&argc, argv, "--format", &fmt) < 0 || cli_opt(&argc, argv, "--type", &type) < 0 ||
        cli_opt(&argc, argv, "-o", &path) < 0 || cli_opt(&argc, argv, "--public-grid", &grid) < 0 ||
        cli_opt(&argc, argv, "--preview", &preview) < 0 ||
        cli_opt(&argc, argv, "--blobs", &blobs) < 0)
        return cli_usage_error(usage, "--format, --type, --public-grid, --preview, --blobs and -o"
                                      " need a value");
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
    if (pub && (o.format == RN_FMT_CSV || o.type_set))
        return cli_usage_error(usage, "--public writes JSON Lines of every public type");
    if (!pub && (grid || preview))
        return cli_usage_error(usage, "--public-grid and --preview go with --public");
    double g = 0;
    if (grid) {
        char *end;
        g = strtod(grid, &end);
        if (*end || !(g > 0.0 && g <= RN_PUBLIC_GRID_MAX))
            return cli_usage_error(usage, "--public-grid is more than 0 and at most %g degrees",
                                   RN_PUBLIC_GRID_MAX);
    }
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
    if (pub) {
        rc = export_public(s, out, g, preview, blobs);
    } else {
        rn_error err;
        rn_error_clear(&err);
        rn_code c = rn_export(s, out, &o, &err);
        uint64_t files = 0;
        if (!c && blobs && (!o.type_set || o.type == RN_T_ATTACHMENT)) {
            c = rn_export_blobs(s, blobs, &files, &err);
            if (!c)
                fprintf(stderr, "remnant: %llu file%s in %s\n", (unsigned long long)files,
                        files == 1 ? "" : "s", blobs);
        }
        if (c)
            rc = cli_error(c, &err);
    }
    if (path && fclose(out) != 0 && !rc) {
        perror(path);
        rc = EXIT_DB;
    }
    rn_store_close(s);
    return rc;
}
