/* SPDX-License-Identifier: Apache-2.0
 *
 * ledger.c — the rn_ledger handle (include/remnant/ledger.h): its own
 * connection to the database, reading checkpoints with their cosignatures,
 * and inclusion / consistency proofs read from the tiles (tiles.c): O(log n)
 * stored hashes each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "ledger/ledger_int.h"
#include "remnant/ledger.h"

rn_code rn_ledger_open(const char *db_path, unsigned flags, rn_ledger **out,
                       rn_error *err)
{
    rn_ledger *l = NULL;
    rn_code rc = RN_OK;
    *out = NULL;
    if (sodium_init() < 0)
        return rn__err(err, RN_ECRYPTO, "libsodium failed to initialise");
    l = rn__calloc(1, sizeof *l);
    if (!l)
        return rn__err(err, RN_ENOMEM, "out of memory");
    l->path = rn__strndup(db_path, strlen(db_path));
    if (!l->path) {
        rc = rn__err(err, RN_ENOMEM, "out of memory");
        goto out;
    }
    l->readonly = (flags & RN_LEDGER_READONLY) != 0;
    int oflags = l->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    rn__sqlite_setup();
    if (sqlite3_open_v2(db_path, &l->db, oflags, NULL) != SQLITE_OK) {
        rc = rn__err(err, l->db ? RN_EDB : RN_ENOMEM, "%s: %s", db_path,
                     l->db ? sqlite3_errmsg(l->db) : "out of memory");
        goto out;
    }
    sqlite3_busy_timeout(l->db, 5000);
    rc = rn__ledger_origin(l->db, l->origin, sizeof l->origin, err);
    if ((rc == RN_EDB || rc == RN_EREADONLY) && l->readonly && access(db_path, F_OK) == 0) {
        /* A read-only folder (no -shm can be made): read the file as
         * immutable, as the store does for read commands. */
        sqlite3_close_v2(l->db);
        l->db = NULL;
        if (rn__sqlite_open_immutable(db_path, &l->db) == SQLITE_OK) {
            if (err)
                rn_error_clear(err);
            rc = rn__ledger_origin(l->db, l->origin, sizeof l->origin, err);
        }
    }
    if (rc != RN_OK) {
        if (rc == RN_EDB)
            rc = rn__err(err, RN_ENOTFOUND, "%s: no evidence log (not a"
                         " Remnant database, or one too old)", db_path);
        goto out;
    }
    *out = l;
    l = NULL;
out:
    rn_ledger_close(l);
    return rc;
}

void rn_ledger_close(rn_ledger *l)
{
    if (!l)
        return;
    sqlite3_finalize(l->tile_st);
    if (l->db)
        sqlite3_close_v2(l->db);
    free(l->path);
    free(l);
}

const char *rn_ledger_origin(const rn_ledger *l) { return l->origin; }

rn_code rn_ledger_size(rn_ledger *l, uint64_t *out, rn_error *err)
{
    sqlite3_stmt *st = NULL;
    rn_code rc = RN_OK;
    *out = 0;
    if (sqlite3_prepare_v2(l->db, "SELECT size FROM ledger_tree WHERE id = 1",
                           -1, &st, NULL) != SQLITE_OK)
        return rn__ledger_dberr(l->db, err, "read tree size");
    if (sqlite3_step(st) == SQLITE_ROW)
        *out = (uint64_t)sqlite3_column_int64(st, 0);
    else
        rc = rn__err(err, RN_ETAMPER, "the tree state is missing");
    sqlite3_finalize(st);
    return rc;
}

/* The size of the latest checkpoint (0 when none). */
rn_code rn__ledger_latest(rn_ledger *l, uint64_t *size, rn_error *err)
{
    sqlite3_stmt *st = NULL;
    *size = 0;
    if (sqlite3_prepare_v2(l->db, "SELECT max(size) FROM ledger_checkpoint",
                           -1, &st, NULL) != SQLITE_OK)
        return rn__ledger_dberr(l->db, err, "read checkpoints");
    if (sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_type(st, 0) != SQLITE_NULL)
        *size = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (*size == 0)
        return rn__err(err, RN_ENOTFOUND, "the log has no checkpoint yet");
    return RN_OK;
}

rn_code rn_ledger_checkpoint(rn_ledger *l, uint64_t size, char **note,
                             size_t *len, rn_error *err)
{
    sqlite3_stmt *st = NULL;
    rn_code rc;
    rn_buf b;
    rn__buf_init(&b, RN_NOTE_MAX);
    *note = NULL;
    if (len)
        *len = 0;
    if (size == 0 && (rc = rn__ledger_latest(l, &size, err)) != RN_OK)
        return rc;
    if (sqlite3_prepare_v2(l->db, "SELECT note FROM ledger_checkpoint WHERE"
                           " size = ?1", -1, &st, NULL) != SQLITE_OK)
        return rn__ledger_dberr(l->db, err, "read checkpoint");
    sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = rn__err(err, RN_ENOTFOUND, "no checkpoint at size %llu",
                     (unsigned long long)size);
        goto out;
    }
    const char *nt = (const char *)sqlite3_column_text(st, 0);
    rc = rn__buf_add(&b, nt ? nt : "", nt ? (size_t)sqlite3_column_bytes(st, 0) : 0);
    sqlite3_finalize(st);
    st = NULL;
    if (rc != RN_OK)
        goto toolong;
    /* An unsigned checkpoint is the bare body: cosignature lines need the
     * blank line of a note before them. */
    if (sqlite3_prepare_v2(l->db, "SELECT line FROM ledger_cosignature WHERE"
                           " size = ?1 ORDER BY witness", -1, &st,
                           NULL) != SQLITE_OK) {
        rc = rn__ledger_dberr(l->db, err, "read cosignatures");
        goto out;
    }
    sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
    int first = 1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (first && (b.len < 2 || memcmp(b.data + b.len - 2, "\n\n", 2) != 0)) {
            /* Is there already a signature block? */
            int has_sigs = 0;
            for (size_t i = 1; i < b.len; i++)
                if (b.data[i] == '\n' && b.data[i - 1] == '\n')
                    has_sigs = 1;
            if (!has_sigs && (rc = rn__buf_addc(&b, '\n')) != RN_OK)
                goto toolong;
        }
        first = 0;
        const char *lt = (const char *)sqlite3_column_text(st, 0);
        rc = rn__buf_add(&b, lt ? lt : "",
                         lt ? (size_t)sqlite3_column_bytes(st, 0) : 0);
        if (rc == RN_OK && (b.len == 0 || b.data[b.len - 1] != '\n'))
            rc = rn__buf_addc(&b, '\n');
        if (rc != RN_OK)
            goto toolong;
    }
    if ((rc = rn__buf_cstr(&b)) != RN_OK)
        goto toolong;
    *note = b.data;
    if (len)
        *len = b.len;
    b.data = NULL;
    rc = RN_OK;
    goto out;
toolong:
    rc = rn__err(err, rc, "checkpoint %llu is too large",
                 (unsigned long long)size);
out:
    sqlite3_finalize(st);
    rn__buf_free(&b);
    return rc;
}

rn_code rn_ledger_checkpoints(rn_ledger *l, rn_ledger_checkpoint_fn fn,
                              void *ctx, rn_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(l->db,
                           "SELECT c.size, c.note, (SELECT count(*)"
                           " FROM ledger_cosignature w WHERE w.size = c.size)"
                           " FROM ledger_checkpoint c ORDER BY c.size",
                           -1, &st, NULL) != SQLITE_OK)
        return rn__ledger_dberr(l->db, err, "list checkpoints");
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *nt = (const char *)sqlite3_column_text(st, 1);
        if (fn(ctx, (uint64_t)sqlite3_column_int64(st, 0), nt ? nt : "",
               nt ? (size_t)sqlite3_column_bytes(st, 1) : 0,
               (size_t)sqlite3_column_int64(st, 2)))
            break;
    }
    rn_code rc = (r == SQLITE_ROW || r == SQLITE_DONE)
                     ? RN_OK
                     : rn__ledger_dberr(l->db, err, "list checkpoints");
    sqlite3_finalize(st);
    return rc;
}

/* ---- proofs --------------------------------------------------------------- */

rn_code rn_ledger_inclusion(rn_ledger *l, const char *id, uint64_t size,
                            rn_ledger_proof *out, char **entry,
                            size_t *entry_len, rn_error *err)
{
    sqlite3_stmt *st = NULL;
    rn_code rc;
    memset(out, 0, sizeof *out);
    if (entry)
        *entry = NULL;
    if (entry_len)
        *entry_len = 0;
    if (size == 0 && (rc = rn__ledger_latest(l, &size, err)) != RN_OK)
        return rc;
    char ebuf[RN_ENTRY_V2_MAX];
    if (sqlite3_prepare_v2(l->db, "SELECT " RN_ENTRY_COLS("") " FROM ledger_entry WHERE"
                           " record_id = ?1 AND seq < ?2 ORDER BY seq DESC"
                           " LIMIT 1", -1, &st, NULL) != SQLITE_OK)
        return rn__ledger_dberr(l->db, err, "find entry");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)size);
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = rn__err(err, RN_ENOTFOUND, "record %s has no entry in the first"
                     " %llu entries of the log", id, (unsigned long long)size);
        goto out;
    }
    out->index = (uint64_t)sqlite3_column_int64(st, 0);
    out->size = size;
    if (entry) {
        const char *eb = NULL;
        size_t el = 0;
        if (rn__ledger_entry_bytes(st, 0, ebuf, sizeof ebuf, &eb, &el) != RN_OK) {
            rc = rn__err(err, RN_ETAMPER, "the log entry of %s is damaged: run `remnant"
                         " verify`", id);
            goto out;
        }
        *entry = rn__strndup(eb, el);
        if (!*entry) {
            rc = rn__err(err, RN_ENOMEM, "out of memory");
            goto out;
        }
        if (entry_len)
            *entry_len = el;
    }
    rn__tile_reader *tr = NULL;
    rc = rn__tile_reader_open(l->db, &tr);
    if (rc == RN_OK)
        rc = rn__merkle_inclusion_proof_nodes(rn__tile_node, tr, out->index, size, out->hash,
                                              &out->n);
    rn__tile_reader_close(tr);
    if (rc != RN_OK) {
        rc = rn__err(err, rc, "cannot build the inclusion proof of %s", id);
        if (entry) {
            free(*entry);
            *entry = NULL;
        }
    }
out:
    sqlite3_finalize(st);
    return rc;
}

rn_code rn_ledger_consistency(rn_ledger *l, uint64_t size1, uint64_t size2,
                              rn_ledger_proof *out, rn_error *err)
{
    memset(out, 0, sizeof *out);
    uint64_t have;
    rn_code rc = rn_ledger_size(l, &have, err);
    if (rc != RN_OK)
        return rc;
    if (size1 > size2 || size2 > have)
        return rn__err(err, RN_EINVAL, "no consistency proof from %llu to %llu"
                       " (the log has %llu entries)", (unsigned long long)size1,
                       (unsigned long long)size2, (unsigned long long)have);
    out->index = size1;
    out->size = size2;
    rn__tile_reader *tr = NULL;
    rc = rn__tile_reader_open(l->db, &tr);
    if (rc == RN_OK)
        rc = rn__merkle_consistency_proof_nodes(rn__tile_node, tr, size1, size2, out->hash,
                                                &out->n);
    rn__tile_reader_close(tr);
    if (rc != RN_OK)
        return rn__err(err, rc, "cannot build the consistency proof");
    return RN_OK;
}

rn_code rn_ledger_verify_inclusion(const rn_ledger_proof *p,
                                   const uint8_t leaf_hash[RN_LEDGER_HASH_LEN],
                                   const uint8_t root[RN_LEDGER_HASH_LEN])
{
    if (p->n > RN_LEDGER_PROOF_MAX)
        return RN_ECRYPTO;
    return rn__merkle_verify_inclusion(p->index, p->size, leaf_hash,
                                       (const rn_hash *)p->hash, p->n, root);
}

rn_code rn_ledger_verify_consistency(const rn_ledger_proof *p,
                                     const uint8_t root1[RN_LEDGER_HASH_LEN],
                                     const uint8_t root2[RN_LEDGER_HASH_LEN])
{
    if (p->n > RN_LEDGER_PROOF_MAX)
        return RN_ECRYPTO;
    return rn__merkle_verify_consistency(p->index, p->size,
                                         (const rn_hash *)p->hash, p->n,
                                         root1, root2);
}
