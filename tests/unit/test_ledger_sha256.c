/* SPDX-License-Identifier: Apache-2.0
 *
 * test_ledger_sha256.c — lib/ledger/sha256.c, the log's one SHA-256: the
 * FIPS 180-4 / NIST example vectors, then random inputs of every length
 * class from 0 to 4096 bytes, one-shot and split into random slices,
 * against libsodium's crypto_hash_sha256 (the hash the log used before,
 * and remnant-verify's); also from several threads at once (each thread
 * has its own context). */
#include <pthread.h>
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

static void check_hex(const void *in, size_t len, const char *want)
{
    uint8_t h[RN_HASH_LEN];
    char hex[2 * RN_HASH_LEN + 1];
    rn__sha256(in, len, h);
    rn__hex_encode(h, RN_HASH_LEN, hex);
    assert_string_equal(hex, want);
}

/* FIPS 180-4 examples (NIST CSRC "SHA256.pdf", "SHA256LongMsg"). */
static void test_nist(void **state)
{
    (void)state;
    check_hex("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check_hex("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    check_hex(m448, strlen(m448),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                       "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    check_hex(m896, strlen(m896),
              "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    size_t n = 1000000;
    char *a = malloc(n);
    assert_non_null(a);
    memset(a, 'a', n);
    check_hex(a, n, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
    /* the leaf hash of the empty entry and the empty tree (RFC 6962) */
    rn_hash h;
    rn__merkle_empty_root(h);
    char hex[65];
    rn__hex_encode(h, RN_HASH_LEN, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    rn__merkle_leaf_hash("", 0, h);
    rn__hex_encode(h, RN_HASH_LEN, hex);
    assert_string_equal(hex, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
}

/* The streaming form: the same digest as libsodium's, streamed in pieces of
 * odd sizes, for every length around the block size and for a few MB. */
static void test_stream(void **state)
{
    (void)state;
    size_t n = 3u << 20;
    unsigned char *b = malloc(n), want[32], got[32];
    assert_non_null(b);
    randombytes_buf(b, n);
    static const size_t lens[] = {0, 1, 55, 56, 63, 64, 65, 127, 128, 1000, 3u << 20};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        crypto_hash_sha256(want, b, lens[i]);
        rn__sha256_ctx h;
        rn__sha256_init(&h);
        for (size_t off = 0; off < lens[i];) {
            size_t k = lens[i] - off < 777 ? lens[i] - off : 777;
            rn__sha256_update(&h, b + off, k);
            off += k;
        }
        rn__sha256_final(&h, got);
        assert_memory_equal(got, want, 32);
    }
    free(b);
}

/* Random lengths 0..4096 (every length up to 300, then random ones), random
 * bytes: one-shot and in random slices equal libsodium's hash. */
static void compare_many(unsigned seed, int rounds)
{
    static __thread uint8_t buf[4097];
    uint32_t x = seed * 2654435761u + 1;
    for (int r = 0; r < rounds; r++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        size_t len = r <= 300 ? (size_t)r : x % 4097;
        randombytes_buf(buf, len);
        uint8_t a[RN_HASH_LEN], b[RN_HASH_LEN], c[RN_HASH_LEN];
        crypto_hash_sha256(a, buf, len);
        rn__sha256(buf, len, b);
        assert_memory_equal(a, b, RN_HASH_LEN);
        rn_bytes parts[4];
        size_t cut1 = len ? x % (len + 1) : 0, cut2 = cut1 + (len - cut1) / 2;
        parts[0] = (rn_bytes){buf, cut1};
        parts[1] = (rn_bytes){NULL, 0};
        parts[2] = (rn_bytes){buf + cut1, cut2 - cut1};
        parts[3] = (rn_bytes){buf + cut2, len - cut2};
        rn__sha256v(parts, 4, c);
        assert_memory_equal(a, c, RN_HASH_LEN);
    }
}

static void test_random_vs_libsodium(void **state)
{
    (void)state;
    compare_many(1, 5000);
}

static void *thread_main(void *arg)
{
    compare_many((unsigned)(uintptr_t)arg, 1500);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    pthread_t t[4];
    for (uintptr_t i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, thread_main, (void *)(i + 2)), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
}

/* libremnant is built with libcrypto: its hashes come from there. */
static void test_backend(void **state)
{
    (void)state;
    assert_string_equal(rn__sha256_backend(), "openssl");
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nist),
        cmocka_unit_test(test_random_vs_libsodium),
        cmocka_unit_test(test_stream),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_backend),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
