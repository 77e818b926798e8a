/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_sync_salvage.c — libFuzzer target for the walk over a sync package
 * cut short (lib/sync/blobs.c rn__sync_blob_walk), which the server runs on
 * the partial body of any interrupted push before any signature is checked.
 * Every blob it reports lies inside the input and hashes to its name. The
 * seed corpus holds real packages of invented test data, whole and cut. */
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "sync/sync_int.h"

typedef struct span {
    const uint8_t *data;
    size_t size;
} span;

static rn_code check(void *ctx, const rn__sync_blob *b)
{
    const span *s = ctx;
    unsigned char h[32];
    char hx[65];
    if ((const uint8_t *)b->data < s->data ||
        b->len > (uint64_t)(s->data + s->size - (const uint8_t *)b->data))
        __builtin_trap();
    crypto_hash_sha256(h, (const unsigned char *)b->data, (unsigned long long)b->len);
    rn__hex_encode(h, 32, hx);
    if (memcmp(hx, b->sha, 64) != 0)
        __builtin_trap();
    return RN_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        if (sodium_init() < 0)
            return 0;
        ready = 1;
    }
    span s = {data, size};
    (void)rn__sync_blob_walk(data, size, check, &s);
    return 0;
}
