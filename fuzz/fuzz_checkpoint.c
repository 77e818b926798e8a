/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_checkpoint.c — libFuzzer target for the checkpoint body parser
 * (lib/ledger/checkpoint.c): whatever parses must format back to the same
 * three mandatory lines. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/tlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rn_checkpoint c;
    if (rn__checkpoint_parse((const char *)data, size, &c) != RN_OK)
        return 0;
    char out[RN_CHECKPOINT_MAX + 64];
    size_t n = rn__checkpoint_format(c.origin, c.origin_len, c.size, c.root,
                                     out, sizeof out);
    /* A parsed body starts with exactly its formatted first three lines. */
    if (n == 0 || n > size || memcmp(out, data, n) != 0)
        abort();
    return 0;
}
