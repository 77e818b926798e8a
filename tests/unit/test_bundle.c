/* SPDX-License-Identifier: Apache-2.0
 *
 * test_bundle.c — lib/ledger/bundle_check.c on a reference bundle
 * (tests/ledger/reference_bundle.rnb: three records and a blob, signed by the
 * golang.org/x/mod/sumdb/note example key): it verifies with that key, not
 * with another, and every single-byte change anywhere in it is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "ledger/tlog.h"

static const char vk_text[] =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

static char *load(size_t *len)
{
    FILE *f = fopen(RN_TEST_DATADIR "/ledger/reference_bundle.rnb", "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 16);
    *len = fread(buf, 1, 1 << 16, f);
    fclose(f);
    return buf;
}

typedef struct said {
    int verified, lines;
} said;

static void listen(void *ctx, const char *line)
{
    said *s = ctx;
    s->lines++;
    if (strncmp(line, "RESULT: VERIFIED", 16) == 0)
        s->verified = 1;
}

static void test_reference(void **state)
{
    (void)state;
    size_t len;
    char *b = load(&len);
    rn_vkey k;
    assert_int_equal(rn__vkey_parse(vk_text, strlen(vk_text), &k), RN_OK);
    said s = {0, 0};
    assert_int_equal(rn__bundle_check(b, len, &k, 1, listen, &s), RN_OK);
    assert_true(s.verified);
    assert_int_equal(s.lines, 7);
    rn_skey other;
    assert_int_equal(rn__skey_generate("PeterNeumann", 12, RN_SIGTYPE_ED25519,
                                       &other), RN_OK);
    assert_int_equal(rn__bundle_check(b, len, &other.v, 1, NULL, NULL),
                     RN_ECRYPTO);
    /* Truncations. */
    for (size_t n = 0; n < len; n += 7)
        assert_int_not_equal(rn__bundle_check(b, n, &k, 1, NULL, NULL), RN_OK);
    free(b);
}

static void test_every_byte(void **state)
{
    (void)state;
    size_t len;
    char *b = load(&len);
    rn_vkey k;
    assert_int_equal(rn__vkey_parse(vk_text, strlen(vk_text), &k), RN_OK);
    static const uint8_t flips[] = {0x01, 0x20, 0x80, 0xff};
    for (size_t i = 0; i < len; i++)
        for (size_t f = 0; f < sizeof flips; f++) {
            b[i] = (char)(b[i] ^ flips[f]);
            rn_code rc = rn__bundle_check(b, len, &k, 1, NULL, NULL);
            if (rc == RN_OK)
                fail_msg("byte %zu ^ 0x%02x was not caught", i, flips[f]);
            b[i] = (char)(b[i] ^ flips[f]);
        }
    free(b);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference),
        cmocka_unit_test(test_every_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
