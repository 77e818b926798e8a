/* SPDX-License-Identifier: Apache-2.0
 *
 * test_date.c — unit tests of lib/model/date.c: day numbers, ISO weeks, the
 * text form (parse and format), interval checks, rn_date_span and
 * rn_date_hull. Expected values were computed independently (Python's
 * datetime, by hand for the ISO week edges) and written out here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "remnant/model.h"

static int32_t day(int y, int m, int d)
{
    int32_t out = 0;
    assert_int_equal(rn_day_from_ymd(y, m, d, &out), RN_OK);
    return out;
}


/* The formatter writes its digits by hand (lib/model/date.c put_digits()):
 * every day of the model's years, and every text form at each precision,
 * must come out exactly as printf's %04d/%02d forms. */
static void format_matches_printf_forms(void **state)
{
    (void)state;
    char want[64], got[RN_DATE_TEXT_MAX];
    int32_t first = day(RN_YEAR_MIN, 1, 1), last = day(RN_YEAR_MAX, 12, 31);
    for (int32_t d = first; d <= last; d++) {
        int y, m, dd;
        rn_day_to_ymd(d, &y, &m, &dd);
        char buf[11];
        rn_day_format(d, buf);
        snprintf(want, sizeof want, "%04d-%02d-%02d", y, m, dd);
        if (strcmp(buf, want) != 0)
            fail_msg("day %d: '%s', want '%s'", (int)d, buf, want);
        if (d % 13 != 0)
            continue;
        /* one day, its month, its year, and a range of each */
        const char *fmt[3] = {"%04d-%02d-%02d", "%04d-%02d", "%04d"};
        for (int k = 0; k < 3; k++) {
            char one[32], range[64];
            snprintf(one, sizeof one, fmt[k], y, m, dd);
            snprintf(range, sizeof range, "%s/%s", one, one);
            int n = snprintf(range + strlen(one) + 1, sizeof range - strlen(one) - 1, fmt[k],
                             y < RN_YEAR_MAX ? y + 1 : y, m, dd);
            (void)n;
            const char *texts[2] = {one, range};
            for (int t = 0; t < (y < RN_YEAR_MAX ? 2 : 1); t++) {
                rn_date dt;
                if (rn_date_parse(texts[t], strlen(texts[t]), &dt, NULL) != RN_OK)
                    continue; /* e.g. a 29 February a year on */
                size_t len = rn_date_format(&dt, got, sizeof got);
                if (strcmp(got, texts[t]) != 0 || len != strlen(texts[t]))
                    fail_msg("'%s' formats as '%s' (%zu)", texts[t], got, len);
            }
        }
    }
    int weeks = 0;
    for (int y = RN_YEAR_MIN; y <= RN_YEAR_MAX; y += 7)
        for (int w = 1; w <= 52; w += 3) {
            rn_date dt;
            if (rn_date_isoweek(y, w, &dt) != RN_OK)
                continue; /* a week reaching outside the model's years */
            snprintf(want, sizeof want, "%04d-W%02d", y, w);
            rn_date_format(&dt, got, sizeof got);
            if (strcmp(got, want) != 0)
                fail_msg("week %d-%d: '%s', want '%s'", y, w, got, want);
            weeks++;
        }
    assert_true(weeks > 4000);
    /* open ends */
    rn_date open = {RN_DAY_OPEN_LOW, day(2020, 12, 31), RN_PREC_YEAR};
    rn_date_format(&open, got, sizeof got);
    assert_string_equal(got, "../2020");
    char buf[11];
    rn_day_format(RN_DAY_OPEN_HIGH, buf);
    assert_string_equal(buf, "..");
}

/* ---- day numbers --------------------------------------------------------- */

static void day_numbers_known_anchors(void **state)
{
    (void)state;
    assert_int_equal(day(1970, 1, 1), 0);
    assert_int_equal(day(1970, 1, 2), 1);
    assert_int_equal(day(1969, 12, 31), -1);
    assert_int_equal(day(2000, 3, 1), 11017);
    assert_int_equal(day(2024, 1, 1), 19723);
    assert_int_equal(day(2024, 2, 29), 19782);
    /* 1000-01-01 and 2999-12-31: the ends of the accepted range. */
    assert_int_equal(day(1000, 1, 1), -354285);
    assert_int_equal(day(2999, 12, 31), 376199);
}

/* Every day of the accepted range: to y-m-d and back, and consecutive
 * days are consecutive dates of the calendar. */
static void day_numbers_round_trip_whole_range(void **state)
{
    (void)state;
    int32_t first = day(1000, 1, 1), last = day(2999, 12, 31);
    int py = 999, pm = 12, pd = 31;
    for (int32_t n = first; n <= last; n++) {
        int y, m, d;
        rn_day_to_ymd(n, &y, &m, &d);
        int32_t back;
        if (rn_day_from_ymd(y, m, d, &back) != RN_OK || back != n)
            fail_msg("day %d -> %04d-%02d-%02d -> %d", n, y, m, d, back);
        int next_day = d == pd + 1 && m == pm && y == py;
        int next_month = d == 1 && ((m == pm + 1 && y == py) || (m == 1 && pm == 12 && y == py + 1));
        if (!next_day && !next_month)
            fail_msg("%04d-%02d-%02d does not follow %04d-%02d-%02d", y, m, d, py, pm, pd);
        py = y, pm = m, pd = d;
    }
    assert_int_equal(py, 2999);
}

static void day_from_ymd_rejects_impossible(void **state)
{
    (void)state;
    int32_t out;
    assert_int_equal(rn_day_from_ymd(2023, 2, 29, &out), RN_EINPUT);
    assert_int_equal(rn_day_from_ymd(1900, 2, 29, &out), RN_EINPUT); /* not leap */
    assert_int_equal(rn_day_from_ymd(2000, 2, 29, &out), RN_OK);     /* leap */
    assert_int_equal(rn_day_from_ymd(2024, 4, 31, &out), RN_EINPUT);
    assert_int_equal(rn_day_from_ymd(2024, 13, 1, &out), RN_EINPUT);
    assert_int_equal(rn_day_from_ymd(2024, 0, 1, &out), RN_EINPUT);
    assert_int_equal(rn_day_from_ymd(2024, 1, 0, &out), RN_EINPUT);
    assert_int_equal(rn_day_from_ymd(999, 12, 31, &out), RN_EINPUT);
    assert_int_equal(rn_day_from_ymd(3000, 1, 1, &out), RN_EINPUT);
}

static void weekday_and_day_format(void **state)
{
    (void)state;
    assert_int_equal(rn_day_weekday(0), 4);                 /* Thursday */
    assert_int_equal(rn_day_weekday(day(2024, 1, 1)), 1);   /* Monday */
    assert_int_equal(rn_day_weekday(day(2024, 7, 14)), 7);  /* Sunday */
    assert_int_equal(rn_day_weekday(day(1000, 1, 4)), 6);   /* Saturday */
    char buf[11];
    rn_day_format(day(2024, 7, 2), buf);
    assert_string_equal(buf, "2024-07-02");
    rn_day_format(day(1000, 1, 1), buf);
    assert_string_equal(buf, "1000-01-01");
    rn_day_format(RN_DAY_OPEN_LOW, buf);
    assert_string_equal(buf, "..");
    rn_day_format(RN_DAY_OPEN_HIGH, buf);
    assert_string_equal(buf, "..");
}

/* ---- ISO weeks ------------------------------------------------------------- */

static void isoweek_counts(void **state)
{
    (void)state;
    assert_int_equal(rn_isoweek_count(2015), 53);
    assert_int_equal(rn_isoweek_count(2020), 53);
    assert_int_equal(rn_isoweek_count(2021), 52);
    assert_int_equal(rn_isoweek_count(2024), 52);
    assert_int_equal(rn_isoweek_count(2026), 53);
}

static void isoweek_edges(void **state)
{
    (void)state;
    rn_date d;
    assert_int_equal(rn_date_isoweek(2020, 53, &d), RN_OK);
    assert_int_equal(d.earliest, day(2020, 12, 28));
    assert_int_equal(d.latest, day(2021, 1, 3));
    assert_int_equal(d.precision, RN_PREC_WEEK);
    assert_int_equal(rn_date_isoweek(2021, 53, &d), RN_EINPUT);
    assert_int_equal(rn_date_isoweek(2021, 0, &d), RN_EINPUT);
    assert_int_equal(rn_date_isoweek(2021, 1, &d), RN_OK);
    assert_int_equal(d.earliest, day(2021, 1, 4));
    assert_int_equal(rn_date_isoweek(2024, 1, &d), RN_OK);
    assert_int_equal(d.earliest, day(2024, 1, 1));
    assert_int_equal(d.latest, day(2024, 1, 7));
    assert_int_equal(rn_date_isoweek(2026, 1, &d), RN_OK);
    assert_int_equal(d.earliest, day(2025, 12, 29));
    assert_int_equal(d.latest, day(2026, 1, 4));
    assert_int_equal(rn_date_isoweek(2024, 12, &d), RN_OK);
    assert_int_equal(d.earliest, day(2024, 3, 18));
    /* the text form uses the ISO week-year, not the calendar year */
    char buf[RN_DATE_TEXT_MAX];
    assert_true(rn_date_isoweek(2026, 1, &d) == RN_OK);
    rn_date_format(&d, buf, sizeof buf);
    assert_string_equal(buf, "2026-W01");
    assert_true(rn_date_isoweek(2020, 53, &d) == RN_OK);
    rn_date_format(&d, buf, sizeof buf);
    assert_string_equal(buf, "2020-W53");
}

/* ---- text form ------------------------------------------------------------- */

struct form {
    const char *text;
    int y1, m1, d1; /* earliest (y1 0: open) */
    int y2, m2, d2; /* latest (y2 0: open) */
    rn_precision p;
};

static const struct form forms[] = {
    {"2024", 2024, 1, 1, 2024, 12, 31, RN_PREC_YEAR},
    {"2024-02", 2024, 2, 1, 2024, 2, 29, RN_PREC_MONTH},
    {"2023-02", 2023, 2, 1, 2023, 2, 28, RN_PREC_MONTH},
    {"2024-W12", 2024, 3, 18, 2024, 3, 24, RN_PREC_WEEK},
    {"2020-W53", 2020, 12, 28, 2021, 1, 3, RN_PREC_WEEK},
    {"2026-W01", 2025, 12, 29, 2026, 1, 4, RN_PREC_WEEK},
    {"2024-07-02", 2024, 7, 2, 2024, 7, 2, RN_PREC_DAY},
    {"2024-07/2024-08", 2024, 7, 1, 2024, 8, 31, RN_PREC_MONTH},
    {"2019/2021", 2019, 1, 1, 2021, 12, 31, RN_PREC_YEAR},
    {"2024-W52/2025-W02", 2024, 12, 23, 2025, 1, 12, RN_PREC_WEEK},
    {"2024-07-02/2024-07-05", 2024, 7, 2, 2024, 7, 5, RN_PREC_DAY},
    {"../2024", 0, 0, 0, 2024, 12, 31, RN_PREC_YEAR},
    {"2024/..", 2024, 1, 1, 0, 0, 0, RN_PREC_YEAR},
    {"../2024-07-02", 0, 0, 0, 2024, 7, 2, RN_PREC_DAY},
    {"2024-W12/..", 2024, 3, 18, 0, 0, 0, RN_PREC_WEEK},
    {"1000", 1000, 1, 1, 1000, 12, 31, RN_PREC_YEAR},
    {"2999-12", 2999, 12, 1, 2999, 12, 31, RN_PREC_MONTH},
};

static void text_forms_parse_and_format(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        const struct form *f = &forms[i];
        rn_date d;
        rn_error err;
        rn_error_clear(&err);
        if (rn_date_parse(f->text, strlen(f->text), &d, &err) != RN_OK)
            fail_msg("'%s' did not parse: %s", f->text, err.message);
        int32_t e = f->y1 ? day(f->y1, f->m1, f->d1) : RN_DAY_OPEN_LOW;
        int32_t l = f->y2 ? day(f->y2, f->m2, f->d2) : RN_DAY_OPEN_HIGH;
        if (d.earliest != e || d.latest != l || d.precision != f->p)
            fail_msg("'%s' parsed as [%d, %d] p%d, expected [%d, %d] p%d", f->text, d.earliest,
                     d.latest, d.precision, e, l, f->p);
        assert_int_equal(rn_date_check(&d), RN_OK);
        char buf[RN_DATE_TEXT_MAX];
        size_t n = rn_date_format(&d, buf, sizeof buf);
        if (strcmp(buf, f->text) != 0 || n != strlen(f->text))
            fail_msg("'%s' formatted back as '%s'", f->text, buf);
        rn_date again;
        assert_int_equal(rn_date_parse(buf, n, &again, NULL), RN_OK);
        assert_memory_equal(&again, &d, sizeof d);
    }
}

struct norm {
    const char *in, *out;
};

static void text_forms_normalize(void **state)
{
    (void)state;
    static const struct norm cases[] = {
        {"2024-w12", "2024-W12"},
        {"  2024 ", "2024"},
        {"\t2024-07\t", "2024-07"},
        {"2024/2024", "2024"},
        {"2024-07-02/2024-07-02", "2024-07-02"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rn_date d;
        assert_int_equal(rn_date_parse(cases[i].in, strlen(cases[i].in), &d, NULL), RN_OK);
        char buf[RN_DATE_TEXT_MAX];
        rn_date_format(&d, buf, sizeof buf);
        assert_string_equal(buf, cases[i].out);
    }
    /* empty text: no date at all */
    rn_date d;
    assert_int_equal(rn_date_parse("", 0, &d, NULL), RN_OK);
    assert_int_equal(d.precision, RN_PREC_NONE);
    assert_int_equal(rn_date_parse("   ", 3, &d, NULL), RN_OK);
    assert_int_equal(d.precision, RN_PREC_NONE);
    char buf[RN_DATE_TEXT_MAX] = "junk";
    assert_int_equal(rn_date_format(&d, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
    /* only the first len bytes count */
    assert_int_equal(rn_date_parse("2024-07-02", 4, &d, NULL), RN_OK);
    assert_int_equal(d.precision, RN_PREC_YEAR);
}

static void text_forms_invalid_rejected(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "24", "202", "20245", "2024-13", "2024-00", "2024-02-30", "2023-02-29", "2024-W00",
        "2021-W53", "2024-W1", "2024-W123", "2024-7", "2024-07-2", "2024-07-002", "2024/2024-07",
        "2025/2024", "2024-08/2024-07", "../..", "..", "2024/", "/2024", "abcd", "2024-07-02x",
        "0999", "3000", "2024-07-02T00:00", "+2024", "2024--07", "2024-07-02/2024-07-01",
        "2024/../2025", "2024-X12", "2024-W12-1", "2024 / 2025", "２０２４", "2024-07-02/..x",
        "2024-07-02/2024-07-03/2024-07-04", "2024-07-0\x01", "......../2024",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rn_date d;
        rn_error err;
        rn_error_clear(&err);
        rn_code rc = rn_date_parse(bad[i], strlen(bad[i]), &d, &err);
        if (rc != RN_EINPUT)
            fail_msg("'%s' was accepted (rc %d) as [%d, %d] p%d", bad[i], rc, d.earliest,
                     d.latest, d.precision);
        if (err.message[0] == '\0')
            fail_msg("'%s' was rejected without a message", bad[i]);
    }
    char longer[200];
    memset(longer, '2', sizeof longer);
    rn_date d;
    assert_int_equal(rn_date_parse(longer, sizeof longer, &d, NULL), RN_EINPUT);
}

static void date_check_invariants(void **state)
{
    (void)state;
    rn_date d = {day(2024, 7, 1), day(2024, 7, 31), RN_PREC_MONTH};
    assert_int_equal(rn_date_check(&d), RN_OK);
    d.earliest = day(2024, 7, 2); /* not the first day of a month */
    assert_int_equal(rn_date_check(&d), RN_EINPUT);
    d.earliest = day(2024, 7, 1);
    d.latest = day(2024, 7, 30); /* not the last day */
    assert_int_equal(rn_date_check(&d), RN_EINPUT);
    rn_date w = {day(2024, 1, 2), day(2024, 1, 8), RN_PREC_WEEK}; /* Tuesday to Monday */
    assert_int_equal(rn_date_check(&w), RN_EINPUT);
    rn_date both = {RN_DAY_OPEN_LOW, RN_DAY_OPEN_HIGH, RN_PREC_YEAR};
    assert_int_equal(rn_date_check(&both), RN_EINPUT);
    rn_date rev = {day(2025, 1, 1), day(2024, 12, 31), RN_PREC_YEAR};
    assert_int_equal(rn_date_check(&rev), RN_EINPUT);
    rn_date badp = {day(2024, 1, 1), day(2024, 1, 1), (rn_precision)9};
    assert_int_equal(rn_date_check(&badp), RN_EINPUT);
    rn_date none = {0, 0, RN_PREC_NONE};
    assert_int_equal(rn_date_check(&none), RN_OK);
    rn_date open = {RN_DAY_OPEN_LOW, day(2024, 12, 31), RN_PREC_YEAR};
    assert_int_equal(rn_date_check(&open), RN_OK);
}

static void precision_names(void **state)
{
    (void)state;
    static const char *const names[] = {"", "day", "week", "month", "year"};
    for (int p = RN_PREC_DAY; p <= RN_PREC_YEAR; p++) {
        assert_string_equal(rn_precision_name((rn_precision)p), names[p]);
        rn_precision back;
        assert_int_equal(rn_precision_from_name(names[p], strlen(names[p]), &back), RN_OK);
        assert_int_equal(back, p);
    }
    rn_precision back;
    assert_int_equal(rn_precision_from_name("decade", 6, &back), RN_EINPUT);
    assert_int_equal(rn_precision_from_name("Day", 3, &back), RN_EINPUT);
    assert_int_equal(rn_precision_from_name("", 0, &back), RN_EINPUT);
    assert_string_equal(rn_precision_name((rn_precision)42), "");
}

/* ---- arithmetic ----------------------------------------------------------- */

static void span_keeps_uncertainty(void **state)
{
    (void)state;
    rn_date y2024, d0715, d0101;
    assert_int_equal(rn_date_year(2024, &y2024), RN_OK);
    assert_int_equal(rn_date_day(2024, 7, 15, &d0715), RN_OK);
    assert_int_equal(rn_date_day(2024, 1, 1, &d0101), RN_OK);
    int64_t lo, hi;
    /* produced some day of 2024, used on 15 July 2024 */
    assert_int_equal(rn_date_span(&y2024, &d0715, &lo, &hi), RN_OK);
    assert_int_equal(lo, -169);
    assert_int_equal(hi, 196);
    /* reversed: the negatives */
    assert_int_equal(rn_date_span(&d0715, &y2024, &lo, &hi), RN_OK);
    assert_int_equal(lo, -196);
    assert_int_equal(hi, 169);
    /* two days: exact */
    assert_int_equal(rn_date_span(&d0101, &d0715, &lo, &hi), RN_OK);
    assert_int_equal(lo, 196);
    assert_int_equal(hi, 196);
    /* week 2024-W12 to month 2024-07 */
    rn_date w12, m07;
    assert_int_equal(rn_date_isoweek(2024, 12, &w12), RN_OK);
    assert_int_equal(rn_date_month(2024, 7, &m07), RN_OK);
    assert_int_equal(rn_date_span(&w12, &m07, &lo, &hi), RN_OK);
    assert_int_equal(lo, day(2024, 7, 1) - day(2024, 3, 24));
    assert_int_equal(hi, day(2024, 7, 31) - day(2024, 3, 18));
    /* open ends make open bounds */
    rn_date open_hi = {day(2024, 1, 1), RN_DAY_OPEN_HIGH, RN_PREC_YEAR};
    assert_int_equal(rn_date_span(&open_hi, &d0715, &lo, &hi), RN_OK);
    assert_true(lo == INT64_MIN);
    assert_int_equal(hi, 196);
    assert_int_equal(rn_date_span(&d0101, &open_hi, &lo, &hi), RN_OK);
    assert_int_equal(lo, 0);
    assert_true(hi == INT64_MAX);
    rn_date none = {0, 0, RN_PREC_NONE};
    assert_int_equal(rn_date_span(&none, &d0715, &lo, &hi), RN_EINPUT);
    assert_int_equal(rn_date_span(&d0715, &none, &lo, &hi), RN_EINPUT);
}

static void hull_widens_to_coarser_precision(void **state)
{
    (void)state;
    rn_date m07, d0915, h;
    assert_int_equal(rn_date_month(2024, 7, &m07), RN_OK);
    assert_int_equal(rn_date_day(2024, 9, 15, &d0915), RN_OK);
    h = rn_date_hull(&m07, &d0915);
    assert_int_equal(h.precision, RN_PREC_MONTH);
    assert_int_equal(h.earliest, day(2024, 7, 1));
    assert_int_equal(h.latest, day(2024, 9, 30));
    assert_int_equal(rn_date_check(&h), RN_OK);
    /* order does not matter */
    rn_date h2 = rn_date_hull(&d0915, &m07);
    assert_memory_equal(&h, &h2, sizeof h);
    /* a week straddling two months, with a month: month units */
    rn_date w, m;
    assert_int_equal(rn_date_isoweek(2024, 5, &w), RN_OK); /* 2024-01-29 .. 2024-02-04 */
    assert_int_equal(rn_date_month(2024, 3, &m), RN_OK);
    h = rn_date_hull(&w, &m);
    assert_int_equal(h.precision, RN_PREC_MONTH);
    assert_int_equal(h.earliest, day(2024, 1, 1));
    assert_int_equal(h.latest, day(2024, 3, 31));
    /* day and week: week units */
    rn_date d;
    assert_int_equal(rn_date_day(2024, 1, 3, &d), RN_OK); /* a Wednesday */
    assert_int_equal(rn_date_isoweek(2024, 3, &w), RN_OK);
    h = rn_date_hull(&d, &w);
    assert_int_equal(h.precision, RN_PREC_WEEK);
    assert_int_equal(h.earliest, day(2024, 1, 1));
    assert_int_equal(h.latest, day(2024, 1, 21));
    assert_int_equal(rn_date_check(&h), RN_OK);
    /* no date on one side: the other */
    rn_date none = {0, 0, RN_PREC_NONE};
    h = rn_date_hull(&none, &m07);
    assert_memory_equal(&h, &m07, sizeof h);
    h = rn_date_hull(&m07, &none);
    assert_memory_equal(&h, &m07, sizeof h);
    /* an open end stays open */
    rn_date open_lo = {RN_DAY_OPEN_LOW, day(2023, 12, 31), RN_PREC_YEAR};
    h = rn_date_hull(&open_lo, &d0915);
    assert_int_equal(h.earliest, RN_DAY_OPEN_LOW);
    assert_int_equal(h.latest, day(2024, 12, 31));
    assert_int_equal(h.precision, RN_PREC_YEAR);
}

static void constructors_validate(void **state)
{
    (void)state;
    rn_date d;
    assert_int_equal(rn_date_year(999, &d), RN_EINPUT);
    assert_int_equal(rn_date_year(3000, &d), RN_EINPUT);
    assert_int_equal(rn_date_month(2024, 13, &d), RN_EINPUT);
    assert_int_equal(rn_date_month(2024, 0, &d), RN_EINPUT);
    assert_int_equal(rn_date_day(2024, 2, 30, &d), RN_EINPUT);
    assert_int_equal(rn_date_month(2024, 2, &d), RN_OK);
    assert_int_equal(d.latest - d.earliest, 28);
    assert_int_equal(rn_date_year(2023, &d), RN_OK);
    assert_int_equal(d.latest - d.earliest, 364);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(day_numbers_known_anchors),
        cmocka_unit_test(day_numbers_round_trip_whole_range),
        cmocka_unit_test(day_from_ymd_rejects_impossible),
        cmocka_unit_test(weekday_and_day_format),
        cmocka_unit_test(isoweek_counts),
        cmocka_unit_test(isoweek_edges),
        cmocka_unit_test(text_forms_parse_and_format),
        cmocka_unit_test(text_forms_normalize),
        cmocka_unit_test(text_forms_invalid_rejected),
        cmocka_unit_test(date_check_invariants),
        cmocka_unit_test(precision_names),
        cmocka_unit_test(span_keeps_uncertainty),
        cmocka_unit_test(hull_widens_to_coarser_precision),
        cmocka_unit_test(constructors_validate),
        cmocka_unit_test(format_matches_printf_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
