/* SPDX-License-Identifier: Apache-2.0
 *
 * conflict.c — conflicts kept by a sync (import.c S9): a record changed here
 * and at a peer since they last agreed. Mine is the record in the store;
 * theirs waits in sync_conflict. Nothing is overwritten until a person
 * resolves it, and the resolution is a logged change like any other (C1),
 * made under the store's author; the conflict row stays, marked with what
 * was taken, by whom, and the log entry that resolved it (C2).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "sync/sync_int.h"

static json_t *record_json(rn_store *s, const char *id)
{
    rn_record *r = NULL;
    if (rn_store_get(s, id, &r, NULL) != RN_OK)
        return json_null();
    char *c = NULL;
    size_t n = 0;
    json_t *v = NULL;
    if (rn_record_to_json(r, 0, &c, &n) == RN_OK)
        v = json_loadb(c, n, 0, NULL);
    free(c);
    rn_record_free(r);
    return v ? v : json_null();
}

rn_code rn_sync_conflicts(rn_store *s, char **json, rn_error *err)
{
    *json = NULL;
    sqlite3 *db = rn__store_db(s);
    if (!db)
        return rn__err(err, RN_EINVAL, "sync needs the SQLite store");
    sqlite3_stmt *st = NULL;
    json_t *arr = json_array();
    rn_code rc = RN_OK;
    if (!arr)
        return rn__err(err, RN_ENOMEM, "out of memory");
    if (sqlite3_prepare_v2(db, "SELECT record_id, type, peer, theirs, theirs_author, "
                               "theirs_time, origin, origin_index FROM sync_conflict WHERE "
                               "resolved_take IS NULL ORDER BY opened, record_id", -1, &st,
                           NULL) != SQLITE_OK) {
        rc = rn__sync_dberr(db, err, "reading conflicts");
        goto out;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        const char *th = (const char *)sqlite3_column_text(st, 3);
        json_t *theirs = th ? json_loads(th, 0, NULL) : json_null();
        json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:I}",
                              "id", id, "type", (const char *)sqlite3_column_text(st, 1),
                              "peer", (const char *)sqlite3_column_text(st, 2),
                              "mine", record_json(s, id),
                              "theirs", theirs ? theirs : json_null(),
                              "theirs_op", th ? "update" : "delete",
                              "theirs_author", (const char *)sqlite3_column_text(st, 4),
                              "theirs_time", (const char *)sqlite3_column_text(st, 5),
                              "log", (const char *)sqlite3_column_text(st, 6),
                              "index", (json_int_t)sqlite3_column_int64(st, 7));
        if (!o || json_array_append_new(arr, o)) {
            rc = rn__err(err, RN_ENOMEM, "out of memory");
            goto out;
        }
    }
    *json = json_dumps(arr, JSON_COMPACT);
    if (!*json)
        rc = rn__err(err, RN_ENOMEM, "out of memory");
out:
    sqlite3_finalize(st);
    json_decref(arr);
    return rc;
}

static rn_code put_json(rn_store *s, const char *id, const char *type, const char *js,
                        size_t n, rn_error *err)
{
    rn_record *r = NULL;
    rn_code rc = rn_record_from_json(js, n, &r, err);
    if (rc)
        return rc;
    if (strcmp(rn_record_id(r), id) != 0 || strcmp(rn_type_name(rn_record_type(r)), type) != 0)
        rc = rn__err(err, RN_EINPUT, "the edited record must be the %s %s (same id and type)",
                     type, id);
    else
        rc = rn__store_sync_put(s, r, err);
    rn_record_free(r);
    return rc;
}

rn_code rn_sync_resolve(rn_store *s, const char *id, rn_sync_take take, const char *edited,
                        size_t edited_len, rn_error *err)
{
    sqlite3 *db = rn__store_db(s);
    sqlite3_stmt *st = NULL;
    char type[32] = "", *theirs = NULL;
    int theirs_deleted = 0;
    rn_code rc;
    if (!db)
        return rn__err(err, RN_EINVAL, "sync needs the SQLite store");
    if (take == RN_TAKE_EDITED && !edited)
        return rn__err(err, RN_EINVAL, "an edited resolution needs the record");
    if ((rc = rn_store_begin(s, err)))
        return rc;
    if (sqlite3_prepare_v2(db, "SELECT type, theirs FROM sync_conflict WHERE record_id=? AND "
                               "resolved_take IS NULL", -1, &st, NULL) != SQLITE_OK) {
        rc = rn__sync_dberr(db, err, "reading conflicts");
        goto out;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = rn__err(err, RN_ENOTFOUND, "record %.40s is not in conflict (`remnant conflicts` "
                     "lists those that are)", id);
        goto out;
    }
    snprintf(type, sizeof type, "%s", (const char *)sqlite3_column_text(st, 0));
    if (sqlite3_column_type(st, 1) == SQLITE_NULL)
        theirs_deleted = 1;
    else if (!(theirs = rn__strndup((const char *)sqlite3_column_text(st, 1),
                                    (size_t)sqlite3_column_bytes(st, 1)))) {
        rc = rn__err(err, RN_ENOMEM, "out of memory");
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    /* C1: the resolution is a logged change */
    rn_record *mine = NULL;
    int have_mine = rn_store_get(s, id, &mine, NULL) == RN_OK;
    if (take == RN_TAKE_MINE)
        rc = have_mine ? rn__store_sync_put(s, mine, err) : RN_OK;
    else if (take == RN_TAKE_THEIRS)
        rc = theirs_deleted ? (have_mine ? rn__store_sync_delete(s, id, err) : RN_OK)
                            : put_json(s, id, type, theirs, strlen(theirs), err);
    else
        rc = put_json(s, id, type, edited, edited_len, err);
    rn_record_free(mine);
    if (rc)
        goto out;
    /* C2 */
    static const char *const words[] = {"mine", "theirs", "edited"};
    if (sqlite3_prepare_v2(db, "UPDATE sync_conflict SET resolved_take=?, resolved_by=?, "
                               "resolved_seq=(SELECT max(seq) FROM ledger_entry WHERE "
                               "record_id=?) WHERE record_id=? AND resolved_take IS NULL", -1,
                           &st, NULL) != SQLITE_OK) {
        rc = rn__sync_dberr(db, err, "resolving");
        goto out;
    }
    sqlite3_bind_text(st, 1, words[take], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, s->author, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = rn__sync_dberr(db, err, "resolving");
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    rc = rn_store_commit(s, err);
out:
    sqlite3_finalize(st);
    if (rc && s->user_tx)
        rn_store_rollback(s);
    free(theirs);
    return rc;
}
