/* SPDX-License-Identifier: Apache-2.0
 *
 * datafile.c — where reference data files (rules, demo data, measures)
 * are found: $REMNANT_DATA, then the source tree, then the install. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

rn_code rn_data_file(const char *rel, char *buf, size_t cap)
{
    const char *dirs[3] = {getenv("REMNANT_DATA"), RN_SRC_DATADIR, RN_DATADIR};
    if (strstr(rel, ".."))
        return RN_EINVAL;
    for (int i = 0; i < 3; i++) {
        if (!dirs[i] || !dirs[i][0])
            continue;
        int n = snprintf(buf, cap, "%s/%s", dirs[i], rel);
        if (n > 0 && (size_t)n < cap && access(buf, R_OK) == 0)
            return RN_OK;
    }
    return RN_ENOTFOUND;
}
