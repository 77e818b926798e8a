/* SPDX-License-Identifier: Apache-2.0
 *
 * test_analysis_fixture.c — lib/analysis against the invented fixture
 * tests/analysis/fixture.jsonl plus the real UN DPRK measures
 * (data/sanctions/un_dprk.jsonl). Every expected number is worked out by
 * hand in the comment beside it. Trace and finding tests cite the state
 * machines' invariants (T1..T6 in trace.c, F1..F5 in finding.c).
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

/* Decoder candidates the fixture needs (the decoder is not asked: the
 * readings are fixed here so that the expected numbers cannot drift). */
static int setup(void **state)
{
    rn_store *s = fx_open("rn_analysis", "analysis/fixture.jsonl", "sanctions/un_dprk.jsonl");
    rn_date d;
    assert_int_equal(rn_date_month(2023, 3, &d), RN_OK);
    fx_add_date(s, FX("0M03"), 90, &d, 0.9, "fixture-rule");
    assert_int_equal(rn_date_isoweek(2004, 12, &d), RN_OK); /* "0412" read as YYWW */
    fx_add_date(s, FX("0M05"), 90, &d, 0.5, "fixture-rule");
    assert_int_equal(rn_date_isoweek(2012, 4, &d), RN_OK); /* ... or as WWYY */
    fx_add_date(s, FX("0M05"), 91, &d, 0.5, "fixture-rule");
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    fx_close(*state);
    return 0;
}

static void timeline(void **state)
{
    rn_store *s = *state;
    char *js;
    rn_error err;
    assert_int_equal(rn_timeline(s, NULL, &js, NULL, &err), RN_OK);
    json_t *r = fx_parse(js);
    json_t *c = json_object_get(r, "counts");
    assert_int_equal(fx_ji(c, "considered"), 7);         /* W1..W4, sections S1..S3 */
    /* W1, W2, W3, and S1 by its earliest assembly (its part C1: 2019-W10);
     * W4, S2, S3 have no date and no dated part */
    assert_int_equal(fx_ji(c, "with_interval"), 4);
    assert_int_equal(fx_ji(c, "no_production_date"), 3);
    json_t *items = json_object_get(r, "items");
    /* W1: own field 2023 vs incident 2024-01-02:
     * min 2024-01-02 - 2023-12-31 = 2, max 2024-01-02 - 2023-01-01 = 366 */
    json_t *w1 = fx_find(items, "item", FX("0W01"));
    assert_non_null(w1);
    fx_assert_span(json_object_get(w1, "interval_days"), 2, 366);
    assert_string_equal(json_string_value(json_object_get(w1, "produced_basis")), "item.produced");
    /* W2: claim 2024 vs documented 2024-07-09 (no incident date):
     * raw min 2024-07-09 - 2024-12-31 = -175, clamped to 0;
     * max 2024-07-09 - 2024-01-01 = 190 */
    json_t *w2 = fx_find(items, "item", FX("0W02"));
    fx_assert_span(json_object_get(w2, "interval_days"), 0, 190);
    assert_true(json_is_true(json_object_get(w2, "clamped")));
    assert_string_equal(json_string_value(json_object_get(w2, "produced_basis")),
                        "claim " FX("0K01"));
    assert_non_null(strstr(json_string_value(json_object_get(w2, "used_basis")), "documented"));
    /* W3: decoder month 2023-03 vs 2024-01-02: min 277, max 307 */
    json_t *w3 = fx_find(items, "item", FX("0W03"));
    fx_assert_span(json_object_get(w3, "interval_days"), 277, 307);
    assert_non_null(strstr(json_string_value(json_object_get(w3, "produced_basis")),
                           "marking " FX("0M03") " rule fixture-rule"));
    /* S1: no date of its own; not assembled before 2019-03-04 (C1):
     * [clamped 0, 2024-01-02 - 2019-03-04 = 1765] */
    json_t *s1 = fx_find(items, "item", FX("0S01"));
    fx_assert_span(json_object_get(s1, "interval_days"), 0, 1765);
    assert_string_equal(json_string_value(json_object_get(s1, "production_bound")),
                        "from assembly");
    /* groups: (KN-23, KP, UA) = W1, W2, S1; (KN-24, KP, UA) = W3 */
    json_t *g = fx_find(json_object_get(r, "groups"), "weapon_system", "KN-23");
    assert_int_equal(fx_ji(g, "count"), 3);
    fx_assert_span(json_object_get(g, "interval_days_hull"), 0, 1765);
    json_t *sp = json_object_get(g, "shortest_proven");
    assert_string_equal(json_string_value(json_object_get(json_array_get(sp, 0), "item")),
                        FX("0W02")); /* max 190 < 366 */
    json_decref(r);

    /* filter by system */
    rn_analysis_filter f = {.weapon_system = "KN-24"};
    assert_int_equal(rn_timeline(s, &f, &js, NULL, &err), RN_OK);
    r = fx_parse(js);
    assert_int_equal(fx_ji(json_object_get(r, "counts"), "with_interval"), 1);
    /* W1, W2, W4 and their sections */
    assert_int_equal(fx_ji(json_object_get(r, "counts"), "filtered_out"), 6);
    json_decref(r);

    /* an open interval: a claim "../2023" (open start) on W4 gives max
     * open-ended? No: produced (-inf, 2023-12-31] vs documented 2024-03
     * [2024-03-01, 2024-03-31]: min = 2024-03-01 - 2023-12-31 = 61,
     * max = open (null). */
    rn_record *cl = rn_record_new(RN_T_CLAIM);
    assert_int_equal(rn_record_set(cl, "item", FX("0W04"), 26, &err), RN_OK);
    assert_int_equal(rn_record_set(cl, "field", "production_date", 15, &err), RN_OK);
    assert_int_equal(rn_record_set(cl, "date", "../2023", 7, &err), RN_OK);
    assert_int_equal(rn_record_set(cl, "reason", "fixture: before 2024", 20, &err), RN_OK);
    assert_int_equal(rn_store_put(s, cl, RN_PUT_CREATE, &err), RN_OK);
    rn_record_free(cl);
    f = (rn_analysis_filter){.item = FX("0W04")};
    assert_int_equal(rn_timeline(s, &f, &js, NULL, &err), RN_OK);
    r = fx_parse(js);
    json_t *w4 = json_array_get(json_object_get(r, "items"), 0);
    json_t *iv = json_object_get(w4, "interval_days");
    assert_int_equal(json_integer_value(json_array_get(iv, 0)), 61);
    assert_true(json_is_null(json_array_get(iv, 1)));
    json_decref(r);
}

static void origin(void **state)
{
    rn_store *s = *state;
    char *js;
    rn_error err;
    rn_analysis_filter f = {.item = FX("0W01")};
    assert_int_equal(rn_origin(s, &f, &js, NULL, &err), RN_OK);
    json_t *r = fx_parse(js);
    json_t *t = json_object_get(r, "totals");
    /* components of W1: B1, C1..C6 = 7 (S1 is a section, not counted) */
    assert_int_equal(fx_ji(t, "components"), 7);
    assert_int_equal(fx_ji(t, "with_manufacturer"), 6); /* all ICs; C4 by claim */
    assert_int_equal(fx_ji(t, "with_country"), 6);
    assert_int_equal(fx_ji(t, "foreign"), 5);           /* C4 is KP: domestic */
    assert_int_equal(fx_ji(t, "with_date_code"), 4);    /* C1, C2, C3, C5 */
    assert_int_equal(fx_ji(t, "date_codes_spanning_years"), 1); /* C5: 2004..2012 */
    json_t *us = fx_find(json_object_get(r, "by_country"), "country", "US");
    assert_int_equal(fx_ji(us, "count"), 2); /* C1, C5 */
    assert_true(json_real_value(json_object_get(us, "share")) > 0.333 &&
                json_real_value(json_object_get(us, "share")) < 0.334); /* 2 / 6 */
    /* a manufacturer with two countries: one row, both listed */
    json_t *acme = fx_find(json_object_get(r, "by_manufacturer"), "manufacturer", "Acme Semi");
    assert_int_equal(fx_ji(acme, "count"), 2);
    assert_string_equal(json_string_value(json_object_get(acme, "countries")), "DE,NL");
    json_t *kim = fx_find(json_object_get(r, "by_manufacturer"), "manufacturer", "Kim Electronics");
    assert_non_null(kim);
    json_t *y = json_object_get(r, "date_codes_by_year");
    assert_int_equal(fx_ji(fx_find(y, "year", "2019"), "count"), 1);
    assert_int_equal(fx_ji(fx_find(y, "year", "spans years"), "count"), 1);
    assert_null(fx_find(y, "year", "2004")); /* never silently assigned */
    /* earliest assembly: C1 2019-W10 starts Monday 2019-03-04 */
    json_t *w = json_array_get(json_object_get(r, "weapons"), 0);
    json_t *ea = json_object_get(w, "earliest_assembly");
    assert_string_equal(json_string_value(json_object_get(ea, "date")), "2019-03-04");
    assert_string_equal(json_string_value(json_object_get(ea, "component")), FX("0C01"));
    /* C5's ambiguous reading is the hull 2004-W12 .. 2012-W04 */
    json_t *c5 = fx_find(json_object_get(w, "tree"), "item", FX("0C05"));
    assert_true(json_is_true(json_object_get(c5, "produced_ambiguous")));
    json_t *pd = json_object_get(c5, "produced");
    assert_string_equal(json_string_value(json_object_get(pd, "earliest")), "2004-03-15");
    assert_string_equal(json_string_value(json_object_get(pd, "latest")), "2012-01-29");
    json_decref(r);
}

static void sanctions(void **state)
{
    rn_store *s = *state;
    char *js;
    rn_error err;
    assert_int_equal(rn_sanctions_scan(s, NULL, 1, &js, NULL, &err), RN_OK);
    json_t *r = fx_parse(js);
    json_t *c = json_object_get(r, "counts");
    assert_int_equal(fx_ji(c, "measures"), 10); /* UN 1718 ... 2397, with 2356 (2017) */
    assert_int_equal(fx_ji(c, "foreign_components"), 5);     /* C1 C2 C3 C5 C6 (+C7 has no maker) */
    assert_int_equal(fx_ji(c, "not_assessable_no_date"), 1); /* C6 */
    assert_int_equal(fx_ji(c, "open_flags"), 4);
    json_t *fl = json_object_get(r, "flags");
    /* C1 (2019-W10): certainly after 1718; after all 10 measures */
    json_t *f1 = fx_find(fl, "component", FX("0C01"));
    json_t *m = json_object_get(f1, "measure");
    assert_string_equal(json_string_value(json_object_get(m, "instrument")), "S/RES/1718 (2006)");
    assert_string_equal(json_string_value(json_object_get(m, "relation")), "certainly after");
    assert_int_equal(json_array_size(json_object_get(f1, "also_after")), 9);
    assert_non_null(strstr(json_string_value(json_object_get(f1, "words")), "NOT A VERDICT"));
    /* C2 (2015): after 1718, 1874, 2087, 2094; before 2270 (2016-03-02) */
    json_t *f2 = fx_find(fl, "component", FX("0C02"));
    assert_int_equal(json_array_size(json_object_get(f2, "also_after")), 3);
    /* C3 (year 2006) straddles 2006-10-14: possibly after 1718 only */
    json_t *f3 = fx_find(fl, "component", FX("0C03"));
    assert_string_equal(json_string_value(json_object_get(json_object_get(f3, "measure"), "relation")),
                        "possibly after");
    assert_int_equal(json_array_size(json_object_get(f3, "also_after")), 0);
    /* C5 hull 2004-03-15..2012-01-29: possibly after 1718 and 1874 */
    json_t *f5 = fx_find(fl, "component", FX("0C05"));
    assert_int_equal(json_array_size(json_object_get(f5, "also_after")), 1);
    /* C4 is made in KP: never a flag */
    assert_null(fx_find(fl, "component", FX("0C04")));
    json_decref(r);

    /* dismiss C3's flag: a finding, then listed apart */
    char id[RN_ID_LEN + 1];
    assert_int_equal(rn_sanctions_dismiss(s, FX("0C03") ":KP", "made before the ban: invoice "
                                          "dated 2006-05", id, &err), RN_OK);
    assert_int_equal(rn_sanctions_dismiss(s, "nonsense", "x", id, &err), RN_EINVAL);
    assert_int_equal(rn_sanctions_scan(s, NULL, 1, &js, NULL, &err), RN_OK);
    r = fx_parse(js);
    assert_int_equal(fx_ji(json_object_get(r, "counts"), "open_flags"), 3);
    json_t *d = fx_find(json_object_get(r, "dismissed"), "component", FX("0C03"));
    assert_string_equal(json_string_value(json_object_get(json_object_get(d, "dismissal"), "finding")), id);
    json_decref(r);
}

static void links(void **state)
{
    rn_store *s = *state;
    char *js;
    rn_error err;
    /* partial serial "0101" -> S1; S2 (0130) is 29 away: a run; S3 (0500) not */
    assert_int_equal(rn_links(s, "0101", &js, NULL, &err), RN_OK);
    json_t *r = fx_parse(js);
    json_t *l = json_object_get(r, "linked");
    assert_int_equal(json_array_size(l), 1);
    json_t *s2 = fx_find(l, "item", FX("0S02"));
    assert_non_null(s2);
    json_t *why = json_array_get(json_object_get(s2, "reasons"), 0);
    assert_string_equal(json_string_value(json_object_get(why, "by")), "serial-run");
    assert_string_equal(json_string_value(json_object_get(s2, "place")), "Kyiv");
    assert_int_equal(fx_ji(r, "events"), 2);
    json_decref(r);
    /* C1's lot LOT-77 = C7's lot-77 (case-insensitive), another event */
    assert_int_equal(rn_links(s, FX("0C01"), &js, NULL, &err), RN_OK);
    r = fx_parse(js);
    assert_non_null(fx_find(json_object_get(r, "linked"), "item", FX("0C07")));
    json_decref(r);
    /* packaging marks equal after trim and upper-case */
    assert_int_equal(rn_links(s, FX("0P01"), &js, NULL, &err), RN_OK);
    r = fx_parse(js);
    assert_non_null(fx_find(json_object_get(r, "linked"), "item", FX("0P02")));
    json_decref(r);
    assert_int_equal(rn_links(s, "NO-SUCH-SERIAL", &js, NULL, &err), RN_ENOTFOUND);
    /* every group */
    assert_int_equal(rn_links(s, NULL, &js, NULL, &err), RN_OK);
    r = fx_parse(js);
    assert_int_equal(fx_ji(r, "lot_groups_total"), 1);
    assert_int_equal(fx_ji(r, "serial_runs_total"), 1);
    assert_int_equal(fx_ji(r, "packaging_groups_total"), 1);
    json_decref(r);
}

static void trace(void **state)
{
    rn_store *s = *state;
    rn_error err;
    const char *t = FX("0T01");
    char id[RN_ID_LEN + 1];
    rn_trace_transfer tr = {.supplier = FX("0N01"), .recipient = FX("0N03"), .date = "2022-05"};
    /* T1: draft cannot be answered */
    assert_int_equal(rn_trace_move(s, t, RN_TRACE_ANSWERED, "2024-09-01", NULL, "x", &err),
                     RN_ECONSTRAINT);
    /* T2: due before sent is refused */
    assert_int_equal(rn_trace_move(s, t, RN_TRACE_SENT, "2024-08-20", "2024-08-01", NULL, &err),
                     RN_EINPUT);
    assert_int_equal(rn_trace_move(s, t, RN_TRACE_SENT, "2024-08-20", "2024-09-20", NULL, &err),
                     RN_OK);
    /* T4: no transfer before an answer */
    assert_int_equal(rn_trace_add_transfer(s, t, &tr, id, &err), RN_ECONSTRAINT);
    /* T5: overdue on 2024-10-01, not on 2024-09-20 */
    char *js;
    assert_int_equal(rn_trace_report(s, 1, fx_day(2024, 10, 1), &js, NULL, &err), RN_OK);
    json_t *r = fx_parse(js);
    assert_int_equal(fx_ji(r, "overdue"), 1);
    assert_int_equal(fx_ji(json_array_get(json_object_get(r, "requests"), 0), "days_overdue"), 11);
    json_decref(r);
    assert_int_equal(rn_trace_report(s, 1, fx_day(2024, 9, 20), &js, NULL, &err), RN_OK);
    r = fx_parse(js);
    assert_int_equal(fx_ji(r, "overdue"), 0);
    json_decref(r);
    /* T3: answered needs the text */
    assert_int_equal(rn_trace_move(s, t, RN_TRACE_ANSWERED, "2024-10-02", NULL, NULL, &err),
                     RN_EINPUT);
    assert_int_equal(rn_trace_move(s, t, RN_TRACE_ANSWERED, "2024-10-02", NULL,
                                   "Sold to Fixture Distributor, May 2022", &err), RN_OK);
    assert_int_equal(rn_trace_add_transfer(s, t, &tr, id, &err), RN_OK);
    rn_record *x;
    assert_int_equal(rn_store_get(s, id, &x, &err), RN_OK);
    assert_non_null(strstr(rn_record_get(x, "source", NULL), t));
    assert_non_null(strstr(rn_record_get(x, "items", NULL), FX("0C01"))); /* T4: items default */
    rn_record_free(x);
    /* T1: answered is final except nothing */
    assert_int_equal(rn_trace_move(s, t, RN_TRACE_SENT, NULL, NULL, NULL, &err), RN_ECONSTRAINT);
}

static void finding(void **state)
{
    rn_store *s = *state;
    rn_error err;
    rn_record *f = rn_record_new(RN_T_FINDING);
    assert_int_equal(rn_record_set(f, "statement", "fixture statement", 17, &err), RN_OK);
    assert_int_equal(rn_record_set(f, "author", "alice", 5, &err), RN_OK);
    assert_int_equal(rn_record_set(f, "evidence", FX("0C01") ";" FX("0W01"), 53, &err), RN_OK);
    assert_int_equal(rn_store_put(s, f, RN_PUT_CREATE, &err), RN_OK);
    const char *id = rn_record_id(f);
    /* F1: a draft is not published */
    assert_int_equal(rn_store_set_account(s, "bob"), RN_OK);
    assert_int_equal(rn_finding_publish(s, id, &err), RN_ECONSTRAINT);
    /* F2: the author does not review her own finding */
    assert_int_equal(rn_store_set_account(s, "alice"), RN_OK);
    assert_int_equal(rn_finding_review(s, id, &err), RN_ECONSTRAINT);
    assert_int_equal(rn_store_set_account(s, "bob"), RN_OK);
    assert_int_equal(rn_finding_review(s, id, &err), RN_OK);
    assert_int_equal(rn_store_set_account(s, "carol"), RN_OK);
    assert_int_equal(rn_finding_review(s, id, &err), RN_ECONSTRAINT);
    assert_int_equal(rn_finding_publish(s, id, &err), RN_OK);
    /* F1: published is final */
    assert_int_equal(rn_finding_publish(s, id, &err), RN_ECONSTRAINT);
    char *js;
    assert_int_equal(rn_finding_explain(s, id, &js, NULL, &err), RN_OK);
    json_t *r = fx_parse(js);
    assert_string_equal(json_string_value(json_object_get(r, "status")), "published");
    assert_int_equal(fx_ji(r, "missing_evidence"), 0);
    json_t *e0 = json_array_get(json_object_get(r, "evidence"), 0);
    assert_string_equal(json_string_value(json_object_get(e0, "type")), "item");
    json_decref(r);
    rn_record_free(f);
}

static void claims(void **state)
{
    rn_store *s = *state;
    rn_error err;
    char *js;
    /* C4: manufacturer only by claim; C5: ambiguous decoder date */
    assert_int_equal(rn_claims_explain(s, FX("0C04"), &js, NULL, &err), RN_OK);
    json_t *r = fx_parse(js);
    json_t *m = json_object_get(json_object_get(r, "effective"), "manufacturer");
    assert_string_equal(json_string_value(json_object_get(m, "value")), "Kim Electronics");
    assert_string_equal(json_string_value(json_object_get(m, "basis")), "claim " FX("0K02"));
    json_decref(r);
    assert_int_equal(rn_claims_explain(s, FX("0C05"), &js, NULL, &err), RN_OK);
    r = fx_parse(js);
    assert_int_equal(json_array_size(json_object_get(r, "decoder")), 2);
    json_t *p = json_object_get(json_object_get(r, "effective"), "production_date");
    assert_true(json_is_true(json_object_get(p, "ambiguous")));
    json_decref(r);
    assert_int_equal(rn_claims_explain(s, FX("0E01"), &js, NULL, &err), RN_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(timeline, setup, teardown),
        cmocka_unit_test_setup_teardown(origin, setup, teardown),
        cmocka_unit_test_setup_teardown(sanctions, setup, teardown),
        cmocka_unit_test_setup_teardown(links, setup, teardown),
        cmocka_unit_test_setup_teardown(trace, setup, teardown),
        cmocka_unit_test_setup_teardown(finding, setup, teardown),
        cmocka_unit_test_setup_teardown(claims, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
