/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_date.c — libFuzzer target for the date text form: whatever
 * rn_date_parse accepts is a valid interval, formats, and parses back to
 * the same interval and the same text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remnant/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rn_date d, d2;
    rn_error err;
    rn_error_clear(&err);
    if (rn_date_parse((const char *)data, size, &d, &err) != RN_OK) {
        if (err.message[0] == '\0')
            abort();
        return 0;
    }
    if (d.precision == RN_PREC_NONE)
        return 0;
    if (rn_date_check(&d) != RN_OK) {
        fprintf(stderr, "fuzz_date: '%.*s' parsed to an invalid interval [%d, %d] p%d\n",
                (int)size, (const char *)data, d.earliest, d.latest, d.precision);
        abort();
    }
    char t1[RN_DATE_TEXT_MAX], t2[RN_DATE_TEXT_MAX];
    size_t n1 = rn_date_format(&d, t1, sizeof t1);
    if (n1 == 0 || n1 >= sizeof t1 || strlen(t1) != n1)
        abort();
    if (rn_date_parse(t1, n1, &d2, &err) != RN_OK || d2.earliest != d.earliest ||
        d2.latest != d.latest || d2.precision != d.precision) {
        fprintf(stderr, "fuzz_date: '%.*s' -> '%s' does not parse back the same\n", (int)size,
                (const char *)data, t1);
        abort();
    }
    size_t n2 = rn_date_format(&d2, t2, sizeof t2);
    if (n1 != n2 || memcmp(t1, t2, n1) != 0)
        abort();
    /* the span with itself holds 0 */
    int64_t lo, hi;
    if (rn_date_span(&d, &d, &lo, &hi) != RN_OK || lo > 0 || hi < 0)
        abort();
    return 0;
}
