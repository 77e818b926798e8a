/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_origin.c — `remnant origin`: component origin of weapons — tree,
 * tables by country and manufacturer, date codes by year, earliest possible
 * assembly (rn_origin). --json prints the library's document. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "remnant/analysis.h"

static const char usage[] =
    "remnant origin [ITEM] [--event ID] [--system NAME] [--state CC] [--country CC] "
    "[--limit N] [--json]";

static const char help[] =
    "Component origin. For one weapon (ITEM) or every weapon matching the filters: the\n"
    "component tree; each component's manufacturer, the manufacturer's country (of\n"
    "headquarters) and production (date-code) interval; counts and shares by country\n"
    "and by manufacturer; date codes by year (codes spanning years are counted apart,\n"
    "never assigned); and each weapon's earliest possible assembly date, which no part\n"
    "can precede. Values: the item's field, else the newest analyst claim, else the\n"
    "decoder's readings (their hull, marked ambiguous, when they disagree); every line\n"
    "names its basis. Components are items of kind `component`; shares are over\n"
    "components whose country is known. A component whose maker is unknown but whose\n"
    "country is known counts by country, under \"manufacturer unknown\". Spellings of one\n"
    "company (\"NXP\", \"NXP Semiconductors\") are one row, each spelling listed. When a\n"
    "weapon's producing state is unknown, so is how many of its parts are foreign. When\n"
    "the decoder's makers for a component tie, its maker is ambiguous: it is counted\n"
    "under each candidate maker and country only as \"possible\", in no share.\n";

static json_int_t ji(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static void table(json_t *a, const char *key, const char *title)
{
    size_t i;
    json_t *r;
    printf("\n%s:\n", title);
    json_array_foreach(a, i, r) {
        double share = json_real_value(json_object_get(r, "share"));
        printf("  %-28s %6" JSON_INTEGER_FORMAT "  %5.1f%%", cli_js(r, key), ji(r, "count"),
               100.0 * share);
        if (json_object_get(r, "countries"))
            printf("  [%s]", cli_js(r, "countries"));
        if (ji(r, "possible") > 0)
            printf("  +%" JSON_INTEGER_FORMAT " possible (ambiguous maker, in no share)",
                   ji(r, "possible"));
        printf("\n");
        json_t *sp = json_object_get(r, "spellings");
        if (json_array_size(sp) > 1 ||
            (json_array_size(sp) == 1 &&
             json_is_string(json_object_get(json_array_get(sp, 0), "brand")))) {
            size_t k;
            json_t *x;
            printf("    spellings:");
            json_array_foreach(sp, k, x) {
                printf("%s %s (%" JSON_INTEGER_FORMAT ")", k ? "," : "", cli_js(x, "spelling"),
                       ji(x, "count"));
                if (json_is_string(json_object_get(x, "brand")))
                    printf(" brand %s", cli_js(x, "brand"));
            }
            printf("\n");
        }
    }
}

/* Depth first from `parent`, whatever order the tree array is in. */
static void print_tree(json_t *tree, const char *parent, int depth)
{
    size_t j;
    json_t *c;
    if (depth > 64)
        return;
    json_array_foreach(tree, j, c) {
        if (strcmp(cli_js(c, "parent"), parent))
            continue;
        json_t *pd = json_object_get(c, "produced");
        printf("  %*s%s %s %s", 2 * depth, "", cli_js(c, "item"), cli_js(c, "category"), cli_js(c, "name"));
        if (json_is_true(json_object_get(c, "manufacturer_ambiguous"))) {
            size_t k;
            json_t *x;
            printf(" | ambiguous maker:");
            json_array_foreach(json_object_get(c, "manufacturer_candidates"), k, x)
                printf("%s %s (%s)", k ? " or" : "", cli_js(x, "manufacturer"),
                       cli_js(x, "country"));
            printf(" [%s]", cli_js(c, "manufacturer_basis"));
        } else if (json_is_string(json_object_get(c, "manufacturer")))
            printf(" | %s (%s) [%s]", cli_js(c, "manufacturer"), cli_js(c, "manufacturer_country"),
                   cli_js(c, "manufacturer_basis"));
        else if (json_is_string(json_object_get(c, "manufacturer_country")))
            printf(" | manufacturer unknown (%s) [%s]", cli_js(c, "manufacturer_country"),
                   cli_js(c, "manufacturer_basis"));
        if (json_is_object(pd))
            printf(" | made %s%s [%s]", cli_js(pd, "text"),
                   json_is_true(json_object_get(c, "produced_ambiguous")) ? " (ambiguous)" : "",
                   cli_js(c, "produced_basis"));
        printf("\n");
        print_tree(tree, cli_js(c, "item"), depth + 1);
    }
}

static void print_human(json_t *root)
{
    json_t *t = json_object_get(root, "totals");
    printf("Component origin (%" JSON_INTEGER_FORMAT " weapons)\nBasis: %s\n%s.\n",
           ji(t, "weapons"), cli_js(root, "precedence"), cli_js(root, "summary"));
    if (json_object_get(t, "latest_date_code_from"))
        printf("Date codes as late as %s (component %s).\n", cli_js(t, "latest_date_code_from"),
               cli_js(t, "latest_date_code_item"));
    table(json_object_get(root, "by_country"), "country", "By manufacturer's country");
    table(json_object_get(root, "by_manufacturer"), "manufacturer", "By manufacturer");
    table(json_object_get(root, "date_codes_by_year"), "year", "Date codes by year");
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(root, "weapons"), i, w) {
        printf("\n%s  %s  %s, produced by %s (%s); %" JSON_INTEGER_FORMAT " components, ",
               cli_js(w, "item"), cli_js(w, "name"), cli_js(w, "weapon_system"),
               cli_js(w, "producing_state"), cli_js(w, "producing_state_basis"),
               ji(w, "components"));
        if (json_is_integer(json_object_get(w, "foreign")))
            printf("%" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT
                   " with a known country foreign\n", ji(w, "foreign"), ji(w, "with_country"));
        else
            printf("foreign: unknown (the producing state is unknown; %" JSON_INTEGER_FORMAT
                   " with a known country)\n", ji(w, "with_country"));
        json_t *ea = json_object_get(w, "earliest_assembly");
        if (json_is_object(ea))
            printf("  %s\n", cli_js(ea, "words"));
        print_tree(json_object_get(w, "tree"), cli_js(w, "item"), 1);
    }
}

int cmd_origin(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n%s", usage, help);
        return EXIT_OK;
    }
    rn_analysis_filter f = {0};
    int json = cli_flag(&argc, argv, "--json");
    int frc = cli_analysis_filter(&argc, argv, usage, &f);
    if (frc)
        return frc;
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc > 2)
        return cli_usage_error(usage, "name at most one weapon");
    if (argc == 2)
        f.item = argv[1];
    rn_store *s;
    if ((rc = cli_open(RN_STORE_READONLY, &s)))
        return rc;
    rn_error err;
    rn_error_clear(&err);
    char *out = NULL;
    size_t len = 0;
    rn_code c = RN_OK;
    if (f.item) { /* a clear "not found" before an empty table */
        rn_record *r = NULL;
        c = rn_store_get(s, f.item, &r, &err);
        rn_record_free(r);
    }
    if (!c)
        c = rn_origin(s, &f, &out, &len, &err);
    rc = cli_document(c, &err, out, len, json, print_human);
    rn_store_close(s);
    return rc;
}
