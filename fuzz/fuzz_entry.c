/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_entry.c — libFuzzer target for the strict log-entry parser
 * (lib/ledger/entry.c) and the disclosure checker (disclose.c): the input
 * is an entry, optionally followed by a NUL byte and disclosures. Slices
 * stay inside the input; a rebuilt record stays inside its buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/tlog.h"

static void inside(const char *p, size_t n, const uint8_t *d, size_t size)
{
    if (p && ((const uint8_t *)p < d || (const uint8_t *)p + n > d + size))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rn_entry e;
    const uint8_t *nul = memchr(data, 0, size);
    size_t elen = nul ? (size_t)(nul - data) : size;
    if (rn__entry_parse((const char *)data, elen, &e) != RN_OK)
        return 0;
    if (nul) {
        const char *disc = (const char *)nul + 1;
        size_t dlen = size - elen - 1;
        size_t cap = dlen + elen + 64;
        char *buf = malloc(cap);
        if (!buf)
            return 0;
        int opened = rn__entry_disclose(&e, disc, dlen, 0, buf, cap) == RN_OK;
        if (opened && e.version == 2 && e.record &&
            (e.record < buf || e.record + e.record_len > buf + cap))
            abort();
        free(buf);
        return 0;
    }
    inside(e.author, e.author_len, data, size);
    inside(e.id, e.id_len, data, size);
    inside(e.record, e.record_len, data, size);
    inside(e.time, e.time_len, data, size);
    inside(e.type, e.type_len, data, size);
    if (e.version == 1 && (e.op == 'd') != (e.record == NULL))
        abort();
    return 0;
}
