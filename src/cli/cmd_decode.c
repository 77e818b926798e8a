/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_decode.c — `remnant decode [--context KEY=VALUE]... [--json] TEXT`:
 * decode one marking into ranked candidate facts (docs/DECODE.md), as a
 * readable table with explanations or as the decoder's JSON object.
 *
 * Rules: the built-in ones, each --rules DIR, and a `rules` folder beside
 * the database (--db PATH, $REMNANT_DB, ./remnant.db) when the database
 * exists. Exit codes: 0 decoded (even with no candidates), 2 usage error,
 * 3 bad input (a broken rule file, a marking too long or not UTF-8),
 * 1 anything else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "remnant/decode.h"

static const char usage[] =
    "remnant decode [--context KEY=VALUE]... [--documented YYYY-MM-DD] [--rules DIR]... "
    "[--json] [--] TEXT";

#define MAX_RULE_DIRS 16

static void help(void)
{
    printf("usage: %s\n\n"
           "Decode a transcribed marking into candidate facts: production dates (Gregorian,\n"
           "Juche, Minguo, Solar Hijri, Japanese era and Thai calendars; electronics date\n"
           "codes YYWW, YWW, YYMM...), manufacturers and their countries (part-number\n"
           "prefixes and logos), headstamp factories, serials, lots and weapon systems.\n"
           "Ranked best first; every candidate names its rule and public source.\n"
           "Write ? for an illegible character: every consistent reading is listed.\n\n"
           "  --context KEY=VALUE  what is known about the item; keys: category (ic,\n"
           "                       missile-section, cartridge...), state (ISO alpha-2 of\n"
           "                       the producing state), manufacturer, documented\n"
           "  --documented DATE    documentation date (YYYY-MM-DD, default today): nothing\n"
           "                       made after it is a candidate\n"
           "  --rules DIR          also load DIR/*.rules (repeatable); a folder `rules`\n"
           "                       beside the database is loaded when the database exists\n"
           "  --json               print {\"marking\":..,\"candidates\":[..]} (docs/DECODE.md)\n"
           "  --reindex            instead: recompute the stored candidates of every marking\n"
           "                       in the database with the rules in force now\n\n"
           "Examples:\n"
           "  remnant decode --context state=KP --documented 2024-01-02 112\n"
           "  remnant decode --context category=ic 'TPS54331DR 0412'\n",
           usage);
}

static int parse_day(const char *s, int32_t *out)
{
    int y, m, d;
    char tail;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || strlen(s) != 10)
        return -1;
    return rn_day_from_ymd(y, m, d, out) == RN_OK ? 0 : -1;
}

/* Apply one KEY=VALUE; returns 0 or an exit code. */
static int set_context(rn_decode_ctx *c, char *state, const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv || !eq[1])
        return cli_usage_error(usage, "--context takes KEY=VALUE, got '%s'", kv);
    size_t kl = (size_t)(eq - kv);
    const char *v = eq + 1;
    if (kl == 8 && !strncmp(kv, "category", kl)) {
        c->category = v;
    } else if (kl == 5 && !strncmp(kv, "state", kl)) {
        if (strlen(v) != 2 || !((v[0] | 32) >= 'a' && (v[0] | 32) <= 'z') ||
            !((v[1] | 32) >= 'a' && (v[1] | 32) <= 'z'))
            return cli_usage_error(usage, "state is an ISO 3166-1 alpha-2 code, e.g. KP");
        state[0] = (char)(v[0] & ~32);
        state[1] = (char)(v[1] & ~32);
        state[2] = '\0';
        c->state = state;
    } else if (kl == 12 && !strncmp(kv, "manufacturer", kl)) {
        c->manufacturer = v;
    } else if (kl == 10 && !strncmp(kv, "documented", kl)) {
        if (parse_day(v, &c->documented))
            return cli_usage_error(usage, "documented is a date YYYY-MM-DD, got '%s'", v);
    } else {
        return cli_usage_error(usage, "unknown context key '%.*s' (category, state, "
                                      "manufacturer, documented)", (int)kl, kv);
    }
    return 0;
}

/* Print s indented, wrapped at about 100 columns. */
static void wrapped(const char *first, const char *s, const char *indent)
{
    const size_t width = 96;
    size_t col = strlen(first) - strlen(indent);
    fputs(first, stdout);
    while (*s) {
        const char *sp = strchr(s, ' ');
        size_t wl = sp ? (size_t)(sp - s) : strlen(s);
        if (col && col + 1 + wl > width) {
            printf("\n%s", indent);
            col = 0;
        } else if (col) {
            putchar(' ');
            col++;
        }
        fwrite(s, 1, wl, stdout);
        col += wl;
        s += wl;
        while (*s == ' ')
            s++;
    }
    putchar('\n');
}

static void print_table(const char *text, const rn_candidates *cs)
{
    size_t n = rn_candidates_count(cs);
    printf("marking: %s\n", text);
    if (n == 0) {
        printf("no candidates: no rule reads this marking\n");
        return;
    }
    printf("%3s  %-15s %-40s %5s  %-2s  %s\n", "#", "field", "value", "conf", "cc", "rule");
    for (size_t i = 0; i < n; i++) {
        const rn_candidate *k = rn_candidates_at(cs, i);
        printf("%3zu  %-15s %-40s %5.2f  %-2s  %s\n", i + 1, k->field, k->value, k->confidence,
               k->country ? k->country : "", k->rule);
        wrapped("       ", k->explanation, "       ");
        if (k->source)
            wrapped("       source: ", k->source, "       ");
    }
    /* tied fields: said once more at the end, so nobody reads #1 as decided */
    static const char *const tied[] = {"manufacturer", "production_date"};
    for (size_t f = 0; f < 2; f++) {
        int first = 1;
        for (size_t i = 0; i < n; i++) {
            const rn_candidate *k = rn_candidates_at(cs, i);
            if (!k->ambiguous || strcmp(k->field, tied[f]) != 0)
                continue;
            printf("%s%s", first ? "ambiguous " : " | ", first ? tied[f] : "");
            printf("%s%s", first ? ": " : "", k->value);
            first = 0;
        }
        if (!first)
            printf(" (confidences within %.2f)\n", RN_DECODE_TIE_MARGIN);
    }
    /* flags and the export category: said once more at the end, with their rule */
    for (size_t i = 0; i < n; i++) {
        const rn_candidate *k = rn_candidates_at(cs, i);
        if (strcmp(k->field, "plausibility") == 0)
            printf("plausibility: %s (rule %s, #%zu)\n", k->value, k->rule, i + 1);
    }
    for (size_t i = 0; i < n; i++) {
        const rn_candidate *k = rn_candidates_at(cs, i);
        if (strcmp(k->field, "export_category") == 0) {
            printf("export category: %s (rule %s, #%zu): the category the part class usually "
                   "falls under, not a customs ruling\n", k->value, k->rule, i + 1);
            break;
        }
    }
}

static int plain_exit(int code)
{
    return code == EXIT_USAGE || code == EXIT_INPUT || code == EXIT_OK ? code : EXIT_FAIL;
}

/* `remnant decode --reindex`: recompute every marking's stored candidates
 * with the rules in force now. */
static int reindex(int argc, char **argv)
{
    int rc = cli_unknown_option(argc, argv, "remnant decode --reindex");
    if (rc)
        return rc;
    if (argc != 1)
        return cli_usage_error("remnant decode --reindex", "--reindex takes no marking");
    rn_store *s;
    if ((rc = cli_open(0, &s)))
        return rc;
    uint64_t n = 0;
    rn_error err;
    rn_error_clear(&err);
    rn_code c = rn_store_redecode(s, &n, &err);
    if (c)
        rc = cli_error(c, &err);
    else
        printf("decoded %llu markings\n", (unsigned long long)n);
    rn_store_close(s);
    return rc;
}

int cmd_decode(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        help();
        return EXIT_OK;
    }
    if (cli_flag(&argc, argv, "--reindex"))
        return reindex(argc, argv);
    int json = cli_flag(&argc, argv, "--json");
    rn_decode_ctx ctx = {NULL, NULL, NULL, RN_DAY_OPEN_HIGH, 0};
    char state[3] = "";
    const char *v;
    int r, rc;
    while ((r = cli_opt(&argc, argv, "--context", &v)) == 1)
        if ((rc = set_context(&ctx, state, v)))
            return rc;
    if (r < 0)
        return cli_usage_error(usage, "--context needs KEY=VALUE");
    if ((r = cli_opt(&argc, argv, "--documented", &v)) < 0 ||
        (r == 1 && parse_day(v, &ctx.documented)))
        return cli_usage_error(usage, "--documented needs a date YYYY-MM-DD");
    const char *dirs[MAX_RULE_DIRS + 1];
    size_t ndirs = 0;
    while ((r = cli_opt(&argc, argv, "--rules", &v)) == 1) {
        struct stat st;
        if (ndirs >= MAX_RULE_DIRS)
            return cli_usage_error(usage, "at most %d --rules folders", MAX_RULE_DIRS);
        if (stat(v, &st) != 0 || !S_ISDIR(st.st_mode))
            return cli_usage_error(usage, "--rules %s: no such folder", v);
        dirs[ndirs++] = v;
    }
    if (r < 0)
        return cli_usage_error(usage, "--rules needs a folder");
    if ((rc = cli_unknown_option(argc, argv, usage)))
        return rc;
    int first = 1;
    if (first < argc && strcmp(argv[first], "--") == 0)
        first++;
    if (first >= argc)
        return cli_usage_error(usage, "give the marking to decode (quote it if it has spaces)");
    /* the marking: the remaining words, joined by single spaces */
    char text[RN_DECODE_MARKING_MAX * 2 + 2];
    size_t tl = 0;
    for (int i = first; i < argc; i++) {
        size_t l = strlen(argv[i]);
        if (tl + l + 1 >= sizeof text) {
            fprintf(stderr, "remnant: the marking is longer than %d bytes\n",
                    RN_DECODE_MARKING_MAX);
            return EXIT_INPUT;
        }
        if (tl)
            text[tl++] = ' ';
        memcpy(text + tl, argv[i], l);
        tl += l;
    }
    text[tl] = '\0';
    /* rules beside the database, when there is one */
    char beside[4200];
    const char *db = cli_db();
    struct stat st;
    if (db && stat(db, &st) == 0) {
        const char *slash = strrchr(db, '/');
        if (slash)
            snprintf(beside, sizeof beside, "%.*s/rules", (int)(slash - db), db);
        else
            snprintf(beside, sizeof beside, "rules");
        dirs[ndirs++] = beside;
    }
    rn_error err;
    rn_error_clear(&err);
    rn_decoder *dec = NULL;
    rn_code x = rn_decoder_load(dirs, ndirs, &dec, &err);
    if (x)
        return plain_exit(cli_error(x, &err));
    rn_candidates *cs = NULL;
    x = rn_decode_marking(dec, text, tl, &ctx, &cs, &err);
    if (x) {
        rn_decoder_free(dec);
        return plain_exit(cli_error(x, &err));
    }
    rc = EXIT_OK;
    if (json) {
        char *out = NULL;
        size_t outlen = 0;
        x = rn_candidates_to_json(text, tl, cs, &out, &outlen);
        if (x) {
            rc = plain_exit(cli_error(x, NULL));
        } else {
            fwrite(out, 1, outlen, stdout);
            putchar('\n');
        }
        rn_free(out);
    } else {
        print_table(text, cs);
    }
    rn_candidates_free(cs);
    rn_decoder_free(dec);
    if (fflush(stdout) != 0)
        rc = EXIT_FAIL;
    return rc;
}
