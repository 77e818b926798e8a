/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_claim.c — `remnant claim ITEM`: the decoder's readings and the
 * analysts' claims about an item side by side, with the effective value of
 * each field and its basis (rn_claims_explain); `remnant claim ITEM FIELD
 * VALUE --reason R`: record an analyst's override as a `claim` record. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "remnant/analysis.h"

static const char usage[] =
    "remnant claim ITEM [--json]\n"
    "       remnant claim ITEM FIELD VALUE --reason TEXT [--country CC] [--marking ID] "
    "[--overrides RULE]";

static const char help[] =
    "Show what the decoder read from an item's markings, what analysts claimed, and the\n"
    "value each analysis uses: the item's own field, else the newest claim, else the\n"
    "decoder's best reading. With FIELD VALUE, record a claim (an analyst's reading that\n"
    "overrides the decoder's, kept beside it, never in place of it). FIELD is\n"
    "production_date (VALUE a date: 2024, 2024-07, 2024-W12, 2023-03/2023-05),\n"
    "manufacturer (with --country of headquarters), producing_state (VALUE a country\n"
    "code), weapon_system, factory, part_number, serial or lot. --reason is required.\n";

static void show(json_t *root)
{
    printf("Item %s\nPrecedence: %s\n\nEffective values:\n", cli_js(root, "item"),
           cli_js(root, "precedence"));
    const char *k;
    json_t *v, *x;
    json_object_foreach(json_object_get(root, "effective"), k, v) {
        json_t *d = json_object_get(v, "date");
        printf("  %-16s %s%s%s%s  [%s]\n", k,
               json_is_object(d) ? cli_js(d, "text") : cli_js(v, "value"),
               json_is_string(json_object_get(v, "country")) ? " (" : "",
               json_is_string(json_object_get(v, "country")) ? cli_js(v, "country") : "",
               json_is_string(json_object_get(v, "country")) ? ")" : "",
               json_is_string(json_object_get(v, "basis")) ? cli_js(v, "basis") : "no reading");
    }
    size_t i;
    printf("\nAnalysts' claims (newest first):\n");
    json_array_foreach(json_object_get(root, "claims"), i, x) {
        json_t *d = json_object_get(x, "date");
        printf("  %s  %s = %s  by %s: %s\n", cli_js(x, "claim"), cli_js(x, "field"),
               json_is_object(d) ? cli_js(d, "text") : cli_js(x, "value"), cli_js(x, "author"),
               cli_js(x, "reason"));
    }
    printf("\nDecoder readings (best first per field):\n");
    json_array_foreach(json_object_get(root, "decoder"), i, x) {
        json_t *d = json_object_get(x, "date");
        printf("  %s  \"%s\"  %s = %s  conf %.2f  rule %s: %s\n", cli_js(x, "marking"), cli_js(x, "text"),
               cli_js(x, "field"), json_is_object(d) ? cli_js(d, "text") : cli_js(x, "value"),
               json_real_value(json_object_get(x, "confidence")), cli_js(x, "rule"),
               json_is_string(json_object_get(x, "explanation_unavailable"))
                   ? cli_js(x, "explanation_unavailable")
                   : cli_js(x, "explanation"));
    }
}

int cmd_claim(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n%s", usage, help);
        return EXIT_OK;
    }
    int json = cli_flag(&argc, argv, "--json");
    const char *reason = NULL, *country = NULL, *marking = NULL, *overrides = NULL;
    if (cli_opt(&argc, argv, "--reason", &reason) < 0 || cli_opt(&argc, argv, "--country", &country) < 0 ||
        cli_opt(&argc, argv, "--marking", &marking) < 0 ||
        cli_opt(&argc, argv, "--overrides", &overrides) < 0)
        return cli_usage_error(usage, "an option is missing its value");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc != 2 && argc != 4)
        return cli_usage_error(usage, "name an item, or an item, a field and a value");
    if (argc == 4 && (!reason || !*reason))
        return cli_usage_error(usage, "a claim needs --reason: why do you read it so?");
    rn_store *s;
    if ((rc = cli_open(argc == 2 ? RN_STORE_READONLY : 0, &s)))
        return rc;
    rn_error err;
    rn_error_clear(&err);
    rn_code c;
    if (argc == 2) {
        char *out = NULL;
        size_t len = 0;
        c = rn_claims_explain(s, argv[1], &out, &len, &err);
        if (!c && json) {
            fwrite(out, 1, len, stdout);
            putchar('\n');
        } else if (!c) {
            json_t *root = json_loads(out, 0, NULL);
            show(root);
            json_decref(root);
        }
        rn_free(out);
    } else {
        const char *field = argv[2], *value = argv[3];
        rn_record *r = rn_record_new(RN_T_CLAIM);
        const char *author = getenv("REMNANT_AUTHOR");
        if (!author || !*author)
            author = getenv("USER");
        c = r ? RN_OK : RN_ENOMEM;
        if (!c)
            c = rn_record_set(r, "item", argv[1], strlen(argv[1]), &err);
        if (!c)
            c = rn_record_set(r, "field", field, strlen(field), &err);
        if (!c && !strcmp(field, "production_date"))
            c = rn_record_set(r, "date", value, strlen(value), &err);
        else if (!c)
            c = rn_record_set(r, "value", value, strlen(value), &err);
        if (!c && !country && !strcmp(field, "producing_state"))
            country = value;
        if (!c && country)
            c = rn_record_set(r, "country", country, strlen(country), &err);
        if (!c)
            c = rn_record_set(r, "reason", reason, strlen(reason), &err);
        if (!c && marking)
            c = rn_record_set(r, "marking", marking, strlen(marking), &err);
        if (!c && overrides)
            c = rn_record_set(r, "overrides", overrides, strlen(overrides), &err);
        if (!c && author && *author)
            c = rn_record_set(r, "author", author, strlen(author), &err);
        if (!c)
            c = rn_store_put(s, r, RN_PUT_CREATE, &err);
        if (!c)
            printf("%s\n", rn_record_id(r));
        rn_record_free(r);
    }
    if (c)
        rc = cli_error(c, &err);
    rn_store_close(s);
    return rc;
}
