/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_show.c — `remnant show ID`: one record; for an item, also its parts
 * and markings, so the hierarchy can be walked from the terminal. */
#include <string.h>

#include "cli.h"
#include "remnant/sync.h"

static const char usage[] = "remnant show ID [--json]";

/* Where the record's synced changes came from, and an open conflict. */
static void show_origin(rn_store *s, const char *id)
{
    char *out = NULL;
    if (rn_sync_provenance(s, id, &out, NULL) != RN_OK)
        return;
    json_t *root = json_loads(out, 0, NULL), *changes = json_object_get(root, "changes");
    rn_free(out);
    const char *k, *last = NULL;
    json_t *o, *lo = NULL;
    json_object_foreach(changes, k, o) {
        if (!last || strlen(k) > strlen(last) || (strlen(k) == strlen(last) && strcmp(k, last) > 0)) {
            last = k;
            lo = o;
        }
    }
    if (lo)
        printf("origin: made in %s (entry %" JSON_INTEGER_FORMAT ") by %s at %s\n"
               "        synced from peer %s: entry %" JSON_INTEGER_FORMAT " of log %s, "
               "checkpoint %" JSON_INTEGER_FORMAT "; brought in by %s (local entry #%s)\n",
               cli_js(lo, "made_in"), json_integer_value(json_object_get(lo, "made_at")),
               cli_js(lo, "author"), cli_js(lo, "time"), cli_js(lo, "peer"),
               json_integer_value(json_object_get(lo, "index")), cli_js(lo, "log"),
               json_integer_value(json_object_get(lo, "checkpoint")), cli_js(lo, "brought_by"),
               last);
    json_t *c = json_object_get(root, "conflict");
    if (json_is_object(c))
        printf("IN CONFLICT with peer %s: `remnant conflicts` shows both versions, `remnant "
               "resolve %s --take mine|theirs|FILE` decides\n", cli_js(c, "peer"), id);
    json_decref(root);
}

static void show_related(rn_store *s, rn_type t, const char *field, const char *id,
                         const char *label)
{
    rn_filter f = {field, id};
    rn_cursor *c;
    if (rn_store_list(s, t, &f, 1, 200, 0, &c, NULL))
        return;
    const rn_record *r;
    int n = 0;
    while (rn_cursor_next(c, &r, NULL) == RN_OK && r) {
        if (n++ == 0)
            printf("%s:\n", label);
        const char *a = rn_record_get(r, t == RN_T_MARKING ? "text" : "kind", NULL);
        const char *b = rn_record_get(r, t == RN_T_MARKING ? "location" : "category", NULL);
        const char *nm = t == RN_T_ITEM ? rn_record_get(r, "name", NULL) : NULL;
        printf("  %s  ", rn_record_id(r));
        cli_fput_text(stdout, a ? a : "", a ? strlen(a) : 0);
        fputs(b ? "  " : "", stdout);
        cli_fput_text(stdout, b ? b : "", b ? strlen(b) : 0);
        fputs(nm ? "  " : "", stdout);
        cli_fput_text(stdout, nm ? nm : "", nm ? strlen(nm) : 0);
        putchar('\n');
    }
    rn_cursor_free(c);
}

int cmd_show(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nShow the record with id ID. For an item, also list its parts "
               "and markings.\n--json prints the record as one JSON object.\n", usage);
        return EXIT_OK;
    }
    int json = cli_flag(&argc, argv, "--json");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc != 2)
        return cli_usage_error(usage, "name one record id");
    rn_store *s;
    if ((rc = cli_open(RN_STORE_READONLY, &s)))
        return rc;
    rn_record *r = NULL;
    rn_error err;
    rn_error_clear(&err);
    rn_code c = rn_store_get(s, argv[1], &r, &err);
    if (c) {
        rc = cli_error(c, &err);
    } else {
        rc = cli_print_record(stdout, r, json);
        if (!json && rn_record_type(r) == RN_T_ITEM) {
            show_related(s, RN_T_ITEM, "parent", argv[1], "parts");
            show_related(s, RN_T_MARKING, "item", argv[1], "markings");
        }
        if (!json && rn_record_type(r) == RN_T_EVENT)
            show_related(s, RN_T_ITEM, "event", argv[1], "items");
        if (!json)
            show_origin(s, argv[1]);
    }
    rn_record_free(r);
    rn_store_close(s);
    return rc;
}
