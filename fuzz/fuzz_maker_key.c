/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_maker_key.c — libFuzzer target for the manufacturer-name normalizer
 * (lib/analysis/makers.c: rn__maker_key, rn__maker_company_key): any bytes,
 * both modes, small and large output buffers; the key is NUL-terminated
 * within its buffer and the loose key is never longer than the strict one. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    char strict[201], loose[201], tiny[4], ck[201], br[201];
    rn__maker_key(s, 1, strict, sizeof strict);
    rn__maker_key(s, 0, loose, sizeof loose);
    rn__maker_key(s, 0, tiny, sizeof tiny);
    if (strlen(loose) > strlen(strict) || strlen(tiny) >= sizeof tiny)
        abort();
    (void)rn__maker_company_key(s, ck, sizeof ck, br, sizeof br);
    (void)rn__maker_company_key(s, tiny, sizeof tiny, NULL, 0);
    free(s);
    return 0;
}
