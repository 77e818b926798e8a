/* SPDX-License-Identifier: Apache-2.0
 *
 * test_sync_package.c — the sync package parser (lib/sync/package.c, format
 * in docs/SYNC.md): a well-formed package gives its parts as slices; each
 * rule K1..K6 refuses its breach (a table of one-change variants of the
 * good package, each of which must fail). Signatures and trees are
 * import.c's and are tested end to end (tests/e2e/sync_*.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "sync/sync_int.h"

#define H64 "0000000000000000000000000000000000000000000000000000000000000000"
#define H64B "1111111111111111111111111111111111111111111111111111111111111111"
#define H64B_TAIL "111111111111111111111111111111111111111111111111111111111111111"
/* SHA-256("hello\n") and SHA-256("x") */
#define SHA_HELLO "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
#define SHA_X "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"

/* The good package, with FROM = 3 (two frontier hashes: popcount(3)). */
static const char good[] =
    "remnant-sync v1\n"
    "checkpoint 5\nNOTE!\n"
    "range 3 2\n" H64 "\n" H64B "\n"
    "consistency 3 5 1\n" H64 "\n"
    "entry 3 4\nbody\n"
    "disclosures 3 2 7\nd1\nd2xx\n"
    "via 3 2\n{}\n"
    "entry 4 5\nbody2\n"
    "blob " SHA_X " 1\nx\n"
    "blob " SHA_HELLO " 6\nhello\n\n"
    "seal 4\nSEAL\n"
    "end\n";

static rn_code parse(const char *s, size_t n, rn__sync_pkg *p)
{
    char msg[256];
    size_t where;
    return rn__sync_parse(s, n, p, msg, sizeof msg, &where);
}

static void test_good(void **state)
{
    (void)state;
    rn__sync_pkg p;
    assert_int_equal(parse(good, strlen(good), &p), RN_OK);
    assert_int_equal(p.note_len, 5);
    assert_memory_equal(p.note, "NOTE!", 5);
    assert_int_equal(p.from, 3);
    assert_int_equal(p.nfront, 2);
    assert_int_equal(p.front[1][0], 0x11);
    assert_true(p.has_cons);
    assert_int_equal(p.cons_size, 5);
    assert_int_equal(p.ncons, 1);
    assert_int_equal(p.ne, 2);
    assert_int_equal(p.e[0].seq, 3);
    assert_memory_equal(p.e[0].body, "body", 4);
    assert_int_equal(p.e[0].ndisc, 2);
    assert_memory_equal(p.e[0].disc, "d1\nd2xx", 7);
    assert_int_equal(p.e[0].vlen, 2);
    assert_null(p.e[1].disc);
    assert_null(p.e[1].via);
    assert_int_equal(p.nb, 2);
    assert_string_equal(p.b[1].sha, SHA_HELLO);
    assert_int_equal(p.b[1].len, 6);
    assert_int_equal(p.seal_len, 4);
    /* the seal covers every byte before its header */
    assert_int_equal(p.sealed, (size_t)(strstr(good, "seal 4") - good));
    rn__sync_pkg_free(&p);
}

static void test_from_zero(void **state)
{
    (void)state;
    static const char s[] = "remnant-sync v1\ncheckpoint 1\nN\nrange 0 0\n"
                            "entry 0 1\nb\nseal 1\nS\nend\n";
    rn__sync_pkg p;
    assert_int_equal(parse(s, strlen(s), &p), RN_OK);
    assert_int_equal(p.from, 0);
    assert_false(p.has_cons);
    assert_int_equal(p.ne, 1);
    rn__sync_pkg_free(&p);
}

/* One replacement of `from` by `to` in the good package must be refused. */
static const struct {
    const char *rule, *from, *to;
} bad[] = {
    {"K1 magic", "remnant-sync v1", "remnant-sync v2"},
    {"K1 magic", "remnant-sync v1\n", "remnant-sync  v1\n"},
    {"K1 checkpoint first", "checkpoint 5", "checkpoints 5"},
    {"K1 no seal", "seal 4\nSEAL\n", ""},
    {"K1 after end", "end\n", "end\nx"},
    {"K1 end missing", "end\n", ""},
    {"K1 consistency missing", "consistency 3 5 1\n" H64 "\n", ""},
    {"K1 something after the seal", "seal 4\nSEAL\n", "seal 4\nSEAL\nentry 5 1\nb\n"},
    {"K1 unknown section", "entry 4 5\nbody2\n", "entry 4 5\nbody2\nextra 1\nx\n"},
    {"K1 entry after blob", "seal 4", "entry 5 1\nb\nseal 4"},
    {"K2 leading zero", "entry 3 4", "entry 03 4"},
    {"K2 trailing space", "range 3 2\n", "range 3 2 \n"},
    {"K2 size too big", "entry 4 5\nbody2", "entry 4 6\nbody2"},
    {"K2 size too small", "entry 4 5\nbody2", "entry 4 4\nbody2"},
    {"K2 negative", "entry 3 4", "entry -3 4"},
    {"K2 control char", "range 3 2", "range\t3 2"},
    {"K3 gap", "entry 4 5", "entry 5 5"},
    {"K3 first not FROM", "entry 3 4", "entry 2 4"},
    {"K3 disclosures of another", "disclosures 3 2 7", "disclosures 4 2 7"},
    {"K3 via of another", "via 3 2", "via 4 2"},
    {"K3 disclosures after via", "disclosures 3 2 7\nd1\nd2xx\nvia 3 2\n{}\n",
     "via 3 2\n{}\ndisclosures 3 2 7\nd1\nd2xx\n"},
    {"K4 frontier count", "range 3 2\n" H64 "\n" H64B "\n", "range 3 1\n" H64 "\n"},
    {"K4 consistency FROM", "consistency 3 5 1", "consistency 2 5 1"},
    {"K5 blob hash", "blob " SHA_X " 1\nx\n", "blob " SHA_X " 1\ny\n"},
    {"K5 blob order", "blob " SHA_X " 1\nx\nblob " SHA_HELLO " 6\nhello\n\n",
     "blob " SHA_HELLO " 6\nhello\n\nblob " SHA_X " 1\nx\n"},
    {"K5 blob twice", "blob " SHA_HELLO " 6\nhello\n\n",
     "blob " SHA_HELLO " 6\nhello\n\nblob " SHA_HELLO " 6\nhello\n\n"},
    {"K5 blob name upper case", "blob " SHA_X, "blob 2D711642B726B04401627CA9FBAC32F5C8530FB1903CC4DB02258717921A4881"},
    {"K6 hash line", H64B "\n", "1111\n"},
};

static void test_bad(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *at = strstr(good, bad[i].from);
        assert_non_null(at);
        size_t pre = (size_t)(at - good), fl = strlen(bad[i].from), tl = strlen(bad[i].to);
        size_t n = strlen(good) - fl + tl;
        char *s = malloc(n + 1);
        assert_non_null(s);
        memcpy(s, good, pre);
        memcpy(s + pre, bad[i].to, tl);
        memcpy(s + pre + tl, at + fl, strlen(at + fl) + 1);
        rn__sync_pkg p;
        rn_code rc = parse(s, n, &p);
        if (rc == RN_OK)
            fail_msg("accepted a package breaking %s", bad[i].rule);
        assert_null(p.e);
        free(s);
    }
}

/* Every prefix of the good package is refused (cut short anywhere). */
static void test_prefixes(void **state)
{
    (void)state;
    size_t n = strlen(good);
    for (size_t k = 0; k < n; k++) {
        char *s = malloc(k ? k : 1);
        assert_non_null(s);
        memcpy(s, good, k);
        rn__sync_pkg p;
        assert_int_not_equal(parse(s, k, &p), RN_OK);
        free(s);
    }
}

/* K8: a public package: some entries, each with its inclusion proof. */
static const char good_public[] =
    "remnant-sync v1 public\n"
    "checkpoint 5\nNOTE!\n"
    "consistency 4 9 1\n" H64 "\n"
    "entry 2 4\nbody\n"
    "disclosures 2 1 2\nd1\n"
    "proof 2 2\n" H64 "\n" H64B "\n"
    "entry 7 5\nbody2\n"
    "proof 7 0\n"
    "public 7 2\n{}\n"
    "public 2 3\n{ }\n"
    "seal 4\nSEAL\n"
    "end\n";

static void test_public(void **state)
{
    (void)state;
    rn__sync_pkg p;
    assert_int_equal(parse(good_public, strlen(good_public), &p), RN_OK);
    assert_true(p.public_mode);
    assert_int_equal(p.from, 4);
    assert_int_equal(p.ne, 2);
    assert_true(p.e[0].has_proof);
    assert_int_equal(p.e[0].nproof, 2);
    rn_hash proof[RN_PROOF_MAX];
    memset(proof, 0xee, sizeof proof);
    rn__sync_entry_proof(&p.e[0], proof); /* the two hash lines, in order */
    for (size_t k = 0; k < RN_HASH_LEN; k++) {
        assert_int_equal(proof[0][k], 0x00);
        assert_int_equal(proof[1][k], 0x11);
    }
    assert_int_equal(proof[2][0], 0xee);
    assert_true(p.e[1].has_proof);
    assert_int_equal(p.e[1].nproof, 0);
    assert_int_equal(p.npub, 2);
    assert_int_equal(p.pub[0].seq, 7); /* the order to apply, as given */
    rn__sync_pkg_free(&p);
    static const struct {
        const char *rule, *from, *to;
    } badp[] = {
        {"K8 no proof", "proof 7 0\n", ""},
        {"K8 proof of another", "proof 7 0", "proof 2 0"},
        {"K8 entries decreasing", "entry 7 5", "entry 1 5"},
        {"K8 disclosures after the proof", "disclosures 2 1 2\nd1\nproof 2 2\n" H64 "\n" H64B "\n",
         "proof 2 2\n" H64 "\n" H64B "\ndisclosures 2 1 2\nd1\n"},
        {"K8 via in a public package", "proof 7 0\n", "proof 7 0\nvia 7 2\n{}\n"},
        {"K8 a range", "consistency 4", "range 4 1\n" H64 "\nconsistency 4"},
        {"K7 public names no entry", "public 7 2", "public 6 2"},
        {"K7 public after a blob", "seal 4", "blob " SHA_X " 1\nx\npublic 2 3\n{ }\nseal 4"},
        {"K1 magic", "v1 public", "v1 private"},
    };
    for (size_t i = 0; i < sizeof badp / sizeof badp[0]; i++) {
        const char *at = strstr(good_public, badp[i].from);
        assert_non_null(at);
        size_t pre = (size_t)(at - good_public), fl = strlen(badp[i].from);
        size_t tl = strlen(badp[i].to), n = strlen(good_public) - fl + tl;
        char *b = malloc(n + 1);
        assert_non_null(b);
        memcpy(b, good_public, pre);
        memcpy(b + pre, badp[i].to, tl);
        memcpy(b + pre + tl, at + fl, strlen(at + fl) + 1);
        if (parse(b, n, &p) == RN_OK)
            fail_msg("accepted a public package breaking %s", badp[i].rule);
        free(b);
    }
}

/* blobs.c B2: the walk over a package cut at every byte reports exactly
 * the blobs that arrived whole (with the newline after them), in order,
 * and never one whose bytes do not hash to its name. */
typedef struct seen_blobs {
    size_t n;
    char sha[2][65];
} seen_blobs;

static rn_code count_blob(void *ctx, const rn__sync_blob *b)
{
    seen_blobs *x = ctx;
    assert_true(x->n < 2);
    memcpy(x->sha[x->n++], b->sha, 65);
    return RN_OK;
}

/* K5: files (named, not carried) and blobs in one increasing SHA-256 order;
 * the blob walk steps over a file. */
static void test_files(void **state)
{
    (void)state;
    static const char pkg[] =
        "remnant-sync v1\n"
        "checkpoint 5\nNOTE!\n"
        "range 0 0\n"
        "entry 0 4\nbody\n"
        "file " H64B " 4294967296\n"
        "file " SHA_X " 1\n"
        "blob " SHA_HELLO " 6\nhello\n\n"
        "seal 4\nSEAL\n"
        "end\n";
    rn__sync_pkg p;
    assert_int_equal(parse(pkg, strlen(pkg), &p), RN_OK);
    assert_int_equal(p.nf, 2);
    assert_int_equal(p.nb, 1);
    assert_string_equal(p.f[1].sha, SHA_X);
    assert_int_equal(p.f[0].len, 1ull << 32);
    rn__sync_pkg_free(&p);
    static const struct { const char *from, *to; } badf[] = {
        {"file " SHA_X " 1", "file 0" H64B_TAIL " 1"},       /* order */
        {"file " SHA_X " 1", "file " H64B " 1"},             /* twice */
        {"file " H64B " 4294967296", "file " H64B " 4294967297"}, /* too large */
        {"file " SHA_X " 1", "file " SHA_X " 01"},           /* a leading zero */
        {"file " SHA_X " 1", "file " SHA_X},                 /* no size */
        {"blob " SHA_HELLO, "blob " H64},                    /* a blob before a file */
    };
    for (size_t i = 0; i < sizeof badf / sizeof badf[0]; i++) {
        const char *at = strstr(pkg, badf[i].from);
        assert_non_null(at);
        size_t pre = (size_t)(at - pkg), fl = strlen(badf[i].from), tl = strlen(badf[i].to);
        char s[1024];
        memcpy(s, pkg, pre);
        memcpy(s + pre, badf[i].to, tl);
        memcpy(s + pre + tl, at + fl, strlen(at + fl) + 1);
        if (parse(s, strlen(s), &p) == RN_OK)
            fail_msg("accepted bad file line %zu", i);
    }
    seen_blobs nb;
    memset(&nb, 0, sizeof nb);
    assert_int_equal(rn__sync_blob_walk(pkg, strlen(pkg), count_blob, &nb), RN_OK);
    assert_int_equal(nb.n, 1);
    assert_string_equal(nb.sha[0], SHA_HELLO);
}

static void test_blob_walk(void **state)
{
    (void)state;
    size_t len = strlen(good);
    const char *bx = strstr(good, "blob " SHA_X);
    const char *bh = strstr(good, "blob " SHA_HELLO);
    /* the end of each blob's bytes and its newline */
    size_t ex = (size_t)(bx - good) + strlen("blob " SHA_X " 1\n") + 1 + 1;
    size_t eh = (size_t)(bh - good) + strlen("blob " SHA_HELLO " 6\n") + 6 + 1;
    for (size_t cut = 0; cut <= len; cut++) {
        seen_blobs x = {0};
        assert_int_equal(rn__sync_blob_walk(good, cut, count_blob, &x), RN_OK);
        assert_int_equal(x.n, (size_t)(cut >= ex) + (size_t)(cut >= eh));
        if (x.n > 0)
            assert_string_equal(x.sha[0], SHA_X);
        if (x.n > 1)
            assert_string_equal(x.sha[1], SHA_HELLO);
    }
    /* a changed byte in a blob: not reported; the walk goes on past it */
    char *changed = strdup(good);
    assert_non_null(changed);
    changed[ex - 2] = 'y';
    seen_blobs x = {0};
    assert_int_equal(rn__sync_blob_walk(changed, len, count_blob, &x), RN_OK);
    assert_int_equal(x.n, 1);
    assert_string_equal(x.sha[0], SHA_HELLO);
    free(changed);
    /* not a package: nothing */
    seen_blobs y = {0};
    assert_int_equal(rn__sync_blob_walk("blob " SHA_X " 1\nx\n", 72, count_blob, &y), RN_OK);
    assert_int_equal(y.n, 0);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_from_zero),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_prefixes),
        cmocka_unit_test(test_public),
        cmocka_unit_test(test_blob_walk),
        cmocka_unit_test(test_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
