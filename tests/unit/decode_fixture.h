/* SPDX-License-Identifier: Apache-2.0
 *
 * decode_fixture.h — what the decoder's tests (test_decode.c,
 * test_decode_calendar.c, test_decode_entity.c) share: the decoder of the
 * shipped rules (data/rules), loaded once for a cmocka group. Linked into
 * those tests (tests/CMakeLists.txt). */
#ifndef RN_TEST_DECODE_FIXTURE_H
#define RN_TEST_DECODE_FIXTURE_H

#include "remnant/decode.h"

/* The loaded decoder, between dfx_setup() and dfx_teardown(). */
extern rn_decoder *dfx_dec;

/* Group set-up: loads the shipped rules into dfx_dec; on failure prints the
 * rule file, line and message and returns -1 (cmocka then runs no test). */
int dfx_setup(void **state);
/* Group tear-down: frees dfx_dec. */
int dfx_teardown(void **state);

#endif
