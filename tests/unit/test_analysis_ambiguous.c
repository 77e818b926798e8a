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
#include "analysis_fixture.h"

static int setup(void **state)
{
    rn_store *s = fx_open("rn_amb", "analysis/ambiguous.jsonl", "sanctions/eu_russia.jsonl");
    fx_drop_candidates(s, FX("0N10"));
    fx_drop_candidates(s, FX("0N12"));
    fx_add_maker(s, FX("0N10"), 0, "Fixture Maker A", "US", 0.700);
    fx_add_maker(s, FX("0N10"), 1, "Fixture Maker B", "DE", 0.690);
    fx_add_maker(s, FX("0N10"), 2, "Fixture Maker D", "JP", 0.600);
    fx_add_maker(s, FX("0N12"), 0, "Fixture Maker A", "US", 0.800);
    fx_add_maker(s, FX("0N12"), 1, "Fixture Maker B", "DE", 0.500);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    fx_close(*state);
    return 0;
}

static json_t *explain(rn_store *s, const char *item)
{
    char *js;
    rn_error err;
    assert_int_equal(rn_claims_explain(s, item, &js, NULL, &err), RN_OK);
    return fx_parse(js);
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
    assert_string_equal(fx_js(json_array_get(c, 0), "manufacturer"), "Fixture Maker A");
    assert_string_equal(fx_js(json_array_get(c, 0), "country"), "US");
    assert_string_equal(fx_js(json_array_get(c, 1), "manufacturer"), "Fixture Maker B");
    assert_string_equal(fx_js(json_array_get(c, 1), "country"), "DE");
    assert_non_null(strstr(fx_js(mk, "basis"), "ambiguous"));
    json_t *dec = json_object_get(r, "decoder");
    json_t *a = fx_find(dec, "value", "Fixture Maker A"),
           *b = fx_find(dec, "value", "Fixture Maker B"),
           *d = fx_find(dec, "value", "Fixture Maker D");
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
    assert_string_equal(fx_js(mk, "value"), "Fixture Maker A");
    a = fx_find(json_object_get(r, "decoder"), "value", "Fixture Maker A");
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
        const char *cc = fx_js(json_array_get(c, i), "country");
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
    json_t *r = fx_parse(js);
    json_t *t = json_object_get(r, "totals");
    assert_int_equal(fx_ji(t, "components"), 3);
    assert_int_equal(fx_ji(t, "with_country"), 2);
    assert_int_equal(fx_ji(t, "with_manufacturer"), 2);
    assert_int_equal(fx_ji(t, "foreign"), 2);
    assert_int_equal(fx_ji(t, "manufacturer_ambiguous"), 1);
    assert_int_equal(fx_ji(t, "foreign_possible"), 1);
    json_t *bc = json_object_get(r, "by_country");
    json_t *us = fx_find(bc, "country", "US"), *de = fx_find(bc, "country", "DE");
    assert_non_null(us);
    assert_non_null(de);
    assert_null(fx_find(bc, "country", "JP"));
    assert_int_equal(fx_ji(us, "count"), 2);
    assert_int_equal(fx_ji(us, "possible"), 1);
    assert_true(json_real_value(json_object_get(us, "share")) > 0.999);
    assert_int_equal(fx_ji(de, "count"), 0);
    assert_int_equal(fx_ji(de, "possible"), 1);
    assert_true(json_real_value(json_object_get(de, "share")) < 1e-9);
    assert_string_equal(json_string_value(json_array_get(json_object_get(de, "possible_items"), 0)),
                        FX("0A10"));
    json_t *bm = json_object_get(r, "by_manufacturer");
    json_t *ma = fx_find(bm, "manufacturer", "Fixture Maker A");
    json_t *mb = fx_find(bm, "manufacturer", "Fixture Maker B");
    json_t *mc = fx_find(bm, "manufacturer", "Fixture Maker C");
    assert_non_null(ma);
    assert_non_null(mb);
    assert_non_null(mc);
    assert_int_equal(fx_ji(ma, "count"), 1);
    assert_int_equal(fx_ji(ma, "possible"), 1);
    assert_true(json_real_value(json_object_get(ma, "share")) > 0.499 &&
                json_real_value(json_object_get(ma, "share")) < 0.501);
    assert_int_equal(fx_ji(mb, "count"), 0);
    assert_int_equal(fx_ji(mb, "possible"), 1);
    assert_int_equal(fx_ji(mc, "count"), 1);
    assert_int_equal(fx_ji(mc, "possible"), 0);
    json_t *w = json_array_get(json_object_get(r, "weapons"), 0);
    assert_int_equal(fx_ji(w, "manufacturer_ambiguous"), 1);
    json_t *a10 = fx_find(json_object_get(w, "tree"), "item", FX("0A10"));
    assert_non_null(a10);
    assert_true(json_is_null(json_object_get(a10, "manufacturer")));
    assert_true(json_is_true(json_object_get(a10, "manufacturer_ambiguous")));
    assert_int_equal(json_array_size(json_object_get(a10, "manufacturer_candidates")), 2);
    assert_non_null(strstr(fx_js(r, "summary"), "ambiguous maker"));
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
    json_t *r = fx_parse(js);
    json_t *flags = json_object_get(r, "flags");
    json_t *a10 = fx_find(flags, "component", FX("0A10"));
    json_t *a12 = fx_find(flags, "component", FX("0A12"));
    assert_non_null(a10);
    assert_non_null(a12);
    assert_true(json_is_true(json_object_get(a10, "manufacturer_ambiguous")));
    assert_true(json_is_null(json_object_get(a10, "manufacturer")));
    assert_true(json_is_null(json_object_get(a10, "manufacturer_country")));
    assert_int_equal(json_array_size(json_object_get(a10, "manufacturer_candidates")), 2);
    assert_non_null(strstr(fx_js(a10, "words"), "maker ambiguous, US or DE"));
    assert_true(json_is_false(json_object_get(a12, "manufacturer_ambiguous")));
    assert_string_equal(fx_js(a12, "manufacturer"), "Fixture Maker A");
    assert_string_equal(fx_js(a12, "manufacturer_country"), "US");
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
