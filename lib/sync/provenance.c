/* SPDX-License-Identifier: Apache-2.0
 *
 * provenance.c — where a record's synced changes came from, and verify's
 * check of that provenance against the peers' checkpoints kept.
 *
 * What `remnant verify` checks here (tests cite P1..P4):
 *  P1. every kept peer checkpoint's note verifies with the key it was
 *      accepted under, whose name is the checkpoint's origin, and names the
 *      size and root of its row;
 *  P2. the leaves kept of each peer's log have no gaps from 0, and the tree
 *      they make at each kept checkpoint's size has that checkpoint's root;
 *      a leaf kept from a public package (with its inclusion proof) is in
 *      the tree of the kept checkpoint its proof is for;
 *  P3. every provenance row names a kept checkpoint of its origin at least
 *      as large as its index, and its origin leaf is the kept leaf there;
 *  P4. every provenance row's local entry exists and logs the same record.
 * The link between a kept leaf and the record was checked when the package
 * was imported (import.c S6, S7): the entry's bytes hash to the leaf and its
 * disclosures to its digests.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "sync/sync_int.h"

rn_code rn_sync_provenance(rn_store *s, const char *id, char **json, rn_error *err)
{
    *json = NULL;
    sqlite3 *db = rn__store_db(s);
    if (!db)
        return rn__err(err, RN_EINVAL, "sync needs the SQLite store");
    sqlite3_stmt *st = NULL;
    json_t *root = json_object(), *changes = json_object(), *conflict = json_null();
    rn_code rc = RN_OK;
    if (!root || !changes) {
        rc = rn__err(err, RN_ENOMEM, "out of memory");
        goto out;
    }
    if (sqlite3_prepare_v2(db, "SELECT seq, origin, origin_index, origin_checkpoint, author, "
                               "time, made_in, made_index, brought_by, peer FROM "
                               "sync_provenance WHERE record_id=? ORDER BY seq", -1, &st,
                           NULL) != SQLITE_OK) {
        rc = rn__sync_dberr(db, err, "reading provenance");
        goto out;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)sqlite3_column_int64(st, 0));
        json_t *o = json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:I, s:s, s:s}",
                              "log", (const char *)sqlite3_column_text(st, 1),
                              "index", (json_int_t)sqlite3_column_int64(st, 2),
                              "checkpoint", (json_int_t)sqlite3_column_int64(st, 3),
                              "author", (const char *)sqlite3_column_text(st, 4),
                              "time", (const char *)sqlite3_column_text(st, 5),
                              "made_in", (const char *)sqlite3_column_text(st, 6),
                              "made_at", (json_int_t)sqlite3_column_int64(st, 7),
                              "brought_by", (const char *)sqlite3_column_text(st, 8),
                              "peer", (const char *)sqlite3_column_text(st, 9));
        if (!o || json_object_set_new(changes, key, o)) {
            rc = rn__err(err, RN_ENOMEM, "out of memory");
            goto out;
        }
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT peer, origin_index, theirs, theirs_author, theirs_time "
                               "FROM sync_conflict WHERE record_id=? AND resolved_take IS NULL",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = rn__sync_dberr(db, err, "reading conflicts");
        goto out;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        json_decref(conflict);
        conflict = json_pack("{s:s, s:I, s:b, s:s, s:s}",
                             "peer", (const char *)sqlite3_column_text(st, 0),
                             "index", (json_int_t)sqlite3_column_int64(st, 1),
                             "theirs_deleted", sqlite3_column_type(st, 2) == SQLITE_NULL,
                             "author", (const char *)sqlite3_column_text(st, 3),
                             "time", (const char *)sqlite3_column_text(st, 4));
    }
    if (json_object_set(root, "changes", changes) || json_object_set(root, "conflict", conflict)) {
        rc = rn__err(err, RN_ENOMEM, "out of memory");
        goto out;
    }
    *json = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
    if (!*json)
        rc = rn__err(err, RN_ENOMEM, "out of memory");
out:
    sqlite3_finalize(st);
    json_decref(root);
    json_decref(changes);
    json_decref(conflict);
    return rc;
}

typedef struct vctx {
    rn_sync_problem_fn fn;
    void *ctx;
    uint64_t problems;
} vctx;

static void problem(vctx *v, const char *what, const char *id, const char *fmt, ...)
    RN_PRINTF(4, 5);
static void problem(vctx *v, const char *what, const char *id, const char *fmt, ...)
{
    char m[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    v->problems++;
    if (v->fn)
        v->fn(v->ctx, what, id, m);
}

/* P2 for the leaves a public package gave: each by its inclusion proof. */
static rn_code check_sparse(sqlite3 *db, const char *origin, vctx *v, int *sparse,
                            rn_error *err)
{
    sqlite3_stmt *st = NULL;
    *sparse = 0;
    if (sqlite3_prepare_v2(db, "SELECT l.idx, l.leaf_hash, l.proof, l.proof_size, c.root FROM "
                               "sync_leaf l LEFT JOIN sync_checkpoint c ON c.origin = l.origin "
                               "AND c.size = l.proof_size WHERE l.origin=? AND l.proof IS NOT "
                               "NULL", -1, &st, NULL) != SQLITE_OK)
        return rn__sync_dberr(db, err, "reading peer leaves");
    sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        *sparse = 1;
        uint64_t idx = (uint64_t)sqlite3_column_int64(st, 0);
        int pn = sqlite3_column_bytes(st, 2);
        const void *root = sqlite3_column_blob(st, 4);
        rn_hash proof[RN_PROOF_MAX];
        if (sqlite3_column_bytes(st, 1) != RN_HASH_LEN || pn % RN_HASH_LEN ||
            pn / RN_HASH_LEN > RN_PROOF_MAX || !root ||
            sqlite3_column_bytes(st, 4) != RN_HASH_LEN) {
            problem(v, "peer leaf", origin, "leaf %llu kept from this log has no valid proof "
                    "or no kept checkpoint", (unsigned long long)idx);
            continue;
        }
        if (pn)
            memcpy(proof, sqlite3_column_blob(st, 2), (size_t)pn);
        if (rn__merkle_verify_inclusion(idx, (uint64_t)sqlite3_column_int64(st, 3),
                                        sqlite3_column_blob(st, 1), (const rn_hash *)proof,
                                        (size_t)pn / RN_HASH_LEN, root) != RN_OK)
            problem(v, "peer leaf", origin, "leaf %llu kept from this log is not in the tree "
                    "of its checkpoint", (unsigned long long)idx);
    }
    sqlite3_finalize(st);
    return RN_OK;
}

/* P1, P2 for one peer log. */
static rn_code check_log(sqlite3 *db, const char *origin, vctx *v, rn_error *err)
{
    int sparse = 0;
    rn_code src = check_sparse(db, origin, v, &sparse, err);
    if (src)
        return src;
    sqlite3_stmt *cps = NULL, *lv = NULL;
    rn_code rc = RN_OK;
    if (sqlite3_prepare_v2(db, "SELECT size, root, note, vkey FROM sync_checkpoint WHERE "
                               "origin=? ORDER BY size", -1, &cps, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT idx, leaf_hash FROM sync_leaf WHERE origin=? ORDER BY "
                               "idx", -1, &lv, NULL) != SQLITE_OK) {
        rc = rn__sync_dberr(db, err, "reading peer checkpoints");
        goto out;
    }
    sqlite3_bind_text(cps, 1, origin, -1, SQLITE_STATIC);
    sqlite3_bind_text(lv, 1, origin, -1, SQLITE_STATIC);
    rn_frontier f;
    rn__frontier_init(&f);
    int lr = sqlite3_step(lv);
    while (sqlite3_step(cps) == SQLITE_ROW) {
        uint64_t size = (uint64_t)sqlite3_column_int64(cps, 0);
        const void *root = sqlite3_column_blob(cps, 1);
        const char *note = (const char *)sqlite3_column_text(cps, 2);
        const char *vk = (const char *)sqlite3_column_text(cps, 3);
        rn_note n;
        rn_checkpoint cp;
        rn_vkey k;
        if (!note || !vk || !root || sqlite3_column_bytes(cps, 1) != RN_HASH_LEN ||
            rn__note_parse(note, (size_t)sqlite3_column_bytes(cps, 2), &n) != RN_OK ||
            rn__checkpoint_parse(n.text, n.text_len, &cp) != RN_OK ||
            rn__vkey_parse(vk, strlen(vk), &k) != RN_OK || strcmp(k.name, origin) != 0 ||
            cp.origin_len != strlen(origin) || memcmp(cp.origin, origin, cp.origin_len) ||
            cp.size != size || memcmp(cp.root, root, RN_HASH_LEN) ||
            rn__note_verify(&n, &k, 1, NULL) != RN_OK) {
            problem(v, "peer checkpoint", origin, "the checkpoint of size %llu kept from this "
                    "log does not verify with the key it was accepted under",
                    (unsigned long long)size);
            continue;
        }
        if (sparse)
            continue; /* P2 by the leaves' own proofs, above */
        while (f.size < size && lr == SQLITE_ROW) {
            if ((uint64_t)sqlite3_column_int64(lv, 0) != f.size ||
                sqlite3_column_bytes(lv, 1) != RN_HASH_LEN)
                break;
            (void)rn__frontier_append(&f, sqlite3_column_blob(lv, 1));
            lr = sqlite3_step(lv);
        }
        rn_hash r;
        rn__frontier_root(&f, r);
        if (f.size != size || memcmp(r, root, RN_HASH_LEN) != 0)
            problem(v, "peer checkpoint", origin, "the leaves kept from this log do not make "
                    "the tree of its checkpoint of size %llu", (unsigned long long)size);
    }
out:
    sqlite3_finalize(cps);
    sqlite3_finalize(lv);
    return rc;
}

rn_code rn_sync_verify(rn_store *s, rn_sync_problem_fn fn, void *ctx, uint64_t *checked,
                       rn_error *err)
{
    sqlite3 *db = rn__store_db(s);
    vctx v = {fn, ctx, 0};
    sqlite3_stmt *st = NULL;
    rn_code rc = RN_OK;
    if (checked)
        *checked = 0;
    if (!db)
        return rn__err(err, RN_EINVAL, "sync needs the SQLite store");
    if (sqlite3_prepare_v2(db, "SELECT DISTINCT origin FROM sync_checkpoint", -1, &st, NULL) !=
        SQLITE_OK)
        return rn__sync_dberr(db, err, "reading peer checkpoints");
    while (rc == RN_OK && sqlite3_step(st) == SQLITE_ROW) {
        char origin[RN_ORIGIN_MAX + 1];
        snprintf(origin, sizeof origin, "%s", (const char *)sqlite3_column_text(st, 0));
        rc = check_log(db, origin, &v, err);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc)
        return rc;
    /* P3, P4 */
    if (sqlite3_prepare_v2(db,
                           "SELECT p.seq, p.record_id, p.origin, p.origin_index, "
                           "p.origin_checkpoint, p.origin_leaf = l.leaf_hash, "
                           "c.size IS NOT NULL, e.record_id FROM sync_provenance p "
                           "LEFT JOIN sync_leaf l ON l.origin = p.origin AND l.idx = "
                           "p.origin_index LEFT JOIN sync_checkpoint c ON c.origin = p.origin "
                           "AND c.size = p.origin_checkpoint LEFT JOIN ledger_entry e ON "
                           "e.seq = p.seq ORDER BY p.seq", -1, &st, NULL) != SQLITE_OK)
        return rn__sync_dberr(db, err, "reading provenance");
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 1);
        long long seq = sqlite3_column_int64(st, 0);
        if (checked)
            (*checked)++;
        if (sqlite3_column_int(st, 6) == 0)
            problem(&v, "provenance", id, "entry #%lld cites checkpoint %lld of %s, which is "
                    "not kept here", seq, (long long)sqlite3_column_int64(st, 4),
                    (const char *)sqlite3_column_text(st, 2));
        else if (sqlite3_column_type(st, 5) == SQLITE_NULL || sqlite3_column_int(st, 5) != 1)
            problem(&v, "provenance", id, "entry #%lld cites entry %lld of %s, whose leaf hash "
                    "is not the one kept from that log", seq,
                    (long long)sqlite3_column_int64(st, 3),
                    (const char *)sqlite3_column_text(st, 2));
        const char *eid = (const char *)sqlite3_column_text(st, 7);
        if (!eid || !id || strcmp(eid, id) != 0)
            problem(&v, "provenance", id ? id : "", "entry #%lld is not a change of this "
                    "record", seq);
    }
    sqlite3_finalize(st);
    return v.problems ? RN_ETAMPER : RN_OK;
}
