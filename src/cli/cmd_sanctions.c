/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_sanctions.c — `remnant sanctions`: candidate sanctions exposures for
 * an analyst to review (rn_sanctions_scan), and `remnant sanctions dismiss
 * FLAG --reason R` (rn_sanctions_dismiss). Flags are leads, never verdicts. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "remnant/analysis.h"

static const char usage[] =
    "remnant sanctions [--item ID] [--event ID] [--system NAME] [--state CC] [--country CC] "
    "[--dismissed] [--limit N] [--json]\n       remnant sanctions dismiss FLAG --reason TEXT";

static const char help[] =
    "Candidate sanctions exposures: a component made by a company outside the state a\n"
    "weapon is attributed to, produced after the adoption of a measure that targets that\n"
    "state (sanction records; `remnant import data/sanctions/un_dprk.jsonl` loads the UN\n"
    "DPRK resolutions). Each flag names the measure, the dates compared and the\n"
    "uncertainty (\"certainly after\" / \"possibly after\"). A FLAG IS A LEAD FOR AN\n"
    "ANALYST, NEVER A VERDICT: the rule compares dates and countries only.\n"
    "--dismissed also lists dismissed flags; --limit N flags written out (default 100;\n"
    "all are counted). `dismiss FLAG --reason TEXT` records the\n"
    "dismissal as a draft finding (logged, with its author, reviewable).\n";

static void print_flag(json_t *f)
{
    json_t *m = json_object_get(f, "measure");
    printf("\n[%s] %s\n  %s\n  measure: %s, adopted %s; source: %s\n", cli_js(f, "status"),
           cli_js(f, "flag"), cli_js(f, "words"), cli_js(m, "instrument"),
           cli_js(json_object_get(m, "adopted"), "text"), cli_js(m, "source"));
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(f, "also_after"), i, a)
        printf("  also %s %s (%s)\n", cli_js(a, "relation"), cli_js(a, "instrument"),
               cli_js(json_object_get(a, "adopted"), "text"));
    json_t *d = json_object_get(f, "dismissal");
    if (json_is_object(d))
        printf("  dismissed by finding %s (%s): %s\n", cli_js(d, "finding"), cli_js(d, "status"),
               cli_js(d, "statement"));
}

static int dismiss(int argc, char **argv)
{
    const char *reason = NULL;
    if (cli_opt(&argc, argv, "--reason", &reason) < 0)
        return cli_usage_error(usage, "--reason needs a text");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc != 3 || !reason || !*reason)
        return cli_usage_error(usage, "name one flag and give --reason");
    rn_store *s;
    if ((rc = cli_open(0, &s)))
        return rc;
    rn_error err;
    rn_error_clear(&err);
    char id[RN_ID_LEN + 1];
    rn_code c = rn_sanctions_dismiss(s, argv[2], reason, id, &err);
    if (c)
        rc = cli_error(c, &err);
    else
        printf("%s\n", id);
    rn_store_close(s);
    return rc;
}

int cmd_sanctions(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n%s", usage, help);
        return EXIT_OK;
    }
    if (argc >= 2 && !strcmp(argv[1], "dismiss"))
        return dismiss(argc, argv);
    rn_analysis_filter f = {0};
    int json = cli_flag(&argc, argv, "--json");
    int dism = cli_flag(&argc, argv, "--dismissed");
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
    rn_code c = rn_sanctions_scan(s, &f, dism, &out, &len, &err);
    if (c) {
        rc = cli_error(c, &err);
    } else if (json) {
        fwrite(out, 1, len, stdout);
        putchar('\n');
    } else {
        json_t *root = json_loads(out, 0, NULL);
        json_t *cnt = json_object_get(root, "counts");
        printf("Candidate sanctions exposures. %s\n", cli_js(root, "notice"));
        printf("%" JSON_INTEGER_FORMAT " measures; %" JSON_INTEGER_FORMAT
               " weapons attributed to a targeted state; %" JSON_INTEGER_FORMAT
               " foreign components, %" JSON_INTEGER_FORMAT " without a production date (not "
               "assessable), %" JSON_INTEGER_FORMAT " made before every measure; %"
               JSON_INTEGER_FORMAT " open flags, %" JSON_INTEGER_FORMAT " dismissed\n",
               json_integer_value(json_object_get(cnt, "measures")),
               json_integer_value(json_object_get(cnt, "weapons_attributed_to_a_target")),
               json_integer_value(json_object_get(cnt, "foreign_components")),
               json_integer_value(json_object_get(cnt, "not_assessable_no_date")),
               json_integer_value(json_object_get(cnt, "before_every_measure")),
               json_integer_value(json_object_get(cnt, "open_flags")),
               json_integer_value(json_object_get(cnt, "dismissed_flags")));
        if (json_integer_value(json_object_get(cnt, "flags_listed")) <
            json_integer_value(json_object_get(cnt, "open_flags")))
            printf("(%" JSON_INTEGER_FORMAT " open flags written out; --limit N for more)\n",
                   json_integer_value(json_object_get(cnt, "flags_listed")));
        size_t i;
        json_t *fl;
        json_array_foreach(json_object_get(root, "flags"), i, fl)
            print_flag(fl);
        json_array_foreach(json_object_get(root, "dismissed"), i, fl)
            print_flag(fl);
        json_decref(root);
    }
    rn_free(out);
    rn_store_close(s);
    return rc;
}
