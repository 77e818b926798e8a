/* SPDX-License-Identifier: Apache-2.0
 *
 * verify.c — rn_ledger_verify: recompute everything and name what is wrong.
 *
 * Checks, in order (each problem names the record, blob, entry or
 * checkpoint):
 *   V1. The database file is sound (PRAGMA integrity_check), and its rows
 *       meet its schema's CHECK constraints, which integrity_check skips on
 *       this read-only connection (schema_checks.c). If it is not, records
 *       are not read through the store (V6 is skipped and says so): the
 *       store's readers trust the file's structure.
 *   V2. Entries (log.c invariants L1-L3): seq without gaps; each entry's
 *       canonical bytes — a full row's body, or rebuilt from a compact row
 *       (stored.c S1-S2) — hash to its leaf hash (SHA-256(0x00 || bytes)),
 *       parse strictly and agree with its columns; "prev" is the leaf hash
 *       of the record's previous entry; a row that is neither stored form
 *       is named.
 *   V3. The tree (L4): ledger_tree's size and frontier equal those
 *       recomputed from the bodies.
 *   V4. Checkpoints (L5): each root column and note body equals the
 *       recomputed tree head at its size, the origin is the log's; every
 *       signature by a trusted key verifies; once the log has a key the
 *       latest checkpoint is signed by one; every key on record signed some
 *       checkpoint.
 *   V5. Cosignatures verify against their witness key and checkpoint.
 *   V6. Records: every record in the store is byte for byte the record of
 *       its last log entry (canonical JSON), and every record alive in the
 *       log is in the store.
 *   V7. Blobs: every attachment's blob exists with the recorded SHA-256 and
 *       size; every file in the blob folder hashes to its name.
 *   V8. Trust and tail: signatures count only by keys from outside the file
 *       (the key file, --trust, --key) or joined to them by rotations that
 *       both keys signed, and named for the log's origin; given a checkpoint
 *       kept elsewhere, the log extends it (a cut tail cannot hide: nothing
 *       inside one file proves its own tail was not cut, docs/LEDGER.md).
 *   V9. Tiles (tiles.c T1-T2): every tile of the tree recomputed from the
 *       entries is stored with exactly its hashes and width, and no other
 *       tile is stored.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "ledger/ledger_int.h"
#include "remnant/ledger.h"

typedef struct vctx {
    rn_ledger *l;
    rn_store *s;
    rn_ledger_problem_fn fn;
    void *ctx;
    rn_ledger_verify_stats *st;
    rn_vkey keys[64];
    size_t nkeys;
    int keys_from_user;
    uint64_t key_used; /* bit k: keys[k] verified some checkpoint */
    int seen_signed;   /* a signed checkpoint came before (V4) */
    int db_damaged;    /* V1 failed */
    int since_set;     /* V8: a checkpoint kept elsewhere */
    int since_done;
    uint64_t since_size;
    rn_hash since_root;
    char ebuf[RN_ENTRY_V2_MAX]; /* a compact entry's bytes, rebuilt (stored.c) */
} vctx;

static void problem(vctx *v, const char *what, const char *id, int64_t seq,
                    const char *fmt, ...) RN_PRINTF(5, 6);
static void problem(vctx *v, const char *what, const char *id, int64_t seq,
                    const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    v->st->problems++;
    if (v->fn) {
        rn_ledger_problem p = {what, id ? id : "", seq, msg};
        v->fn(v->ctx, &p);
    }
}

/* ---- V1 ------------------------------------------------------------------- */

static void schema_problem(void *ctx, const char *message)
{
    vctx *v = ctx;
    problem(v, "database", "", -1, "the database breaks its own schema: %s", message);
    v->db_damaged = 1;
}

static void check_db(vctx *v)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(v->l->db, "PRAGMA integrity_check(20)", -1, &st,
                           NULL) != SQLITE_OK) {
        problem(v, "database", "", -1, "cannot check the database file: %s",
                sqlite3_errmsg(v->l->db));
        return;
    }
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *m = (const char *)sqlite3_column_text(st, 0);
        if (m && strcmp(m, "ok") != 0) {
            problem(v, "database", "", -1, "the database file is damaged: %s",
                    m);
            v->db_damaged = 1;
        }
    }
    if (r != SQLITE_DONE) {
        problem(v, "database", "", -1, "the database file is damaged: %s",
                sqlite3_errmsg(v->l->db));
        v->db_damaged = 1;
    }
    sqlite3_finalize(st);
    if (!v->db_damaged)
        rn__schema_checks(v->l->db, schema_problem, v);
}

/* ---- keys ------------------------------------------------------------------ */

static int same_key(const rn_vkey *a, const rn_vkey *b)
{
    return a->id == b->id && a->type == b->type && memcmp(a->pub, b->pub, 32) == 0 &&
           strcmp(a->name, b->name) == 0;
}

static int have_key(const vctx *v, const rn_vkey *k)
{
    for (size_t i = 0; i < v->nkeys; i++)
        if (same_key(&v->keys[i], k))
            return 1;
    return 0;
}

static void anchor_note(vctx *v, const char *fmt, ...) RN_PRINTF(2, 3);
static void anchor_note(vctx *v, const char *fmt, ...)
{
    size_t n = strlen(v->st->anchors);
    if (n + 4 >= sizeof v->st->anchors)
        return;
    if (n)
        n += (size_t)snprintf(v->st->anchors + n, sizeof v->st->anchors - n, "; ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->st->anchors + n, sizeof v->st->anchors - n, fmt, ap);
    va_end(ap);
}

static rn_code add_anchor(vctx *v, const char *text, size_t len, const char *from,
                          rn_error *err)
{
    rn_vkey k;
    if (rn__vkey_parse(text, len, &k) != RN_OK || k.type != RN_SIGTYPE_ED25519)
        return rn__err(err, RN_EINPUT, "%s: not a log verifier key: %.*s", from,
                       (int)(len > 120 ? 120 : len), text);
    if (have_key(v, &k))
        return RN_OK;
    if (v->nkeys == 64)
        return rn__err(err, RN_ELIMIT, "at most 64 trusted keys");
    v->keys[v->nkeys++] = k;
    return RN_OK;
}

/* --trust FILE: one verifier key a line; blank lines and '#' comments. */
static rn_code load_trust_file(vctx *v, const char *path, rn_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return rn__err(err, errno == ENOENT ? RN_ENOTFOUND : RN_EIO, "%s: %s", path,
                       strerror(errno));
    char line[1024];
    rn_code rc = RN_OK;
    int lineno = 0;
    size_t before = v->nkeys;
    while (rc == RN_OK && fgets(line, sizeof line, f)) {
        lineno++;
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
            line[--n] = '\0';
        size_t i = 0;
        while (line[i] == ' ' || line[i] == '\t')
            i++;
        if (!line[i] || line[i] == '#')
            continue;
        char where[4200];
        snprintf(where, sizeof where, "%s:%d", path, lineno);
        rc = add_anchor(v, line + i, n - i, where, err);
    }
    fclose(f);
    if (rc == RN_OK && v->nkeys == before)
        rc = rn__err(err, RN_EINPUT, "%s: no verifier key in it", path);
    if (rc == RN_OK)
        anchor_note(v, "%zu key%s pinned in %s", v->nkeys - before,
                    v->nkeys - before == 1 ? "" : "s", path);
    return rc;
}

/* Keys on record become trusted only through signed rotation links from a
 * trusted key (both keys sign each link, so trust runs both ways). */
static void link_keys(vctx *v)
{
    typedef struct link {
        rn_vkey old, nw;
        int ok;
    } link;
    link links[64];
    size_t nl = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(v->l->db, "SELECT old, new, note FROM ledger_key_link", -1, &st,
                           NULL) == SQLITE_OK) {
        while (nl < 64 && sqlite3_step(st) == SQLITE_ROW) {
            const char *o = (const char *)sqlite3_column_text(st, 0);
            const char *n = (const char *)sqlite3_column_text(st, 1);
            const char *note = (const char *)sqlite3_column_text(st, 2);
            link *k = &links[nl];
            rn_note nn;
            memset(k, 0, sizeof *k);
            if (!o || !n || !note ||
                rn__vkey_parse(o, (size_t)sqlite3_column_bytes(st, 0), &k->old) != RN_OK ||
                rn__vkey_parse(n, (size_t)sqlite3_column_bytes(st, 1), &k->nw) != RN_OK ||
                rn__note_parse(note, (size_t)sqlite3_column_bytes(st, 2), &nn) != RN_OK) {
                problem(v, "key", "", -1, "a key rotation on record is malformed");
                continue;
            }
            char want[2 * RN_LEDGER_VKEY_MAX + 300];
            char ov[RN_LEDGER_VKEY_MAX], nv[RN_LEDGER_VKEY_MAX];
            rn__vkey_format(&k->old, ov, sizeof ov);
            rn__vkey_format(&k->nw, nv, sizeof nv);
            int wl = snprintf(want, sizeof want, "remnant key rotation\n%s\nold %s\nnew %s\n",
                              v->l->origin, ov, nv);
            uint64_t m1 = 0, m2 = 0;
            k->ok = wl > 0 && (size_t)wl == nn.text_len &&
                    memcmp(want, nn.text, nn.text_len) == 0 &&
                    rn__note_verify(&nn, &k->old, 1, &m1) == RN_OK &&
                    rn__note_verify(&nn, &k->nw, 1, &m2) == RN_OK;
            if (!k->ok)
                problem(v, "key", nv, -1, "the rotation from key %s to %s is not signed by"
                        " both keys", ov, nv);
            nl++;
        }
    }
    sqlite3_finalize(st);
    size_t linked = 0;
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < nl; i++) {
            if (!links[i].ok)
                continue;
            int ho = have_key(v, &links[i].old), hn = have_key(v, &links[i].nw);
            if (ho != hn && v->nkeys < 64) {
                v->keys[v->nkeys++] = ho ? links[i].nw : links[i].old;
                changed = 1;
                linked++;
            }
        }
    }
    if (linked)
        anchor_note(v, "%zu more key%s joined to them by signed rotations", linked,
                    linked == 1 ? "" : "s");
}

static rn_code load_keys(vctx *v, const rn_ledger_verify_opts *o, rn_error *err)
{
    rn_code rc;
    for (size_t i = 0; o && i < o->ntrusted; i++)
        if ((rc = add_anchor(v, o->trusted[i], strlen(o->trusted[i]), "--key", err)) != RN_OK)
            return rc;
    if (o && o->ntrusted)
        anchor_note(v, "%zu key%s given with --key", o->ntrusted, o->ntrusted == 1 ? "" : "s");
    if (o && o->trust_file && (rc = load_trust_file(v, o->trust_file, err)) != RN_OK)
        return rc;
    v->keys_from_user = v->nkeys > 0;
    if (!v->keys_from_user) {
        /* The instance's key file: outside the database, held by the
         * operator. */
        rn_skey k;
        char kp[4096];
        rc = rn__ledger_key_load(v->l->path, &k, NULL);
        if (rc == RN_OK) {
            v->keys[v->nkeys++] = k.v;
            char vk[RN_LEDGER_VKEY_MAX];
            rn__vkey_format(&k.v, vk, sizeof vk);
            if (rn__ledger_key_path(v->l->path, kp, sizeof kp) != RN_OK)
                kp[0] = '\0';
            anchor_note(v, "the key file %s (%s+%08x)", kp, k.v.name, (unsigned)k.v.id);
        }
        sodium_memzero(&k, sizeof k);
    }
    size_t anchors = v->nkeys;
    link_keys(v);
    /* The keys on record: each must be one of the trusted ones. */
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(v->l->db, "SELECT vkey FROM ledger_key", -1, &st,
                           NULL) != SQLITE_OK)
        return rn__ledger_dberr(v->l->db, err, "read keys");
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *s = (const char *)sqlite3_column_text(st, 0);
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        rn_vkey key;
        if (!s || rn__vkey_parse(s, n, &key) != RN_OK ||
            key.type != RN_SIGTYPE_ED25519) {
            problem(v, "key", "", -1, "a key on record is malformed: %.*s",
                    (int)(n > 200 ? 200 : n), s ? s : "");
            continue;
        }
        if (!have_key(v, &key))
            problem(v, "key", s, -1, "key %s is on record but UNTRUSTED: no trust anchor"
                    " (the key file, --trust, --key) vouches for it, and no rotation signed"
                    " by a trusted key leads to it; checkpoints signed only by it are not"
                    " accepted", s);
    }
    sqlite3_finalize(st);
    if (anchors == 0)
        anchor_note(v, "none: no key file, --trust or --key (signatures cannot be checked)");
    return RN_OK;
}

/* ---- V2..V5 ---------------------------------------------------------------- */

typedef struct cpoint {
    uint64_t size;
    rn_hash root_col;
    int root_ok; /* root column well-formed */
    char *note;
    size_t note_len;
} cpoint;

static void check_checkpoint(vctx *v, const cpoint *c, const rn_hash root,
                             int is_latest)
{
    int64_t seq = (int64_t)c->size;
    char idbuf[32];
    snprintf(idbuf, sizeof idbuf, "%llu", (unsigned long long)c->size);
    if (!c->root_ok || memcmp(c->root_col, root, RN_HASH_LEN) != 0)
        problem(v, "checkpoint", idbuf, seq, "checkpoint %llu: its root hash"
                " is not the tree head of the first %llu entries",
                (unsigned long long)c->size, (unsigned long long)c->size);
    rn_note n;
    const char *body = c->note;
    size_t blen = c->note_len;
    int is_signed = 0;
    if (rn__note_parse(c->note, c->note_len, &n) == RN_OK) {
        body = n.text;
        blen = n.text_len;
        is_signed = 1;
    }
    rn_checkpoint cp;
    if (rn__checkpoint_parse(body, blen, &cp) != RN_OK) {
        problem(v, "checkpoint", idbuf, seq, "checkpoint %llu: its note is"
                " malformed", (unsigned long long)c->size);
        return;
    }
    if (cp.origin_len != strlen(v->l->origin) ||
        memcmp(cp.origin, v->l->origin, cp.origin_len) != 0)
        problem(v, "checkpoint", idbuf, seq, "checkpoint %llu: names another"
                " log (origin %.*s)", (unsigned long long)c->size,
                (int)cp.origin_len, cp.origin);
    if (cp.next != 0)
        problem(v, "checkpoint", idbuf, seq, "checkpoint %llu: its note has"
                " lines this log never writes (a damaged signature block?)",
                (unsigned long long)c->size);
    if (cp.size != c->size)
        problem(v, "checkpoint", idbuf, seq, "checkpoint %llu: its note says"
                " size %llu", (unsigned long long)c->size,
                (unsigned long long)cp.size);
    if (memcmp(cp.root, root, RN_HASH_LEN) != 0)
        problem(v, "checkpoint", idbuf, seq, "checkpoint %llu: the root in its"
                " note is not the tree head of the log",
                (unsigned long long)c->size);
    if (is_signed) {
        uint64_t mask = 0;
        rn_code rc = v->nkeys ? rn__note_verify(&n, v->keys, v->nkeys, &mask)
                              : RN_ECRYPTO;
        v->seen_signed = 1;
        for (size_t k = 0; rc == RN_OK && k < v->nkeys; k++)
            if ((mask & (UINT64_C(1) << k)) && strcmp(v->keys[k].name, v->l->origin) != 0) {
                problem(v, "signature", idbuf, seq, "checkpoint %llu: signed by key %s+%08x,"
                        " whose name is not the log's origin %s", (unsigned long long)c->size,
                        v->keys[k].name, (unsigned)v->keys[k].id, v->l->origin);
                mask &= ~(UINT64_C(1) << k);
            }
        if (rc == RN_OK && mask == 0)
            rc = RN_ECRYPTO;
        if (rc == RN_OK) {
            v->st->signed_checkpoints++;
            v->key_used |= mask;
        } else {
            problem(v, "signature", idbuf, seq, "checkpoint %llu: %s",
                    (unsigned long long)c->size,
                    v->nkeys ? "a signature does not verify with the"
                               " trusted keys"
                             : "signed, but no key is known to check it");
        }
    } else if (v->seen_signed) {
        /* Once the log has a key, every later checkpoint is signed. */
        problem(v, "signature", idbuf, seq, "checkpoint %llu: not signed,"
                " although an earlier checkpoint is", (unsigned long long)c->size);
    } else if (is_latest && v->nkeys > 0) {
        problem(v, "signature", idbuf, seq, "checkpoint %llu: the latest"
                " checkpoint is not signed although the log has a key",
                (unsigned long long)c->size);
    }
    /* V5: cosignatures. */
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(v->l->db, "SELECT witness, line FROM"
                           " ledger_cosignature WHERE size = ?1", -1, &st,
                           NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)c->size);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *w = (const char *)sqlite3_column_text(st, 0);
        const char *line = (const char *)sqlite3_column_text(st, 1);
        size_t wl = (size_t)sqlite3_column_bytes(st, 0);
        size_t ll = (size_t)sqlite3_column_bytes(st, 1);
        rn_vkey wk;
        char msg[RN_CHECKPOINT_MAX + 1024];
        rn_note cn;
        int ok = 0;
        if (w && line && rn__vkey_parse(w, wl, &wk) == RN_OK &&
            wk.type == RN_SIGTYPE_COSIG_V1 && blen + 1 + ll <= sizeof msg) {
            memcpy(msg, body, blen);
            msg[blen] = '\n';
            memcpy(msg + blen + 1, line, ll);
            if (rn__note_parse(msg, blen + 1 + ll, &cn) == RN_OK &&
                cn.nsigs == 1 && rn__note_verify(&cn, &wk, 1, NULL) == RN_OK)
                ok = 1;
        }
        if (ok)
            v->st->cosignatures++;
        else
            problem(v, "cosignature", idbuf, seq, "checkpoint %llu: the"
                    " cosignature of witness %.*s does not verify",
                    (unsigned long long)c->size, (int)(wl > 200 ? 200 : wl),
                    w ? w : "");
    }
    sqlite3_finalize(st);
}

/* V8: the tree of the log's first since_size entries is the one the
 * checkpoint kept elsewhere names. */
static void check_since(vctx *v, const rn_frontier *f)
{
    rn_hash root;
    rn__frontier_root(f, root);
    v->since_done = 1;
    if (memcmp(root, v->since_root, RN_HASH_LEN) != 0)
        problem(v, "tree", "", (int64_t)v->since_size, "REWRITTEN: the tree of the first %llu"
                " entries is not the one the checkpoint kept elsewhere names: the log was"
                " rewritten or forked", (unsigned long long)v->since_size);
}

/* V9: compare each tile of the recomputed tree with the stored row. */
typedef struct tile_check {
    vctx *v;
    sqlite3_stmt *st;
} tile_check;

static rn_code tile_cmp(void *ctx, unsigned level, uint64_t idx, const uint8_t *h,
                        unsigned width)
{
    tile_check *tc = ctx;
    char idbuf[48];
    snprintf(idbuf, sizeof idbuf, "%u/%llu", level, (unsigned long long)idx);
    if (!tc->st)
        return RN_OK;
    sqlite3_bind_int(tc->st, 1, (int)level);
    sqlite3_bind_int64(tc->st, 2, (sqlite3_int64)idx);
    if (sqlite3_step(tc->st) != SQLITE_ROW)
        problem(tc->v, "tile", idbuf, -1, "tile %s is missing", idbuf);
    else if (sqlite3_column_bytes(tc->st, 0) != (int)(width * RN_HASH_LEN))
        problem(tc->v, "tile", idbuf, -1, "tile %s holds %d hashes, the tree %u", idbuf,
                sqlite3_column_bytes(tc->st, 0) / RN_HASH_LEN, width);
    else if (memcmp(sqlite3_column_blob(tc->st, 0), h, (size_t)width * RN_HASH_LEN) != 0)
        problem(tc->v, "tile", idbuf, -1, "tile %s: its hashes are not the tree's (changed)",
                idbuf);
    sqlite3_reset(tc->st);
    return RN_OK;
}

static void check_tiles_end(vctx *v, rn_tiles *t, tile_check *tc)
{
    (void)rn__tiles_flush(t, tile_cmp, tc);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(v->l->db, "SELECT level, count(*) FROM ledger_tile GROUP BY level",
                           -1, &st, NULL) != SQLITE_OK) {
        problem(v, "tile", "", -1, "cannot read the tiles: %s", sqlite3_errmsg(v->l->db));
        return;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        sqlite3_int64 level = sqlite3_column_int64(st, 0), n = sqlite3_column_int64(st, 1);
        uint64_t nodes = level >= 0 && level < RN_TILE_LEVELS
                             ? t->f.size >> (RN_TILE_HEIGHT * level)
                             : 0;
        uint64_t want = (nodes + RN_TILE_WIDTH - 1) / RN_TILE_WIDTH;
        if ((uint64_t)n != want)
            problem(v, "tile", "", -1, "level %lld holds %lld tiles, the tree of %llu entries"
                    " %llu", (long long)level, (long long)n, (unsigned long long)t->f.size,
                    (unsigned long long)want);
    }
    sqlite3_finalize(st);
}

static rn_code check_log(vctx *v, uint64_t *count, rn_error *err)
{
    sqlite3 *db = v->l->db;
    sqlite3_stmt *st = NULL, *pv = NULL, *cs = NULL;
    cpoint *cps = NULL;
    size_t ncps = 0, cap = 0, next_cp = 0;
    rn_frontier f;
    rn_code rc = RN_OK;
    rn__frontier_init(&f);
    *count = 0;
    tile_check tc = {v, NULL};
    rn_tiles *tt = rn__calloc(1, sizeof *tt);
    if (!tt)
        return rn__err(err, RN_ENOMEM, "out of memory");
    if (sqlite3_prepare_v2(db, "SELECT hashes FROM ledger_tile WHERE level = ?1 AND idx = ?2",
                           -1, &tc.st, NULL) != SQLITE_OK) {
        problem(v, "tile", "", -1, "the log has no tiles: %s", sqlite3_errmsg(db));
        tc.st = NULL;
    }

    /* The checkpoints, in size order. */
    if (sqlite3_prepare_v2(db, "SELECT size, root, note FROM"
                           " ledger_checkpoint ORDER BY size", -1, &cs,
                           NULL) != SQLITE_OK) {
        rc = rn__ledger_dberr(db, err, "read checkpoints");
        goto out;
    }
    while (sqlite3_step(cs) == SQLITE_ROW) {
        if (ncps == cap) {
            size_t nc = cap ? 2 * cap : 64;
            cpoint *p = rn__realloc(cps, nc * sizeof *cps);
            if (!p) {
                rc = rn__err(err, RN_ENOMEM, "out of memory");
                goto out;
            }
            cps = p;
            cap = nc;
        }
        cpoint *c = &cps[ncps];
        memset(c, 0, sizeof *c);
        c->size = (uint64_t)sqlite3_column_int64(cs, 0);
        c->root_ok = sqlite3_column_bytes(cs, 1) == RN_HASH_LEN;
        if (c->root_ok)
            memcpy(c->root_col, sqlite3_column_blob(cs, 1), RN_HASH_LEN);
        const char *nt = (const char *)sqlite3_column_text(cs, 2);
        c->note_len = nt ? (size_t)sqlite3_column_bytes(cs, 2) : 0;
        c->note = rn__strndup(nt ? nt : "", c->note_len);
        if (!c->note) {
            rc = rn__err(err, RN_ENOMEM, "out of memory");
            goto out;
        }
        ncps++;
    }
    v->st->checkpoints = ncps;

    if (sqlite3_prepare_v2(db, "SELECT " RN_ENTRY_COLS("") ", leaf_hash FROM ledger_entry"
                           " ORDER BY seq", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT leaf_hash FROM ledger_entry WHERE"
                           " record_id = ?1 AND seq < ?2 ORDER BY seq DESC"
                           " LIMIT 1", -1, &pv, NULL) != SQLITE_OK) {
        rc = rn__ledger_dberr(db, err, "read the log");
        goto out;
    }
    uint64_t expect = 0;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_int64 seq = sqlite3_column_int64(st, 0);
        const char *rid = (const char *)sqlite3_column_text(st, 1);
        const char *type = (const char *)sqlite3_column_text(st, 2);
        const char *op = (const char *)sqlite3_column_text(st, 3);
        const char *body = NULL;
        size_t blen = 0;
        const void *lh = sqlite3_column_blob(st, RN_ENTRY_NCOLS);
        int lhl = sqlite3_column_bytes(st, RN_ENTRY_NCOLS);
        int bad_form = rn__ledger_entry_bytes(st, 0, v->ebuf, sizeof v->ebuf, &body, &blen) !=
                       RN_OK;
        if (!rid)
            rid = "";
        if (seq < 0 || (uint64_t)seq != expect) {
            problem(v, "entry", rid, seq, "entry %lld: expected entry %llu"
                    " here (an entry is missing or out of place)",
                    (long long)seq, (unsigned long long)expect);
            expect = (uint64_t)seq;
        }
        /* Checkpoints that end before this entry (V4). */
        while (next_cp < ncps && cps[next_cp].size <= f.size) {
            if (cps[next_cp].size == f.size) {
                rn_hash root;
                rn__frontier_root(&f, root);
                check_checkpoint(v, &cps[next_cp], root, next_cp + 1 == ncps);
            }
            next_cp++;
        }
        if (v->since_set && !v->since_done && f.size == v->since_size)
            check_since(v, &f);
        if (bad_form)
            problem(v, "entry", rid, seq, "entry %lld (record %s): its stored form is"
                    " damaged: its bytes cannot be rebuilt (docs/LEDGER.md, stored form)",
                    (long long)seq, rid);
        rn_hash leaf;
        rn__merkle_leaf_hash(body ? body : "", blen, leaf);
        if (lhl != RN_HASH_LEN || memcmp(lh, leaf, RN_HASH_LEN) != 0)
            problem(v, "entry", rid, seq, "entry %lld (record %s): its leaf"
                    " hash is not the hash of its bytes", (long long)seq, rid);
        rn_entry e;
        char *ebuf = NULL;
        const char *disc = sqlite3_column_blob(st, 5);
        size_t dlen = (size_t)sqlite3_column_bytes(st, 5);
        rn_code oc = rn__ledger_entry_open(body ? body : "", blen, disc ? disc : "", dlen, &e,
                                           &ebuf);
        if (oc == RN_ECRYPTO || (oc == RN_EINPUT && rn__entry_parse(body ? body : "", blen,
                                                                    &e) == RN_OK)) {
            problem(v, "entry", rid, seq, "entry %lld (record %s): its stored"
                    " disclosures do not match the digests it commits to (a"
                    " field value was changed)", (long long)seq, rid);
        } else if (oc != RN_OK) {
            problem(v, "entry", rid, seq, "entry %lld (record %s): its bytes"
                    " are not a well-formed log entry", (long long)seq, rid);
        } else {
            if (e.seq != (uint64_t)seq)
                problem(v, "entry", rid, seq, "entry %lld says it is entry"
                        " %llu", (long long)seq, (unsigned long long)e.seq);
            if (e.id_len != strlen(rid) || memcmp(e.id, rid, e.id_len) != 0)
                problem(v, "entry", rid, seq, "entry %lld: it logs record"
                        " %.*s, but is filed under %s", (long long)seq,
                        (int)e.id_len, e.id, rid);
            if (!type || e.type_len != strlen(type) ||
                memcmp(e.type, type, e.type_len) != 0)
                problem(v, "entry", rid, seq, "entry %lld (record %s): its"
                        " type column disagrees with its bytes",
                        (long long)seq, rid);
            if (!op || op[0] != e.op || op[1] != '\0')
                problem(v, "entry", rid, seq, "entry %lld (record %s): its"
                        " op column disagrees with its bytes",
                        (long long)seq, rid);
            /* L3 */
            sqlite3_bind_text(pv, 1, rid, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(pv, 2, seq);
            int have = sqlite3_step(pv) == SQLITE_ROW;
            rn_hash prev;
            if (have) {
                rn_hash zero = {0};
                if (sqlite3_column_bytes(pv, 0) == RN_HASH_LEN)
                    memcpy(prev, sqlite3_column_blob(pv, 0), RN_HASH_LEN);
                else
                    memcpy(prev, zero, RN_HASH_LEN);
            }
            sqlite3_reset(pv);
            if (have != e.has_prev ||
                (have && memcmp(prev, e.prev, RN_HASH_LEN) != 0))
                problem(v, "entry", rid, seq, "entry %lld (record %s): its"
                        " link to the record's previous entry is wrong",
                        (long long)seq, rid);
        }
        free(ebuf);
        (void)rn__frontier_append(&f, leaf);
        (void)rn__tiles_append(tt, leaf, tile_cmp, &tc);
        expect++;
        v->st->entries++;
    }
    if (r != SQLITE_DONE) {
        problem(v, "database", "", -1, "cannot read the log: %s",
                sqlite3_errmsg(db));
    }
    /* Remaining checkpoints. */
    for (; next_cp < ncps; next_cp++) {
        char idbuf[32];
        snprintf(idbuf, sizeof idbuf, "%llu",
                 (unsigned long long)cps[next_cp].size);
        if (cps[next_cp].size == f.size) {
            rn_hash root;
            rn__frontier_root(&f, root);
            check_checkpoint(v, &cps[next_cp], root, next_cp + 1 == ncps);
        } else {
            problem(v, "checkpoint", idbuf, (int64_t)cps[next_cp].size,
                    "checkpoint %llu: the log has only %llu entries (entries"
                    " were removed)", (unsigned long long)cps[next_cp].size,
                    (unsigned long long)f.size);
        }
    }
    if (v->since_set && !v->since_done) {
        if (f.size == v->since_size)
            check_since(v, &f);
        else
            problem(v, "tree", "", (int64_t)v->since_size, "TRUNCATED: the checkpoint kept"
                    " elsewhere covers %llu entries, but this log holds only %llu: its tail"
                    " was cut", (unsigned long long)v->since_size,
                    (unsigned long long)f.size);
    }
    /* V3 */
    rn_frontier sealed;
    sqlite3_stmt *ts = NULL;
    if (sqlite3_prepare_v2(db, "SELECT size, frontier FROM ledger_tree WHERE"
                           " id = 1", -1, &ts, NULL) == SQLITE_OK &&
        sqlite3_step(ts) == SQLITE_ROW) {
        sqlite3_int64 size = sqlite3_column_int64(ts, 0);
        const void *fb = sqlite3_column_blob(ts, 1);
        size_t fl = (size_t)sqlite3_column_bytes(ts, 1);
        uint8_t mine[64 * RN_HASH_LEN];
        size_t ml = rn__frontier_save(&f, mine, sizeof mine);
        if (size < 0 || (uint64_t)size != f.size ||
            rn__frontier_load(&sealed, (uint64_t)size, fb ? fb : "", fl) ||
            fl != ml || memcmp(fb ? fb : "", mine, ml) != 0)
            problem(v, "tree", "", size, "the sealed tree state (%lld"
                    " entries) is not the tree of the %llu entries in the log",
                    (long long)size, (unsigned long long)f.size);
    } else {
        problem(v, "tree", "", -1, "the sealed tree state is missing");
    }
    sqlite3_finalize(ts);
    if (ncps == 0 && f.size > 0)
        problem(v, "checkpoint", "", -1, "the log has %llu entries but no"
                " checkpoint", (unsigned long long)f.size);
    if (ncps > 0 && cps[ncps - 1].size != f.size)
        problem(v, "checkpoint", "", (int64_t)f.size, "the last %llu entries"
                " are not covered by any checkpoint",
                (unsigned long long)(f.size > cps[ncps - 1].size
                                         ? f.size - cps[ncps - 1].size
                                         : 0));
    /* V4: every key on record has signed something (not when the user gave
     * the keys: then they need not cover every rotation). */
    if (!v->keys_from_user && ncps > 0)
        for (size_t k = 0; k < v->nkeys; k++)
            if (!(v->key_used & (UINT64_C(1) << k))) {
                char vk[RN_LEDGER_VKEY_MAX];
                rn__vkey_format(&v->keys[k], vk, sizeof vk);
                problem(v, "key", vk, -1, "key %s signed no checkpoint of"
                        " this log", vk);
            }
    if (tc.st)
        check_tiles_end(v, tt, &tc);
    v->st->tree_size = f.size;
    *count = f.size;
out:
    sqlite3_finalize(tc.st);
    free(tt);
    sqlite3_finalize(st);
    sqlite3_finalize(pv);
    sqlite3_finalize(cs);
    for (size_t i = 0; i < ncps; i++)
        free(cps[i].note);
    free(cps);
    return rc;
}

/* ---- V6, V7 ---------------------------------------------------------------- */

static int hash_file(const char *path, uint8_t out[32], uint64_t *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    uint8_t buf[65536];
    ssize_t n;
    *size = 0;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        crypto_hash_sha256_update(&h, buf, (size_t)n);
        *size += (uint64_t)n;
    }
    close(fd);
    if (n < 0)
        return -1;
    crypto_hash_sha256_final(&h, out);
    return 0;
}

static void check_blob(vctx *v, const char *rid, const char *sha,
                       const char *size_text)
{
    char path[4096];
    uint8_t want[32], got[32];
    uint64_t size;
    if (!sha || rn__hex_decode(sha, strlen(sha), want, 32) != RN_OK ||
        rn_store_blob_path(v->s, sha, path, sizeof path) != RN_OK) {
        problem(v, "record", rid, -1, "attachment %s: malformed sha256", rid);
        return;
    }
    if (hash_file(path, got, &size) != 0) {
        problem(v, "blob", sha, -1, "blob %s of attachment %s is missing or"
                " unreadable", sha, rid);
        return;
    }
    v->st->blobs++;
    if (memcmp(want, got, 32) != 0)
        problem(v, "blob", sha, -1, "blob %s of attachment %s: its content"
                " does not have that SHA-256 (the file was altered)", sha, rid);
    char sz[32];
    snprintf(sz, sizeof sz, "%llu", (unsigned long long)size);
    if (!size_text || strcmp(size_text, sz) != 0)
        problem(v, "blob", sha, -1, "blob %s of attachment %s: %s bytes"
                " recorded, %s on disk", sha, rid, size_text ? size_text : "?",
                sz);
}

static void check_blob_dir(vctx *v)
{
    const char *dir = rn_store_blob_dir(v->s);
    DIR *d = dir ? opendir(dir) : NULL;
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
        DIR *d2 = opendir(sub);
        if (!d2)
            continue;
        struct dirent *f;
        while ((f = readdir(d2)) != NULL) {
            if (f->d_name[0] == '.')
                continue;
            char path[8192];
            uint8_t want[32], got[32];
            uint64_t size;
            snprintf(path, sizeof path, "%s/%s", sub, f->d_name);
            if (strlen(f->d_name) != 64 ||
                rn__hex_decode(f->d_name, 64, want, 32) != RN_OK)
                continue; /* not a blob (a temp file of an interrupted put) */
            if (hash_file(path, got, &size) != 0 || memcmp(want, got, 32) != 0)
                problem(v, "blob", f->d_name, -1, "blob %s: its content does"
                        " not have that SHA-256 (the file was altered)",
                        f->d_name);
        }
        closedir(d2);
    }
    closedir(d);
}

/* An orphan is not a problem of the evidence (nothing names it): it is
 * reported as what = "orphan", not counted as a problem. */
static void orphan_note(void *ctx, const char *path, const char *why, uint64_t size)
{
    vctx *v = ctx;
    if (v->fn) {
        char msg[4600];
        snprintf(msg, sizeof msg, "%s (%llu bytes): %s; `remnant gc` removes it", path,
                 (unsigned long long)size, why);
        rn_ledger_problem p = {"orphan", path, -1, msg};
        v->fn(v->ctx, &p);
    }
}

static void check_records(vctx *v)
{
    sqlite3 *db = v->l->db;
    sqlite3_stmt *last = NULL;
    if (sqlite3_prepare_v2(db, "SELECT " RN_ENTRY_COLS("") " FROM ledger_entry"
                           " WHERE record_id = ?1 ORDER BY seq DESC LIMIT 1", -1,
                           &last, NULL) != SQLITE_OK) {
        problem(v, "database", "", -1, "cannot read the log");
        return;
    }
    int idx_sha = rn_type_field_index(RN_T_ATTACHMENT, "sha256", 6);
    int idx_size = rn_type_field_index(RN_T_ATTACHMENT, "size", 4);
    for (int t = 0; t < RN_T_COUNT; t++) {
        rn_cursor *cur = NULL;
        rn_error e2;
        rn_error_clear(&e2);
        uint64_t n = 0;
        /* Rows whose id is not an id at all are named here and the type is
         * not read through the store: a damaged row must not reach code
         * that trusts the schema's NOT NULL. */
        char q[256];
        sqlite3_stmt *bad = NULL;
        snprintf(q, sizeof q, "SELECT quote(id) FROM \"%s\" WHERE"
                 " typeof(id) != 'text' OR length(CAST(id AS BLOB)) != %d",
                 rn_type_name((rn_type)t), RN_ID_LEN);
        int nbad = 0;
        if (sqlite3_prepare_v2(db, q, -1, &bad, NULL) == SQLITE_OK)
            while (sqlite3_step(bad) == SQLITE_ROW) {
                const char *bid = (const char *)sqlite3_column_text(bad, 0);
                problem(v, "record", bid ? bid : "", -1, "a %s row has a"
                        " damaged id (%s)", rn_type_name((rn_type)t),
                        bid ? bid : "NULL");
                nbad++;
            }
        sqlite3_finalize(bad);
        if (nbad)
            continue;
        if (rn_store_list(v->s, (rn_type)t, NULL, 0, -1, 0, &cur, &e2)) {
            problem(v, "database", "", -1, "cannot list %s records: %s",
                    rn_type_name((rn_type)t), e2.message);
            continue;
        }
        for (;;) {
            const rn_record *rec = NULL;
            rn_code rc = rn_cursor_next(cur, &rec, &e2);
            if (rc != RN_OK) {
                problem(v, "database", "", -1, "cannot read %s records: %s",
                        rn_type_name((rn_type)t), e2.message);
                break;
            }
            if (!rec)
                break;
            n++;
            v->st->records++;
            const char *rid = rn_record_id(rec);
            char *canon = NULL;
            size_t clen = 0;
            if (rn_record_to_json(rec, RN_JSON_CANONICAL, &canon, &clen)) {
                problem(v, "record", rid, -1, "record %s cannot be encoded",
                        rid);
                continue;
            }
            sqlite3_bind_text(last, 1, rid, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(last) != SQLITE_ROW) {
                problem(v, "record", rid, -1, "record %s (%s) is not in the"
                        " log: it was added behind the log's back", rid,
                        rn_type_name((rn_type)t));
            } else {
                rn_entry en;
                const char *body = NULL;
                size_t bl = 0;
                const char *disc = sqlite3_column_blob(last, 5);
                size_t dl = (size_t)sqlite3_column_bytes(last, 5);
                char *ebuf = NULL;
                if (rn__ledger_entry_bytes(last, 0, v->ebuf, sizeof v->ebuf, &body, &bl) !=
                        RN_OK ||
                    rn__ledger_entry_open(body, bl, disc ? disc : "", dl, &en, &ebuf) != RN_OK)
                    problem(v, "record", rid, -1, "record %s: its last log"
                            " entry is malformed", rid);
                else if (en.op == 'd')
                    problem(v, "record", rid, -1, "record %s: the log says it"
                            " was deleted, but it is in the store", rid);
                else if (en.record_len != clen ||
                         memcmp(en.record, canon, clen) != 0)
                    problem(v, "record", rid, -1, "record %s (%s) differs from"
                            " its last log entry: it was changed behind the"
                            " log's back", rid, rn_type_name((rn_type)t));
                free(ebuf);
            }
            sqlite3_reset(last);
            free(canon);
            if (t == RN_T_ATTACHMENT && idx_sha >= 0)
                check_blob(v, rid, rn_record_get_at(rec, idx_sha, NULL),
                           idx_size >= 0 ? rn_record_get_at(rec, idx_size, NULL)
                                         : NULL);
        }
        rn_cursor_free(cur);
        /* Records alive in the log but missing from the store. */
        sqlite3_stmt *live = NULL;
        if (sqlite3_prepare_v2(db, "SELECT e.record_id FROM ledger_entry e"
                               " WHERE e.type = ?1 AND e.op != 'd' AND e.seq ="
                               " (SELECT max(seq) FROM ledger_entry WHERE"
                               " record_id = e.record_id)", -1, &live,
                               NULL) != SQLITE_OK)
            continue;
        sqlite3_bind_text(live, 1, rn_type_name((rn_type)t), -1, SQLITE_STATIC);
        uint64_t nlive = 0;
        while (sqlite3_step(live) == SQLITE_ROW)
            nlive++;
        if (nlive != n) {
            sqlite3_reset(live);
            while (sqlite3_step(live) == SQLITE_ROW) {
                const char *rid = (const char *)sqlite3_column_text(live, 0);
                rn_record *r = NULL;
                if (rn_store_get(v->s, rid, &r, NULL) != RN_OK)
                    problem(v, "record", rid, -1, "record %s (%s) is in the"
                            " log but missing from the store: it was removed"
                            " behind the log's back", rid,
                            rn_type_name((rn_type)t));
                rn_record_free(r);
            }
        }
        sqlite3_finalize(live);
    }
    sqlite3_finalize(last);
}

rn_code rn_ledger_verify(rn_store *s, const char *db_path,
                         const char *const *trusted, size_t ntrusted,
                         rn_ledger_problem_fn fn, void *ctx,
                         rn_ledger_verify_stats *stats, rn_error *err)
{
    rn_ledger_verify_opts o = {trusted, ntrusted, NULL, NULL, 0};
    return rn_ledger_verify_ex(s, db_path, &o, fn, ctx, stats, err);
}

rn_code rn_ledger_verify_ex(rn_store *s, const char *db_path, const rn_ledger_verify_opts *o,
                            rn_ledger_problem_fn fn, void *ctx, rn_ledger_verify_stats *stats,
                            rn_error *err)
{
    rn_ledger_verify_stats local;
    vctx v;
    rn_code rc;
    memset(&v, 0, sizeof v);
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    v.s = s;
    v.fn = fn;
    v.ctx = ctx;
    v.st = stats;
    if ((rc = rn_ledger_open(db_path, RN_LEDGER_READONLY, &v.l, err)) != RN_OK)
        return rc;
    /* One read transaction: a consistent snapshot of log and checkpoints. */
    sqlite3_exec(v.l->db, "BEGIN", NULL, NULL, NULL);
    check_db(&v);
    if ((rc = load_keys(&v, o, err)) != RN_OK)
        goto out;
    if (o && o->since) {
        rn_note n;
        rn_checkpoint cp;
        const char *body = o->since;
        size_t bl = o->since_len;
        if (rn__note_parse(o->since, o->since_len, &n) == RN_OK) {
            body = n.text;
            bl = n.text_len;
        }
        if (rn__checkpoint_parse(body, bl, &cp) != RN_OK) {
            rc = rn__err(err, RN_EINPUT, "the checkpoint to compare with is malformed: it"
                         " should be a checkpoint note (origin, size, root)");
            goto out;
        }
        if (cp.origin_len != strlen(v.l->origin) ||
            memcmp(cp.origin, v.l->origin, cp.origin_len) != 0) {
            rc = rn__err(err, RN_EINPUT, "the checkpoint to compare with is of the log %.*s,"
                         " not of this one (%s)", (int)cp.origin_len, cp.origin,
                         v.l->origin);
            goto out;
        }
        v.since_set = 1;
        v.since_size = cp.size;
        memcpy(v.since_root, cp.root, RN_HASH_LEN);
        anchor_note(&v, "compared with a checkpoint of %llu entries kept elsewhere",
                    (unsigned long long)cp.size);
    }
    uint64_t count;
    if ((rc = check_log(&v, &count, err)) != RN_OK)
        goto out;
    /* The store's readers trust the file's structure; on a file that
     * integrity_check found damaged, records are not read through them. */
    if (v.db_damaged)
        problem(&v, "database", "", -1, "records were not compared with the"
                " log because the database file is damaged");
    else
        check_records(&v);
    check_blob_dir(&v);
    if (!v.db_damaged) {
        uint64_t bytes = 0;
        rn_error e2;
        rn_error_clear(&e2);
        if (rn_store_orphans(s, 0, orphan_note, &v, &stats->orphans, &bytes, &e2) != RN_OK)
            problem(&v, "database", "", -1, "cannot look for orphans: %s", e2.message);
    }
    rc = stats->problems ? RN_ETAMPER : RN_OK;
    if (rc != RN_OK)
        rn__err(err, rc, "%llu problem%s found", (unsigned long long)stats->problems,
                stats->problems == 1 ? "" : "s");
out:
    sqlite3_exec(v.l->db, "COMMIT", NULL, NULL, NULL);
    rn_ledger_close(v.l);
    return rc;
}
