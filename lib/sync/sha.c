/* SPDX-License-Identifier: Apache-2.0
 *
 * sha.c — SHA-256 for lib/sync's bulk hashing: the seal over every byte of
 * a package (hundreds of MB for a full sync), each entry's leaf hash, the
 * files. OpenSSL's libcrypto when the build has it (RN_HAVE_LIBCRYPTO: its
 * SHA-256 uses the CPU's SHA extensions, about 6x libsodium's portable code
 * on the development machine), else libsodium. The digest is the same
 * either way (tests/unit/test_sync_files.c compares them); a libcrypto call
 * that fails (out of memory) falls back to libsodium for that hash. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "sync/sync_int.h"

#ifdef RN_HAVE_LIBCRYPTO
#include <openssl/evp.h>
#endif

struct rn__sync_sha {
#ifdef RN_HAVE_LIBCRYPTO
    EVP_MD_CTX *ctx; /* NULL: libsodium */
#endif
    int mode;        /* 0 libcrypto, 1 libsodium, 2 failed part-way: no digest */
    crypto_hash_sha256_state s;
};

#ifdef RN_HAVE_LIBCRYPTO
static const EVP_MD *md(void)
{
    /* fetched once: EVP_sha256() would fetch the implementation on every
     * init (slow for a leaf of a few hundred bytes) */
    static EVP_MD *m;
    static int tried;
    if (!__atomic_load_n(&tried, __ATOMIC_ACQUIRE)) {
        EVP_MD *f = EVP_MD_fetch(NULL, "SHA256", NULL);
        EVP_MD *none = NULL;
        if (f && !__atomic_compare_exchange_n(&m, &none, f, 0, __ATOMIC_ACQ_REL,
                                              __ATOMIC_ACQUIRE))
            EVP_MD_free(f); /* another thread was first */
        __atomic_store_n(&tried, 1, __ATOMIC_RELEASE);
    }
    return __atomic_load_n(&m, __ATOMIC_ACQUIRE);
}
#endif

rn__sync_sha *rn__sync_sha_new(void)
{
    rn__sync_sha *h = calloc(1, sizeof *h);
#ifdef RN_HAVE_LIBCRYPTO
    if (h && md())
        h->ctx = EVP_MD_CTX_new();
#endif
    return h;
}

void rn__sync_sha_free(rn__sync_sha *h)
{
    if (!h)
        return;
#ifdef RN_HAVE_LIBCRYPTO
    EVP_MD_CTX_free(h->ctx);
#endif
    free(h);
}

void rn__sync_sha_init(rn__sync_sha *h)
{
    h->mode = 1;
#ifdef RN_HAVE_LIBCRYPTO
    if (h->ctx && EVP_DigestInit_ex2(h->ctx, md(), NULL) == 1)
        h->mode = 0;
#endif
    if (h->mode == 1)
        crypto_hash_sha256_init(&h->s);
}

void rn__sync_sha_update(rn__sync_sha *h, const void *p, size_t n)
{
#ifdef RN_HAVE_LIBCRYPTO
    if (h->mode == 0 && EVP_DigestUpdate(h->ctx, p, n) != 1)
        h->mode = 2;
#endif
    if (h->mode == 1)
        crypto_hash_sha256_update(&h->s, p, (unsigned long long)n);
}

int rn__sync_sha_final(rn__sync_sha *h, uint8_t out[32])
{
#ifdef RN_HAVE_LIBCRYPTO
    unsigned int len = 0;
    if (h->mode == 0)
        return EVP_DigestFinal_ex(h->ctx, out, &len) == 1 && len == 32 ? 0 : -1;
#endif
    if (h->mode != 1)
        return -1;
    crypto_hash_sha256_final(&h->s, out);
    return 0;
}

void rn__sync_sha256(uint8_t out[32], const void *p, size_t n)
{
#ifdef RN_HAVE_LIBCRYPTO
    unsigned int len = 0;
    const EVP_MD *m = md();
    if (m && EVP_Digest(p, n, out, &len, m, NULL) == 1 && len == 32)
        return;
#endif
    crypto_hash_sha256(out, p, (unsigned long long)n);
}
