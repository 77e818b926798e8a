/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_history.c — `remnant history ID`: every change of a record as the
 * evidence log holds it (lib/ledger/history.c): log index, time, author,
 * create/update/delete and the fields that changed, old and new value. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "remnant/ledger.h"
#include "remnant/sync.h"

static const char usage[] = "remnant history ID [--json]";

/* A field value for people: JSON text, "(unset)" for null. */
static void print_value(json_t *v)
{
    if (!v || json_is_null(v)) {
        fputs("(unset)", stdout);
        return;
    }
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    fputs(s ? s : "?", stdout);
    free(s);
}

static void human(json_t *root)
{
    json_t *changes = json_object_get(root, "changes"), *c;
    size_t i, n = json_array_size(changes);
    printf("%s (%s): %zu change%s in the evidence log\n", cli_js(root, "id"),
           cli_js(root, "type"), n, n == 1 ? "" : "s");
    json_array_foreach(changes, i, c) {
        json_t *a = json_object_get(c, "author");
        printf("#%" JSON_INTEGER_FORMAT "  %s  %s  %s\n",
               json_integer_value(json_object_get(c, "seq")), cli_js(c, "time"),
               json_is_string(a) && json_string_length(a) ? json_string_value(a) : "(no author)",
               cli_js(c, "op"));
        json_t *o = json_object_get(c, "origin");
        if (o)
            printf("    synced from peer %s: entry %" JSON_INTEGER_FORMAT " of log %s "
                   "(checkpoint %" JSON_INTEGER_FORMAT "); made in %s at %s; brought in by "
                   "%s\n", cli_js(o, "peer"), json_integer_value(json_object_get(o, "index")),
                   cli_js(o, "log"), json_integer_value(json_object_get(o, "checkpoint")),
                   cli_js(o, "made_in"), cli_js(o, "time"), cli_js(o, "brought_by"));
        const char *k;
        json_t *d;
        json_object_foreach(json_object_get(c, "changed"), k, d) {
            printf("    %s: ", k);
            print_value(json_object_get(d, "from"));
            fputs(" -> ", stdout);
            print_value(json_object_get(d, "to"));
            putchar('\n');
        }
    }
}

int cmd_history(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nEvery change of the record ID from the evidence log, oldest "
               "first: its log\nindex (#N, as `remnant bundle` and proofs name it), time, "
               "author, create /\nupdate / delete, and each field that changed with its old "
               "and new value.\n--json prints the document the API serves at\n"
               "GET /api/v1/records/{id}/history.\n", usage);
        return EXIT_OK;
    }
    int json = cli_flag(&argc, argv, "--json");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc != 2)
        return cli_usage_error(usage, "name one record id");
    if (!rn_id_valid(argv[1], strlen(argv[1])))
        return cli_usage_error(usage, "'%.40s' is not a record id (26 characters)", argv[1]);
    rn_store *s; /* opening the store migrates an older database first */
    if ((rc = cli_open(RN_STORE_READONLY, &s)))
        return rc;
    char *prov = NULL; /* where synced changes came from (lib/sync) */
    if (rn_sync_provenance(s, argv[1], &prov, NULL) != RN_OK)
        prov = NULL;
    rn_store_close(s);
    rn_ledger *l = NULL;
    rn_error err;
    rn_error_clear(&err);
    char *out = NULL;
    size_t len = 0;
    rn_code c = rn_ledger_open(cli_db(), RN_LEDGER_READONLY, &l, &err);
    if (!c)
        c = rn_ledger_history(l, argv[1], &out, &len, &err);
    rn_ledger_close(l);
    json_t *pj = prov ? json_loads(prov, 0, NULL) : NULL, *changes = json_object_get(pj, "changes");
    rn_free(prov);
    if (c == RN_OK && json_object_size(changes) > 0) {
        /* each synced change names its origin */
        json_t *root = json_loads(out, 0, NULL), *ch;
        size_t i;
        json_array_foreach(json_object_get(root, "changes"), i, ch) {
            char key[24];
            snprintf(key, sizeof key, "%" JSON_INTEGER_FORMAT,
                     json_integer_value(json_object_get(ch, "seq")));
            json_t *o = json_object_get(changes, key);
            if (o)
                json_object_set(ch, "origin", o);
        }
        char *merged = root ? json_dumps(root, JSON_COMPACT) : NULL;
        json_decref(root);
        if (merged) {
            rn_free(out);
            out = merged;
            len = strlen(merged);
        }
    }
    json_decref(pj);
    return cli_document(c, &err, out, len, json, human);
}
