/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_geo.c — libFuzzer target for the map shapes' parser
 * (lib/report/geo.c): whatever parses has rings of at least 3 points,
 * every coordinate in range. */
#include <stdint.h>
#include <stdlib.h>

#include "report/report_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rp_geo *g = NULL;
    if (rp_geo_parse((const char *)data, size, &g, NULL) != RN_OK)
        return 0;
    for (size_t i = 0; i < rp_geo_rings(g); i++) {
        size_t n;
        const float *p = rp_geo_ring(g, i, &n);
        if (n < 3)
            abort();
        for (size_t k = 0; k < n; k++)
            if (p[2 * k] < -180 || p[2 * k] > 180 || p[2 * k + 1] < -90 || p[2 * k + 1] > 90)
                abort();
    }
    rp_geo_free(g);
    return 0;
}
