/* SPDX-License-Identifier: Apache-2.0
 *
 * date.c — date intervals {earliest, latest, precision}: day numbers in the
 * proleptic Gregorian calendar, ISO 8601 weeks, the text form, and interval
 * arithmetic that keeps uncertainty.
 *
 * Invariants of a valid rn_date with precision != NONE:
 *  1. earliest <= latest (open ends compare as -inf / +inf);
 *  2. earliest is the first day of a unit of `precision` (or open);
 *  3. latest is the last day of a unit of `precision` (or open);
 *  4. not both ends open.
 * rn_date_check() tests exactly these; every constructor ensures them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "remnant/model.h"

/* Days from 1970-01-01 to y-m-d: count days in whole 400-year eras from
 * year 0 with March as the first month, so the leap day falls last. */
static int32_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void rn_day_to_ymd(int32_t day, int *y, int *m, int *d)
{
    int64_t z = (int64_t)day + 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(int y, int m)
{
    static const int n[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : n[m - 1];
}

rn_code rn_day_from_ymd(int y, int m, int d, int32_t *out)
{
    if (y < RN_YEAR_MIN || y > RN_YEAR_MAX || m < 1 || m > 12 || d < 1 ||
        d > month_days(y, m))
        return RN_EINPUT;
    *out = days_from_civil(y, m, d);
    return RN_OK;
}

int rn_day_weekday(int32_t day)
{
    /* 1970-01-01 was a Thursday (ISO 4). */
    int64_t w = ((int64_t)day + 3) % 7;
    if (w < 0)
        w += 7;
    return (int)w + 1;
}

/* v as exactly `width` decimal digits, zero-padded, then `end` (nothing
 * when end is '\0', which is written but not counted): what
 * snprintf("%0*d", width, v) writes for 0 <= v < 10^width, without
 * printf's cost (dates are formatted for every record and candidate an
 * import writes). Any other v (never, for days in the model's range) goes
 * through snprintf itself. Returns the characters written before the
 * terminator; buf needs 12 bytes. */
static size_t put_digits(char *buf, int v, int width, char end)
{
    int lim = width == 4 ? 10000 : width == 2 ? 100 : 0;
    if (v < 0 || v >= lim) {
        int n = snprintf(buf, 12, "%0*d", width, v);
        if (n < 0 || n > 11)
            n = 0;
        buf[n] = end;
        return (size_t)n + (end != '\0');
    }
    for (int i = width - 1; i >= 0; i--, v /= 10)
        buf[i] = (char)('0' + v % 10);
    buf[width] = end;
    return (size_t)width + (end != '\0');
}

void rn_day_format(int32_t day, char buf[11])
{
    if (day == RN_DAY_OPEN_LOW || day == RN_DAY_OPEN_HIGH) {
        memcpy(buf, "..", 3);
        return;
    }
    int y, m, d;
    rn_day_to_ymd(day, &y, &m, &d);
    char tmp[40];
    size_t n = put_digits(tmp, y % 10000, 4, '-');
    n += put_digits(tmp + n, m % 100, 2, '-');
    put_digits(tmp + n, d % 100, 2, '\0');
    memcpy(buf, tmp, 10);
    buf[10] = '\0';
}

int32_t rn_day_today(void)
{
    return (int32_t)(time(NULL) / 86400);
}

/* Monday of ISO week 1 of ISO week-year y: the week holding 4 January. */
static int32_t isoweek1_monday(int y)
{
    int32_t jan4 = days_from_civil(y, 1, 4);
    return jan4 - (rn_day_weekday(jan4) - 1);
}

int rn_isoweek_count(int y)
{
    return (isoweek1_monday(y + 1) - isoweek1_monday(y)) / 7;
}

static void day_to_isoweek(int32_t day, int *wy, int *w)
{
    int32_t thursday = day - (rn_day_weekday(day) - 1) + 3;
    int y, m, d;
    rn_day_to_ymd(thursday, &y, &m, &d);
    *wy = y;
    *w = (thursday - isoweek1_monday(y)) / 7 + 1;
}

rn_code rn_date_year(int y, rn_date *out)
{
    if (y < RN_YEAR_MIN || y > RN_YEAR_MAX)
        return RN_EINPUT;
    out->earliest = days_from_civil(y, 1, 1);
    out->latest = days_from_civil(y, 12, 31);
    out->precision = RN_PREC_YEAR;
    return RN_OK;
}

rn_code rn_date_month(int y, int m, rn_date *out)
{
    if (y < RN_YEAR_MIN || y > RN_YEAR_MAX || m < 1 || m > 12)
        return RN_EINPUT;
    out->earliest = days_from_civil(y, m, 1);
    out->latest = days_from_civil(y, m, month_days(y, m));
    out->precision = RN_PREC_MONTH;
    return RN_OK;
}

rn_code rn_date_isoweek(int y, int w, rn_date *out)
{
    if (y < RN_YEAR_MIN || y > RN_YEAR_MAX || w < 1 || w > rn_isoweek_count(y))
        return RN_EINPUT;
    out->earliest = isoweek1_monday(y) + (w - 1) * 7;
    out->latest = out->earliest + 6;
    /* week 1 of RN_YEAR_MIN may start in the year before, and the last week
     * of RN_YEAR_MAX end in the year after: such weeks would print days
     * that cannot be read back */
    if (out->earliest < days_from_civil(RN_YEAR_MIN, 1, 1) ||
        out->latest > days_from_civil(RN_YEAR_MAX, 12, 31))
        return RN_EINPUT;
    out->precision = RN_PREC_WEEK;
    return RN_OK;
}

rn_code rn_date_day(int y, int m, int d, rn_date *out)
{
    int32_t day;
    if (rn_day_from_ymd(y, m, d, &day))
        return RN_EINPUT;
    out->earliest = out->latest = day;
    out->precision = RN_PREC_DAY;
    return RN_OK;
}

/* The unit of precision p containing `day`. */
static rn_code unit_of(int32_t day, rn_precision p, rn_date *out)
{
    int y, m, d;
    rn_day_to_ymd(day, &y, &m, &d);
    switch (p) {
    case RN_PREC_DAY: return rn_date_day(y, m, d, out);
    case RN_PREC_MONTH: return rn_date_month(y, m, out);
    case RN_PREC_YEAR: return rn_date_year(y, out);
    case RN_PREC_WEEK: {
        int wy, w;
        day_to_isoweek(day, &wy, &w);
        return rn_date_isoweek(wy, w, out);
    }
    default: return RN_EINPUT;
    }
}

rn_code rn_date_check(const rn_date *d)
{
    if (d->precision == RN_PREC_NONE)
        return RN_OK;
    if (d->precision > RN_PREC_YEAR)
        return RN_EINPUT;
    int lo_open = d->earliest == RN_DAY_OPEN_LOW;
    int hi_open = d->latest == RN_DAY_OPEN_HIGH;
    if ((lo_open && hi_open) || d->earliest == RN_DAY_OPEN_HIGH ||
        d->latest == RN_DAY_OPEN_LOW)
        return RN_EINPUT;
    if (!lo_open && !hi_open && d->earliest > d->latest)
        return RN_EINPUT;
    rn_date u;
    if (!lo_open && (unit_of(d->earliest, d->precision, &u) || u.earliest != d->earliest))
        return RN_EINPUT;
    if (!hi_open && (unit_of(d->latest, d->precision, &u) || u.latest != d->latest))
        return RN_EINPUT;
    return RN_OK;
}

rn_date rn_date_hull(const rn_date *a, const rn_date *b)
{
    if (a->precision == RN_PREC_NONE)
        return *b;
    if (b->precision == RN_PREC_NONE)
        return *a;
    rn_date h;
    h.precision = a->precision > b->precision ? a->precision : b->precision;
    h.earliest = a->earliest < b->earliest ? a->earliest : b->earliest;
    h.latest = a->latest > b->latest ? a->latest : b->latest;
    rn_date u;
    if (h.earliest != RN_DAY_OPEN_LOW && unit_of(h.earliest, h.precision, &u) == RN_OK)
        h.earliest = u.earliest;
    if (h.latest != RN_DAY_OPEN_HIGH && unit_of(h.latest, h.precision, &u) == RN_OK)
        h.latest = u.latest;
    return h;
}

static const char *const prec_names[] = {"", "day", "week", "month", "year"};

const char *rn_precision_name(rn_precision p)
{
    return (unsigned)p <= RN_PREC_YEAR ? prec_names[p] : "";
}

rn_code rn_precision_from_name(const char *s, size_t len, rn_precision *out)
{
    for (int i = 1; i <= RN_PREC_YEAR; i++) {
        if (strlen(prec_names[i]) == len && memcmp(prec_names[i], s, len) == 0) {
            *out = (rn_precision)i;
            return RN_OK;
        }
    }
    return RN_EINPUT;
}

/* Read exactly n digits at s; -1 if any is not a digit. */
static int digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* One unit: YYYY, YYYY-MM, YYYY-Www, YYYY-MM-DD. */
static rn_code parse_unit(const char *s, size_t n, rn_date *out)
{
    int y = n >= 4 ? digits(s, 4) : -1;
    if (y < 0)
        return RN_EINPUT;
    if (n == 4)
        return rn_date_year(y, out);
    if (s[4] != '-')
        return RN_EINPUT;
    if (n == 8 && (s[5] == 'W' || s[5] == 'w')) {
        int w = digits(s + 6, 2);
        return w < 0 ? RN_EINPUT : rn_date_isoweek(y, w, out);
    }
    int m = n >= 7 ? digits(s + 5, 2) : -1;
    if (m < 0)
        return RN_EINPUT;
    if (n == 7)
        return rn_date_month(y, m, out);
    if (n != 10 || s[7] != '-')
        return RN_EINPUT;
    int d = digits(s + 8, 2);
    return d < 0 ? RN_EINPUT : rn_date_day(y, m, d, out);
}

rn_code rn_date_parse(const char *s, size_t len, rn_date *out, rn_error *err)
{
    static const char expect[] =
        "expected a date as YYYY, YYYY-MM, YYYY-Www, YYYY-MM-DD, or a range "
        "A/B of two such of the same form (either end may be ..)";
    out->earliest = 0;
    out->latest = 0;
    out->precision = RN_PREC_NONE;
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len == 0)
        return RN_OK;
    if (len >= RN_DATE_TEXT_MAX)
        return rn__err(err, RN_EINPUT, "date too long: %s", expect);
    const char *slash = memchr(s, '/', len);
    rn_date a, b;
    if (!slash) {
        if (parse_unit(s, len, &a)) {
            int y = len == 8 ? digits(s, 4) : -1, w = len == 8 ? digits(s + 6, 2) : -1;
            if (y >= RN_YEAR_MIN && y <= RN_YEAR_MAX && w > rn_isoweek_count(y) && s[4] == '-' &&
                (s[5] == 'W' || s[5] == 'w'))
                return rn__err(err, RN_EINPUT,
                               "'%.*s': %d has %d ISO 8601 weeks, so there is no week %d",
                               (int)len, s, y, rn_isoweek_count(y), w);
            return rn__err(err, RN_EINPUT, "'%.*s' is not a valid date: %s",
                           (int)len, s, expect);
        }
        *out = a;
        return RN_OK;
    }
    size_t n1 = (size_t)(slash - s), n2 = len - n1 - 1;
    int open1 = n1 == 2 && memcmp(s, "..", 2) == 0;
    int open2 = n2 == 2 && memcmp(slash + 1, "..", 2) == 0;
    if ((open1 && open2) || (!open1 && parse_unit(s, n1, &a)) ||
        (!open2 && parse_unit(slash + 1, n2, &b)))
        return rn__err(err, RN_EINPUT, "'%.*s' is not a valid date range: %s",
                       (int)len, s, expect);
    if (open1) {
        out->earliest = RN_DAY_OPEN_LOW;
        out->latest = b.latest;
        out->precision = b.precision;
    } else if (open2) {
        out->earliest = a.earliest;
        out->latest = RN_DAY_OPEN_HIGH;
        out->precision = a.precision;
    } else {
        if (a.precision != b.precision)
            return rn__err(err, RN_EINPUT,
                           "'%.*s': both ends of a range must have the same "
                           "precision (e.g. 2024-07/2024-08)", (int)len, s);
        if (a.earliest > b.latest)
            return rn__err(err, RN_EINPUT,
                           "'%.*s': the range ends before it starts", (int)len, s);
        out->earliest = a.earliest;
        out->latest = b.latest;
        out->precision = a.precision;
    }
    return RN_OK;
}

static size_t format_unit(int32_t day, rn_precision p, char *buf, size_t cap)
{
    int y, m, d;
    rn_day_to_ymd(day, &y, &m, &d);
    /* years are within RN_YEAR_MIN..RN_YEAR_MAX by construction; the
     * modulo only tells the compiler the widths */
    y %= 10000, m %= 100, d %= 100;
    if (cap < 40)
        return 0;
    size_t n;
    switch (p) {
    case RN_PREC_YEAR: return put_digits(buf, y, 4, '\0');
    case RN_PREC_MONTH:
        n = put_digits(buf, y, 4, '-');
        return n + put_digits(buf + n, m, 2, '\0');
    case RN_PREC_WEEK: {
        int wy, w;
        day_to_isoweek(day, &wy, &w);
        n = put_digits(buf, wy % 10000, 4, '-');
        buf[n++] = 'W';
        return n + put_digits(buf + n, w % 100, 2, '\0');
    }
    default:
        n = put_digits(buf, y, 4, '-');
        n += put_digits(buf + n, m, 2, '-');
        return n + put_digits(buf + n, d, 2, '\0');
    }
}

size_t rn_date_format(const rn_date *dt, char *buf, size_t cap)
{
    if (cap == 0)
        return 0;
    buf[0] = '\0';
    if (dt->precision == RN_PREC_NONE || cap < RN_DATE_TEXT_MAX)
        return 0;
    char a[40], b[40];
    if (dt->earliest == RN_DAY_OPEN_LOW)
        memcpy(a, "..", 3);
    else
        format_unit(dt->earliest, dt->precision, a, sizeof a);
    if (dt->latest == RN_DAY_OPEN_HIGH)
        memcpy(b, "..", 3);
    else
        format_unit(dt->latest, dt->precision, b, sizeof b);
    /* cap >= RN_DATE_TEXT_MAX holds either form (checked above) */
    size_t na = strlen(a), nb = strlen(b);
    memcpy(buf, a, na);
    if (na == nb && memcmp(a, b, na) == 0) {
        buf[na] = '\0';
        return na;
    }
    buf[na] = '/';
    memcpy(buf + na + 1, b, nb + 1);
    return na + 1 + nb;
}

rn_code rn_date_span(const rn_date *a, const rn_date *b, int64_t *min, int64_t *max)
{
    if (a->precision == RN_PREC_NONE || b->precision == RN_PREC_NONE)
        return RN_EINPUT;
    if (b->earliest == RN_DAY_OPEN_LOW || a->latest == RN_DAY_OPEN_HIGH)
        *min = INT64_MIN;
    else
        *min = (int64_t)b->earliest - a->latest;
    if (b->latest == RN_DAY_OPEN_HIGH || a->earliest == RN_DAY_OPEN_LOW)
        *max = INT64_MAX;
    else
        *max = (int64_t)b->latest - a->earliest;
    return RN_OK;
}
