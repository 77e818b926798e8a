/* SPDX-License-Identifier: Apache-2.0
 *
 * calendar.c — from a year (and month, day) of a calendar described in a
 * rule file to a Gregorian date interval.
 *
 * What a calendar is comes from its rule (data/rules/calendars.rules):
 * the offset to the Gregorian year, the era's first and last day, and, for
 * a year that does not begin on 1 January (the Solar Hijri year begins at
 * Nowruz, about 20-21 March), the earliest and latest Gregorian day it can
 * begin on and the lengths of its months. When the first day is known only
 * to within a day, the interval covers both possibilities: the decoder
 * widens, it never guesses.
 *
 * A calendar with leap_breaks= (the Solar Hijri calendar) knows its first
 * days exactly over the breaks' span: K. M. Borkowski, "The Persian
 * calendar for 3000 years", Earth, Moon and Planets 74 (1996) 223-230,
 * computed the vernal equinox for every year from AD 622 to 3800 and found
 * that the leap years follow a 33-year cycle whose phase shifts at a few
 * "break" years; from those breaks his arithmetic gives the Gregorian day
 * in March on which each year begins. Its leap years over 1300-1500 SH
 * agree with the plain 33-year rule (tests/unit/test_calendar.c checks
 * both, and published first days).
 */
#include "decode/decode_int.h"

int rn__calendar_is_gregorian(const rn__calendar *c)
{
    return c->offset == 0 && c->start_m == 0 && c->from == RN_DAY_OPEN_LOW &&
           c->until == RN_DAY_OPEN_HIGH;
}

/* floor division and remainder, for negative years too */
static long fdiv(long a, long b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

static long fmod_(long a, long b)
{
    return a - b * fdiv(a, b);
}

rn_code rn__calendar_exact_start(const rn__calendar *c, int year, int32_t *first, int *leap)
{
    if (c->nbreaks < 2 || year < c->breaks[0] || year >= c->breaks[c->nbreaks - 1])
        return RN_ENOTFOUND;
    /* Borkowski (1996): count leap days from the first break, 8 in every
     * 33 years and one in every 4 of a part cycle, up to year */
    long gy = (long)year + c->offset;
    long leap_j = -14, jp = c->breaks[0], jump = 0;
    for (int i = 1; i < c->nbreaks; i++) {
        long jm = c->breaks[i];
        jump = jm - jp;
        if (year < jm)
            break;
        leap_j += fdiv(jump, 33) * 8 + fdiv(fmod_(jump, 33), 4);
        jp = jm;
    }
    long n = year - jp;
    leap_j += fdiv(n, 33) * 8 + fdiv(fmod_(n, 33) + 3, 4);
    if (fmod_(jump, 33) == 4 && jump - n == 4)
        leap_j++;
    long leap_g = fdiv(gy, 4) - fdiv((fdiv(gy, 100) + 1) * 3, 4) - 150;
    long march = 20 + leap_j - leap_g; /* the day in March the year begins on */
    if (jump - n < 6)
        n = n - jump + fdiv(jump + 4, 33) * 33;
    long r = fmod_(fmod_(n + 1, 33) - 1, 4);
    if (r == -1)
        r = 4;
    if (rn_day_from_ymd((int)gy, 3, 1, first))
        return RN_EINPUT;
    *first += (int32_t)(march - 1);
    *leap = r == 0;
    return RN_OK;
}

static rn_code shifted_year(const rn__calendar *c, int year, int g, int m, int dd, rn_date *out)
{
    int32_t s0, s1, next_late;
    int leap;
    if (rn__calendar_exact_start(c, year, &s0, &leap) == RN_OK &&
        rn__calendar_exact_start(c, year + 1, &next_late, &leap) == RN_OK) {
        s1 = s0; /* an exact first day, and the next year's */
    } else if (rn_day_from_ymd(g, c->start_m, c->start_d, &s0) ||
               rn_day_from_ymd(g, c->late_m, c->late_d, &s1) ||
               rn_day_from_ymd(g + 1, c->late_m, c->late_d, &next_late)) {
        return RN_EINPUT;
    }
    int32_t last = next_late - 1; /* the latest day the year can end on */
    if (m == 0) {
        out->earliest = s0;
        out->latest = last;
    } else {
        if (c->nmonths == 0 || m > c->nmonths)
            return RN_EINPUT;
        int32_t k = 0;
        for (int i = 0; i < m - 1; i++)
            k += c->months[i];
        int len = c->months[m - 1];
        if (m == c->nmonths && s0 == s1)
            len = (int)(last - (s0 + k) + 1); /* the last month takes the leap day */
        if (dd > len)
            return RN_EINPUT;
        if (dd == 0) {
            out->earliest = s0 + k;
            out->latest = s1 + k + len - 1;
        } else {
            out->earliest = s0 + k + dd - 1;
            out->latest = s1 + k + dd - 1;
        }
        if (out->latest > last)
            out->latest = last;
        if (out->earliest > out->latest)
            return RN_EINPUT;
    }
    out->precision = RN_PREC_DAY;
    return RN_OK;
}

rn_code rn__calendar_date(const rn__calendar *c, int year, int m, int dd, rn_date *out)
{
    long g = (long)year + c->offset;
    if (g < RN_YEAR_MIN || g >= RN_YEAR_MAX)
        return RN_EINPUT;
    rn_code rc;
    if (c->start_m)
        rc = shifted_year(c, year, (int)g, m, dd, out);
    else if (m == 0)
        rc = rn_date_year((int)g, out);
    else if (dd == 0)
        rc = rn_date_month((int)g, m, out);
    else
        rc = rn_date_day((int)g, m, dd, out);
    if (rc)
        return RN_EINPUT;
    /* an era holds only the days between its first and last */
    int clipped = 0;
    if (c->from != RN_DAY_OPEN_LOW && out->earliest < c->from)
        out->earliest = c->from, clipped = 1;
    if (c->until != RN_DAY_OPEN_HIGH && out->latest > c->until)
        out->latest = c->until, clipped = 1;
    if (out->earliest > out->latest)
        return RN_EINPUT;
    if (clipped)
        out->precision = RN_PREC_DAY;
    return RN_OK;
}
