/* SPDX-License-Identifier: Apache-2.0
 *
 * bundle_check.c — offline verification of an evidence bundle (format:
 * docs/BUNDLE.md) against verifier keys, saying in plain words what it
 * proved. The same code runs in libremnant (rn_ledger_bundle_verify) and in
 * the standalone remnant-verify, so it is pure: libsodium only (tlog.h).
 *
 * What a bundle can prove, and what it cannot:
 *   - the checkpoint was signed by the log key the user gave (and cosigned by
 *     the witnesses whose keys were given);
 *   - each record's bytes are exactly those of a log entry included in the
 *     checkpoint's tree (an inclusion proof per entry);
 *   - each blob's bytes have the SHA-256 named by an attachment record in
 *     the bundle.
 * It cannot prove that an entry is the latest version of its record after
 * the checkpoint; the report says "as logged at entry N".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ledger/tlog.h"

#define MAX_SECTIONS 100000

typedef struct ctx {
    const char *s;
    size_t len, pos;
    rn_say_fn say;
    void *sctx;
    int failures;
} ctx;

static void say(ctx *c, const char *fmt, ...) RN_PRINTF(2, 3);
static void say(ctx *c, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (c->say)
        c->say(c->sctx, line);
}

static void fail(ctx *c, const char *fmt, ...) RN_PRINTF(2, 3);
static void fail(ctx *c, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = snprintf(line, sizeof line, "FAILED: ");
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    c->failures++;
    if (c->say)
        c->say(c->sctx, line);
}

/* Next header line into tok[] (space separated, at most ntok); the
 * position moves past a line found even when it is malformed. */
static int header(ctx *c, const char **tok, size_t *tlen, size_t ntok,
                  size_t *got)
{
    return rn__header_tokens(c->s, c->len, &c->pos, 0, tok, tlen, ntok, got);
}

/* A decimal number token (at most UINT64_MAX). */
static int u64(const char *s, size_t len, uint64_t *out)
{
    return rn__tok_u64(s, len, UINT64_MAX, out);
}

/* A payload of n bytes then a newline. */
static int payload(ctx *c, uint64_t n, const char **p)
{
    if (n > c->len - c->pos || c->len - c->pos - n < 1 ||
        c->s[c->pos + n] != '\n')
        return 0;
    *p = c->s + c->pos;
    c->pos += (size_t)n + 1;
    return 1;
}

/* The `"sha256":"hex"` of an attachment record, if any. */
static int record_sha(const char *rec, size_t len, char hex[65])
{
    static const char key[] = "\"sha256\":\"";
    size_t kl = sizeof key - 1;
    for (size_t i = 0; i + kl + 65 <= len; i++)
        if (memcmp(rec + i, key, kl) == 0 && rec[i + kl + 64] == '"') {
            memcpy(hex, rec + i + kl, 64);
            hex[64] = '\0';
            return 1;
        }
    return 0;
}

typedef struct seen_entry {
    uint64_t seq;
    char sha[65]; /* the attachment's blob, "" when none */
    int blob_found;
    char id[64];
} seen_entry;

rn_code rn__bundle_check(const char *data, size_t len, const rn_vkey *keys,
                         size_t nkeys, rn_say_fn sayfn, void *sctx)
{
    return rn__bundle_check_info(data, len, keys, nkeys, sayfn, sctx, NULL);
}

/* The check; *rb is the buffer of the last record rebuilt from a v2
 * entry's disclosures, freed by the caller on every path. */
static rn_code check_bundle(const char *data, size_t len, const rn_vkey *keys, size_t nkeys,
                            rn_say_fn sayfn, void *sctx, rn_bundle_info *info, char **rb)
{
    ctx c = {data, len, 0, sayfn, sctx, 0};
    const char *tok[8];
    size_t tl[8], nt;
    rn_note note;
    rn_checkpoint cp;
    int have_cp = 0;
    uint64_t nentries = 0, nblobs = 0;
    seen_entry seen[RN_BUNDLE_MAX_RECORDS];
    size_t nseen = 0;
    uint8_t blob_seen[RN_BUNDLE_MAX_RECORDS][32];
    size_t nblob_seen = 0;
    rn_code rc = RN_OK;
    int has_cons = 0;
    uint64_t cons_old = 0;
    rn_hash cons_old_root;
    if (info)
        memset(info, 0, sizeof *info);

    if (nkeys == 0 || nkeys > 64) {
        fail(&c, "give between 1 and 64 verifier keys");
        return RN_EINVAL;
    }
    int bver = 0, bpublic = 0;
    if (header(&c, tok, tl, 8, &nt) && nt >= 2 && rn__tok_is(tok[0], tl[0], "remnant-bundle")) {
        if (nt == 2 && rn__tok_is(tok[1], tl[1], "v1"))
            bver = 1;
        else if (nt == 2 && rn__tok_is(tok[1], tl[1], "v2"))
            bver = 2;
        else if (nt == 3 && rn__tok_is(tok[1], tl[1], "v2") && rn__tok_is(tok[2], tl[2], "public"))
            bver = 2, bpublic = 1;
    }
    if (!bver) {
        fail(&c, "this is not a Remnant evidence bundle (version 1 or 2)");
        return RN_EINPUT;
    }
    if (bpublic)
        say(&c, "A public bundle: it discloses only the fields the public may see; the"
            " others are withheld, each proven present by a salted digest that reveals"
            " nothing of its value.");
    /* The checkpoint comes first. */
    uint64_t n;
    const char *p;
    if (!header(&c, tok, tl, 8, &nt) || nt != 2 ||
        !rn__tok_is(tok[0], tl[0], "checkpoint") || !u64(tok[1], tl[1], &n) ||
        n > RN_NOTE_MAX || !payload(&c, n, &p)) {
        fail(&c, "the bundle does not start with a checkpoint");
        return RN_EINPUT;
    }
    if (rn__note_parse(p, (size_t)n, &note) != RN_OK ||
        rn__checkpoint_parse(note.text, note.text_len, &cp) != RN_OK) {
        fail(&c, "the checkpoint is malformed");
        return RN_EINPUT;
    }
    have_cp = 1;
    char b64root[48];
    rn__b64_encode(cp.root, RN_HASH_LEN, b64root, sizeof b64root);
    say(&c, "Log \"%.*s\": checkpoint of %llu entries, root hash %s.",
        (int)cp.origin_len, cp.origin, (unsigned long long)cp.size, b64root);
    uint64_t mask = 0;
    rn_code vr = rn__note_verify(&note, keys, nkeys, &mask);
    int log_signed = 0;
    for (size_t k = 0; k < nkeys; k++) {
        if (!(mask & (UINT64_C(1) << k)))
            continue;
        if (keys[k].type == RN_SIGTYPE_ED25519) {
            if (strlen(keys[k].name) != cp.origin_len ||
                memcmp(keys[k].name, cp.origin, cp.origin_len) != 0) {
                fail(&c, "the checkpoint is signed by key %s (%08x), whose name is not the"
                     " log's origin: docs/BUNDLE.md requires the log's own key",
                     keys[k].name, (unsigned)keys[k].id);
                continue;
            }
            log_signed = 1;
            say(&c, "The checkpoint is signed by %s (key %08x): signature"
                " valid.", keys[k].name, (unsigned)keys[k].id);
        } else {
            for (size_t i = 0; i < note.nsigs; i++) {
                uint64_t ts;
                if (note.sigs[i].id == keys[k].id &&
                    rn__cosign_verify(&keys[k], note.sigs[i].sig,
                                      note.sigs[i].sig_len, note.text,
                                      note.text_len, &ts) == RN_OK) {
                    say(&c, "Witness %s (key %08x) cosigned it at unix time"
                        " %llu: cosignature valid.", keys[k].name,
                        (unsigned)keys[k].id, (unsigned long long)ts);
                    break;
                }
            }
        }
    }
    if (vr != RN_OK && mask == 0 && nkeys > 0) {
        /* Either no known key signed, or a known key's signature failed. */
        int known = 0;
        for (size_t i = 0; i < note.nsigs && !known; i++)
            for (size_t k = 0; k < nkeys; k++)
                if (note.sigs[i].id == keys[k].id)
                    known = 1;
        fail(&c, known ? "a signature by a given key does NOT verify: the"
                         " checkpoint was altered"
                       : "the checkpoint is not signed by any given key");
    } else if (vr != RN_OK) {
        fail(&c, "a signature by a given key does NOT verify");
    } else if (!log_signed) {
        fail(&c, "the checkpoint is not signed by a given log key (only by"
                 " witnesses)");
    }

    /* Entries with their proofs, then blobs, then "end". */
    for (;;) {
        if (!header(&c, tok, tl, 8, &nt) || nt == 0) {
            fail(&c, "the bundle is truncated or malformed at byte %zu", c.pos);
            return RN_EINPUT;
        }
        if (rn__tok_is(tok[0], tl[0], "end") && nt == 1) {
            if (c.pos != c.len) {
                fail(&c, "bytes after the end of the bundle");
                return RN_EINPUT;
            }
            break;
        }
        if (nentries + nblobs >= MAX_SECTIONS) {
            fail(&c, "too many sections");
            return RN_ELIMIT;
        }
        if (rn__tok_is(tok[0], tl[0], "consistency") && nt == 5 &&
            nentries + nblobs == 0 && !has_cons) {
            /* consistency OLD NEW N <base64 old root>, then N hashes: the
             * checkpoint extends the tree of OLD leaves with that root. */
            uint64_t old, nw, pn;
            size_t rl;
            rn_hash proof[RN_PROOF_MAX];
            if (!u64(tok[1], tl[1], &old) || !u64(tok[2], tl[2], &nw) ||
                !u64(tok[3], tl[3], &pn) || pn > RN_PROOF_MAX ||
                tl[4] != 44 ||
                rn__b64_decode(tok[4], 44, cons_old_root, RN_HASH_LEN, &rl) ||
                rl != RN_HASH_LEN) {
                fail(&c, "a malformed consistency section");
                return RN_EINPUT;
            }
            for (uint64_t i = 0; i < pn; i++) {
                if (c.len - c.pos < 65 || c.s[c.pos + 64] != '\n' ||
                    rn__hex_decode(c.s + c.pos, 64, proof[i], 32) != RN_OK) {
                    fail(&c, "a malformed consistency proof hash");
                    return RN_EINPUT;
                }
                c.pos += 65;
            }
            if (nw != cp.size ||
                rn__merkle_verify_consistency(old, nw, proof, (size_t)pn,
                                              cons_old_root, cp.root) !=
                    RN_OK) {
                fail(&c, "the checkpoint is NOT consistent with the tree of"
                     " %llu entries the bundle names: a split view or a"
                     " rewritten log", (unsigned long long)old);
                continue;
            }
            has_cons = 1;
            cons_old = old;
            say(&c, "The checkpoint extends the log's earlier tree of %llu"
                " entries (consistency proof of %llu hash%s valid).",
                (unsigned long long)old, (unsigned long long)pn,
                pn == 1 ? "" : "es");
            continue;
        }
        if (rn__tok_is(tok[0], tl[0], "entry") && nt == 3) {
            uint64_t seq, elen;
            const char *ebody;
            if (!u64(tok[1], tl[1], &seq) || !u64(tok[2], tl[2], &elen) ||
                elen > RN_ENTRY_MAX || !payload(&c, elen, &ebody)) {
                fail(&c, "a malformed entry section at byte %zu", c.pos);
                return RN_EINPUT;
            }
            /* v2: its disclosures, then its proof. */
            const char *dbody = NULL;
            uint64_t dn = 0, dlen = 0;
            int has_disc = 0;
            if (!header(&c, tok, tl, 8, &nt)) {
                fail(&c, "entry %llu has no well-formed proof", (unsigned long long)seq);
                return RN_EINPUT;
            }
            if (bver == 2 && nt == 4 && rn__tok_is(tok[0], tl[0], "disclosures")) {
                uint64_t dseq;
                if (!u64(tok[1], tl[1], &dseq) || dseq != seq || !u64(tok[2], tl[2], &dn) ||
                    dn > RN_ENTRY_MAX_DIGESTS || !u64(tok[3], tl[3], &dlen) ||
                    dlen > RN_ENTRY_MAX || !payload(&c, dlen, &dbody)) {
                    fail(&c, "entry %llu: a malformed disclosures section",
                         (unsigned long long)seq);
                    return RN_EINPUT;
                }
                has_disc = 1;
                if (!header(&c, tok, tl, 8, &nt)) {
                    fail(&c, "entry %llu has no well-formed proof", (unsigned long long)seq);
                    return RN_EINPUT;
                }
            }
            uint64_t pseq, psize, pn;
            if (nt != 4 ||
                !rn__tok_is(tok[0], tl[0], "proof") || !u64(tok[1], tl[1], &pseq) ||
                !u64(tok[2], tl[2], &psize) || !u64(tok[3], tl[3], &pn) ||
                pn > RN_PROOF_MAX || pseq != seq) {
                fail(&c, "entry %llu has no well-formed proof",
                     (unsigned long long)seq);
                return RN_EINPUT;
            }
            rn_hash proof[RN_PROOF_MAX];
            for (uint64_t i = 0; i < pn; i++) {
                if (c.len - c.pos < 65 || c.s[c.pos + 64] != '\n' ||
                    rn__hex_decode(c.s + c.pos, 64, proof[i], 32) != RN_OK) {
                    fail(&c, "entry %llu: a malformed proof hash",
                         (unsigned long long)seq);
                    return RN_EINPUT;
                }
                c.pos += 65;
            }
            nentries++;
            for (size_t i = 0; i < nseen; i++)
                if (seen[i].seq == seq) {
                    fail(&c, "entry %llu appears twice (docs/BUNDLE.md forbids it)",
                         (unsigned long long)seq);
                    return RN_EINPUT;
                }
            rn_entry e;
            if (rn__entry_parse(ebody, (size_t)elen, &e) != RN_OK) {
                fail(&c, "entry %llu is not a well-formed log entry",
                     (unsigned long long)seq);
                continue;
            }
            if (e.version == 2 && !has_disc) {
                fail(&c, "entry %llu (format 2) has no disclosures section",
                     (unsigned long long)seq);
                return RN_EINPUT;
            }
            if (e.version == 1 && has_disc) {
                fail(&c, "entry %llu (format 1) cannot have disclosures",
                     (unsigned long long)seq);
                return RN_EINPUT;
            }
            if (bpublic && e.version == 1) {
                fail(&c, "entry %llu is in format 1 (the whole record): a public bundle"
                     " cannot hold it", (unsigned long long)seq);
                continue;
            }
            free(*rb);
            *rb = NULL;
            if (e.version == 2) {
                size_t cap = (size_t)dlen + (size_t)elen + 64;
                *rb = malloc(cap);
                if (!*rb) {
                    fail(&c, "out of memory");
                    return RN_ENOMEM;
                }
                rn_code dr = rn__entry_disclose(&e, dbody, (size_t)dlen, !bpublic, *rb, cap);
                if (dr == RN_OK && e.disclosed != dn)
                    dr = RN_EINPUT;
                if (dr == RN_ECRYPTO) {
                    fail(&c, "record %.*s (entry %llu): %s", (int)e.id_len, e.id,
                         (unsigned long long)seq,
                         bpublic ? "a disclosed value does NOT match what the entry commits"
                                   " to: the value was altered"
                                 : "its disclosures do NOT match what the entry commits to"
                                   " (a value was altered or withheld)");
                    continue;
                }
                if (dr != RN_OK) {
                    fail(&c, "entry %llu: malformed disclosures", (unsigned long long)seq);
                    continue;
                }
            }
            if (e.seq != seq) {
                fail(&c, "entry %llu says it is entry %llu",
                     (unsigned long long)seq, (unsigned long long)e.seq);
                continue;
            }
            rn_hash leaf;
            rn__merkle_leaf_hash(ebody, (size_t)elen, leaf);
            if (psize != cp.size) {
                fail(&c, "entry %llu: the proof is for a tree of %llu, not the"
                     " checkpoint's %llu", (unsigned long long)seq,
                     (unsigned long long)psize, (unsigned long long)cp.size);
                continue;
            }
            if (rn__merkle_verify_inclusion(seq, cp.size, leaf, proof,
                                            (size_t)pn, cp.root) != RN_OK) {
                fail(&c, "record %.*s (entry %llu) is NOT included in the"
                     " checkpoint's tree: its bytes or its proof were altered",
                     (int)e.id_len, e.id, (unsigned long long)seq);
                continue;
            }
            say(&c, "Record %.*s (%.*s), %s by \"%.*s\" at %.*s: exactly the"
                " bytes of log entry %llu, included in the checkpoint's tree"
                " (proof of %llu hash%s valid).",
                (int)e.id_len, e.id, (int)e.type_len, e.type,
                e.op == 'c' ? "created" : e.op == 'u' ? "updated" : "deleted",
                (int)(e.author ? (e.author_len > 100 ? 100 : e.author_len) : 10),
                e.author ? e.author : "(withheld)",
                (int)e.time_len, e.time, (unsigned long long)seq,
                (unsigned long long)pn, pn == 1 ? "" : "es");
            if (e.version == 2 && e.record)
                say(&c, "  %zu of %zu values disclosed and proven: %.*s%s", e.disclosed,
                    e.ndigests, (int)(e.record_len > 2000 ? 2000 : e.record_len), e.record,
                    e.record_len > 2000 ? " ..." : "");
            if (nseen < sizeof seen / sizeof seen[0]) {
                seen_entry *se = &seen[nseen++];
                memset(se, 0, sizeof *se);
                se->seq = seq;
                snprintf(se->id, sizeof se->id, "%.*s",
                         (int)(e.id_len > 60 ? 60 : e.id_len), e.id);
                if (e.record)
                    record_sha(e.record, e.record_len, se->sha);
            }
            continue;
        }
        if (rn__tok_is(tok[0], tl[0], "blob") && nt == 3) {
            uint64_t blen;
            const char *bbody;
            uint8_t want[32], got[32];
            if (tl[1] != 64 || rn__hex_decode(tok[1], 64, want, 32) != RN_OK ||
                !u64(tok[2], tl[2], &blen) || !payload(&c, blen, &bbody)) {
                fail(&c, "a malformed blob section at byte %zu", c.pos);
                return RN_EINPUT;
            }
            nblobs++;
            char hex[65];
            rn__hex_encode(want, 32, hex);
            for (size_t k = 0; k < nblob_seen; k++)
                if (memcmp(blob_seen[k], want, 32) == 0) {
                    fail(&c, "blob %s appears twice (docs/BUNDLE.md forbids it)", hex);
                    return RN_EINPUT;
                }
            if (nblob_seen < RN_BUNDLE_MAX_RECORDS)
                memcpy(blob_seen[nblob_seen++], want, 32);
            rn__sha256(bbody, blen, got);
            if (sodium_memcmp(got, want, 32) != 0) {
                fail(&c, "blob %s: its bytes do NOT have that SHA-256: the"
                     " file was altered", hex);
                continue;
            }
            int cited = 0;
            for (size_t i = 0; i < nseen; i++)
                if (strcmp(seen[i].sha, hex) == 0) {
                    seen[i].blob_found = 1;
                    if (!cited)
                        say(&c, "Blob %s (%llu bytes): SHA-256 matches; it is"
                            " the content of attachment %s.", hex,
                            (unsigned long long)blen, seen[i].id);
                    cited = 1;
                }
            if (!cited)
                fail(&c, "blob %s is not named by any attachment record in"
                     " the bundle", hex);
            continue;
        }
        fail(&c, "an unknown section \"%.*s\"", (int)tl[0], tok[0]);
        return RN_EINPUT;
    }
    for (size_t i = 0; i < nseen; i++)
        if (seen[i].sha[0] && !seen[i].blob_found)
            say(&c, "Note: the content of attachment %s (blob %s) is not in"
                " the bundle; only its record was checked.", seen[i].id,
                seen[i].sha);
    if (nentries == 0)
        fail(&c, "the bundle holds no records");
    if (c.failures || !have_cp) {
        say(&c, "RESULT: NOT VERIFIED — %d problem%s above.", c.failures,
            c.failures == 1 ? "" : "s");
        rc = RN_ECRYPTO;
    } else {
        if (info) {
            info->cp = cp;
            info->body = note.text;
            info->body_len = note.text_len;
            info->has_consistency = has_cons;
            info->cons_old = cons_old;
            if (has_cons)
                memcpy(info->cons_old_root, cons_old_root, RN_HASH_LEN);
        }
        say(&c, "RESULT: VERIFIED — %llu record%s and %llu blob%s are exactly"
            " as logged in \"%.*s\", whose checkpoint of %llu entries is"
            " signed by the given key.",
            (unsigned long long)nentries, nentries == 1 ? "" : "s",
            (unsigned long long)nblobs, nblobs == 1 ? "" : "s",
            (int)cp.origin_len, cp.origin, (unsigned long long)cp.size);
    }
    return rc;
}

rn_code rn__bundle_check_info(const char *data, size_t len, const rn_vkey *keys, size_t nkeys,
                              rn_say_fn sayfn, void *sctx, rn_bundle_info *info)
{
    char *rb = NULL;
    rn_code rc = check_bundle(data, len, keys, nkeys, sayfn, sctx, info, &rb);
    free(rb);
    return rc;
}
