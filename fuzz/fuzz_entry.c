/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_entry.c — libFuzzer target for the strict log-entry parser
 * (lib/ledger/entry.c): slices it returns stay inside the input. */
#include <stdint.h>
#include <stdlib.h>

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
    if (rn__entry_parse((const char *)data, size, &e) != RN_OK)
        return 0;
    inside(e.author, e.author_len, data, size);
    inside(e.id, e.id_len, data, size);
    inside(e.record, e.record_len, data, size);
    inside(e.time, e.time_len, data, size);
    inside(e.type, e.type_len, data, size);
    if ((e.op == 'd') != (e.record == NULL))
        abort();
    return 0;
}
