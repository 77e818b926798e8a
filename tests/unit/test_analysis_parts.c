/* SPDX-License-Identifier: Apache-2.0
 *
 * test_analysis_parts.c — analyses that count every part (issue 11, points
 * 12-17), over the invented fixture tests/analysis/parts.jsonl plus the real
 * UN DPRK measures. Each test is named by its point; every expected number
 * is worked out in the comment beside it.
 *
 * The fixture: weapon X10 (event F10, 2024-03-10, KP, no production date)
 * holds board B10, which holds C10 ("NXP", NL, 2021-W20, lot LOT-P1), C11
 * ("NXP Semiconductors", NL, 2019), C12 (country US only, 2020), C13 (a
 * claim with country JP only), C14 ("NXP Semiconductors N.V.", marking
 * "2?15") and C15 (marking "0412"); none of the parts has an event of its
 * own, as in the README's example. X11 (event F11, producing state unknown)
 * holds C20 (Acme Semi, DE, lot lot-p1). X12 (2021) holds C30 (2021-07);
 * X13 (2019) holds C31 (2020).
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

#include "analysis/analysis_int.h"
#include "remnant/analysis.h"
#include "analysis_fixture.h"

/* Fixed decoder readings (the decoder is not asked, so that a change in
 * its rules cannot move the expected numbers; the readings are the ones it
 * gave for these markings in this context when the test was written). */
static int setup(void **state)
{
    rn_store *s = fx_open("rn_parts", "analysis/parts.jsonl", "sanctions/un_dprk.jsonl");
    fx_drop_candidates(s, FX("0M14"));
    fx_drop_candidates(s, FX("0M15"));
    rn_date d;
    /* "2?15": a year with the illegible digit filled in (0.30), four YYWW
     * readings 2023-W15 .. 2020-W15 (0.19 each), a Thai year 2515 = 1972
     * (0.03). */
    assert_int_equal(rn_date_year(2015, &d), RN_OK);
    fx_add_date(s, FX("0M14"), 0, &d, 0.30, "year");
    for (int i = 0; i < 4; i++) {
        assert_int_equal(rn_date_isoweek(2023 - i, 15, &d), RN_OK);
        fx_add_date(s, FX("0M14"), 1 + i, &d, 0.19, "yyww");
    }
    assert_int_equal(rn_date_year(1972, &d), RN_OK);
    fx_add_date(s, FX("0M14"), 5, &d, 0.03, "thai-year");
    /* "0412": YYWW 2004-W12 (0.75) or YYMM 2004-12 (0.35) */
    assert_int_equal(rn_date_isoweek(2004, 12, &d), RN_OK);
    fx_add_date(s, FX("0M15"), 0, &d, 0.75, "yyww");
    assert_int_equal(rn_date_month(2004, 12, &d), RN_OK);
    fx_add_date(s, FX("0M15"), 1, &d, 0.35, "yymm");
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    fx_close(*state);
    return 0;
}

static json_t *origin_of(rn_store *s, const char *item)
{
    char *js;
    rn_error err;
    rn_analysis_filter f = {.item = item};
    assert_int_equal(rn_origin(s, &f, &js, NULL, &err), RN_OK);
    return fx_parse(js);
}

static json_t *timeline_of(rn_store *s, const char *item)
{
    char *js;
    rn_error err;
    rn_analysis_filter f = {.item = item, .all_kinds = 1};
    assert_int_equal(rn_timeline(s, &f, &js, NULL, &err), RN_OK);
    json_t *r = fx_parse(js);
    if (json_array_size(json_object_get(r, "items")) != 1)
        fail_msg("timeline of %s: %zu items", item,
                 json_array_size(json_object_get(r, "items")));
    return r;
}

/* 12. A part without its own event is in the event of its nearest ancestor
 * that has one: C10 -> B10 (none) -> X10 (F10). */
static void point12_timeline(void **state)
{
    json_t *r = timeline_of(*state, FX("0C10"));
    json_t *c10 = json_array_get(json_object_get(r, "items"), 0);
    assert_string_equal(fx_js(c10, "event"), FX("0F10"));
    assert_string_equal(fx_js(c10, "event_from"), FX("0X10"));
    assert_string_equal(fx_js(c10, "place"), "Fixture town P");
    /* 2021-W20 = 2021-05-17..2021-05-23, used 2024-03-10 */
    fx_assert_span(json_object_get(c10, "interval_days"),
                   fx_day(2024, 3, 10) - fx_day(2021, 5, 23),
                   fx_day(2024, 3, 10) - fx_day(2021, 5, 17));
    json_decref(r);
    /* by event: every part of X10 comes with it (B10, C10..C15: 7 parts
     * besides X10 itself) */
    char *js;
    rn_error err;
    rn_analysis_filter f = {.event = FX("0F10"), .all_kinds = 1};
    assert_int_equal(rn_timeline(*state, &f, &js, NULL, &err), RN_OK);
    r = fx_parse(js);
    /* F10: X10 + 7 parts, X12 + C30, X13 + C31 = 12 */
    assert_int_equal(fx_ji(json_object_get(r, "counts"), "considered"), 12);
    json_decref(r);
}

static void point12_links(void **state)
{
    char *js;
    rn_error err;
    /* C10's lot LOT-P1 = C20's lot-p1; C20 was found with X11 in F11 */
    assert_int_equal(rn_links(*state, FX("0C10"), &js, NULL, &err), RN_OK);
    json_t *r = fx_parse(js);
    json_t *seed = json_array_get(json_object_get(r, "seeds"), 0);
    assert_string_equal(fx_js(seed, "event"), FX("0F10"));
    json_t *c20 = fx_find(json_object_get(r, "linked"), "item", FX("0C20"));
    assert_non_null(c20);
    assert_string_equal(fx_js(c20, "event"), FX("0F11"));
    assert_string_equal(fx_js(c20, "event_from"), FX("0X11"));
    assert_string_equal(fx_js(c20, "place"), "Fixture port Q");
    assert_int_equal(fx_ji(r, "events"), 2);
    assert_int_equal(fx_ji(r, "countries"), 2); /* UA, MD */
    json_decref(r);
    /* every group: the lot is seen in two events */
    assert_int_equal(rn_links(*state, NULL, &js, NULL, &err), RN_OK);
    r = fx_parse(js);
    assert_int_equal(fx_ji(r, "lot_groups_total"), 1);
    json_t *g = json_array_get(json_object_get(r, "lot_groups"), 0);
    assert_string_equal(fx_js(g, "key"), "LOT-P1");
    assert_int_equal(fx_ji(g, "events"), 2);
    json_decref(r);
}

/* 13. A component whose maker is unknown but whose country is known counts
 * by country and is listed under "manufacturer unknown". */
static void point13_origin(void **state)
{
    json_t *r = origin_of(*state, FX("0X10"));
    json_t *t = json_object_get(r, "totals");
    assert_int_equal(fx_ji(t, "components"), 7);           /* B10, C10..C15 */
    assert_int_equal(fx_ji(t, "with_manufacturer"), 3);    /* C10, C11, C14 */
    assert_int_equal(fx_ji(t, "with_country_only"), 2);    /* C12 (field), C13 (claim) */
    assert_int_equal(fx_ji(t, "with_country"), 5);
    assert_int_equal(fx_ji(t, "foreign"), 5);              /* none is KP */
    json_t *bc = json_object_get(r, "by_country");
    assert_int_equal(fx_ji(fx_find(bc, "country", "US"), "count"), 1);
    assert_int_equal(fx_ji(fx_find(bc, "country", "JP"), "count"), 1);
    assert_int_equal(fx_ji(fx_find(bc, "country", "NL"), "count"), 3);
    json_t *bm = json_object_get(r, "by_manufacturer");
    json_t *unk = fx_find(bm, "manufacturer", "manufacturer unknown");
    assert_non_null(unk);
    assert_true(json_is_true(json_object_get(unk, "unknown")));
    assert_int_equal(fx_ji(unk, "count"), 2);
    assert_non_null(strstr(fx_js(unk, "countries"), "US"));
    assert_non_null(strstr(fx_js(unk, "countries"), "JP"));
    assert_null(fx_find(bm, "manufacturer", "JP")); /* a country is not a maker's name */
    /* shares over the 5 components with a maker or a country: 2/5 */
    double sh = json_real_value(json_object_get(unk, "share"));
    assert_true(sh > 0.399 && sh < 0.401);
    json_t *w = json_array_get(json_object_get(r, "weapons"), 0);
    json_t *c12 = fx_find(json_object_get(w, "tree"), "item", FX("0C12"));
    assert_true(json_is_null(json_object_get(c12, "manufacturer")));
    assert_string_equal(fx_js(c12, "manufacturer_country"), "US");
    assert_string_equal(fx_js(c12, "manufacturer_basis"), "item.manufacturer_country");
    json_decref(r);
}

static void point13_sanctions(void **state)
{
    char *js;
    rn_error err;
    rn_analysis_filter f = {.item = FX("0X10")};
    assert_int_equal(rn_sanctions_scan(*state, &f, 0, &js, NULL, &err), RN_OK);
    json_t *r = fx_parse(js);
    json_t *c = json_object_get(r, "counts");
    assert_int_equal(fx_ji(c, "foreign_components"), 5);     /* C10..C14 */
    assert_int_equal(fx_ji(c, "not_assessable_no_date"), 1); /* C13: no date */
    assert_int_equal(fx_ji(c, "open_flags"), 4);             /* C10, C11, C12, C14 */
    json_t *f12 = fx_find(json_object_get(r, "flags"), "component", FX("0C12"));
    assert_non_null(f12);
    assert_true(json_is_null(json_object_get(f12, "manufacturer")));
    assert_string_equal(fx_js(f12, "manufacturer_country"), "US");
    assert_non_null(strstr(fx_js(f12, "words"), "maker unknown, US"));
    json_decref(r);
}

/* 14. Producing state unknown: foreign is unknown, not 0. */
static void point14_unknown_state(void **state)
{
    json_t *r = origin_of(*state, FX("0X11"));
    json_t *w = json_array_get(json_object_get(r, "weapons"), 0);
    assert_true(json_is_null(json_object_get(w, "producing_state")));
    assert_true(json_is_null(json_object_get(w, "foreign")));
    assert_true(json_is_false(json_object_get(w, "foreign_known")));
    assert_int_equal(fx_ji(w, "with_country"), 1); /* C20: DE */
    json_t *t = json_object_get(r, "totals");
    assert_int_equal(fx_ji(t, "foreign"), 0);
    assert_int_equal(fx_ji(t, "foreign_unknown"), 1);
    assert_non_null(strstr(fx_js(r, "summary"), "foreign is unknown"));
    assert_null(strstr(fx_js(r, "summary"), "0 of the 1 "));
    json_decref(r);
    /* a known state still gives a number */
    r = origin_of(*state, FX("0X10"));
    w = json_array_get(json_object_get(r, "weapons"), 0);
    assert_int_equal(fx_ji(w, "foreign"), 5);
    assert_true(json_is_true(json_object_get(w, "foreign_known")));
    json_decref(r);
}

/* 15. Use cannot precede assembly: the latest component date bounds the
 * weapon's production date from below, with the basis named. */
static void point15_assembly(void **state)
{
    char *js;
    rn_error err;
    assert_int_equal(rn_timeline(*state, NULL, &js, NULL, &err), RN_OK);
    json_t *r = fx_parse(js);
    json_t *items = json_object_get(r, "items");
    /* X10: no date of its own; its parts' latest start is C10's 2021-05-17
     * (C14's hull starts 2015, C15's 2004): produced [2021-05-17, open),
     * used 2024-03-10: [0 (clamped), 1028] */
    json_t *x10 = fx_find(items, "item", FX("0X10"));
    assert_non_null(x10);
    fx_assert_span(json_object_get(x10, "interval_days"), 0,
                   fx_day(2024, 3, 10) - fx_day(2021, 5, 17));
    assert_string_equal(fx_js(x10, "production_bound"), "from assembly");
    assert_non_null(strstr(fx_js(x10, "produced_basis"), "earliest assembly 2021-05-17"));
    assert_non_null(strstr(fx_js(x10, "produced_basis"), FX("0C10")));
    assert_string_equal(fx_js(json_object_get(x10, "earliest_assembly"), "component"), FX("0C10"));
    /* X12: 2021, but C30 is 2021-07: produced [2021-07-01, 2021-12-31] */
    json_t *x12 = fx_find(items, "item", FX("0X12"));
    assert_string_equal(fx_js(x12, "production_bound"), "raised to assembly");
    fx_assert_span(json_object_get(x12, "interval_days"),
                   fx_day(2024, 3, 10) - fx_day(2021, 12, 31),
                   fx_day(2024, 3, 10) - fx_day(2021, 7, 1));
    /* X13: 2019, but C31 is 2020: the evidence conflicts; the recorded
     * date stands and the conflict is named */
    json_t *x13 = fx_find(items, "item", FX("0X13"));
    assert_string_equal(fx_js(x13, "production_bound"), "conflict");
    fx_assert_span(json_object_get(x13, "interval_days"),
                   fx_day(2024, 3, 10) - fx_day(2019, 12, 31),
                   fx_day(2024, 3, 10) - fx_day(2019, 1, 1));
    assert_non_null(strstr(fx_js(x13, "produced_basis"), "CONFLICT"));
    /* X11: no dated part, no date: still without an interval */
    assert_null(fx_find(items, "item", FX("0X11")));
    json_decref(r);
}

/* 16. Spellings of one company are one row, each spelling listed. */
static void point16_key(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        /* spelling, strict key, loose key */
        {"NXP", "nxp", "nxp"},
        {"NXP Semiconductors", "nxp semiconductors", "nxp"},
        {"NXP Semiconductors N.V.", "nxp semiconductors", "nxp"},
        {"Texas Instruments Inc.", "texas instruments", "texas instruments"},
        {"TEXAS INSTRUMENTS INCORPORATED", "texas instruments", "texas instruments"},
        {"Microchip Technology Inc.", "microchip technology", "microchip"},
        {"Murata Manufacturing Co., Ltd.", "murata manufacturing", "murata"},
        {"Infineon Technologies AG", "infineon technologies", "infineon"},
        {"Samsung Electronics Co., Ltd.", "samsung electronics", "samsung"},
        {"Nexperia B.V.", "nexperia", "nexperia"},
        {"STMicroelectronics S.A.", "stmicroelectronics", "stmicroelectronics"},
        {"Analog Devices, Inc.", "analog devices", "analog devices"},
        {"NXP Semiconductors (incl. Freescale)", "nxp semiconductors", "nxp"},
        {"Maxim Integrated (part of Analog Devices since 2021)", "maxim integrated",
         "maxim integrated"},
        {"Electronics Ltd", "electronics", "electronics"}, /* never empty */
        {"AG", "ag", "ag"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char k[201];
        rn__maker_key(cases[i][0], 1, k, sizeof k);
        if (strcmp(k, cases[i][1]))
            fail_msg("strict key of '%s': '%s', wanted '%s'", cases[i][0], k, cases[i][1]);
        rn__maker_key(cases[i][0], 0, k, sizeof k);
        if (strcmp(k, cases[i][2]))
            fail_msg("key of '%s': '%s', wanted '%s'", cases[i][0], k, cases[i][2]);
    }
}

static void point16_origin(void **state)
{
    json_t *r = origin_of(*state, FX("0X10"));
    json_t *bm = json_object_get(r, "by_manufacturer");
    /* NXP is a maker of the decoder's rules: grouped as that entity (G2) */
    char nkey[201], nbrand[201];
    assert_int_equal(rn__maker_company_key("NXP", nkey, sizeof nkey, nbrand, sizeof nbrand), 1);
    assert_int_equal(strncmp(nkey, "entity:", 7), 0);
    json_t *nxp = fx_find(bm, "company_key", nkey);
    assert_non_null(nxp);
    assert_int_equal(fx_ji(nxp, "count"), 3); /* C10, C11, C14 */
    assert_string_equal(fx_js(nxp, "grouped_by"), "maker entity");
    assert_string_equal(fx_js(nxp, "countries"), "NL");
    double sh = json_real_value(json_object_get(nxp, "share"));
    assert_true(sh > 0.599 && sh < 0.601); /* 3 / 5 */
    json_t *sp = json_object_get(nxp, "spellings");
    assert_int_equal(json_array_size(sp), 3);
    assert_int_equal(fx_ji(fx_find(sp, "spelling", "NXP"), "count"), 1);
    assert_int_equal(fx_ji(fx_find(sp, "spelling", "NXP Semiconductors"), "count"), 1);
    assert_int_equal(fx_ji(fx_find(sp, "spelling", "NXP Semiconductors N.V."), "count"), 1);
    /* each part names its company, as the row does */
    json_t *tree = json_object_get(json_array_get(json_object_get(r, "weapons"), 0), "tree");
    assert_string_equal(fx_js(fx_find(tree, "item", FX("0C10")), "manufacturer_company"), nkey);
    assert_string_equal(fx_js(fx_find(tree, "item", FX("0C14")), "manufacturer_company"), nkey);
    assert_true(json_is_null(json_object_get(fx_find(tree, "item", FX("0C12")),
                                             "manufacturer_company")));
    /* two rows in all: NXP and "manufacturer unknown" */
    assert_int_equal(json_array_size(bm), 2);
    json_decref(r);
}

/* 16. A brand and its acquirer are one company, the brand kept visible
 * (the decoder's owner rules: Linear Technology by Analog Devices since
 * 2017); a name the rules do not know is grouped by its normalized form. */
static void point16_brand(void **state)
{
    (void)state;
    char k1[201], b1[201], k2[201], b2[201], k3[201], b3[201];
    assert_int_equal(rn__maker_company_key("Linear Technology", k1, sizeof k1, b1, sizeof b1), 1);
    assert_int_equal(rn__maker_company_key("Analog Devices, Inc.", k2, sizeof k2, b2, sizeof b2), 1);
    assert_string_equal(k1, k2);
    assert_non_null(strstr(b1, "Linear"));
    assert_string_equal(b2, "");
    assert_int_equal(rn__maker_company_key("Invented Parts Works", k3, sizeof k3, b3, sizeof b3), 0);
    assert_string_equal(k3, "n:invented parts works");
}

/* 17. A date from an illegible or ambiguous code never looks certain. */
static void point17_origin(void **state)
{
    json_t *r = origin_of(*state, FX("0X10"));
    json_t *tree = json_object_get(json_array_get(json_object_get(r, "weapons"), 0), "tree");
    /* "2?15": 2015 (0.30) + four YYWW (0.19 each) = 1.06 of 1.09 >= 0.9 of
     * it; the Thai 1972 (0.03) is left out. Hull of the year 2015 and the
     * weeks 2020-W15 .. 2023-W15, at the coarser (year) precision:
     * 2015-01-01 .. 2023-12-31. */
    json_t *c14 = fx_find(tree, "item", FX("0C14"));
    assert_true(json_is_true(json_object_get(c14, "produced_ambiguous")));
    json_t *pd = json_object_get(c14, "produced");
    assert_string_equal(fx_js(pd, "earliest"), "2015-01-01");
    assert_string_equal(fx_js(pd, "latest"), "2023-12-31");
    json_t *rd = json_object_get(c14, "produced_readings");
    assert_int_equal(json_array_size(rd), 5);
    assert_string_equal(fx_js(json_array_get(rd, 0), "marking_text"), "2?15");
    assert_string_equal(fx_js(json_array_get(rd, 0), "rule"), "year");
    assert_non_null(strstr(fx_js(c14, "produced_basis"), "ambiguous"));
    /* "0412": YYWW 2004-W12 (0.75) and YYMM 2004-12 (0.35): 0.75 alone is
     * 0.68 of the 1.10, below 0.9: both, hull 2004-03-01 .. 2004-12-31 */
    json_t *c15 = fx_find(tree, "item", FX("0C15"));
    assert_true(json_is_true(json_object_get(c15, "produced_ambiguous")));
    pd = json_object_get(c15, "produced");
    assert_string_equal(fx_js(pd, "earliest"), "2004-03-01");
    assert_string_equal(fx_js(pd, "latest"), "2004-12-31");
    assert_int_equal(json_array_size(json_object_get(c15, "produced_readings")), 2);
    /* both spread over several years: never counted for one year */
    json_t *y = json_object_get(r, "date_codes_by_year");
    assert_null(fx_find(y, "year", "2015"));
    assert_int_equal(fx_ji(fx_find(y, "year", "spans years"), "count"), 1); /* C14 */
    assert_int_equal(fx_ji(fx_find(y, "year", "2004"), "count"), 1);        /* C15: within 2004 */
    json_decref(r);
}

static void point17_timeline_sanctions_claims(void **state)
{
    rn_store *s = *state;
    json_t *r = timeline_of(s, FX("0C14"));
    json_t *c14 = json_array_get(json_object_get(r, "items"), 0);
    assert_true(json_is_true(json_object_get(c14, "produced_ambiguous")));
    assert_int_equal(json_array_size(json_object_get(c14, "produced_readings")), 5);
    assert_non_null(strstr(fx_js(c14, "words"), "ambiguous"));
    /* [2024-03-10 - 2023-12-31, 2024-03-10 - 2015-01-01] */
    fx_assert_span(json_object_get(c14, "interval_days"),
                   fx_day(2024, 3, 10) - fx_day(2023, 12, 31),
                   fx_day(2024, 3, 10) - fx_day(2015, 1, 1));

    /* the group and its shortest-proven list say so too */
    json_t *g = json_array_get(json_object_get(r, "groups"), 0);
    assert_int_equal(fx_ji(g, "ambiguous_dates"), 1);
    assert_true(json_is_true(json_object_get(json_array_get(json_object_get(g, "shortest_proven"),
                                                            0), "produced_ambiguous")));
    json_decref(r);

    /* sanctions: 2015..2023 is certainly after 1718 .. 2094 (2013) and
     * possibly after 2270 (2016-03-02) .. 2397: 9 measures besides 1718
     * (data/sanctions/un_dprk.jsonl, with 2356 of 2017) */
    char *js;
    rn_error err;
    rn_analysis_filter f = {.item = FX("0X10")};
    assert_int_equal(rn_sanctions_scan(s, &f, 0, &js, NULL, &err), RN_OK);
    r = fx_parse(js);
    json_t *f14 = fx_find(json_object_get(r, "flags"), "component", FX("0C14"));
    assert_non_null(f14);
    assert_true(json_is_true(json_object_get(f14, "produced_ambiguous")));
    json_t *also = json_object_get(f14, "also_after");
    assert_int_equal(json_array_size(also), 9);
    assert_string_equal(fx_js(fx_find(also, "instrument", "S/RES/2270 (2016)"), "relation"),
                        "possibly after");
    assert_non_null(strstr(fx_js(f14, "words"), "ambiguous reading"));
    json_decref(r);

    assert_int_equal(rn_claims_explain(s, FX("0C14"), &js, NULL, &err), RN_OK);
    r = fx_parse(js);
    json_t *p = json_object_get(json_object_get(r, "effective"), "production_date");
    assert_true(json_is_true(json_object_get(p, "ambiguous")));
    assert_int_equal(json_array_size(json_object_get(p, "readings")), 5);
    json_decref(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(point12_timeline, setup, teardown),
        cmocka_unit_test_setup_teardown(point12_links, setup, teardown),
        cmocka_unit_test_setup_teardown(point13_origin, setup, teardown),
        cmocka_unit_test_setup_teardown(point13_sanctions, setup, teardown),
        cmocka_unit_test_setup_teardown(point14_unknown_state, setup, teardown),
        cmocka_unit_test_setup_teardown(point15_assembly, setup, teardown),
        cmocka_unit_test(point16_key),
        cmocka_unit_test_setup_teardown(point16_origin, setup, teardown),
        cmocka_unit_test(point16_brand),
        cmocka_unit_test_setup_teardown(point17_origin, setup, teardown),
        cmocka_unit_test_setup_teardown(point17_timeline_sanctions_claims, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
