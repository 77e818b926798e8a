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
 */
#include "decode/decode_int.h"

int rn__calendar_is_gregorian(const rn__calendar *c)
{
    return c->offset == 0 && c->start_m == 0 && c->from == RN_DAY_OPEN_LOW &&
           c->until == RN_DAY_OPEN_HIGH;
}

static rn_code shifted_year(const rn__calendar *c, int g, int m, int dd, rn_date *out)
{
    int32_t s0, s1, next_late;
    if (rn_day_from_ymd(g, c->start_m, c->start_d, &s0) ||
        rn_day_from_ymd(g, c->late_m, c->late_d, &s1) ||
        rn_day_from_ymd(g + 1, c->late_m, c->late_d, &next_late))
        return RN_EINPUT;
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
        rc = shifted_year(c, (int)g, m, dd, out);
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
