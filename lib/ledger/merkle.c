/* SPDX-License-Identifier: Apache-2.0
 *
 * merkle.c — RFC 9162 (and RFC 6962) Merkle tree hashing: leaf and node
 * hashes, the frontier that makes append O(log n), tree heads, inclusion
 * and consistency proof generation from a leaf-hash source or from stored
 * node hashes (tiles.c), and their verification (§2.1.3.2, §2.1.4.2).
 *
 * Pure: libsodium and SHA-256 (sha256.c) only (see tlog.h).
 */
#include <string.h>

#include <sodium.h>

#include "ledger/tlog.h"

void rn__merkle_leaf_hash(const void *data, size_t len, rn_hash out)
{
    static const uint8_t prefix = 0x00;
    rn_bytes parts[2] = {{&prefix, 1}, {data, len}};
    rn__sha256v(parts, 2, out);
}

void rn__merkle_node_hash(const rn_hash left, const rn_hash right, rn_hash out)
{
    uint8_t buf[1 + 2 * RN_HASH_LEN];
    buf[0] = 0x01;
    memcpy(buf + 1, left, RN_HASH_LEN);
    memcpy(buf + 1 + RN_HASH_LEN, right, RN_HASH_LEN);
    rn__sha256(buf, sizeof buf, out);
}

void rn__merkle_empty_root(rn_hash out) { rn__sha256(NULL, 0, out); }

/* ---- frontier ------------------------------------------------------------ */

void rn__frontier_init(rn_frontier *f) { memset(f, 0, sizeof *f); }

rn_code rn__frontier_append(rn_frontier *f, const rn_hash leaf)
{
    if (f->size >= (UINT64_C(1) << 63))
        return RN_ELIMIT;
    rn_hash carry;
    memcpy(carry, leaf, RN_HASH_LEN);
    unsigned level = 0;
    /* Each set low bit is a perfect subtree that the new leaf completes:
     * merge it into the carry, as binary addition carries a one. */
    while (f->size & (UINT64_C(1) << level)) {
        rn__merkle_node_hash(f->node[level], carry, carry);
        level++;
    }
    memcpy(f->node[level], carry, RN_HASH_LEN);
    f->size++;
    return RN_OK;
}

void rn__frontier_root(const rn_frontier *f, rn_hash out)
{
    if (f->size == 0) {
        rn__merkle_empty_root(out);
        return;
    }
    /* Fold from the smallest subtree (right-most) up to the largest. */
    int have = 0;
    rn_hash acc;
    for (unsigned level = 0; level < 64; level++) {
        if (!(f->size & (UINT64_C(1) << level)))
            continue;
        if (!have) {
            memcpy(acc, f->node[level], RN_HASH_LEN);
            have = 1;
        } else {
            rn__merkle_node_hash(f->node[level], acc, acc);
        }
    }
    memcpy(out, acc, RN_HASH_LEN);
}

static unsigned popcount64(uint64_t x)
{
    unsigned n = 0;
    while (x) {
        x &= x - 1;
        n++;
    }
    return n;
}

size_t rn__frontier_save(const rn_frontier *f, uint8_t *out, size_t cap)
{
    size_t need = (size_t)popcount64(f->size) * RN_HASH_LEN, off = 0;
    if (need > cap)
        return 0;
    for (int level = 63; level >= 0; level--)
        if (f->size & (UINT64_C(1) << level)) {
            memcpy(out + off, f->node[level], RN_HASH_LEN);
            off += RN_HASH_LEN;
        }
    return need;
}

rn_code rn__frontier_load(rn_frontier *f, uint64_t size, const uint8_t *in,
                          size_t len)
{
    if (size > (UINT64_C(1) << 63))
        return RN_EINPUT;
    if (len != (size_t)popcount64(size) * RN_HASH_LEN)
        return RN_EINPUT;
    rn__frontier_init(f);
    f->size = size;
    size_t off = 0;
    for (int level = 63; level >= 0; level--)
        if (size & (UINT64_C(1) << level)) {
            memcpy(f->node[level], in + off, RN_HASH_LEN);
            off += RN_HASH_LEN;
        }
    return RN_OK;
}

/* ---- proof generation ---------------------------------------------------- */

/* Largest power of two strictly less than n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
    uint64_t k = 1;
    while ((k << 1) < n)
        k <<= 1;
    return k;
}

#define RANGE_BATCH 1024

rn_code rn__merkle_range_root(rn_leaf_source src, void *ctx, uint64_t start,
                              uint64_t end, rn_hash out)
{
    if (end < start)
        return RN_EINVAL;
    if (end == start) {
        rn__merkle_empty_root(out);
        return RN_OK;
    }
    /* A frontier over the range gives MTH(D[start:end]): the tree shape of
     * RFC 9162 depends only on the number of leaves. */
    rn_frontier f;
    rn__frontier_init(&f);
    rn_hash batch[RANGE_BATCH];
    for (uint64_t i = start; i < end;) {
        uint64_t n = end - i < RANGE_BATCH ? end - i : RANGE_BATCH;
        rn_code rc = src(ctx, i, n, batch);
        if (rc != RN_OK)
            return rc;
        for (uint64_t j = 0; j < n; j++)
            (void)rn__frontier_append(&f, batch[j]);
        i += n;
    }
    rn__frontier_root(&f, out);
    return RN_OK;
}

/* The proof walkers below ask for MTH(D[start:end]) through one of these:
 * from leaf hashes (rn_leaf_source) or from stored node hashes
 * (rn_node_source, e.g. tiles). */
typedef rn_code (*range_root_fn)(const void *how, void *ctx, uint64_t start,
                                 uint64_t end, rn_hash out);

static rn_code leaf_range(const void *how, void *ctx, uint64_t start,
                          uint64_t end, rn_hash out)
{
    return rn__merkle_range_root(*(const rn_leaf_source *)how, ctx, start, end, out);
}

static rn_code node_range(const void *how, void *ctx, uint64_t start,
                          uint64_t end, rn_hash out)
{
    return rn__merkle_nodes_range_root(*(const rn_node_source *)how, ctx, start, end, out);
}

rn_code rn__merkle_nodes_range_root(rn_node_source src, void *ctx, uint64_t start,
                                    uint64_t end, rn_hash out)
{
    if (end < start)
        return RN_EINVAL;
    if (end == start) {
        rn__merkle_empty_root(out);
        return RN_OK;
    }
    /* [start, end) as maximal aligned perfect subtrees, largest first. The
     * proof walkers only ask for ranges whose start is a multiple of a power
     * of two >= end - start, so these are the binary expansion of the
     * length, and folding them from the right gives RFC 9162's MTH. */
    rn_hash part[64];
    size_t n = 0;
    uint64_t a = start;
    while (a < end) {
        unsigned h = 63;
        while (h > 0 && ((a & ((UINT64_C(1) << h) - 1)) != 0 ||
                         (UINT64_C(1) << h) > end - a))
            h--;
        if (n == 64)
            return RN_ELIMIT;
        rn_code rc = src(ctx, h, a >> h, part[n]);
        if (rc != RN_OK)
            return rc;
        n++;
        a += UINT64_C(1) << h;
    }
    for (size_t i = n - 1; i > 0; i--)
        rn__merkle_node_hash(part[i - 1], part[i], part[i - 1]);
    memcpy(out, part[0], RN_HASH_LEN);
    return RN_OK;
}

static rn_code inclusion_walk(range_root_fn rr, const void *how, void *ctx,
                              uint64_t index, uint64_t size,
                              rn_hash proof[RN_PROOF_MAX], size_t *n)
{
    *n = 0;
    if (index >= size)
        return RN_EINVAL;
    /* PATH(m, D[lo:hi]) walked from the top: each step adds the sibling
     * subtree's root; the proof lists them bottom-up, so fill from the top
     * and reverse at the end. */
    rn_hash top[RN_PROOF_MAX];
    size_t k = 0;
    uint64_t lo = 0, hi = size, m = index;
    while (hi - lo > 1) {
        if (k == RN_PROOF_MAX)
            return RN_ELIMIT;
        uint64_t split = split_point(hi - lo);
        rn_code rc;
        if (m < split) {
            rc = rr(how, ctx, lo + split, hi, top[k]);
            hi = lo + split;
        } else {
            rc = rr(how, ctx, lo, lo + split, top[k]);
            lo += split;
            m -= split;
        }
        if (rc != RN_OK)
            return rc;
        k++;
    }
    for (size_t i = 0; i < k; i++)
        memcpy(proof[i], top[k - 1 - i], RN_HASH_LEN);
    *n = k;
    return RN_OK;
}

static rn_code consistency_walk(range_root_fn rr, const void *how, void *ctx,
                                uint64_t size1, uint64_t size2,
                                rn_hash proof[RN_PROOF_MAX], size_t *n)
{
    *n = 0;
    if (size1 > size2)
        return RN_EINVAL;
    if (size1 == 0 || size1 == size2)
        return RN_OK; /* the empty proof */
    /* SUBPROOF(m, D[lo:hi], b) walked from the top, as above. */
    rn_hash top[RN_PROOF_MAX];
    size_t k = 0;
    uint64_t lo = 0, hi = size2, m = size1;
    int whole = 1; /* b: D[lo:lo+m] is the whole old tree */
    rn_code rc;
    while (m != hi - lo) {
        if (k == RN_PROOF_MAX)
            return RN_ELIMIT;
        uint64_t split = split_point(hi - lo);
        if (m <= split) {
            rc = rr(how, ctx, lo + split, hi, top[k]);
            hi = lo + split;
        } else {
            rc = rr(how, ctx, lo, lo + split, top[k]);
            lo += split;
            m -= split;
            whole = 0;
        }
        if (rc != RN_OK)
            return rc;
        k++;
    }
    if (!whole) {
        if (k == RN_PROOF_MAX)
            return RN_ELIMIT;
        rc = rr(how, ctx, lo, hi, top[k]);
        if (rc != RN_OK)
            return rc;
        k++;
    }
    for (size_t i = 0; i < k; i++)
        memcpy(proof[i], top[k - 1 - i], RN_HASH_LEN);
    *n = k;
    return RN_OK;
}

rn_code rn__merkle_inclusion_proof(rn_leaf_source src, void *ctx,
                                   uint64_t index, uint64_t size,
                                   rn_hash proof[RN_PROOF_MAX], size_t *n)
{
    return inclusion_walk(leaf_range, &src, ctx, index, size, proof, n);
}

rn_code rn__merkle_consistency_proof(rn_leaf_source src, void *ctx,
                                     uint64_t size1, uint64_t size2,
                                     rn_hash proof[RN_PROOF_MAX], size_t *n)
{
    return consistency_walk(leaf_range, &src, ctx, size1, size2, proof, n);
}

rn_code rn__merkle_inclusion_proof_nodes(rn_node_source src, void *ctx,
                                         uint64_t index, uint64_t size,
                                         rn_hash proof[RN_PROOF_MAX], size_t *n)
{
    return inclusion_walk(node_range, &src, ctx, index, size, proof, n);
}

rn_code rn__merkle_consistency_proof_nodes(rn_node_source src, void *ctx,
                                           uint64_t size1, uint64_t size2,
                                           rn_hash proof[RN_PROOF_MAX], size_t *n)
{
    return consistency_walk(node_range, &src, ctx, size1, size2, proof, n);
}

/* ---- proof verification -------------------------------------------------- */

rn_code rn__merkle_verify_inclusion(uint64_t index, uint64_t size,
                                    const rn_hash leaf, const rn_hash *proof,
                                    size_t n, const rn_hash root)
{
    if (index >= size || n > RN_PROOF_MAX)
        return RN_ECRYPTO;
    uint64_t fn = index, sn = size - 1;
    rn_hash r;
    memcpy(r, leaf, RN_HASH_LEN);
    for (size_t i = 0; i < n; i++) {
        if (sn == 0)
            return RN_ECRYPTO;
        if ((fn & 1) || fn == sn) {
            rn__merkle_node_hash(proof[i], r, r);
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            rn__merkle_node_hash(r, proof[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0)
        return RN_ECRYPTO;
    return sodium_memcmp(r, root, RN_HASH_LEN) == 0 ? RN_OK : RN_ECRYPTO;
}

rn_code rn__merkle_verify_consistency(uint64_t size1, uint64_t size2,
                                      const rn_hash *proof, size_t n,
                                      const rn_hash root1, const rn_hash root2)
{
    if (size1 > size2 || n > RN_PROOF_MAX)
        return RN_ECRYPTO;
    if (size1 == size2) {
        if (n != 0)
            return RN_ECRYPTO;
        return sodium_memcmp(root1, root2, RN_HASH_LEN) == 0 ? RN_OK
                                                             : RN_ECRYPTO;
    }
    if (size1 == 0)
        return n == 0 ? RN_OK : RN_ECRYPTO;
    if (n == 0)
        return RN_ECRYPTO;

    /* Step 1: if size1 is a power of two, the proof omits the old root. */
    const rn_hash *path = proof;
    size_t len = n;
    rn_hash first;
    size_t start = 0;
    if ((size1 & (size1 - 1)) == 0) {
        memcpy(first, root1, RN_HASH_LEN);
        start = 0; /* the virtual element is root1; path[0..) follows it */
    } else {
        memcpy(first, path[0], RN_HASH_LEN);
        start = 1;
    }
    uint64_t fn = size1 - 1, sn = size2 - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    rn_hash fr, sr;
    memcpy(fr, first, RN_HASH_LEN);
    memcpy(sr, first, RN_HASH_LEN);
    for (size_t i = start; i < len; i++) {
        if (sn == 0)
            return RN_ECRYPTO;
        if ((fn & 1) || fn == sn) {
            rn__merkle_node_hash(path[i], fr, fr);
            rn__merkle_node_hash(path[i], sr, sr);
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            rn__merkle_node_hash(sr, path[i], sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0)
        return RN_ECRYPTO;
    if (sodium_memcmp(fr, root1, RN_HASH_LEN) != 0 ||
        sodium_memcmp(sr, root2, RN_HASH_LEN) != 0)
        return RN_ECRYPTO;
    return RN_OK;
}
