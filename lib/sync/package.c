/* SPDX-License-Identifier: Apache-2.0
 *
 * package.c — the sync package format (docs/SYNC.md): a strict parser into
 * slices of the caller's bytes. Pure: libsodium (SHA-256 of blobs) and the
 * C library; no database. Signatures, trees and records are import.c's.
 *
 * Invariants of a parsed package (tests cite them as K1..K6):
 *  K1. The first line is exactly "remnant-sync v1"; then `checkpoint`,
 *      `range`, `consistency` (exactly when FROM > 0), entries, blobs, one
 *      `seal` (the signed note over every byte before it), `end`, and
 *      nothing after `end`.
 *  K2. Every header line is ASCII words split by single spaces, at most
 *      1024 bytes; numbers are decimal without sign or leading zeros; every
 *      payload is exactly its stated size followed by one newline.
 *  K3. Entries are the indexes FROM, FROM+1, ... without gaps; each
 *      entry's `disclosures` and `via` sections (optional) name its index.
 *  K4. `range FROM N`: N = the number of bits set in FROM (the frontier).
 *  K5. Blobs and files (`file SHA256 LEN`: named, not carried) come in one
 *      strictly increasing SHA-256 order (so none twice) and each blob's
 *      bytes hash to its name.
 *  K6. Hash lines are 64 lower-case hex digits and a newline.
 *  K7. `public SEQ LEN` sections (a public package) come after the entries
 *      and before the blobs; SEQ names an entry of the package.
 *  K8. A public package ("remnant-sync v1 public") has no `range`: its
 *      `consistency` (optional: when FROM > 0) gives FROM; its entries come
 *      in strictly increasing SEQ, each with `proof SEQ N` (its inclusion
 *      proof, after its disclosures), and carry no `via`.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync/sync_int.h"

typedef struct cur {
    const char *s;
    size_t len, pos;
    char *msg;
    size_t cap;
    size_t *where;
} cur;

static rn_code bad(cur *c, const char *fmt, const char *what)
{
    snprintf(c->msg, c->cap, fmt, what);
    if (c->where)
        *c->where = c->pos;
    return RN_EINPUT;
}

/* Next header line of printable tokens, split into at most 6; the position
 * moves only past a well-formed, non-empty line. */
static int header(cur *c, const char **tok, size_t *tlen, size_t *got)
{
    size_t pos = c->pos;
    *got = 0;
    if (pos < c->len && c->s[pos] == '\n')
        return 0; /* an empty line */
    if (!rn__header_tokens(c->s, c->len, &pos, 1, tok, tlen, 6, got))
        return 0;
    c->pos = pos;
    return 1;
}

/* A decimal number token (at most INT64_MAX). */
static int num(const char *s, size_t len, uint64_t *out)
{
    return rn__tok_u64(s, len, INT64_MAX, out);
}

static int payload(cur *c, uint64_t n, const char **p)
{
    if (n > c->len - c->pos || c->len - c->pos - n < 1 || c->s[c->pos + n] != '\n')
        return 0;
    *p = c->s + c->pos;
    c->pos += (size_t)n + 1;
    return 1;
}

static int hexlow(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* K6: n hash lines into out. */
static int hashes(cur *c, size_t n, rn_hash *out)
{
    for (size_t i = 0; i < n; i++) {
        if (c->len - c->pos < 65 || c->s[c->pos + 64] != '\n' || !hexlow(c->s + c->pos, 64) ||
            rn__hex_decode(c->s + c->pos, 64, out[i], RN_HASH_LEN) != RN_OK)
            return 0;
        c->pos += 65;
    }
    return 1;
}

static int popcount(uint64_t v)
{
    int n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

void rn__sync_entry_proof(const rn__sync_entry *e, rn_hash *out)
{
    /* the parser checked every line (K6): a failure here cannot happen, and
     * would give a zero hash that no proof verifies with */
    for (size_t i = 0; i < e->nproof && i < RN_PROOF_MAX; i++)
        if (rn__hex_decode(e->proof + 65 * i, 64, out[i], RN_HASH_LEN) != RN_OK)
            memset(out[i], 0, RN_HASH_LEN);
}

void rn__sync_pkg_free(rn__sync_pkg *p)
{
    if (!p)
        return;
    free(p->e);
    free(p->b);
    free(p->pub);
    free(p->f);
    p->e = NULL;
    p->b = NULL;
    p->pub = NULL;
    p->f = NULL;
    p->ne = p->nb = p->npub = p->nf = 0;
}

/* Room for one more element of size `sz` in *v (n used of *cap, doubling
 * from `first`). 0, or -1 out of memory (*v unchanged). */
static int grow(void *v, size_t *cap, size_t n, size_t sz, size_t first)
{
    void **pv = v;
    if (n < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : first;
    void *nv = realloc(*pv, nc * sz);
    if (!nv)
        return -1;
    *pv = nv;
    *cap = nc;
    return 0;
}

rn_code rn__sync_parse(const char *data, size_t len, rn__sync_pkg *out, char *msgbuf,
                       size_t msgcap, size_t *where)
{
    cur c = {data, len, 0, msgbuf, msgcap, where};
    const char *tok[6];
    size_t tl[6], nt;
    size_t ecap = 0, bcap = 0, pcap = 0, fcap = 0;
    char last[64];            /* the last blob's or file's SHA-256 (K5) */
    int has_last = 0;
    uint64_t n, m, k;
    rn_code rc = RN_OK;
    memset(out, 0, sizeof *out);
    msgbuf[0] = '\0';
    if (where)
        *where = 0;
    /* K1, K8 */
    if (!header(&c, tok, tl, &nt) || (nt != 2 && nt != 3) ||
        !rn__tok_is(tok[0], tl[0], "remnant-sync") || !rn__tok_is(tok[1], tl[1], "v1") ||
        (nt == 3 && !rn__tok_is(tok[2], tl[2], "public")))
        return bad(&c, "%s", "not a sync package: the first line must be 'remnant-sync v1' "
                   "or 'remnant-sync v1 public'");
    out->public_mode = nt == 3;
    if (!header(&c, tok, tl, &nt) || nt != 2 || !rn__tok_is(tok[0], tl[0], "checkpoint") ||
        !num(tok[1], tl[1], &n) || n > RN_NOTE_MAX || !payload(&c, n, &out->note))
        return bad(&c, "%s", "expected 'checkpoint LEN' and the signed checkpoint note");
    out->note_len = (size_t)n;
    /* K4 */
    size_t save = c.pos;
    if (out->public_mode) {
        if (header(&c, tok, tl, &nt) && nt == 4 && rn__tok_is(tok[0], tl[0], "consistency") &&
            num(tok[1], tl[1], &out->from) && out->from > 0) {
            c.pos = save; /* read below */
        } else {
            c.pos = save;
            out->from = 0;
        }
    } else if (!header(&c, tok, tl, &nt) || nt != 3 || !rn__tok_is(tok[0], tl[0], "range") ||
        !num(tok[1], tl[1], &out->from) || !num(tok[2], tl[2], &n) ||
        n != (uint64_t)popcount(out->from) || !hashes(&c, (size_t)n, out->front))
        return bad(&c, "%s", "expected 'range FROM N' and the N frontier hashes of FROM");
    else
        out->nfront = (size_t)n;
    if (out->from > 0) {
        if (!header(&c, tok, tl, &nt) || nt != 4 || !rn__tok_is(tok[0], tl[0], "consistency") ||
            !num(tok[1], tl[1], &m) || m != out->from || !num(tok[2], tl[2], &out->cons_size) ||
            out->cons_size < out->from || !num(tok[3], tl[3], &n) || n > RN_PROOF_MAX ||
            !hashes(&c, (size_t)n, out->cons))
            return bad(&c, "%s", "expected 'consistency FROM SIZE N' and N proof hashes");
        out->has_cons = 1;
        out->ncons = (size_t)n;
    }
    for (;;) {
        size_t at = c.pos;
        if (!header(&c, tok, tl, &nt))
            return rn__sync_pkg_free(out), bad(&c, "%s", "a section header is malformed");
        if (nt == 1 && rn__tok_is(tok[0], tl[0], "end")) {
            if (!out->seal)
                return rn__sync_pkg_free(out), bad(&c, "%s", "the package has no seal");
            if (c.pos != c.len)
                return rn__sync_pkg_free(out), bad(&c, "%s", "bytes after 'end'");
            return RN_OK;
        }
        if (out->seal)
            return rn__sync_pkg_free(out), bad(&c, "%s", "only 'end' may follow the seal");
        if (nt == 2 && rn__tok_is(tok[0], tl[0], "seal")) {
            if (out->public_mode && (out->npub == 0 || !out->e[out->ne - 1].has_proof) &&
                out->ne)
                return rn__sync_pkg_free(out), bad(&c, "%s", "an entry without its proof");
            if (!num(tok[1], tl[1], &n) || n == 0 || n > RN_NOTE_MAX ||
                !payload(&c, n, &out->seal))
                return rn__sync_pkg_free(out), bad(&c, "%s", "expected 'seal LEN' and a note");
            out->seal_len = (size_t)n;
            out->sealed = at;
            continue;
        }
        if (nt == 3 && rn__tok_is(tok[0], tl[0], "entry")) {
            /* K3 */
            if (out->nb || out->npub)
                return rn__sync_pkg_free(out), bad(&c, "%s", "an entry after a blob or a "
                                                   "public record");
            if (!num(tok[1], tl[1], &n) ||
                (!out->public_mode && n != out->from + out->ne) ||
                (out->public_mode && out->ne && n <= out->e[out->ne - 1].seq))
                return rn__sync_pkg_free(out),
                       bad(&c, "%s", "entries must follow each other from FROM, without gaps "
                           "(in a public package: in increasing order)");
            if (out->public_mode && out->ne && !out->e[out->ne - 1].has_proof)
                return rn__sync_pkg_free(out), bad(&c, "%s", "an entry without its proof");
            if (out->ne >= RN_SYNC_MAX_ENTRIES)
                return rn__sync_pkg_free(out), bad(&c, "%s", "too many entries");
            if (!num(tok[2], tl[2], &m) || m == 0 || m > RN_ENTRY_MAX)
                return rn__sync_pkg_free(out), bad(&c, "%s", "an entry's size is out of range");
            if (grow(&out->e, &ecap, out->ne, sizeof *out->e, 64))
                goto nomem;
            rn__sync_entry *e = &out->e[out->ne];
            memset(e, 0, sizeof *e);
            e->seq = n;
            if (!payload(&c, m, &e->body))
                return rn__sync_pkg_free(out), bad(&c, "%s", "an entry is cut short");
            e->blen = (size_t)m;
            out->ne++;
            continue;
        }
        if (nt == 3 && rn__tok_is(tok[0], tl[0], "proof")) {
            /* K8 */
            rn__sync_entry *e = out->ne && !out->npub ? &out->e[out->ne - 1] : NULL;
            rn_hash proof[RN_PROOF_MAX];
            const char *lines = c.s + c.pos;
            if (!out->public_mode || !e || e->has_proof || !num(tok[1], tl[1], &n) ||
                n != e->seq || !num(tok[2], tl[2], &m) || m > RN_PROOF_MAX ||
                !hashes(&c, (size_t)m, proof))
                return rn__sync_pkg_free(out),
                       bad(&c, "%s", "'proof SEQ N' must follow its entry in a public package");
            e->proof = lines;
            e->nproof = (size_t)m;
            e->has_proof = 1;
            continue;
        }
        if (nt == 3 && rn__tok_is(tok[0], tl[0], "public")) {
            /* K7 */
            if (out->public_mode && out->ne && !out->npub && !out->e[out->ne - 1].has_proof)
                return rn__sync_pkg_free(out), bad(&c, "%s", "an entry without its proof");
            size_t idx = 0;
            int found = 0;
            if (num(tok[1], tl[1], &n)) {
                if (!out->public_mode && n >= out->from && n - out->from < out->ne) {
                    idx = (size_t)(n - out->from);
                    found = 1;
                }
                for (size_t lo = 0, hi = out->ne; out->public_mode && lo < hi;) {
                    size_t mid = (lo + hi) / 2;
                    if (out->e[mid].seq == n) {
                        idx = mid;
                        found = 1;
                        break;
                    }
                    if (out->e[mid].seq < n)
                        lo = mid + 1;
                    else
                        hi = mid;
                }
            }
            (void)idx;
            if (out->nb || !found || !num(tok[2], tl[2], &m) || m == 0 || m > RN_ENTRY_MAX)
                return rn__sync_pkg_free(out),
                       bad(&c, "%s", "'public SEQ LEN' must name an entry, before the blobs");
            if (grow(&out->pub, &pcap, out->npub, sizeof *out->pub, 64))
                goto nomem;
            rn__sync_pub *pb = &out->pub[out->npub];
            pb->seq = n;
            pb->len = (size_t)m;
            if (!payload(&c, m, &pb->json))
                return rn__sync_pkg_free(out), bad(&c, "%s", "a public record is cut short");
            out->npub++;
            continue;
        }
        if (nt == 4 && rn__tok_is(tok[0], tl[0], "disclosures")) {
            rn__sync_entry *e = out->ne && !out->npub ? &out->e[out->ne - 1] : NULL;
            if (!e || !num(tok[1], tl[1], &n) || n != e->seq || e->disc || e->via || e->has_proof ||
                !num(tok[2], tl[2], &m) || m == 0 || m > RN_ENTRY_MAX_DIGESTS ||
                !num(tok[3], tl[3], &k) || k > RN_ENTRY_MAX || !payload(&c, k, &e->disc))
                return rn__sync_pkg_free(out),
                       bad(&c, "%s", "'disclosures SEQ N LEN' must follow its entry, once");
            e->dlen = (size_t)k;
            e->ndisc = (size_t)m;
            continue;
        }
        if (nt == 3 && rn__tok_is(tok[0], tl[0], "via")) {
            rn__sync_entry *e = out->ne && !out->npub ? &out->e[out->ne - 1] : NULL;
            if (!e || out->public_mode || !num(tok[1], tl[1], &n) || n != e->seq || e->via ||
                !num(tok[2], tl[2], &m) || m == 0 || m > RN_SYNC_VIA_MAX ||
                !payload(&c, m, &e->via))
                return rn__sync_pkg_free(out),
                       bad(&c, "%s", "'via SEQ LEN' must follow its entry, once");
            e->vlen = (size_t)m;
            continue;
        }
        if (out->public_mode && out->ne && !out->npub && !out->e[out->ne - 1].has_proof)
            return rn__sync_pkg_free(out), bad(&c, "%s", "an entry without its proof");
        if (nt == 3 && rn__tok_is(tok[0], tl[0], "blob")) {
            /* K5 */
            if (tl[1] != 64 || !hexlow(tok[1], 64) || !num(tok[2], tl[2], &m) ||
                m > RN_SYNC_BLOB_MAX)
                return rn__sync_pkg_free(out), bad(&c, "%s", "expected 'blob SHA256 LEN'");
            if (has_last && memcmp(last, tok[1], 64) >= 0)
                return rn__sync_pkg_free(out),
                       bad(&c, "%s", "blobs must come in increasing SHA-256 order, each once");
            if (grow(&out->b, &bcap, out->nb, sizeof *out->b, 16))
                goto nomem;
            rn__sync_blob *b = &out->b[out->nb];
            memcpy(b->sha, tok[1], 64);
            b->sha[64] = '\0';
            b->len = m;
            if (!payload(&c, m, &b->data))
                return rn__sync_pkg_free(out), bad(&c, "%s", "a blob is cut short");
            uint8_t h[32];
            char hex[65];
            rn__sha256(b->data, (size_t)m, h);
            rn__hex_encode(h, 32, hex);
            if (memcmp(hex, b->sha, 64) != 0) {
                c.pos = at;
                return rn__sync_pkg_free(out),
                       bad(&c, "%s", "a blob's bytes do not hash to its SHA-256");
            }
            out->nb++;
            memcpy(last, b->sha, 64);
            has_last = 1;
            continue;
        }
        if (nt == 3 && rn__tok_is(tok[0], tl[0], "file")) {
            /* K5: a file named, not carried */
            if (tl[1] != 64 || !hexlow(tok[1], 64) || !num(tok[2], tl[2], &m) ||
                m > RN_SYNC_BLOB_MAX)
                return rn__sync_pkg_free(out), bad(&c, "%s", "expected 'file SHA256 LEN'");
            if (has_last && memcmp(last, tok[1], 64) >= 0)
                return rn__sync_pkg_free(out),
                       bad(&c, "%s", "blobs must come in increasing SHA-256 order, each once");
            if (grow(&out->f, &fcap, out->nf, sizeof *out->f, 16))
                goto nomem;
            rn__sync_file *f = &out->f[out->nf++];
            memcpy(f->sha, tok[1], 64);
            f->sha[64] = '\0';
            f->len = m;
            memcpy(last, f->sha, 64);
            has_last = 1;
            continue;
        }
        c.pos = at;
        return rn__sync_pkg_free(out), bad(&c, "%s", "unknown section (or one out of order)");
    }
nomem:
    rc = RN_ENOMEM;
    snprintf(msgbuf, msgcap, "out of memory");
    rn__sync_pkg_free(out);
    return rc;
}
