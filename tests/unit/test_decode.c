/* SPDX-License-Identifier: Apache-2.0
 *
 * test_decode.c — the marking decoder against its case table
 * (tests/decode/cases.tsv), the rule loader against broken rule files
 * (tests/decode/bad/, each naming the line and message it must produce),
 * the limits, and the JSON shape.
 *
 * cases.tsv: one case a line, four tab-separated columns:
 *   MARKING  CONTEXT  EXPECT  SOURCE
 * CONTEXT is '-' or KEY=VALUE;... (category, state, manufacturer,
 * documented; documented defaults to 2024-06-30 so the table never depends
 * on today). EXPECT is ';'-separated checks:
 *   field=value       some candidate has that field and value
 *   field=value@CC    ... and that country
 *   1:field=value     the best candidate has it
 *   !field=value      no candidate has it;  !field  no candidate of that field
 *   n=K               exactly K candidates;  err=ELIMIT / err=EINPUT
 */
#include <dirent.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "decode/decode_int.h"
#include "decode_fixture.h"
#include "remnant/decode.h"

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)sz + 1);
    if (buf && fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[sz] = '\0';
        *n = (size_t)sz;
    }
    return buf;
}

static int parse_ctx(char *s, rn_decode_ctx *c)
{
    int32_t day;
    if (rn_day_from_ymd(2024, 6, 30, &day))
        return -1;
    *c = (rn_decode_ctx){NULL, NULL, NULL, day, 0};
    if (strcmp(s, "-") == 0)
        return 0;
    for (char *p = s; p && *p;) {
        char *next = strchr(p, ';');
        if (next)
            *next++ = '\0';
        char *eq = strchr(p, '=');
        if (!eq)
            return -1;
        *eq = '\0';
        const char *v = eq + 1;
        if (!strcmp(p, "category"))
            c->category = v;
        else if (!strcmp(p, "state"))
            c->state = v;
        else if (!strcmp(p, "manufacturer"))
            c->manufacturer = v;
        else if (!strcmp(p, "documented")) {
            int y, m, d;
            if (sscanf(v, "%d-%d-%d", &y, &m, &d) != 3 || rn_day_from_ymd(y, m, d, &c->documented))
                return -1;
        } else
            return -1;
        p = next;
    }
    return 0;
}

static int cand_is(const rn_candidate *k, const char *field, const char *value, const char *cc)
{
    if (strcmp(k->field, field) != 0)
        return 0;
    if (value && strcmp(k->value, value) != 0)
        return 0;
    if (cc && (!k->country || strcmp(k->country, cc) != 0))
        return 0;
    return 1;
}

/* One check against a result; returns 1 if it holds. */
static int check(const char *chk, rn_code rc, const rn_candidates *cs, char *why, size_t cap)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", chk);
    if (!strncmp(buf, "err=", 4)) {
        rn_code want = !strcmp(buf + 4, "ELIMIT") ? RN_ELIMIT : RN_EINPUT;
        snprintf(why, cap, "want error %s, got code %d", buf + 4, rc);
        return rc == want;
    }
    if (rc) {
        snprintf(why, cap, "decode failed with code %d", rc);
        return 0;
    }
    size_t n = rn_candidates_count(cs);
    if (!strncmp(buf, "n=", 2)) {
        snprintf(why, cap, "want %s candidates, got %zu", buf + 2, n);
        return (size_t)strtoul(buf + 2, NULL, 10) == n;
    }
    int neg = buf[0] == '!', top = !strncmp(buf, "1:", 2);
    char *f = buf + (neg ? 1 : top ? 2 : 0);
    char *v = strchr(f, '='), *cc = NULL;
    if (v) {
        *v++ = '\0';
        cc = strrchr(v, '@');
        if (cc && strlen(cc) == 3)
            *cc++ = '\0';
        else
            cc = NULL;
    }
    size_t hits = 0;
    for (size_t i = 0; i < n; i++)
        if (cand_is(rn_candidates_at(cs, i), f, v, cc) && (!top || i == 0))
            hits++;
    snprintf(why, cap, "check '%s' failed", chk);
    return neg ? hits == 0 : hits > 0;
}

static void dump(const char *marking, const rn_candidates *cs)
{
    fprintf(stderr, "    candidates for '%s':\n", marking);
    for (size_t i = 0; i < rn_candidates_count(cs); i++) {
        const rn_candidate *k = rn_candidates_at(cs, i);
        fprintf(stderr, "      %s=%s%s%s (%.3f, %s)\n", k->field, k->value, k->country ? "@" : "",
                k->country ? k->country : "", k->confidence, k->rule);
    }
}

static void test_case_table(void **state)
{
    (void)state;
    size_t n;
    char *text = slurp(RN_TEST_DATADIR "/decode/cases.tsv", &n);
    assert_non_null(text);
    int cases = 0, failed = 0, lineno = 0;
    for (char *line = text; line && *line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        if (line[0] == '#' || line[0] == '\0') {
            line = next;
            continue;
        }
        char *col[4] = {line, NULL, NULL, NULL};
        for (int c = 1; c < 4; c++) {
            col[c] = col[c - 1] ? strchr(col[c - 1], '\t') : NULL;
            if (col[c])
                *col[c]++ = '\0';
        }
        if (!col[3] || !col[3][0]) {
            fprintf(stderr, "cases.tsv:%d: needs 4 tab-separated columns (with a source)\n", lineno);
            failed++;
            line = next;
            continue;
        }
        cases++;
        rn_decode_ctx ctx;
        if (parse_ctx(col[1], &ctx)) {
            fprintf(stderr, "cases.tsv:%d: bad context\n", lineno);
            failed++;
            line = next;
            continue;
        }
        /* a marking of ~N characters is written as a run of N 'x' for the limit tests */
        char marking[1024];
        if (col[0][0] == '~') {
            size_t len = strtoul(col[0] + 1, NULL, 10);
            if (len >= sizeof marking)
                len = sizeof marking - 1;
            memset(marking, 'x', len);
            marking[len] = '\0';
        } else if (!strcmp(col[0], "\\xff")) {
            snprintf(marking, sizeof marking, "\xff\xfe");
        } else {
            snprintf(marking, sizeof marking, "%s", col[0]);
        }
        rn_candidates *cs = NULL;
        rn_error err;
        rn_error_clear(&err);
        rn_code rc = rn_decode_marking(dfx_dec, marking, strlen(marking), &ctx, &cs, &err);
        int ok = 1;
        for (char *chk = col[2]; chk && *chk;) {
            char *nx = strchr(chk, ';');
            if (nx)
                *nx++ = '\0';
            char why[600];
            if (!check(chk, rc, cs, why, sizeof why)) {
                fprintf(stderr, "cases.tsv:%d: '%s': %s\n", lineno, col[0], why);
                ok = 0;
            }
            chk = nx;
        }
        if (!ok) {
            failed++;
            dump(marking, cs);
        }
        rn_candidates_free(cs);
        line = next;
    }
    free(text);
    fprintf(stderr, "cases.tsv: %d cases, %d failed\n", cases, failed);
    assert_true(cases >= 150);
    assert_int_equal(failed, 0);
}

/* Every file in tests/decode/bad/ starts with "# expect LINE: message". */
static void test_bad_rules(void **state)
{
    (void)state;
    DIR *d = opendir(RN_TEST_DATADIR "/decode/bad");
    assert_non_null(d);
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/decode/bad/%s", RN_TEST_DATADIR, e->d_name);
        size_t n;
        char *text = slurp(path, &n);
        assert_non_null(text);
        long want_line = 0;
        char want_msg[200] = "";
        assert_int_equal(sscanf(text, "# expect %ld: %199[^\n]", &want_line, want_msg), 2);
        rn_decoder *fresh = rn__calloc(1, sizeof *fresh);
        assert_non_null(fresh);
        rn_error err;
        rn_error_clear(&err);
        rn_code rc = rn__rules_load_text(fresh, path, text, n, &err);
        if (rc != RN_EINPUT || err.line != want_line || !strstr(err.message, want_msg))
            fprintf(stderr, "%s: want line %ld '%s', got code %d line %ld '%s'\n", e->d_name,
                    want_line, want_msg, rc, err.line, err.message);
        assert_int_equal(rc, RN_EINPUT);
        assert_int_equal(err.line, want_line);
        assert_non_null(strstr(err.message, want_msg));
        assert_string_equal(err.file, path);
        rn_decoder_free(fresh);
        free(text);
        files++;
    }
    closedir(d);
    assert_true(files >= 10);
}

/* The public loader reports a user folder's broken file by name and line. */
static void test_load_user_dir(void **state)
{
    (void)state;
    char dir[] = "/tmp/rn_decode_rulesXXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/mine.rules", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("# my rules\nsource mine \"my own field notes, 2024\"\n"
          "prefix ti ZZQ then=digit src=mine\nprefix ti ZZR colour=blue src=mine\n", f);
    fclose(f);
    const char *dirs[1] = {dir};
    rn_decoder *d2 = NULL;
    rn_error err;
    rn_error_clear(&err);
    assert_int_equal(rn_decoder_load(dirs, 1, &d2, &err), RN_EINPUT);
    assert_null(d2);
    assert_string_equal(err.file, path);
    assert_int_equal(err.line, 4);
    /* fixed, the user's prefix works and cites the user's source */
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("source mine \"my own field notes, 2024\"\nprefix ti ZZQ then=digit src=mine\n", f);
    fclose(f);
    assert_int_equal(rn_decoder_load(dirs, 1, &d2, &err), RN_OK);
    rn_candidates *cs = NULL;
    rn_decode_ctx ctx = {NULL, NULL, NULL, RN_DAY_OPEN_HIGH, 0};
    assert_int_equal(rn_decode_marking(d2, "ZZQ123", 6, &ctx, &cs, &err), RN_OK);
    assert_true(rn_candidates_count(cs) >= 1);
    assert_string_equal(rn_candidates_at(cs, 0)->source, "my own field notes, 2024");
    rn_candidates_free(cs);
    rn_decoder_free(d2);
    unlink(path);
    rmdir(dir);
    /* a folder that does not exist is skipped */
    const char *missing[1] = {"/nonexistent/rn/rules"};
    assert_int_equal(rn_decoder_load(missing, 1, &d2, &err), RN_OK);
    rn_decoder_free(d2);
}

static void test_line_too_long(void **state)
{
    (void)state;
    size_t n = RN__LINE_MAX + 100;
    char *text = malloc(n + 1);
    assert_non_null(text);
    memset(text, 'a', n);
    memcpy(text, "source x \"", 10);
    text[n - 1] = '"';
    text[n] = '\0';
    rn_decoder *fresh = rn__calloc(1, sizeof *fresh);
    rn_error err;
    rn_error_clear(&err);
    assert_int_equal(rn__rules_load_text(fresh, "long.rules", text, n, &err), RN_EINPUT);
    assert_int_equal(err.line, 1);
    assert_non_null(strstr(err.message, "longer than"));
    rn_decoder_free(fresh);
    free(text);
}

static void test_json_shape(void **state)
{
    (void)state;
    rn_decode_ctx ctx = {"ic", NULL, NULL, 0, 0};
    assert_int_equal(rn_day_from_ymd(2024, 6, 30, &ctx.documented), RN_OK);
    const char *m = "TPS54331DR 0412 \"q\"";
    rn_candidates *cs = NULL;
    assert_int_equal(rn_decode_marking(dfx_dec, m, strlen(m), &ctx, &cs, NULL), RN_OK);
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(rn_candidates_to_json(m, strlen(m), cs, &out, &len), RN_OK);
    json_error_t je;
    json_t *o = json_loadb(out, len, 0, &je);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "marking")), m);
    json_t *arr = json_object_get(o, "candidates");
    assert_true(json_is_array(arr));
    assert_int_equal(json_array_size(arr), rn_candidates_count(cs));
    double last = 2;
    size_t i;
    json_t *c;
    json_array_foreach(arr, i, c) {
        const char *field = json_string_value(json_object_get(c, "field"));
        assert_non_null(field);
        assert_non_null(json_string_value(json_object_get(c, "value")));
        assert_non_null(json_string_value(json_object_get(c, "rule")));
        assert_non_null(json_string_value(json_object_get(c, "explanation")));
        assert_non_null(json_string_value(json_object_get(c, "source")));
        double conf = json_number_value(json_object_get(c, "confidence"));
        assert_true(conf > 0 && conf <= 1 && conf <= last);
        last = conf;
        int dated = !strcmp(field, "production_date");
        assert_int_equal(json_object_get(c, "earliest") != NULL, dated);
        assert_int_equal(json_object_get(c, "latest") != NULL, dated);
        int cc = !strcmp(field, "manufacturer") || !strcmp(field, "factory");
        assert_int_equal(json_object_get(c, "country") != NULL, cc);
    }
    /* 0412 in an IC: year-week first, year-month listed too */
    const rn_candidate *best_date = NULL;
    for (size_t k = 0; k < rn_candidates_count(cs) && !best_date; k++)
        if (!strcmp(rn_candidates_at(cs, k)->field, "production_date"))
            best_date = rn_candidates_at(cs, k);
    assert_non_null(best_date);
    assert_string_equal(best_date->value, "2004-W12");
    json_decref(o);
    rn_free(out);
    rn_candidates_free(cs);
}

static void test_limits(void **state)
{
    (void)state;
    char big[RN_DECODE_MARKING_MAX + 2];
    memset(big, '1', sizeof big);
    rn_candidates *cs = NULL;
    rn_error err;
    rn_error_clear(&err);
    assert_int_equal(rn_decode_marking(dfx_dec, big, sizeof big, NULL, &cs, &err), RN_ELIMIT);
    assert_null(cs);
    /* the longest accepted marking decodes, whatever it holds */
    for (size_t i = 0; i < RN_DECODE_MARKING_MAX; i++)
        big[i] = "0123456789 ?AB-"[i % 15];
    assert_int_equal(rn_decode_marking(dfx_dec, big, RN_DECODE_MARKING_MAX, NULL, &cs, &err), RN_OK);
    assert_true(rn_candidates_count(cs) <= RN_DECODE_CANDIDATES_MAX);
    rn_candidates_free(cs);
    assert_int_equal(rn_decode_marking(dfx_dec, "\xc3", 1, NULL, &cs, &err), RN_EINPUT);
    assert_int_equal(rn_decode_marking(dfx_dec, "", 0, NULL, &cs, &err), RN_OK);
    assert_int_equal(rn_candidates_count(cs), 0);
    assert_null(rn_candidates_at(cs, 0));
    rn_candidates_free(cs);
    assert_int_equal(rn_decode_marking(NULL, "x", 1, NULL, &cs, &err), RN_EINVAL);
}

static void test_normalize(void **state)
{
    (void)state;
    char out[64];
    unsigned fl = 0;
    /* Cyrillic М and lower-case letters, a Persian digit, runs of spaces */
    const char in[] = "  9\xd0\x9c" "723  \xd1\x85-101 \xdb\xb1\xdb\xb4 ";
    long n = rn__norm(in, strlen(in), out, &fl);
    assert_true(n > 0);
    assert_string_equal(out, "9M723 X-101 14");
    assert_true(fl & RN__NORM_CYRILLIC);
    assert_true(fl & RN__NORM_PERSIAN);
    assert_int_equal(rn__norm("\xed\xa0\x80", 3, out, NULL), -1); /* a surrogate */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case_table),  cmocka_unit_test(test_bad_rules),
        cmocka_unit_test(test_load_user_dir), cmocka_unit_test(test_line_too_long),
        cmocka_unit_test(test_json_shape),  cmocka_unit_test(test_limits),
        cmocka_unit_test(test_normalize),
    };
    return cmocka_run_group_tests(tests, dfx_setup, dfx_teardown);
}
