/* SPDX-License-Identifier: Apache-2.0
 *
 * sha256.c — the one SHA-256 the evidence log hashes with: entries (leaf
 * hashes), disclosures, tree nodes (merkle.c, disclose.c, log.c, tiles.c,
 * verify.c). The hashes are FIPS 180-4 SHA-256 whatever computes them; what
 * differs is the speed.
 *
 * Backend, chosen at build time:
 *   - OpenSSL's libcrypto (the default in libremnant): its assembly uses the
 *     CPU's SHA extensions (SHA-NI, ARMv8 SHA2) when there are any, about 4x
 *     libsodium's portable C on this project's machine (docs/BENCHMARKS.md).
 *     Through its SHA256_Init/Update/Final functions while libcrypto has
 *     them (deprecated since OpenSSL 3.0, not removed; they work on a
 *     caller's struct: no allocation, no provider lookup, ~25 ns less per
 *     hash than EVP at the log's sizes); otherwise (a libcrypto built
 *     without them) through EVP: the EVP_MD fetched once per process, one
 *     EVP_MD_CTX per thread, reused.
 *   - libsodium (crypto_hash_sha256) when RN_SHA256_SODIUM is defined (the
 *     standalone remnant-verify, which links libsodium alone), and at run
 *     time whenever libcrypto cannot give a SHA-256 (no provider loaded, an
 *     allocation failed): the same bytes, only slower.
 * tests/unit/test_ledger_sha256.c checks the two agree on random inputs and
 * the NIST vectors.
 *
 * Thread safety: every function may be called from any thread at once.
 */
#include <string.h>

#include <sodium.h>

#include "ledger/tlog.h"

#ifndef RN_SHA256_SODIUM
/* the low-level functions, deprecated in OpenSSL 3.0: used knowingly */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <pthread.h>

#include <openssl/evp.h>
#include <openssl/sha.h>
#if !defined(OPENSSL_NO_DEPRECATED_3_0) && !defined(OPENSSL_NO_DEPRECATED)
#define RN_SHA256_LOWLEVEL 1
#endif

static EVP_MD *sha_md; /* fetched once; NULL: use libsodium */
static pthread_once_t sha_once = PTHREAD_ONCE_INIT;
static pthread_key_t sha_key; /* the thread's EVP_MD_CTX, freed at its exit */
static int sha_key_ok;

static void ctx_free(void *p) { EVP_MD_CTX_free(p); }

static void sha_init(void)
{
    if (pthread_key_create(&sha_key, ctx_free) != 0)
        return;
    sha_key_ok = 1;
    sha_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

/* The calling thread's context, initialised for SHA-256; NULL when libcrypto
 * cannot give one (then the caller uses libsodium). */
static EVP_MD_CTX *ctx_get(void)
{
    (void)pthread_once(&sha_once, sha_init);
    if (!sha_md || !sha_key_ok)
        return NULL;
    EVP_MD_CTX *c = pthread_getspecific(sha_key);
    if (!c) {
        if (!(c = EVP_MD_CTX_new()))
            return NULL;
        if (pthread_setspecific(sha_key, c) != 0) {
            EVP_MD_CTX_free(c);
            return NULL;
        }
    }
    return EVP_DigestInit_ex2(c, sha_md, NULL) == 1 ? c : NULL;
}
#endif

void rn__sha256v(const rn_bytes *parts, size_t n, uint8_t out[RN_HASH_LEN])
{
#if defined(RN_SHA256_LOWLEVEL)
    SHA256_CTX s;
    int good = SHA256_Init(&s) == 1;
    for (size_t i = 0; i < n && good; i++)
        if (parts[i].len)
            good = SHA256_Update(&s, parts[i].p, parts[i].len) == 1;
    if (good && SHA256_Final(out, &s) == 1)
        return;
#endif
#ifndef RN_SHA256_SODIUM
    EVP_MD_CTX *c = ctx_get();
    if (c) {
        int ok = 1;
        for (size_t i = 0; i < n && ok; i++)
            if (parts[i].len)
                ok = EVP_DigestUpdate(c, parts[i].p, parts[i].len) == 1;
        unsigned int ol = 0;
        if (ok && EVP_DigestFinal_ex(c, out, &ol) == 1 && ol == RN_HASH_LEN)
            return;
    }
#endif
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    for (size_t i = 0; i < n; i++)
        if (parts[i].len)
            crypto_hash_sha256_update(&st, parts[i].p, parts[i].len);
    crypto_hash_sha256_final(&st, out);
}

void rn__sha256(const void *data, size_t len, uint8_t out[RN_HASH_LEN])
{
    rn_bytes b = {data, len};
    rn__sha256v(&b, 1, out);
}

const char *rn__sha256_backend(void)
{
#ifndef RN_SHA256_SODIUM
    if (ctx_get())
        return "openssl";
#endif
    return "libsodium";
}

/* Streaming: libcrypto's low-level context when the build has it, else
 * libsodium's (EVP would need an allocation per stream). */
#if defined(RN_SHA256_LOWLEVEL)
_Static_assert(sizeof(SHA256_CTX) <= sizeof(((rn__sha256_ctx *)0)->st), "SHA256_CTX fits");
#endif
_Static_assert(sizeof(crypto_hash_sha256_state) <= sizeof(((rn__sha256_ctx *)0)->st),
               "libsodium's state fits");

void rn__sha256_init(rn__sha256_ctx *c)
{
#if defined(RN_SHA256_LOWLEVEL)
    c->sodium = SHA256_Init((SHA256_CTX *)(void *)c->st) != 1;
#else
    c->sodium = 1;
#endif
    if (c->sodium)
        crypto_hash_sha256_init((crypto_hash_sha256_state *)(void *)c->st);
}

void rn__sha256_update(rn__sha256_ctx *c, const void *p, size_t n)
{
    if (!n)
        return;
#if defined(RN_SHA256_LOWLEVEL)
    if (!c->sodium) {
        /* SHA256_Update cannot fail on a valid context */
        (void)SHA256_Update((SHA256_CTX *)(void *)c->st, p, n);
        return;
    }
#endif
    crypto_hash_sha256_update((crypto_hash_sha256_state *)(void *)c->st, p,
                              (unsigned long long)n);
}

void rn__sha256_final(rn__sha256_ctx *c, uint8_t out[RN_HASH_LEN])
{
#if defined(RN_SHA256_LOWLEVEL)
    if (!c->sodium) {
        (void)SHA256_Final(out, (SHA256_CTX *)(void *)c->st);
        return;
    }
#endif
    crypto_hash_sha256_final((crypto_hash_sha256_state *)(void *)c->st, out);
}
