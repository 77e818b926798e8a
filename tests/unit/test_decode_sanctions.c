/* SPDX-License-Identifier: Apache-2.0
 *
 * test_decode_sanctions.c — issue 12, points 5 and 6 as the sanctions
 * analysis reports them, and the UN DPRK measures it compares against.
 *
 * sanctions_report_decoder_notes (and origin_reports_decoder_notes, the
 * same notes on origin's component tree): an INVENTED fixture (written below: a
 * weapon attributed to KP with two components whose markings are decoded on
 * import by the real rules) and the REAL UN DPRK measures
 * (data/sanctions/un_dprk.jsonl). "PIC16F877-20/P 12.05.2023" is a Microchip
 * microcontroller with a calendar date where Microchip's marking legend has
 * YYWW codes: its flag lists the decoder's plausibility flag
 * (datecodes:microchip) and the export category HS 8542.31, CHPL tier 1;
 * "STM32F405RGT6 2215" is an ST microcontroller with a YYWW code: category,
 * no plausibility flag.
 *
 * un_dprk_complete: data/sanctions/un_dprk.jsonl holds every UN Security
 * Council resolution that imposes or extends the DPRK measures, as the 1718
 * Committee lists them (1718, 1874, 2087, 2094, 2270, 2321, 2356, 2371, 2375,
 * 2397), each with its adoption date and a UN source URL.
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

#include "remnant/analysis.h"
#include "remnant/store.h"
#include "analysis_fixture.h"

#define DS(tag) "01HTEST00000000000000DS" tag

static const char fixture[] =
    "{\"type\": \"event\", \"id\": \"" DS("G01") "\", \"name\": \"Decoder notes fixture\", "
    "\"country\": \"UA\", \"documented\": \"2024-07-01\", \"notes\": \"INVENTED TEST FIXTURE\"}\n"
    "{\"type\": \"item\", \"id\": \"" DS("W01") "\", \"kind\": \"weapon\", \"event\": \"" DS("G01")
    "\", \"category\": \"missile\", \"producing_state\": \"KP\", \"notes\": \"INVENTED\"}\n"
    "{\"type\": \"item\", \"id\": \"" DS("A01") "\", \"kind\": \"component\", \"parent\": \""
    DS("W01") "\", \"category\": \"ic\", \"notes\": \"INVENTED\"}\n"
    "{\"type\": \"marking\", \"id\": \"" DS("N01") "\", \"item\": \"" DS("A01")
    "\", \"text\": \"PIC16F877-20/P 12.05.2023\", \"notes\": \"INVENTED\"}\n"
    "{\"type\": \"item\", \"id\": \"" DS("A02") "\", \"kind\": \"component\", \"parent\": \""
    DS("W01") "\", \"category\": \"ic\", \"notes\": \"INVENTED\"}\n"
    "{\"type\": \"marking\", \"id\": \"" DS("N02") "\", \"item\": \"" DS("A02")
    "\", \"text\": \"STM32F405RGT6 2215\", \"notes\": \"INVENTED\"}\n";

static char dir[64];

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/rn_dsn_XXXXXX");
    assert_non_null(mkdtemp(dir));
    char path[128], fx[128];
    snprintf(path, sizeof path, "%s/a.db", dir);
    snprintf(fx, sizeof fx, "%s/fixture.jsonl", dir);
    FILE *f = fopen(fx, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(fixture, 1, sizeof fixture - 1, f), sizeof fixture - 1);
    assert_int_equal(fclose(f), 0);
    rn_store *s;
    rn_error err;
    assert_int_equal(rn_store_open(path, RN_STORE_CREATE, &s, &err), RN_OK);
    assert_int_equal(rn_store_set_author(s, "alice"), RN_OK);
    rn_import_opts o = {0};
    rn_import_stats st;
    rn_code rc = rn_import_file(s, fx, &o, &st, &err);
    if (rc == RN_OK)
        rc = rn_import_file(s, RN_SRC_DATADIR "/sanctions/un_dprk.jsonl", &o, &st, &err);
    if (rc)
        fail_msg("%s", err.message);
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

static void sanctions_report_decoder_notes(void **state)
{
    char *js;
    rn_error err;
    rn_analysis_filter f = {.item = DS("W01")};
    assert_int_equal(rn_sanctions_scan(*state, &f, 0, &js, NULL, &err), RN_OK);
    json_t *r = fx_parse(js);
    json_t *flags = json_object_get(r, "flags");
    json_t *a1 = fx_find(flags, "component", DS("A01"));
    json_t *a2 = fx_find(flags, "component", DS("A02"));
    assert_non_null(a1);
    assert_non_null(a2);
    json_t *pl = json_object_get(a1, "plausibility");
    assert_int_equal(json_array_size(pl), 1);
    assert_string_equal(fx_js(json_array_get(pl, 0), "rule"), "datecodes:microchip");
    assert_string_equal(fx_js(json_array_get(pl, 0), "value"), "possible re-marking or counterfeit");
    assert_non_null(strstr(fx_js(json_array_get(pl, 0), "source"), "Package Marking Information"));
    json_t *ec = json_object_get(a1, "export_category");
    assert_string_equal(fx_js(ec, "value"), "HS 8542.31 (CHPL tier 1)");
    assert_non_null(strstr(fx_js(ec, "note"), "not a customs ruling"));
    assert_non_null(strstr(fx_js(a1, "words"), "possible re-marking or counterfeit"));
    assert_non_null(strstr(fx_js(a1, "words"), "not a customs ruling"));
    assert_int_equal(json_array_size(json_object_get(a2, "plausibility")), 0);
    assert_string_equal(fx_js(json_object_get(a2, "export_category"), "value"),
                        "HS 8542.31 (CHPL tier 1)");
    assert_null(strstr(fx_js(a2, "words"), "counterfeit"));
    json_decref(r);
}

/* Origin lists the same notes on each component of a weapon's tree. */
static void origin_reports_decoder_notes(void **state)
{
    char *js;
    rn_error err;
    rn_analysis_filter f = {.item = DS("W01")};
    assert_int_equal(rn_origin(*state, &f, &js, NULL, &err), RN_OK);
    json_t *r = fx_parse(js);
    json_t *w = json_array_get(json_object_get(r, "weapons"), 0);
    assert_non_null(w);
    json_t *tree = json_object_get(w, "tree");
    json_t *a1 = fx_find(tree, "item", DS("A01")), *a2 = fx_find(tree, "item", DS("A02"));
    assert_non_null(a1);
    assert_non_null(a2);
    json_t *pl = json_object_get(a1, "plausibility");
    assert_int_equal(json_array_size(pl), 1);
    assert_string_equal(fx_js(json_array_get(pl, 0), "rule"), "datecodes:microchip");
    assert_string_equal(fx_js(json_object_get(a1, "export_category"), "value"),
                        "HS 8542.31 (CHPL tier 1)");
    assert_int_equal(json_array_size(json_object_get(a2, "plausibility")), 0);
    json_decref(r);
}

static void un_dprk_complete(void **state)
{
    (void)state;
    static const struct {
        const char *instrument, *adopted;
    } want[] = {
        {"S/RES/1718 (2006)", "2006-10-14"}, {"S/RES/1874 (2009)", "2009-06-12"},
        {"S/RES/2087 (2013)", "2013-01-22"}, {"S/RES/2094 (2013)", "2013-03-07"},
        {"S/RES/2270 (2016)", "2016-03-02"}, {"S/RES/2321 (2016)", "2016-11-30"},
        {"S/RES/2356 (2017)", "2017-06-02"}, {"S/RES/2371 (2017)", "2017-08-05"},
        {"S/RES/2375 (2017)", "2017-09-11"}, {"S/RES/2397 (2017)", "2017-12-22"},
    };
    FILE *f = fopen(RN_SRC_DATADIR "/sanctions/un_dprk.jsonl", "r");
    assert_non_null(f);
    int seen[sizeof want / sizeof want[0]] = {0};
    char line[8192];
    while (fgets(line, sizeof line, f)) {
        json_error_t je;
        json_t *o = json_loads(line, 0, &je);
        if (!o)
            fail_msg("un_dprk.jsonl: %s", je.text);
        assert_string_equal(fx_js(o, "target"), "KP");
        const char *ins = fx_js(o, "instrument"), *src = fx_js(o, "source");
        size_t i = 0;
        while (i < sizeof want / sizeof want[0] && strcmp(want[i].instrument, ins) != 0)
            i++;
        if (i == sizeof want / sizeof want[0])
            fail_msg("un_dprk.jsonl: %s is not one of the resolutions the 1718 Committee lists",
                     ins);
        assert_string_equal(fx_js(o, "adopted"), want[i].adopted);
        assert_true(strstr(src, "https://undocs.org/S/RES/") != NULL);
        seen[i]++;
        json_decref(o);
    }
    fclose(f);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (seen[i] != 1)
            fail_msg("un_dprk.jsonl holds %s %d times, want once", want[i].instrument, seen[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(sanctions_report_decoder_notes, setup, teardown),
        cmocka_unit_test_setup_teardown(origin_reports_decoder_notes, setup, teardown),
        cmocka_unit_test(un_dprk_complete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
