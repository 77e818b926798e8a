/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_sync_range.c — libFuzzer target for the HTTP byte-range parsers of
 * files in transfer (lib/sync/files.c): the Range header a server reads from
 * a resuming puller, the Content-Range a puller reads from a server. The
 * first 8 bytes of the input are the file's size. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "remnant/sync.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t fsize = 0, start = 0, a = 0, total = 0;
    if (size < 8)
        return 0;
    memcpy(&fsize, data, 8);
    char *h = malloc(size - 8 + 1);
    if (!h)
        return 0;
    memcpy(h, data + 8, size - 8);
    h[size - 8] = '\0';
    if (rn_sync_range_parse(h, fsize, &start) == 0 && start >= fsize)
        __builtin_trap(); /* a start is always inside the file */
    if (rn_sync_content_range_parse(h, &a, &total) == 0 && (total == 0 || a >= total))
        __builtin_trap();
    free(h);
    return 0;
}
