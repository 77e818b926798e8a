/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_report.c — `remnant report`: a briefing report of a finding, of one
 * or more weapons, or of a documentation event, as a PDF or one
 * self-contained HTML file (include/remnant/report.h). Beside the report it
 * writes the evidence bundle the report's "How to verify" section names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "remnant/report.h"

static const char usage[] =
    "remnant report (--finding ID | --item ID [ID]... | --event ID)\n"
    "                      [-o FILE.pdf|FILE.html] [--lang en|uk] [--public] "
    "[--public-grid DEG]";

static void help(void)
{
    printf("usage: %s\n\n"
           "Write a briefing report: title, statement, status, author and reviewer;\n"
           "the weapons with a map of where they were documented; production-to-use\n"
           "intervals; component origin by country, manufacturer and date code; sanctions\n"
           "leads (for review, not conclusions); the evidence with decoded readings and\n"
           "photos; and how to verify it (the signed checkpoint, each record's log index,\n"
           "and the evidence bundle with its SHA-256 and remnant-verify command).\n"
           "Every figure is the one `remnant timeline|origin|sanctions --json` gives.\n\n"
           "  --finding ID     a finding (it must cite evidence)\n"
           "  --item ID...     one or more weapons (--item A B, or --item A --item B)\n"
           "  --event ID       the weapons of a documentation event\n"
           "  -o FILE          FILE.pdf (A4, fonts embedded) or FILE.html (one file,\n"
           "                   opens offline); default report-<ID>.pdf\n"
           "  --lang en|uk     the report's headings and labels (default en)\n"
           "  --public         the public view only: a published finding and what it\n"
           "                   cites; no restricted field; coordinates on the grid\n"
           "  --public-grid D  the grid in degrees (default 0.1, as `remnant serve`)\n\n"
           "The evidence bundle is written beside the report as FILE.bundle (when the\n"
           "log's checkpoint is signed: `remnant key create`). Files are written to a\n"
           "temporary name and renamed when complete.\n",
           usage);
}

int cmd_report(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        help();
        return EXIT_OK;
    }
    rn_report_opts o = {0};
    const char *items[RN_REPORT_ITEMS_MAX];
    size_t nitems = 0;
    const char *v, *out = NULL, *grid = NULL;
    int r;
    while ((r = cli_opt(&argc, argv, "--item", &v)) == 1) {
        if (nitems == RN_REPORT_ITEMS_MAX)
            return cli_usage_error(usage, "at most %d --item", RN_REPORT_ITEMS_MAX);
        items[nitems++] = v;
    }
    if (r < 0)
        return cli_usage_error(usage, "--item needs an id");
    if (cli_opt(&argc, argv, "--finding", &o.finding) < 0 ||
        cli_opt(&argc, argv, "--event", &o.event) < 0 || cli_opt(&argc, argv, "-o", &out) < 0 ||
        cli_opt(&argc, argv, "--lang", &o.lang) < 0 ||
        cli_opt(&argc, argv, "--public-grid", &grid) < 0)
        return cli_usage_error(usage, "an option is missing its value");
    o.public_view = cli_flag(&argc, argv, "--public");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    for (int i = 1; i < argc; i++) { /* --item ID ID ...: more weapons */
        if (nitems == 0)
            return cli_usage_error(usage, "unexpected argument '%s'", argv[i]);
        if (nitems == RN_REPORT_ITEMS_MAX)
            return cli_usage_error(usage, "at most %d --item", RN_REPORT_ITEMS_MAX);
        items[nitems++] = argv[i];
    }
    o.items = items;
    o.nitems = nitems;
    if ((o.finding != NULL) + (nitems > 0) + (o.event != NULL) != 1)
        return cli_usage_error(usage, "name one subject: --finding, --item or --event");
    if (o.lang && strcmp(o.lang, "en") != 0 && strcmp(o.lang, "uk") != 0)
        return cli_usage_error(usage, "--lang is en or uk");
    if (grid) {
        char *end;
        o.public_grid = strtod(grid, &end);
        if (*end || !(o.public_grid > 0 && o.public_grid <= 10))
            return cli_usage_error(usage, "--public-grid is degrees, above 0 and at most 10");
    }
    const char *subject = o.finding ? o.finding : o.event ? o.event : items[0];
    char defout[200];
    if (!out) {
        snprintf(defout, sizeof defout, "report-%s.pdf", subject);
        out = defout;
    }
    rn_report_format fmt;
    if (rn_report_format_of(out, &fmt) != RN_OK)
        return cli_usage_error(usage, "-o %s: the file name must end in .pdf or .html", out);
    /* FILE.pdf -> FILE.bundle */
    size_t ol = strlen(out);
    char *bundle = malloc(ol + 8);
    if (!bundle)
        return EXIT_FAIL;
    memcpy(bundle, out, ol + 1);
    char *dot = strrchr(bundle, '.');
    snprintf(dot, 8, ".bundle");
    o.bundle_path = bundle;
    o.db_path = cli_db();
    rn_store *s;
    if ((rc = cli_open(RN_STORE_READONLY, &s))) {
        free(bundle);
        return rc;
    }
    rn_error err;
    rn_error_clear(&err);
    rn_report *rep = NULL;
    rn_code c = rn_report_build(s, &o, &rep, &err);
    if (!c)
        c = rn_report_write(rep, fmt, out, &err);
    if (c) {
        rc = cli_error(c, &err);
    } else {
        char pages[40] = "";
        if (fmt == RN_REPORT_PDF)
            snprintf(pages, sizeof pages, " (%zu pages)", rn_report_pages(rep));
        fprintf(stderr, "wrote %s%s%s%s\n", out, pages,
                rn_report_bundle_sha256(rep)[0] ? " and " : "",
                rn_report_bundle_sha256(rep)[0] ? bundle : "");
        rc = EXIT_OK;
    }
    rn_report_free(rep);
    rn_report_cleanup();
    rn_store_close(s);
    free(bundle);
    return rc;
}
