/* SPDX-License-Identifier: Apache-2.0
 *
 * test_merkle.c — lib/ledger/merkle.c against the published RFC 6962 test
 * vectors (tests/ledger/rfc6962_vectors.txt), then every inclusion and
 * consistency proof of every tree up to 70 leaves generated and verified,
 * and corrupted proofs rejected. */
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

#define MAXV 64

static uint8_t leaf_in[8][16];
static size_t leaf_len[8];
static size_t nleaves;
static rn_hash roots[9];
static int nroots;

typedef struct vec {
    uint64_t a, b;
    size_t n;
    rn_hash h[RN_PROOF_MAX];
} vec;
static vec incl[MAXV], cons[MAXV];
static size_t nincl, ncons;

static void hexbytes(const char *s, uint8_t *out, size_t n)
{
    assert_int_equal(strlen(s), 2 * n);
    assert_int_equal(rn__hex_decode(s, 2 * n, out, n), RN_OK);
}

static void load_vectors(void)
{
    static int loaded;
    if (loaded)
        return;
    loaded = 1;
    FILE *f = fopen(RN_TEST_DATADIR "/ledger/rfc6962_vectors.txt", "r");
    assert_non_null(f);
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *save = NULL;
        char *kw = strtok_r(line, " ", &save);
        if (strcmp(kw, "leaf") == 0) {
            char *h = strtok_r(NULL, " ", &save);
            assert_true(nleaves < 8);
            leaf_len[nleaves] = strcmp(h, "-") == 0 ? 0 : strlen(h) / 2;
            if (leaf_len[nleaves])
                hexbytes(h, leaf_in[nleaves], leaf_len[nleaves]);
            nleaves++;
        } else if (strcmp(kw, "root") == 0) {
            int size = (int)strtol(strtok_r(NULL, " ", &save), NULL, 10);
            assert_int_equal(size, nroots);
            hexbytes(strtok_r(NULL, " ", &save), roots[nroots++], 32);
        } else {
            vec *v = strcmp(kw, "inclusion") == 0 ? &incl[nincl++]
                                                  : &cons[ncons++];
            assert_true(strcmp(kw, "inclusion") == 0 ||
                        strcmp(kw, "consistency") == 0);
            v->a = strtoull(strtok_r(NULL, " ", &save), NULL, 10);
            v->b = strtoull(strtok_r(NULL, " ", &save), NULL, 10);
            char *h;
            while ((h = strtok_r(NULL, " ", &save)) != NULL)
                hexbytes(h, v->h[v->n++], 32);
        }
    }
    fclose(f);
    assert_int_equal(nleaves, 8);
    assert_int_equal(nroots, 9);
    assert_true(nincl >= 5 && ncons >= 5);
}

/* Leaf source over the 8 reference leaves. */
static rn_code ref_source(void *ctx, uint64_t start, uint64_t n, rn_hash *out)
{
    (void)ctx;
    for (uint64_t i = 0; i < n; i++) {
        if (start + i >= nleaves)
            return RN_EINVAL;
        rn__merkle_leaf_hash(leaf_in[start + i], leaf_len[start + i], out[i]);
    }
    return RN_OK;
}

static void test_roots(void **state)
{
    (void)state;
    load_vectors();
    rn_frontier f;
    rn__frontier_init(&f);
    for (int size = 0; size <= 8; size++) {
        rn_hash r, r2;
        rn__frontier_root(&f, r);
        assert_memory_equal(r, roots[size], 32);
        assert_int_equal(rn__merkle_range_root(ref_source, NULL, 0,
                                               (uint64_t)size, r2), RN_OK);
        assert_memory_equal(r2, roots[size], 32);
        /* Saved and loaded frontiers give the same root. */
        uint8_t buf[64 * 32];
        size_t len = rn__frontier_save(&f, buf, sizeof buf);
        rn_frontier g;
        assert_int_equal(rn__frontier_load(&g, f.size, buf, len), RN_OK);
        rn__frontier_root(&g, r2);
        assert_memory_equal(r2, roots[size], 32);
        assert_int_not_equal(rn__frontier_load(&g, f.size, buf, len + 32),
                             RN_OK);
        if (size < 8) {
            rn_hash h;
            rn__merkle_leaf_hash(leaf_in[size], leaf_len[size], h);
            assert_int_equal(rn__frontier_append(&f, h), RN_OK);
        }
    }
}

static void test_inclusion_vectors(void **state)
{
    (void)state;
    load_vectors();
    for (size_t i = 0; i < nincl; i++) {
        vec *v = &incl[i];
        rn_hash proof[RN_PROOF_MAX], leaf;
        size_t n;
        assert_int_equal(rn__merkle_inclusion_proof(ref_source, NULL, v->a,
                                                    v->b, proof, &n), RN_OK);
        assert_int_equal(n, v->n);
        for (size_t k = 0; k < n; k++)
            assert_memory_equal(proof[k], v->h[k], 32);
        rn__merkle_leaf_hash(leaf_in[v->a], leaf_len[v->a], leaf);
        assert_int_equal(rn__merkle_verify_inclusion(v->a, v->b, leaf, v->h,
                                                     v->n, roots[v->b]), RN_OK);
        /* Corruptions (the probes of the reference test suite). */
        if (v->a > 0)
            assert_int_not_equal(rn__merkle_verify_inclusion(
                v->a - 1, v->b, leaf, v->h, v->n, roots[v->b]), RN_OK);
        assert_int_not_equal(rn__merkle_verify_inclusion(
            v->a + 1, v->b, leaf, v->h, v->n, roots[v->b]), RN_OK);
        assert_int_not_equal(rn__merkle_verify_inclusion(
            v->a, v->b * 2, leaf, v->h, v->n, roots[v->b]), RN_OK);
        assert_int_not_equal(rn__merkle_verify_inclusion(
            v->a, v->b, leaf, v->h, v->n, roots[0]), RN_OK);
        rn_hash bad[RN_PROOF_MAX + 1];
        memcpy(bad, v->h, v->n * 32);
        memcpy(bad[v->n], roots[v->b], 32);
        assert_int_not_equal(rn__merkle_verify_inclusion(
            v->a, v->b, leaf, bad, v->n + 1, roots[v->b]), RN_OK);
        for (size_t k = 0; k < v->n; k++) {
            memcpy(bad, v->h, v->n * 32);
            bad[k][0] ^= 8;
            assert_int_not_equal(rn__merkle_verify_inclusion(
                v->a, v->b, leaf, bad, v->n, roots[v->b]), RN_OK);
        }
        if (v->n > 0)
            assert_int_not_equal(rn__merkle_verify_inclusion(
                v->a, v->b, leaf, v->h, v->n - 1, roots[v->b]), RN_OK);
    }
    /* Out of range. */
    rn_hash h = {0};
    assert_int_not_equal(rn__merkle_verify_inclusion(0, 0, h, NULL, 0, h),
                         RN_OK);
    assert_int_not_equal(rn__merkle_verify_inclusion(2, 1, h, NULL, 0, h),
                         RN_OK);
}

static void test_consistency_vectors(void **state)
{
    (void)state;
    load_vectors();
    for (size_t i = 0; i < ncons; i++) {
        vec *v = &cons[i];
        rn_hash proof[RN_PROOF_MAX];
        size_t n;
        assert_int_equal(rn__merkle_consistency_proof(ref_source, NULL, v->a,
                                                      v->b, proof, &n), RN_OK);
        assert_int_equal(n, v->n);
        for (size_t k = 0; k < n; k++)
            assert_memory_equal(proof[k], v->h[k], 32);
        assert_int_equal(rn__merkle_verify_consistency(v->a, v->b, v->h, v->n,
                                                       roots[v->a],
                                                       roots[v->b]), RN_OK);
        if (v->n == 0)
            continue;
        assert_int_not_equal(rn__merkle_verify_consistency(
            v->a - 1, v->b, v->h, v->n, roots[v->a], roots[v->b]), RN_OK);
        assert_int_not_equal(rn__merkle_verify_consistency(
            v->a + 1, v->b, v->h, v->n, roots[v->a], roots[v->b]), RN_OK);
        assert_int_not_equal(rn__merkle_verify_consistency(
            v->a, v->b * 2, v->h, v->n, roots[v->a], roots[v->b]), RN_OK);
        assert_int_not_equal(rn__merkle_verify_consistency(
            v->a, v->b, v->h, v->n, roots[v->b], roots[v->a]), RN_OK);
        assert_int_not_equal(rn__merkle_verify_consistency(
            v->a, v->b, v->h, 0, roots[v->a], roots[v->b]), RN_OK);
        assert_int_not_equal(rn__merkle_verify_consistency(
            v->a, v->b, v->h, v->n - 1, roots[v->a], roots[v->b]), RN_OK);
        rn_hash bad[RN_PROOF_MAX + 1];
        for (size_t k = 0; k < v->n; k++) {
            memcpy(bad, v->h, v->n * 32);
            bad[k][0] ^= 16;
            assert_int_not_equal(rn__merkle_verify_consistency(
                v->a, v->b, bad, v->n, roots[v->a], roots[v->b]), RN_OK);
        }
        memcpy(bad, v->h, v->n * 32);
        memcpy(bad[v->n], roots[v->a], 32);
        assert_int_not_equal(rn__merkle_verify_consistency(
            v->a, v->b, bad, v->n + 1, roots[v->a], roots[v->b]), RN_OK);
    }
    /* Edge cases of the reference suite. */
    rn_hash r1 = {1}, r2 = {2};
    assert_int_not_equal(rn__merkle_verify_consistency(0, 0, NULL, 0, r1, r2),
                         RN_OK);
    assert_int_equal(rn__merkle_verify_consistency(0, 0, NULL, 0, r1, r1),
                     RN_OK);
    assert_int_equal(rn__merkle_verify_consistency(0, 1, NULL, 0, r1, r2),
                     RN_OK);
    assert_int_not_equal(rn__merkle_verify_consistency(1, 0, NULL, 0, r1, r2),
                         RN_OK);
    assert_int_not_equal(rn__merkle_verify_consistency(1, 2, NULL, 0, r1, r2),
                         RN_OK);
    assert_int_not_equal(rn__merkle_verify_consistency(0, 1, &r1, 1, r1, r1),
                         RN_OK);
}

/* Synthetic leaves: leaf i's hash is H(0x00 || le64(i)). */
static rn_code syn_source(void *ctx, uint64_t start, uint64_t n, rn_hash *out)
{
    (void)ctx;
    for (uint64_t i = 0; i < n; i++) {
        uint8_t b[8];
        for (int k = 0; k < 8; k++)
            b[k] = (uint8_t)((start + i) >> (8 * k));
        rn__merkle_leaf_hash(b, 8, out[i]);
    }
    return RN_OK;
}

static void test_all_small_trees(void **state)
{
    (void)state;
    enum { N = 70 };
    rn_hash root[N + 1], leaves[N];
    rn_frontier f;
    rn__frontier_init(&f);
    syn_source(NULL, 0, N, leaves);
    for (int i = 0; i <= N; i++) {
        rn__frontier_root(&f, root[i]);
        if (i < N)
            assert_int_equal(rn__frontier_append(&f, leaves[i]), RN_OK);
    }
    for (uint64_t size = 1; size <= N; size++) {
        for (uint64_t i = 0; i < size; i++) {
            rn_hash p[RN_PROOF_MAX];
            size_t n;
            assert_int_equal(rn__merkle_inclusion_proof(syn_source, NULL, i,
                                                        size, p, &n), RN_OK);
            assert_int_equal(rn__merkle_verify_inclusion(i, size, leaves[i], p,
                                                         n, root[size]), RN_OK);
            uint64_t other = (i + 1) % size;
            if (other != i)
                assert_int_not_equal(rn__merkle_verify_inclusion(
                    other, size, leaves[i], p, n, root[size]), RN_OK);
        }
        for (uint64_t s1 = 0; s1 <= size; s1++) {
            rn_hash p[RN_PROOF_MAX];
            size_t n;
            assert_int_equal(rn__merkle_consistency_proof(syn_source, NULL, s1,
                                                          size, p, &n), RN_OK);
            assert_int_equal(rn__merkle_verify_consistency(
                                 s1, size, p, n, root[s1], root[size]), RN_OK);
            if (s1 > 0 && s1 < size)
                assert_int_not_equal(rn__merkle_verify_consistency(
                    s1, size, p, n, root[s1 - 1], root[size]), RN_OK);
        }
    }
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roots),
        cmocka_unit_test(test_inclusion_vectors),
        cmocka_unit_test(test_consistency_vectors),
        cmocka_unit_test(test_all_small_trees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
