/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_links.c — `remnant links ITEM|SERIAL`: where else this shipment has
 * turned up (rn_links); `remnant links --all`: every link group. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "remnant/analysis.h"

static const char usage[] = "remnant links ITEM|SERIAL [--json]\n       remnant links --all [--json]";

static const char help[] =
    "Items linked across events, places and conflicts, with the reason for each link:\n"
    "  - the same lot number;\n"
    "  - serials in one run: the same prefix and numbers at most 50 apart;\n"
    "  - packaging or documents (crate marks, packing lists) with the same mark.\n"
    "ITEM is an item id; SERIAL a full or partial serial, or a lot (every item whose\n"
    "serial contains it, or whose lot it is, is a starting point). Each linked item\n"
    "comes with its event's place, country, coordinates and date, ready for a map\n"
    "(--json). --all lists every lot, serial run and packaging mark seen in more than\n"
    "one event.\n";

static void item_line(json_t *x, const char *tag)
{
    json_t *d = json_object_get(x, "date");
    printf("%s %s  %s %s  serial %s  lot %s  %s, %s  %s (%s)", tag, cli_js(x, "item"), cli_js(x, "kind"),
           cli_js(x, "name"), cli_js(x, "serial"), cli_js(x, "lot"), cli_js(x, "place"), cli_js(x, "country"),
           json_is_object(d) ? cli_js(d, "text") : "-", cli_js(x, "date_basis"));
    if (json_is_string(json_object_get(x, "event_from")))
        printf("  event of %s, which it is part of", cli_js(x, "event_from"));
    printf("\n");
}

static void groups(json_t *root, const char *key, const char *title)
{
    size_t i;
    json_t *g;
    json_t *a = json_object_get(root, key);
    printf("\n%s: %zu\n", title, json_array_size(a));
    json_array_foreach(a, i, g) {
        if (json_object_get(g, "prefix"))
            printf("  %s %" JSON_INTEGER_FORMAT "..%" JSON_INTEGER_FORMAT ": %" JSON_INTEGER_FORMAT
                   " items\n", cli_js(g, "prefix"), json_integer_value(json_object_get(g, "from")),
                   json_integer_value(json_object_get(g, "to")),
                   json_integer_value(json_object_get(g, "items")));
        else
            printf("  %s: %" JSON_INTEGER_FORMAT " items in %" JSON_INTEGER_FORMAT " events\n",
                   cli_js(g, "key"), json_integer_value(json_object_get(g, "items")),
                   json_integer_value(json_object_get(g, "events")));
    }
}

int cmd_links(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n%s", usage, help);
        return EXIT_OK;
    }
    int json = cli_flag(&argc, argv, "--json");
    int all = cli_flag(&argc, argv, "--all");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (all ? argc != 1 : argc != 2)
        return cli_usage_error(usage, "name one item id or serial, or give --all");
    if (!all && !argv[1][0])
        return cli_usage_error(usage, "the serial is empty");
    rn_store *s;
    if ((rc = cli_open(RN_STORE_READONLY, &s)))
        return rc;
    rn_error err;
    rn_error_clear(&err);
    char *out = NULL;
    size_t len = 0;
    rn_code c = rn_links(s, all ? NULL : argv[1], &out, &len, &err);
    if (c) {
        rc = cli_error(c, &err);
    } else if (json) {
        fwrite(out, 1, len, stdout);
        putchar('\n');
    } else {
        json_t *root = json_loads(out, 0, NULL);
        printf("Links: %s\n", cli_js(root, "rules"));
        if (all) {
            groups(root, "lot_groups", "Lots seen in more than one event");
            groups(root, "serial_runs", "Serial runs spanning more than one event");
            groups(root, "packaging_groups", "Packaging marks seen in more than one event");
        } else {
            size_t i, j;
            json_t *x, *r;
            json_array_foreach(json_object_get(root, "seeds"), i, x)
                item_line(x, "match ");
            json_t *l = json_object_get(root, "linked");
            printf("%zu linked items; %" JSON_INTEGER_FORMAT " events in %" JSON_INTEGER_FORMAT
                   " countries in all\n", json_array_size(l),
                   json_integer_value(json_object_get(root, "events")),
                   json_integer_value(json_object_get(root, "countries")));
            json_array_foreach(l, i, x) {
                item_line(x, "linked");
                json_array_foreach(json_object_get(x, "reasons"), j, r)
                    printf("         because: %s\n", cli_js(r, "detail"));
            }
        }
        json_decref(root);
    }
    rn_free(out);
    rn_store_close(s);
    return rc;
}
