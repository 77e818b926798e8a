/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_photo.c — libFuzzer target for the public copy of a photo
 * (lib/store/photo.c): an uploaded file goes through libjpeg, libpng and
 * exiv2 under our error handling (longjmp out of libjpeg and libpng, size
 * limits, exiv2's lock). The input is written to a file, checked, and
 * stripped; a copy that was made must pass the check again, and every
 * failure must say why. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "remnant/store.h"
#include "store/store_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char in[64], out[64];
    if (!in[0]) {
        snprintf(in, sizeof in, "/tmp/rn_fuzz_photo_in.%ld", (long)getpid());
        snprintf(out, sizeof out, "/tmp/rn_fuzz_photo_out.%ld", (long)getpid());
    }
    FILE *f = fopen(in, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_store_photo_check(in, &err);
    if (rc != RN_OK && err.message[0] == '\0')
        abort();
    rn_error_clear(&err);
    rc = rn__photo_strip(in, out, &err);
    if (rc == RN_OK) {
        rn_error_clear(&err);
        if (rn_store_photo_check(out, &err) != RN_OK)
            abort(); /* a copy that was made is clean */
    } else if (err.message[0] == '\0') {
        abort();
    }
    unlink(in);
    unlink(out);
    return 0;
}
