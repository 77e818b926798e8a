/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_csv.c — libFuzzer target for the CSV record reader (rn__csv_read)
 * with the separator rn__csv_sniff picks:
 * read records until the input ends or an error; every call must consume
 * something, stay inside the input and hand back fields inside its record
 * buffer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rn__csv *c = rn__csv_new(1u << 16, 64);
    if (!c)
        return 0;
    const char *p = (const char *)data;
    /* the separator as import picks it: ',' or ';' from the header line */
    char sep = size ? rn__csv_sniff(p, size) : ',';
    if (sep != ',' && sep != ';')
        abort();
    rn__csv_set_sep(c, sep);
    size_t pos = 0;
    long prev_line = 0;
    while (pos < size) {
        size_t used = 0;
        long line = 0;
        rn_error err;
        rn_error_clear(&err);
        if (rn__csv_read(c, p + pos, size - pos, &used, &line, &err) != RN_OK) {
            if (err.message[0] == '\0')
                abort();
            break;
        }
        if (used == 0 || used > size - pos || line <= prev_line || rn__csv_line(c) < line)
            abort();
        size_t total = 0;
        for (size_t i = 0; i < rn__csv_count(c); i++) {
            size_t len;
            const char *f = rn__csv_field(c, i, &len);
            /* touch every byte so ASan sees any overrun */
            for (size_t k = 0; k < len; k++)
                total += (unsigned char)f[k];
        }
        (void)total;
        prev_line = line;
        pos += used;
    }
    rn__csv_free(c);
    return 0;
}
