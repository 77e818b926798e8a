/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_tile_path.c — the C2SP tlog-tiles path parser
 * (rn_ledger_tile_path_parse, lib/ledger/tiles.c) that the server's /log/tile/
 * endpoint feeds with request paths. Checked: whatever it accepts has a
 * level 0..63, a width 1..256, and formats back to exactly the input (one
 * path per tile: no second spelling is accepted); the formatted path of an
 * accepted tile parses to the same tile. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "remnant/ledger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rn_ledger_tile_ref t, u;
    if (rn_ledger_tile_path_parse((const char *)data, size, &t) != RN_OK)
        return 0;
    if (t.level > 63 || t.width < 1 || t.width > 256 || (t.entries && t.level != 0))
        abort();
    char out[160];
    size_t n = rn_ledger_tile_path_format(&t, out, sizeof out);
    if (n != size || memcmp(out, data, size) != 0)
        abort();
    if (rn_ledger_tile_path_parse(out, n, &u) != RN_OK || u.entries != t.entries ||
        u.level != t.level || u.index != t.index || u.width != t.width)
        abort();
    return 0;
}
