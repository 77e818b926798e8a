/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_import.c — `remnant import FILE`: JSON Lines or CSV, all or nothing,
 * with a progress bar on a terminal for large inputs. */
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>

#include "cli.h"

static const char usage[] =
    "remnant import FILE|- [--format jsonl|csv] [--type TYPE] [--blobs DIR] [--no-decode]"
    " [--quiet]";

typedef struct progress {
    int on;
    double start, last;
} progress;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int show(void *ctx, uint64_t done, uint64_t total, uint64_t records)
{
    progress *p = ctx;
    double t = now();
    if (!p->on || (t - p->last < 0.2 && done < total))
        return 0;
    p->last = t;
    double frac = total ? (double)done / (double)total : 0;
    int w = 30, k = (int)(frac * w);
    fprintf(stderr, "\r[%.*s%*s] %3.0f%%  %llu records  %.0f/s ", k,
            "##############################", w - k, "", frac * 100,
            (unsigned long long)records, (double)records / (t - p->start + 1e-9));
    return 0;
}

int cmd_import(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nImport records from FILE (or standard input, '-') in one "
               "transaction: either\nevery record is written or, on the first error, none is. "
               "The format follows\nthe extension (.jsonl, .csv) or the content. A CSV file "
               "holds one type per row,\nnamed by a 'type' column or by --type. Formats: "
               "docs/FORMATS.md.\nErrors name the file, line and field. A progress bar shows "
               "on a terminal for\nfiles over 8 MiB (--quiet hides it). Markings are decoded as "
               "they are imported\n(docs/DECODE.md); --no-decode skips that for bulk loads, "
               "and `remnant decode\n--reindex` decodes them later.\n\n"
               "An attachment record imports only with its file: stored already, or found\n"
               "in --blobs DIR as DIR/<sha256> (what `remnant export --blobs DIR` writes),\n"
               "checked against its SHA-256. Files taken in by an import that fails are\n"
               "removed again.\n", usage);
        return EXIT_OK;
    }
    rn_import_opts o;
    memset(&o, 0, sizeof o);
    const char *fmt = NULL, *type = NULL, *blobs = NULL;
    int quiet = cli_flag(&argc, argv, "--quiet");
    int no_decode = cli_flag(&argc, argv, "--no-decode");
    if (cli_opt(&argc, argv, "--format", &fmt) < 0 || cli_opt(&argc, argv, "--type", &type) < 0 ||
        cli_opt(&argc, argv, "--blobs", &blobs) < 0)
        return cli_usage_error(usage, "--format, --type and --blobs need a value");
    if (fmt && strcmp(fmt, "jsonl") && strcmp(fmt, "csv"))
        return cli_usage_error(usage, "--format is jsonl or csv, not '%s'", fmt);
    if (fmt)
        o.format = strcmp(fmt, "csv") == 0 ? RN_FMT_CSV : RN_FMT_JSONL;
    if (type) {
        if (rn_type_from_name(type, &o.csv_type))
            return cli_usage_error(usage, "'%s' is not a record type", type);
        o.csv_type_set = 1;
    }
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc != 2)
        return cli_usage_error(usage, "name one file to import ('-' for standard input)");
    struct stat bst;
    if (blobs && (stat(blobs, &bst) != 0 || !S_ISDIR(bst.st_mode)))
        return cli_usage_error(usage, "--blobs %s: not a folder", blobs);
    o.blobs_dir = blobs;
    rn_store *s;
    if ((rc = cli_open(0, &s)))
        return rc;
    if (no_decode)
        rn_store_set_decode(s, 0);
    progress p = {0, now(), 0};
    if (!quiet && isatty(2) && strcmp(argv[1], "-")) {
        FILE *f = fopen(argv[1], "rb");
        if (f && fseek(f, 0, SEEK_END) == 0 && ftell(f) > (8L << 20))
            p.on = 1;
        if (f)
            fclose(f);
    }
    o.progress = show;
    o.progress_ctx = &p;
    rn_import_stats st;
    rn_error err;
    rn_error_clear(&err);
    rn_code c = rn_import_file(s, argv[1], &o, &st, &err);
    if (p.on)
        fputc('\n', stderr);
    if (c) {
        rc = cli_error(c, &err);
        /* the advice follows the cause: only bad input is the input's fault */
        if (c == RN_EBUSY)
            fputs("remnant: nothing was imported; another process is writing the database: "
                  "run the import again when it is done\n", stderr);
        else if (c == RN_EIO || c == RN_EDB || c == RN_EREADONLY || c == RN_ENOMEM)
            fputs("remnant: nothing was imported; the input was not at fault: fix the cause "
                  "above (disk space, permissions) and run the import again\n", stderr);
        else
            fprintf(stderr, "remnant: nothing was imported; fix the input and run the import "
                            "again\n");
    } else {
        printf("imported %llu records", (unsigned long long)st.records);
        const char *sep = " (";
        for (int t = 0; t < RN_T_COUNT; t++) {
            if (!st.per_type[t])
                continue;
            printf("%s%llu %s", sep, (unsigned long long)st.per_type[t], rn_type_name((rn_type)t));
            sep = ", ";
        }
        printf("%s in %.2f s\n", st.records ? ")" : "", now() - p.start);
    }
    rn_store_close(s);
    return rc;
}
