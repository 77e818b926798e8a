/* SPDX-License-Identifier: Apache-2.0
 *
 * test_analysis_ambiguous.c — ambiguity is a result (issue 12, point 3):
 * when the decoder's makers tie, the stored decoding reads as ambiguous with
 * every tied maker, and the analyses count such a part under each tied
 * maker's country only as "possible", never in a share.
 *
 * The fixture tests/analysis/ambiguous.jsonl is INVENTED. Weapon W10
 * (producing state RU) holds A10 (marking N10, whose stored manufacturers
 * are replaced below by fixed ones that tie: "Fixture Maker A" US 0.700 and
 * "Fixture Maker B" DE 0.690, then "Fixture Maker D" JP 0.600), A11 (its own
 * field: "Fixture Maker C", US) and A12 (marking N12: "Fixture Maker A" US
 * 0.800, "Fixture Maker B" DE 0.500: decided). Weapon W11 holds A13 with the
 * marking "L550E", decoded on import by the real rules: the model name of
 * the Limbach L550E engine, which Limbach Flugmotoren (DE) and Xiamen
 * Limbach (CN) share (data/rules/makers_debris.rules), a tie. A10 and A12
 * were produced in 2023; the real EU measures on Russia
 * (data/sanctions/eu_russia.jsonl) are imported for the sanctions scan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "remnant/analysis.h"
#include "store/store_int.h"

#define FX(tag) "01HTEST000000000000000" tag

static char dir[64];

static void add_maker(rn_store *s, const char *marking, int rank, const char *value,
                      const char *country, double conf)
{
    sqlite3 *db = rn__store_db(s);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "INSERT INTO candidate (marking, rank, field, value, "
                                        "country, confidence, rule, explanation) VALUES "
                                        "(?1, ?2, 'manufacturer', ?3, ?4, ?5, 'fixture', "
                                        "'invented test reading')",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, marking, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, rank);
    sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, country, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 5, conf);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
}

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/rn_amb_XXXXXX");
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/a.db", dir);
    rn_store *s;
    rn_error err;
    assert_int_equal(rn_store_open(path, RN_STORE_CREATE, &s, &err), RN_OK);
    assert_int_equal(rn_store_set_author(s, "alice"), RN_OK);
    rn_import_opts o = {0};
    rn_import_stats st;
    rn_code rc = rn_import_file(s, RN_TEST_DATADIR "/analysis/ambiguous.jsonl", &o, &st, &err);
    if (rc)
        fail_msg("%s", err.message);
    rc = rn_import_file(s, RN_SRC_DATADIR "/sanctions/eu_russia.jsonl", &o, &st, &err);
    if (rc)
        fail_msg("%s", err.message);
    assert_int_equal(sqlite3_exec(rn__store_db(s),
                                  "DELETE FROM candidate WHERE marking IN ('" FX("0N10") "', '"
                                  FX("0N12") "')", NULL, NULL, NULL),
                     SQLITE_OK);
    add_maker(s, FX("0N10"), 0, "Fixture Maker A", "US", 0.700);
    add_maker(s, FX("0N10"), 1, "Fixture Maker B", "DE", 0.690);
    add_maker(s, FX("0N10"), 2, "Fixture Maker D", "JP", 0.600);
    add_maker(s, FX("0N12"), 0, "Fixture Maker A", "US", 0.800);
    add_maker(s, FX("0N12"), 1, "Fixture Maker B", "DE", 0.500);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    rn_store_close(*state);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static json_t *parse(char *js)
{
    json_error_t e;
    json_t *r = json_loads(js, 0, &e);
    if (!r)
        fail_msg("bad JSON: %s", e.text);
    rn_free(js);
    return r;
}

static json_t *find(json_t *arr, const char *key, const char *val)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        const char *s = json_string_value(json_object_get(v, key));
        if (s && !strcmp(s, val))
            return v;
    }
    return NULL;
}

static json_int_t ji(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_integer(v))
        fail_msg("%s is not an integer", k);
    return json_integer_value(v);
}

static const char *js_(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    if (!s)
        fail_msg("%s is not a string", k);
    return s;
}

static json_t *explain(rn_store *s, const char *item)
{
    char *js;
    rn_error err;
    assert_int_equal(rn_claims_explain(s, item, &js, NULL, &err), RN_OK);
    return parse(js);
}

/* The stored decoding of N10 reads as ambiguous with both tied makers; the
 * third, 0.10 behind, is not part of the tie. */
static void stored_decoding_is_ambiguous(void **state)
{
    json_t *r = explain(*state, FX("0A10"));
    json_t *mk = json_object_get(json_object_get(r, "effective"), "manufacturer");
    assert_true(json_is_true(json_object_get(mk, "ambiguous")));
    json_t *c = json_object_get(mk, "candidates");
    assert_int_equal(json_array_size(c), 2);
    assert_string_equal(js_(json_array_get(c, 0), "manufacturer"), "Fixture Maker A");
    assert_string_equal(js_(json_array_get(c, 0), "country"), "US");
    assert_string_equal(js_(json_array_get(c, 1), "manufacturer"), "Fixture Maker B");
    assert_string_equal(js_(json_array_get(c, 1), "country"), "DE");
    assert_non_null(strstr(js_(mk, "basis"), "ambiguous"));
    json_t *dec = json_object_get(r, "decoder");
    json_t *a = find(dec, "value", "Fixture Maker A"), *b = find(dec, "value", "Fixture Maker B"),
           *d = find(dec, "value", "Fixture Maker D");
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(d);
    assert_true(json_is_true(json_object_get(a, "ambiguous")));
    assert_true(json_is_true(json_object_get(b, "ambiguous")));
    assert_true(json_is_false(json_object_get(d, "ambiguous")));
    json_decref(r);
    /* A12: the same makers 0.30 apart: decided */
    r = explain(*state, FX("0A12"));
    mk = json_object_get(json_object_get(r, "effective"), "manufacturer");
    assert_true(json_is_false(json_object_get(mk, "ambiguous")));
    assert_true(json_is_null(json_object_get(mk, "candidates")));
    assert_string_equal(js_(mk, "value"), "Fixture Maker A");
    a = find(json_object_get(r, "decoder"), "value", "Fixture Maker A");
    assert_true(json_is_false(json_object_get(a, "ambiguous")));
    json_decref(r);
}

/* The real decoder's tie, stored on import and read back: L550E. */
static void real_tie_is_stored_and_read(void **state)
{
    json_t *r = explain(*state, FX("0A13"));
    json_t *mk = json_object_get(json_object_get(r, "effective"), "manufacturer");
    assert_true(json_is_true(json_object_get(mk, "ambiguous")));
    json_t *c = json_object_get(mk, "candidates");
    assert_int_equal(json_array_size(c), 2);
    int de = 0, cn = 0;
    for (size_t i = 0; i < 2; i++) {
        const char *cc = js_(json_array_get(c, i), "country");
        de += !strcmp(cc, "DE");
        cn += !strcmp(cc, "CN");
    }
    assert_int_equal(de, 1);
    assert_int_equal(cn, 1);
    json_decref(r);
}

/* Origin: A10 is possible under US and DE and under makers A and B, never
 * in a count or share; A11 (US, own field) and A12 (A, US) are certain.
 *   with_country = 2 (A11, A12), foreign = 2 (US vs RU), ambiguous = 1,
 *   foreign_possible = 1 (US or DE, both not RU);
 *   by country: US count 2 share 1.0 possible 1; DE count 0 share 0.0
 *   possible 1; JP (not tied) absent;
 *   by maker: A count 1 share 0.5 possible 1; B count 0 possible 1; C 1. */
static void origin_counts_ambiguous_as_possible(void **state)
{
    char *js;
    rn_error err;
    rn_analysis_filter f = {.item = FX("0W10")};
    assert_int_equal(rn_origin(*state, &f, &js, NULL, &err), RN_OK);
    json_t *r = parse(js);
    json_t *t = json_object_get(r, "totals");
    assert_int_equal(ji(t, "components"), 3);
    assert_int_equal(ji(t, "with_country"), 2);
    assert_int_equal(ji(t, "with_manufacturer"), 2);
    assert_int_equal(ji(t, "foreign"), 2);
    assert_int_equal(ji(t, "manufacturer_ambiguous"), 1);
    assert_int_equal(ji(t, "foreign_possible"), 1);
    json_t *bc = json_object_get(r, "by_country");
    json_t *us = find(bc, "country", "US"), *de = find(bc, "country", "DE");
    assert_non_null(us);
    assert_non_null(de);
    assert_null(find(bc, "country", "JP"));
    assert_int_equal(ji(us, "count"), 2);
    assert_int_equal(ji(us, "possible"), 1);
    assert_true(json_real_value(json_object_get(us, "share")) > 0.999);
    assert_int_equal(ji(de, "count"), 0);
    assert_int_equal(ji(de, "possible"), 1);
    assert_true(json_real_value(json_object_get(de, "share")) < 1e-9);
    assert_string_equal(json_string_value(json_array_get(json_object_get(de, "possible_items"), 0)),
                        FX("0A10"));
    json_t *bm = json_object_get(r, "by_manufacturer");
    json_t *ma = find(bm, "manufacturer", "Fixture Maker A");
    json_t *mb = find(bm, "manufacturer", "Fixture Maker B");
    json_t *mc = find(bm, "manufacturer", "Fixture Maker C");
    assert_non_null(ma);
    assert_non_null(mb);
    assert_non_null(mc);
    assert_int_equal(ji(ma, "count"), 1);
    assert_int_equal(ji(ma, "possible"), 1);
    assert_true(json_real_value(json_object_get(ma, "share")) > 0.499 &&
                json_real_value(json_object_get(ma, "share")) < 0.501);
    assert_int_equal(ji(mb, "count"), 0);
    assert_int_equal(ji(mb, "possible"), 1);
    assert_int_equal(ji(mc, "count"), 1);
    assert_int_equal(ji(mc, "possible"), 0);
    json_t *w = json_array_get(json_object_get(r, "weapons"), 0);
    assert_int_equal(ji(w, "manufacturer_ambiguous"), 1);
    json_t *a10 = find(json_object_get(w, "tree"), "item", FX("0A10"));
    assert_non_null(a10);
    assert_true(json_is_null(json_object_get(a10, "manufacturer")));
    assert_true(json_is_true(json_object_get(a10, "manufacturer_ambiguous")));
    assert_int_equal(json_array_size(json_object_get(a10, "manufacturer_candidates")), 2);
    assert_non_null(strstr(js_(r, "summary"), "ambiguous maker"));
    json_decref(r);
}

/* Sanctions: A10's tied makers are US and DE, both outside RU: a lead, which
 * names no single maker or country and lists the tie; A12 is decided. */
static void sanctions_flag_lists_the_tie(void **state)
{
    char *js;
    rn_error err;
    rn_analysis_filter f = {.item = FX("0W10")};
    assert_int_equal(rn_sanctions_scan(*state, &f, 0, &js, NULL, &err), RN_OK);
    json_t *r = parse(js);
    json_t *flags = json_object_get(r, "flags");
    json_t *a10 = find(flags, "component", FX("0A10"));
    json_t *a12 = find(flags, "component", FX("0A12"));
    assert_non_null(a10);
    assert_non_null(a12);
    assert_true(json_is_true(json_object_get(a10, "manufacturer_ambiguous")));
    assert_true(json_is_null(json_object_get(a10, "manufacturer")));
    assert_true(json_is_null(json_object_get(a10, "manufacturer_country")));
    assert_int_equal(json_array_size(json_object_get(a10, "manufacturer_candidates")), 2);
    assert_non_null(strstr(js_(a10, "words"), "maker ambiguous, US or DE"));
    assert_true(json_is_false(json_object_get(a12, "manufacturer_ambiguous")));
    assert_string_equal(js_(a12, "manufacturer"), "Fixture Maker A");
    assert_string_equal(js_(a12, "manufacturer_country"), "US");
    json_decref(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stored_decoding_is_ambiguous),
        cmocka_unit_test(real_tie_is_stored_and_read),
        cmocka_unit_test(origin_counts_ambiguous_as_possible),
        cmocka_unit_test(sanctions_flag_lists_the_tie),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
