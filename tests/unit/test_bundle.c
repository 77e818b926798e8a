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

static char *load_raw(size_t *len)
{
    FILE *f = fopen(RN_TEST_DATADIR "/ledger/reference_bundle.rnb", "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 16);
    *len = fread(buf, 1, 1 << 16, f);
    fclose(f);
    return buf;
}

/* The reference bundle is signed by the Go reference example's key
 * "PeterNeumann", whose name is not the checkpoint's origin
 * (example.org/log): docs/BUNDLE.md requires the log's own key, so it is
 * refused (issue 15, point 3). The tests below re-sign its checkpoint with a
 * new key named for the origin: the same bundle, as a log would write it. */
static rn_skey origin_key;

static char *load(size_t *len)
{
    size_t rl;
    char *raw = load_raw(&rl);
    const char *cp = strstr(raw, "checkpoint ");
    assert_non_null(cp);
    size_t nlen = (size_t)strtoul(cp + 11, NULL, 10);
    const char *note = strchr(cp, '\n') + 1;
    const char *rest = note + nlen + 1;
    rn_note n;
    assert_int_equal(rn__note_parse(note, nlen, &n), RN_OK);
    char signed_note[4096];
    memcpy(signed_note, n.text, n.text_len);
    size_t sl = n.text_len;
    signed_note[sl++] = '\n';
    assert_int_equal(rn__note_sign_line(&origin_key, n.text, n.text_len, signed_note,
                                        sizeof signed_note, &sl), RN_OK);
    char *buf = malloc(1 << 16);
    size_t k = (size_t)snprintf(buf, 1 << 16, "remnant-bundle v1\ncheckpoint %zu\n", sl);
    memcpy(buf + k, signed_note, sl);
    k += sl;
    buf[k++] = '\n';
    memcpy(buf + k, rest, rl - (size_t)(rest - raw));
    k += rl - (size_t)(rest - raw);
    free(raw);
    *len = k;
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
    /* Point 3: a checkpoint signed by a key of another name is refused. */
    char *raw = load_raw(&len);
    rn_vkey peter;
    assert_int_equal(rn__vkey_parse(vk_text, strlen(vk_text), &peter), RN_OK);
    assert_int_equal(rn__bundle_check(raw, len, &peter, 1, NULL, NULL), RN_ECRYPTO);
    free(raw);
    char *b = load(&len);
    rn_vkey k = origin_key.v;
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
    rn_vkey k = origin_key.v;
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
    if (sodium_init() < 0 ||
        rn__skey_generate("example.org/log", 15, RN_SIGTYPE_ED25519, &origin_key) != RN_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference),
        cmocka_unit_test(test_every_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
