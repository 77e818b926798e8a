/* SPDX-License-Identifier: Apache-2.0
 *
 * decode_fixture.c — the shipped rules' decoder for the decoder's tests
 * (decode_fixture.h). */
#include <stdio.h>

#include "decode_fixture.h"

rn_decoder *dfx_dec;

int dfx_setup(void **state)
{
    (void)state;
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_decoder_load(NULL, 0, &dfx_dec, &err);
    if (rc)
        fprintf(stderr, "loading rules: %s:%ld: %s\n", err.file, err.line, err.message);
    return rc == RN_OK ? 0 : -1;
}

int dfx_teardown(void **state)
{
    (void)state;
    rn_decoder_free(dfx_dec);
    dfx_dec = NULL;
    return 0;
}
