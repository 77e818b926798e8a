/* SPDX-License-Identifier: Apache-2.0
 *
 * test_decode_entity.c — makers as companies and ties as results:
 *  - rn_decoder_match_maker() on manufacturer names as published lists
 *    print them (tests/decode/names.tsv: NAME, expected maker id or '-' for
 *    none, SOURCE), with legal forms, punctuation, case and Latin/Cyrillic
 *    look-alikes ignored, and nothing fuzzier;
 *  - the owner of a brand on a day (Linear Technology: itself before
 *    2017-03-10, Analog Devices from that day);
 *  - a name two makers share is reported as ambiguous, never resolved by
 *    file order;
 *  - two makers within RN_DECODE_TIE_MARGIN are both marked ambiguous, in
 *    the candidates and in the JSON.
 */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode/decode_int.h"
#include "decode_fixture.h"
#include "remnant/decode.h"

static int32_t day(int y, int m, int d)
{
    int32_t v = 0;
    assert_int_equal(rn_day_from_ymd(y, m, d, &v), RN_OK);
    return v;
}

/* Every row of names.tsv matches the maker it names (or none). */
static void test_names_table(void **state)
{
    (void)state;
    FILE *f = fopen(RN_TEST_DATADIR "/decode/names.tsv", "r");
    assert_non_null(f);
    char line[2048];
    int rows = 0, bad = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || !line[0])
            continue;
        char *name = line, *want = strchr(line, '\t');
        assert_non_null(want);
        *want++ = '\0';
        char *tab = strchr(want, '\t');
        assert_non_null(tab); /* every row cites its source */
        *tab = '\0';
        rn_maker_match m;
        rn_error err;
        rn_error_clear(&err);
        rn_code rc = rn_decoder_match_maker(dfx_dec, name, strlen(name), day(2024, 6, 30), &m, &err);
        int ok = strcmp(want, "-") == 0 ? rc == RN_ENOTFOUND
                                         : rc == RN_OK && strcmp(m.maker, want) == 0;
        if (!ok) {
            fprintf(stderr, "'%s': want %s, got %s (%s)\n", name, want,
                    rc == RN_OK ? m.maker : "error", rc == RN_OK ? "" : err.message);
            bad++;
        }
        rows++;
    }
    fclose(f);
    assert_true(rows >= 30);
    assert_int_equal(bad, 0);
}

/* The parent over time, with its source; the brand stays the brand. */
static void test_owner_over_time(void **state)
{
    (void)state;
    rn_maker_match m;
    const char *n = "Linear Technology Corporation";
    assert_int_equal(rn_decoder_match_maker(dfx_dec, n, strlen(n), day(2017, 3, 9), &m, NULL), RN_OK);
    assert_string_equal(m.maker, "linear");
    assert_string_equal(m.company_id, "linear");
    assert_null(m.owner_source);
    assert_int_equal(rn_decoder_match_maker(dfx_dec, n, strlen(n), day(2017, 3, 10), &m, NULL), RN_OK);
    assert_string_equal(m.maker, "linear");
    assert_string_equal(m.company_id, "adi");
    assert_string_equal(m.company_country, "US");
    assert_non_null(strstr(m.owner_source, "March 10, 2017"));
    /* Atmel -> Microchip from 2016-04-04; Fairchild -> onsemi from 2016-09-19 */
    n = "ATMEL CORP.";
    assert_int_equal(rn_decoder_match_maker(dfx_dec, n, strlen(n), day(2016, 4, 3), &m, NULL), RN_OK);
    assert_string_equal(m.company_id, "atmel");
    assert_int_equal(rn_decoder_match_maker(dfx_dec, n, strlen(n), day(2016, 4, 4), &m, NULL), RN_OK);
    assert_string_equal(m.company_id, "microchip");
    n = "Fairchild Semiconductor International, Inc.";
    assert_int_equal(rn_decoder_match_maker(dfx_dec, n, strlen(n), day(2020, 1, 1), &m, NULL), RN_OK);
    assert_string_equal(m.maker, "fairchild");
    assert_string_equal(m.company_id, "onsemi");
    /* Maxim -> ADI from 2021-08-26 */
    n = "Maxim";
    assert_int_equal(rn_decoder_match_maker(dfx_dec, n, strlen(n), day(2021, 8, 25), &m, NULL), RN_OK);
    assert_string_equal(m.company_id, "maxim");
    assert_int_equal(rn_decoder_match_maker(dfx_dec, n, strlen(n), day(2021, 8, 26), &m, NULL), RN_OK);
    assert_string_equal(m.company_id, "adi");
}

/* Every maker can be listed with its owner on a day: the companies that own
 * brands are themselves makers, and the roll-up has no dangling ids. */
static void test_list_makers(void **state)
{
    (void)state;
    size_t n = rn_decoder_maker_count(dfx_dec);
    assert_true(n > 100);
    int owned = 0;
    for (size_t i = 0; i < n; i++) {
        rn_maker_match m;
        assert_int_equal(rn_decoder_maker_at(dfx_dec, i, day(2024, 6, 30), &m), RN_OK);
        assert_non_null(m.maker);
        assert_non_null(m.company_id);
        assert_int_equal(strlen(m.country), 2);
        rn_maker_match again;
        assert_int_equal(rn_decoder_match_maker(dfx_dec, m.brand, strlen(m.brand), day(2024, 6, 30),
                                                &again, NULL), RN_OK);
        assert_string_equal(again.maker, m.maker); /* its own name finds it */
        owned += strcmp(m.company_id, m.maker) != 0;
    }
    assert_int_equal(owned, 11); /* the owner rules in force on 2024-06-30 */
    rn_maker_match m;
    assert_int_equal(rn_decoder_maker_at(dfx_dec, n, RN_DAY_OPEN_HIGH, &m), RN_ENOTFOUND);
}

/* Look-alikes and legal forms, and what is NOT ignored. */
static void test_name_keys(void **state)
{
    (void)state;
    char a[300], b[300];
    /* Cyrillic Т, е, х in "Техаs" */
    assert_true(rn__name_key("\xd0\xa2\xd0\xb5\xd1\x85" "as Instruments Inc.", 24, a, sizeof a) > 0);
    assert_true(rn__name_key("TEXAS INSTRUMENTS", 17, b, sizeof b) > 0);
    assert_string_equal(a, b);
    assert_true(rn__name_key("Co., Ltd.", 9, a, sizeof a) > 0); /* only legal words: kept */
    assert_string_equal(a, "COLTD");
    assert_true(rn__name_key("Linear Technology (part of Analog Devices since 2017)", 52, a,
                             sizeof a) > 0);
    assert_string_equal(a, "LINEARTECHNOLOGY");
    /* a typo is not forgiven */
    rn_maker_match m;
    const char *n = "Texas Instrument";
    assert_int_equal(rn_decoder_match_maker(dfx_dec, n, strlen(n), RN_DAY_OPEN_HIGH, &m, NULL),
                     RN_ENOTFOUND);
    assert_null(m.maker);
    assert_int_equal(rn_decoder_match_maker(dfx_dec, "\xff", 1, RN_DAY_OPEN_HIGH, &m, NULL),
                     RN_EINPUT);
    assert_int_equal(rn_decoder_match_maker(dfx_dec, "...", 3, RN_DAY_OPEN_HIGH, &m, NULL),
                     RN_ENOTFOUND);
}

/* A name two makers share is an error that names both. */
static void test_shared_name(void **state)
{
    (void)state;
    static const char rules[] =
        "source s1 \"a citation of a source\"\n"
        "maker a name=\"Alpha Devices\" country=US aka=\"AD\" src=s1\n"
        "maker b name=\"Beta Devices\" country=DE aka=\"A.D.\" src=s1\n";
    rn_decoder *d = rn__calloc(1, sizeof *d);
    assert_non_null(d);
    rn_error err;
    rn_error_clear(&err);
    assert_int_equal(rn__rules_load_text(d, "shared.rules", rules, sizeof rules - 1, &err), RN_OK);
    assert_int_equal(rn__rules_finish(d, &err), RN_OK);
    rn_maker_match m;
    assert_int_equal(rn_decoder_match_maker(d, "ad", 2, RN_DAY_OPEN_HIGH, &m, &err), RN_EINPUT);
    assert_non_null(strstr(err.message, "Alpha Devices"));
    assert_non_null(strstr(err.message, "Beta Devices"));
    assert_int_equal(rn_decoder_match_maker(d, "Beta Devices GmbH", 17, RN_DAY_OPEN_HIGH, &m,
                                            &err), RN_OK);
    assert_string_equal(m.maker, "b");
    rn_decoder_free(d);
}

/* Two makers with the same confidence: both marked, the JSON says so. */
static void test_tie_is_shown(void **state)
{
    (void)state;
    static const char rules[] =
        "source s1 \"a citation of a source\"\n"
        "maker a name=\"Alpha\" country=US src=s1\n"
        "maker b name=\"Beta\" country=DE src=s1\n"
        "maker c name=\"Gamma\" country=JP src=s1\n"
        "prefix a QQX then=digit src=s1\n"
        "prefix b QQX then=digit src=s1\n"
        "prefix c QQ then=letter confidence=0.3 src=s1\n";
    rn_decoder *d = rn__calloc(1, sizeof *d);
    assert_non_null(d);
    rn_error err;
    rn_error_clear(&err);
    assert_int_equal(rn__rules_load_text(d, "tie.rules", rules, sizeof rules - 1, &err), RN_OK);
    assert_int_equal(rn__rules_finish(d, &err), RN_OK);
    rn_candidates *cs = NULL;
    assert_int_equal(rn_decode_marking(d, "QQX12", 5, NULL, &cs, &err), RN_OK);
    int tied = 0, gamma = 0;
    for (size_t i = 0; i < rn_candidates_count(cs); i++) {
        const rn_candidate *k = rn_candidates_at(cs, i);
        if (strcmp(k->field, "manufacturer") != 0)
            continue;
        if (strcmp(k->value, "Gamma") == 0) {
            gamma = 1;
            assert_false(k->ambiguous); /* far below the tie */
            continue;
        }
        assert_true(k->ambiguous);
        assert_non_null(strstr(k->explanation, "Ambiguous: as likely as "));
        tied++;
    }
    assert_int_equal(tied, 2);
    assert_int_equal(gamma, 1);
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(rn_candidates_to_json("QQX12", 5, cs, &out, &len), RN_OK);
    json_error_t je;
    json_t *o = json_loadb(out, len, 0, &je);
    assert_non_null(o);
    json_t *amb = json_object_get(o, "ambiguous");
    assert_true(json_is_array(amb));
    assert_int_equal(json_array_size(amb), 1);
    json_t *e = json_array_get(amb, 0);
    assert_string_equal(json_string_value(json_object_get(e, "field")), "manufacturer");
    json_t *vals = json_object_get(e, "values");
    assert_int_equal(json_array_size(vals), 2);
    json_decref(o);
    rn_free(out);
    rn_candidates_free(cs);
    /* a decided marking has no "ambiguous" key at all */
    assert_int_equal(rn_decode_marking(d, "QQZ", 3, NULL, &cs, &err), RN_OK);
    assert_int_equal(rn_candidates_to_json("QQZ", 3, cs, &out, &len), RN_OK);
    assert_null(strstr(out, "ambiguous"));
    rn_free(out);
    rn_candidates_free(cs);
    rn_decoder_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_table), cmocka_unit_test(test_owner_over_time),
        cmocka_unit_test(test_name_keys),   cmocka_unit_test(test_shared_name),
        cmocka_unit_test(test_tie_is_shown), cmocka_unit_test(test_list_makers),
    };
    return cmocka_run_group_tests(tests, dfx_setup, dfx_teardown);
}
