/* SPDX-License-Identifier: Apache-2.0
 *
 * blobs.c — resumable transfer of the files (blobs) a package carries
 * (docs/SYNC.md, "Files: resumable"). Blobs are content-addressed by
 * SHA-256, so:
 *  B1. a sender asks the receiver which blobs it lacks before it builds the
 *      package (rn_sync_blobs_lacking; export.c opts->lacks) and sends only
 *      those;
 *  B2. a receiver whose transfer was cut short (the sender or the network
 *      killed part-way) keeps each blob of the partial package that arrived
 *      whole and hashes to its name (rn_sync_salvage_blobs); nothing else
 *      of that package is read or written, so the next run sends only what
 *      is still missing. A salvaged blob no record names yet is what
 *      `remnant gc` would remove; the next package names it.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync/sync_int.h"

static int is_sha(const char *s)
{
    if (strlen(s) != 64)
        return 0;
    for (size_t i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

rn_code rn_sync_blobs_lacking(rn_store *s, const char *const *sha, size_t n,
                              unsigned char *lacks, rn_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (!sha[i] || !is_sha(sha[i]))
            return rn__err(err, RN_EINPUT, "sha256[%zu]: expected 64 lower-case hex digits", i);
        lacks[i] = !rn__sync_have_blob(s, sha[i]);
    }
    return RN_OK;
}

/* A decimal number of at most 19 digits, no sign or leading zero. */
static int num(const char *p, size_t len, uint64_t *out)
{
    if (len == 0 || len > 19 || (len > 1 && p[0] == '0'))
        return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return 0;
        v = v * 10 + (uint64_t)(p[i] - '0');
    }
    *out = v;
    return 1;
}

rn_code rn__sync_blob_walk(const void *data, size_t len, rn__sync_blob_fn fn, void *ctx)
{
    const char *d = data;
    size_t pos = 0;
    size_t ml = strlen(RN_SYNC_MAGIC);
    if (len < ml + 1 || memcmp(d, RN_SYNC_MAGIC, ml) != 0)
        return RN_OK; /* not a package: nothing to keep */
    /* Walk the sections by their stated sizes (package.c K2): a header line
     * of words, then a payload whose size the header gives. */
    while (pos < len) {
        size_t rest = len - pos > 1024 ? 1024 : len - pos;
        const char *nl = memchr(d + pos, '\n', rest);
        if (!nl)
            break; /* cut short in a header */
        const char *tok[6];
        size_t tl[6], nt = 0, i = pos, end = (size_t)(nl - d);
        while (i < end && nt < 6) {
            const char *sp = memchr(d + i, ' ', end - i);
            size_t e = sp ? (size_t)(sp - d) : end;
            tok[nt] = d + i;
            tl[nt++] = e - i;
            i = e + 1;
        }
        pos = end + 1;
        if (nt == 0)
            break;
        uint64_t a = 0, skip = 0;
#define IS(k, w) (tl[k] == sizeof(w) - 1 && memcmp(tok[k], w, sizeof(w) - 1) == 0)
        if (IS(0, "remnant-sync")) {
            continue;
        } else if (IS(0, "blob") && nt == 3 && tl[1] == 64 && num(tok[2], tl[2], &a)) {
            if (a > RN_SYNC_BLOB_MAX || a >= (uint64_t)(len - pos))
                break; /* cut short in its bytes (or its newline) */
            rn__sync_blob b;
            memcpy(b.sha, tok[1], 64);
            b.sha[64] = '\0';
            b.data = d + pos;
            b.len = a;
            unsigned char h[32];
            char hx[65];
            rn__sha256(b.data, (size_t)a, h);
            rn__hex_encode(h, 32, hx);
            if (is_sha(b.sha) && memcmp(hx, b.sha, 64) == 0) {
                rn_code rc = fn(ctx, &b);
                if (rc)
                    return rc;
            }
            skip = a + 1;
        } else if ((IS(0, "checkpoint") && nt == 2 && num(tok[1], tl[1], &a)) ||
                   (IS(0, "entry") && nt == 3 && num(tok[2], tl[2], &a)) ||
                   (IS(0, "via") && nt == 3 && num(tok[2], tl[2], &a)) ||
                   (IS(0, "public") && nt == 3 && num(tok[2], tl[2], &a)) ||
                   (IS(0, "disclosures") && nt == 4 && num(tok[3], tl[3], &a))) {
            skip = a + 1;
        } else if (IS(0, "file") && nt == 3) {
            skip = 0; /* named, not carried: no bytes */
        } else if ((IS(0, "range") && nt == 3 && num(tok[2], tl[2], &a)) ||
                   (IS(0, "proof") && nt == 3 && num(tok[2], tl[2], &a)) ||
                   (IS(0, "consistency") && nt == 4 && num(tok[3], tl[3], &a))) {
            if (a > RN_PROOF_MAX)
                break;
            skip = a * 65;
        } else {
            break; /* the seal, or bytes this walk does not know: stop */
        }
#undef IS
        if (skip > (uint64_t)(len - pos))
            break;
        pos += (size_t)skip;
    }
    return RN_OK;
}

typedef struct salvage {
    rn_store *s;
    uint64_t kept;
    rn_error *err;
} salvage;

static rn_code keep(void *ctx, const rn__sync_blob *b)
{
    salvage *x = ctx;
    if (rn__sync_have_blob(x->s, b->sha))
        return RN_OK;
    rn_code rc = rn__sync_write_blob(x->s, b, x->err);
    x->kept += rc == RN_OK;
    return rc;
}

rn_code rn_sync_salvage_blobs(rn_store *s, const void *data, size_t len, uint64_t *kept,
                              rn_error *err)
{
    salvage x = {s, 0, err};
    rn_code rc = rn__sync_blob_walk(data, len, keep, &x);
    *kept = x.kept;
    return rc;
}
