/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_timeline.c — `remnant timeline`: production-to-use intervals with
 * their uncertainty, summarized per weapon system, producing state and
 * country of use (rn_timeline). --json prints the library's document. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "remnant/analysis.h"

static const char usage[] =
    "remnant timeline [--item ID] [--event ID] [--system NAME] [--state CC] [--country CC] "
    "[--all-kinds] [--limit N] [--json]";

static const char help[] =
    "Production-to-use intervals. For each weapon or munition (--all-kinds: every item)\n"
    "with a production date and an event date, the interval in days as [min, max],\n"
    "carrying both dates' uncertainty: a Juche year against a day in July is a range.\n"
    "A lower bound below 0 is clamped to 0 (an item is not used before it is made).\n"
    "Production date: the item's `produced` field, else the newest analyst claim, else\n"
    "the decoder's readings of its markings (their hull, marked ambiguous, when they\n"
    "disagree), never before the item's earliest assembly (its parts' latest date).\n"
    "Use: the event's incident date, else its documented date; a part without an event\n"
    "of its own takes the event of the item it is part of. Every line names its basis.\n"
    "Filters: --item, --event, --system (weapon system), --state (producing state),\n"
    "--country (country of the event). --limit N items listed per group (default 20).\n";

/* Parse a positive count; 0 on error. */
static void span(json_t *a, char *buf, size_t cap)
{
    json_t *lo = json_array_get(a, 0), *hi = json_array_get(a, 1);
    char l[24] = "open", h[24] = "open";
    if (json_is_integer(lo))
        snprintf(l, sizeof l, "%" JSON_INTEGER_FORMAT, json_integer_value(lo));
    if (json_is_integer(hi))
        snprintf(h, sizeof h, "%" JSON_INTEGER_FORMAT, json_integer_value(hi));
    snprintf(buf, cap, "[%s, %s]", l, h);
}

static void print_human(json_t *root)
{
    json_t *c = json_object_get(root, "counts");
    printf("Production-to-use intervals, in days as [min, max]\n");
    printf("Basis: %s\n", cli_js(root, "precedence"));
    printf("%" JSON_INTEGER_FORMAT " items considered, %" JSON_INTEGER_FORMAT
           " with an interval; %" JSON_INTEGER_FORMAT " without a production date, %"
           JSON_INTEGER_FORMAT " without an event date, %" JSON_INTEGER_FORMAT " filtered out\n",
           json_integer_value(json_object_get(c, "considered")),
           json_integer_value(json_object_get(c, "with_interval")),
           json_integer_value(json_object_get(c, "no_production_date")),
           json_integer_value(json_object_get(c, "no_use_date")),
           json_integer_value(json_object_get(c, "filtered_out")));
    size_t i, j;
    json_t *g, *x;
    json_array_foreach(json_object_get(root, "groups"), i, g) {
        char hull[64];
        span(json_object_get(g, "interval_days_hull"), hull, sizeof hull);
        printf("\n%s / produced by %s / used in %s: %" JSON_INTEGER_FORMAT
               " items, all within %s days\n",
               cli_js(g, "weapon_system"), cli_js(g, "producing_state"), cli_js(g, "country"),
               json_integer_value(json_object_get(g, "count")), hull);
        json_t *q = json_object_get(g, "max_bound_quartiles");
        char qs[3][24];
        for (int k = 0; k < 3; k++) {
            json_t *v = json_array_get(q, (size_t)k);
            if (json_is_integer(v))
                snprintf(qs[k], sizeof qs[k], "%" JSON_INTEGER_FORMAT, json_integer_value(v));
            else
                snprintf(qs[k], sizeof qs[k], "open");
        }
        printf("  upper bounds, quartiles: %s / %s / %s days\n", qs[0], qs[1], qs[2]);
        printf("  by upper bound:");
        json_array_foreach(json_object_get(g, "buckets_by_max_bound"), j, x)
            printf("%s %s %" JSON_INTEGER_FORMAT, j ? "," : "", cli_js(x, "label"),
                   json_integer_value(json_object_get(x, "count")));
        printf("\n  shortest proven (used at most N days after production):\n");
        json_array_foreach(json_object_get(g, "shortest_proven"), j, x) {
            char sp[64];
            span(json_object_get(x, "interval_days"), sp, sizeof sp);
            printf("    %s  %s%s\n", cli_js(x, "item"), sp,
                   json_is_true(json_object_get(x, "produced_ambiguous"))
                       ? "  (production date ambiguous: a hull of readings)"
                       : "");
        }
    }
    json_t *items = json_object_get(root, "items");
    if (json_array_size(items))
        printf("\nItems (shortest first):\n");
    json_array_foreach(items, i, x) {
        char sp[64];
        span(json_object_get(x, "interval_days"), sp, sizeof sp);
        printf("  %s  %s %s  %s days\n    %s\n    production: %s; use: %s\n", cli_js(x, "item"),
               cli_js(x, "weapon_system"), cli_js(x, "producing_state"), sp, cli_js(x, "words"),
               cli_js(x, "produced_basis"), cli_js(x, "used_basis"));
    }
}

int cmd_timeline(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n%s", usage, help);
        return EXIT_OK;
    }
    rn_analysis_filter f = {0};
    int json = cli_flag(&argc, argv, "--json");
    f.all_kinds = cli_flag(&argc, argv, "--all-kinds");
    int frc = cli_analysis_filter(&argc, argv, usage, &f);
    if (frc)
        return frc;
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc != 1)
        return cli_usage_error(usage, "unexpected argument '%s'", argv[1]);
    rn_store *s;
    if ((rc = cli_open(RN_STORE_READONLY, &s)))
        return rc;
    rn_error err;
    rn_error_clear(&err);
    char *out = NULL;
    size_t len = 0;
    rn_code c = rn_timeline(s, &f, &out, &len, &err);
    rc = cli_document(c, &err, out, len, json, print_human);
    rn_store_close(s);
    return rc;
}
