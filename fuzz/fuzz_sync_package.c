/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_sync_package.c — libFuzzer target for the sync package parser
 * (lib/sync/package.c), which reads files and HTTP bodies from other
 * instances before any signature is checked. The seed corpus holds real
 * packages made by `remnant sync export` of invented test data. */
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "sync/sync_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        if (sodium_init() < 0)
            return 0;
        ready = 1;
    }
    rn__sync_pkg p;
    char msg[256];
    size_t where;
    if (rn__sync_parse((const char *)data, size, &p, msg, sizeof msg, &where) == RN_OK) {
        /* every slice lies inside the input */
        for (size_t i = 0; i < p.ne; i++)
            if (p.e[i].body < (const char *)data ||
                p.e[i].body + p.e[i].blen > (const char *)data + size)
                __builtin_trap();
        rn__sync_pkg_free(&p);
    }
    return 0;
}
