/* SPDX-License-Identifier: Apache-2.0
 *
 * test_decode_calendar.c — the calendars of data/rules/calendars.rules
 * against published dates (tests/decode/calendar_dates.tsv: CALENDAR, DATE,
 * GREGORIAN, SOURCE), at least 20 per calendar (issue 12; the Japanese eras
 * count as one calendar), and the Solar Hijri arithmetic over 1300-1500 SH:
 *  - every year's first day is exact (a one-day interval, never widened);
 *  - consecutive first days are 365 or 366 days apart, 366 exactly after a
 *    leap year, and every first day is 19-22 March;
 *  - the leap years are those of the 33-year rule (years 1, 5, 9, 13, 17,
 *    22, 26, 30 of the cycle, i.e. y mod 33 in that set), which Borkowski
 *    (1996) found valid for 1178-1634 SH by computing the equinoxes: two
 *    published arithmetics agree over the whole span asked for.
 */
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

static const rn__calendar *cal(const char *id)
{
    for (size_t i = 0; i < dfx_dec->ncals; i++)
        if (strcmp(dfx_dec->cals[i].id, id) == 0)
            return &dfx_dec->cals[i];
    return NULL;
}

static int32_t ymd(const char *s)
{
    int y, m, d;
    int32_t v = 0;
    if (sscanf(s, "%d-%d-%d", &y, &m, &d) != 3 || rn_day_from_ymd(y, m, d, &v))
        return RN_DAY_OPEN_LOW;
    return v;
}

/* Published dates found per calendar family (the Japanese eras count as one
 * calendar); the floor only rises. */
static const struct { const char *family; int least; } least[] = {
    {"hijri", 20}, {"juche", 20}, {"japanese-era", 20}, {"minguo", 20}, {"thai", 20},
    {"gregorian", 20},
};

static const char *family_of(const char *id)
{
    if (!strcmp(id, "showa") || !strcmp(id, "heisei") || !strcmp(id, "reiwa"))
        return "japanese-era";
    return id;
}

/* Every row of calendar_dates.tsv, and enough rows for every calendar. */
static void test_published_dates(void **state)
{
    (void)state;
    FILE *f = fopen(RN_TEST_DATADIR "/decode/calendar_dates.tsv", "r");
    assert_non_null(f);
    char line[2048];
    int bad = 0;
    struct { char id[32]; int n; } per[16];
    int nper = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || !line[0])
            continue;
        char *id = line, *date = strchr(id, '\t');
        assert_non_null(date);
        *date++ = '\0';
        char *greg = strchr(date, '\t');
        assert_non_null(greg);
        *greg++ = '\0';
        char *src = strchr(greg, '\t');
        assert_non_null(src); /* every row cites its source */
        *src = '\0';
        const rn__calendar *c = cal(id);
        if (!c) {
            fprintf(stderr, "no calendar '%s'\n", id);
            bad++;
            continue;
        }
        int y = 0, m = 0, d = 0;
        int k = sscanf(date, "%d-%d-%d", &y, &m, &d);
        assert_true(k >= 1);
        rn_date out;
        rn_code rc = rn__calendar_date(c, y, k >= 2 ? m : 0, k >= 3 ? d : 0, &out);
        int ok;
        if (strcmp(greg, "-") == 0) {
            ok = rc != RN_OK;
        } else if (strcmp(greg, "valid") == 0) {
            ok = rc == RN_OK;
        } else {
            char *slash = strchr(greg, '/');
            int32_t first = ymd(greg), last = slash ? ymd(slash + 1) : first;
            ok = rc == RN_OK && out.earliest == first && out.latest == last;
        }
        if (!ok) {
            char e[11] = "", l[11] = "";
            if (rc == RN_OK) {
                rn_day_format(out.earliest, e);
                rn_day_format(out.latest, l);
            }
            fprintf(stderr, "%s %s: want %s, got %s/%s (rc %d)\n", id, date, greg, e, l, rc);
            bad++;
        }
        const char *fam = family_of(id);
        int j = 0;
        while (j < nper && strcmp(per[j].id, fam) != 0)
            j++;
        if (j == nper && nper < 16) {
            snprintf(per[nper].id, sizeof per[nper].id, "%.31s", fam);
            per[nper++].n = 0;
        }
        if (j < 16)
            per[j].n++;
    }
    fclose(f);
    assert_int_equal(bad, 0);
    /* every calendar of the rules has published dates, at least its floor */
    for (size_t c = 0; c < dfx_dec->ncals; c++) {
        const char *fam = family_of(dfx_dec->cals[c].id);
        int have = 0, want = -1;
        for (int j = 0; j < nper; j++)
            if (!strcmp(per[j].id, fam))
                have = per[j].n;
        for (size_t k = 0; k < sizeof least / sizeof least[0]; k++)
            if (!strcmp(least[k].family, fam))
                want = least[k].least;
        if (want < 0 || have < want)
            fprintf(stderr, "calendar %s: %d published dates, floor %d\n", fam, have, want);
        assert_true(want > 0);
        assert_true(have >= want);
    }
}

static int rule33(int y)
{
    static const int leap[] = {1, 5, 9, 13, 17, 22, 26, 30};
    int r = ((y % 33) + 33) % 33;
    for (size_t i = 0; i < sizeof leap / sizeof leap[0]; i++)
        if (r == leap[i])
            return 1;
    return 0;
}

/* 1300-1500 SH: exact first days, lengths that add up, the 33-year rule. */
static void test_hijri_1300_1500(void **state)
{
    (void)state;
    const rn__calendar *c = cal("hijri");
    assert_non_null(c);
    int32_t prev = 0;
    int prev_leap = 0;
    for (int y = 1300; y <= 1501; y++) {
        int32_t first;
        int leap;
        assert_int_equal(rn__calendar_exact_start(c, y, &first, &leap), RN_OK);
        int gy, gm, gd;
        rn_day_to_ymd(first, &gy, &gm, &gd);
        assert_int_equal(gy, y + 621);
        assert_int_equal(gm, 3);
        assert_true(gd >= 19 && gd <= 22);
        if (y > 1300)
            assert_int_equal(first - prev, 365 + prev_leap);
        if (leap != rule33(y))
            fprintf(stderr, "%d: leap %d, 33-year rule %d\n", y, leap, rule33(y));
        assert_int_equal(leap, rule33(y));
        if (y <= 1500) {
            rn_date whole;
            assert_int_equal(rn__calendar_date(c, y, 0, 0, &whole), RN_OK);
            assert_int_equal(whole.earliest, first); /* exact: never widened */
            rn_date esfand30;
            assert_int_equal(rn__calendar_date(c, y, 12, 30, &esfand30) == RN_OK, leap);
        }
        prev = first;
        prev_leap = leap;
    }
    /* outside the breaks' span the year is widened to start=/start_late= */
    int32_t first;
    int leap;
    assert_int_equal(rn__calendar_exact_start(c, 3178, &first, &leap), RN_ENOTFOUND);
    assert_int_equal(rn__calendar_exact_start(c, -62, &first, &leap), RN_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_dates),
        cmocka_unit_test(test_hijri_1300_1500),
    };
    return cmocka_run_group_tests(tests, dfx_setup, dfx_teardown);
}
