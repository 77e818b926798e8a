/* SPDX-License-Identifier: Apache-2.0
 *
 * peer.c — the peers an instance trusts (sync_peer, migration 0010): name,
 * URL, verifier key (whose name is the peer log's origin) and the role its
 * pushes are held to. A peer is known by its key: a package is accepted
 * only when a registered key signed it.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/store_int.h"
#include "sync/sync_int.h"

static const char *const roles[] = {"investigator", "analyst", "reviewer", "admin", "partner"};

rn_code rn__sync_dberr(sqlite3 *db, rn_error *err, const char *what)
{
    int rc = sqlite3_errcode(db) & 0xff;
    rn_code code = rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? RN_EBUSY
                   : rc == SQLITE_READONLY                  ? RN_EREADONLY
                                                            : RN_EDB;
    return rn__err(err, code, "%s: %s", what, sqlite3_errmsg(db));
}

void rn__sync_now(char buf[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    if (strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, 32, "1970-01-01T00:00:00Z");
}

static int name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > RN_SYNC_NAME_MAX || s[0] == '-' || s[0] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

static int url_ok(const char *u)
{
    size_t n = strlen(u);
    if (n > RN_SYNC_URL_MAX)
        return 0;
    if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] >= 0x7f)
            return 0;
    return 1;
}

static sqlite3 *db_of(rn_store *s, rn_error *err)
{
    sqlite3 *db = rn__store_db(s);
    if (!db)
        rn__err(err, RN_EINVAL, "sync needs the SQLite store");
    return db;
}

rn_code rn_sync_peer_add(rn_store *s, const char *name, const char *url, const char *vkey,
                         const char *role, rn_error *err)
{
    sqlite3 *db = db_of(s, err);
    if (!db)
        return RN_EINVAL;
    if (s->readonly)
        return rn__err(err, RN_EREADONLY, "the store was opened read-only");
    if (!name_ok(name))
        return rn__err_field(err, RN_EINPUT, "name",
                             "'%.80s' is not a peer name (1 to %d letters, digits, '-', '_', "
                             "'.', not starting with '-' or '.')", name, RN_SYNC_NAME_MAX);
    if (url && strcmp(url, "-") == 0)
        url = NULL;
    if (url && !url_ok(url))
        return rn__err_field(err, RN_EINPUT, "url",
                             "'%.80s' is not a peer URL (http:// or https://, no spaces), or "
                             "'-' for a peer reached by file only", url);
    rn_vkey k;
    if (rn__vkey_parse(vkey, strlen(vkey), &k) != RN_OK || k.type != RN_SIGTYPE_ED25519)
        return rn__err_field(err, RN_EINPUT, "key",
                             "'%.60s' is not a log verifier key (the peer's `remnant key show` "
                             "prints it: NAME+KEYID+BASE64)", vkey);
    if (!role)
        role = "investigator";
    size_t i;
    for (i = 0; i < RN_ARRAY_LEN(roles); i++)
        if (strcmp(role, roles[i]) == 0)
            break;
    if (i == RN_ARRAY_LEN(roles))
        return rn__err_field(err, RN_EINPUT, "role",
                             "'%.40s' is not a role (investigator, analyst, reviewer, admin, "
                             "partner)", role);
    char own[RN_ORIGIN_MAX + 1] = "";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT value FROM ledger_meta WHERE key='origin'", -1, &st,
                           NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        snprintf(own, sizeof own, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (strcmp(own, k.name) == 0)
        return rn__err_field(err, RN_EINPUT, "key",
                             "that is this instance's own key: a peer is another instance");
    char now[32];
    rn__sync_now(now);
    if (sqlite3_prepare_v2(db, "INSERT INTO sync_peer(name, url, vkey, origin, role, added) "
                               "VALUES (?,?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK)
        return rn__sync_dberr(db, err, "registering the peer");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (url)
        sqlite3_bind_text(st, 2, url, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, vkey, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, k.name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, role, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    rn_code rc = RN_OK;
    if ((r & 0xff) == SQLITE_CONSTRAINT)
        rc = rn__err(err, RN_EEXISTS,
                     "a peer named '%s' or a peer with the log %s is registered already "
                     "(`remnant peer list`; `remnant peer rm NAME` first to replace it)",
                     name, k.name);
    else if (r != SQLITE_DONE)
        rc = rn__sync_dberr(db, err, "registering the peer");
    sqlite3_finalize(st);
    return rc;
}

rn_code rn_sync_peer_rm(rn_store *s, const char *name, rn_error *err)
{
    sqlite3 *db = db_of(s, err);
    if (!db)
        return RN_EINVAL;
    if (s->readonly)
        return rn__err(err, RN_EREADONLY, "the store was opened read-only");
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "DELETE FROM sync_peer WHERE name=?", -1, &st, NULL) !=
        SQLITE_OK)
        return rn__sync_dberr(db, err, "removing the peer");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    if (r != SQLITE_DONE)
        return rn__sync_dberr(db, err, "removing the peer");
    if (sqlite3_changes(db) == 0)
        return rn__err(err, RN_ENOTFOUND, "no peer named '%.80s' (`remnant peer list`)", name);
    return RN_OK;
}

rn_code rn__sync_peer_get(sqlite3 *db, const char *name, char *origin, size_t ocap, char *vkey,
                          size_t vcap, rn_error *err)
{
    sqlite3_stmt *st = NULL;
    rn_code rc = RN_OK;
    if (sqlite3_prepare_v2(db, "SELECT origin, vkey FROM sync_peer WHERE name=?", -1, &st,
                           NULL) != SQLITE_OK)
        return rn__sync_dberr(db, err, "reading the peer");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW)
        rc = rn__err(err, RN_ENOTFOUND, "no peer named '%.80s' (`remnant peer add` registers "
                     "one)", name);
    else {
        if (origin)
            snprintf(origin, ocap, "%s", (const char *)sqlite3_column_text(st, 0));
        if (vkey)
            snprintf(vkey, vcap, "%s", (const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    return rc;
}

rn_code rn_sync_peer_list(rn_store *s, char **json, rn_error *err)
{
    *json = NULL;
    sqlite3 *db = db_of(s, err);
    if (!db)
        return RN_EINVAL;
    sqlite3_stmt *st = NULL;
    json_t *arr = json_array();
    rn_code rc = RN_OK;
    if (!arr)
        return rn__err(err, RN_ENOMEM, "out of memory");
    if (sqlite3_prepare_v2(db,
                           "SELECT p.name, p.url, p.vkey, p.origin, p.role, p.added, "
                           "p.sent_size, (SELECT max(size) FROM sync_checkpoint c WHERE "
                           "c.origin=p.origin), (SELECT received FROM sync_checkpoint c WHERE "
                           "c.origin=p.origin ORDER BY size DESC LIMIT 1), (SELECT count(*) "
                           "FROM sync_conflict x WHERE x.peer=p.name AND x.resolved_take IS "
                           "NULL) FROM sync_peer p ORDER BY p.name", -1, &st, NULL) != SQLITE_OK) {
        rc = rn__sync_dberr(db, err, "listing peers");
        goto out;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *o = json_pack("{s:s, s:s?, s:s, s:s, s:s, s:s, s:I, s:I, s:s?, s:I}",
                              "name", (const char *)sqlite3_column_text(st, 0),
                              "url", (const char *)sqlite3_column_text(st, 1),
                              "key", (const char *)sqlite3_column_text(st, 2),
                              "origin", (const char *)sqlite3_column_text(st, 3),
                              "role", (const char *)sqlite3_column_text(st, 4),
                              "added", (const char *)sqlite3_column_text(st, 5),
                              "sent_size", (json_int_t)sqlite3_column_int64(st, 6),
                              "seen_size", (json_int_t)sqlite3_column_int64(st, 7),
                              "last_sync", (const char *)sqlite3_column_text(st, 8),
                              "open_conflicts", (json_int_t)sqlite3_column_int64(st, 9));
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

rn_code rn_sync_state(rn_store *s, const char *origin, char **json, rn_error *err)
{
    *json = NULL;
    sqlite3 *db = db_of(s, err);
    if (!db)
        return RN_EINVAL;
    sqlite3_stmt *st = NULL;
    char own[RN_ORIGIN_MAX + 1] = "", peer[RN_SYNC_NAME_MAX + 1] = "";
    int64_t size = 0, seen = 0;
    int has_peer = 0;
    rn_code rc = RN_OK;
    if (sqlite3_prepare_v2(db, "SELECT (SELECT value FROM ledger_meta WHERE key='origin'), "
                               "(SELECT max(size) FROM ledger_checkpoint), (SELECT name FROM "
                               "sync_peer WHERE origin=?1), (SELECT max(size) FROM "
                               "sync_checkpoint WHERE origin=?1)", -1, &st, NULL) != SQLITE_OK)
        return rn__sync_dberr(db, err, "reading the sync state");
    sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(own, sizeof own, "%s", (const char *)sqlite3_column_text(st, 0));
        size = sqlite3_column_int64(st, 1);
        has_peer = sqlite3_column_type(st, 2) != SQLITE_NULL;
        if (has_peer)
            snprintf(peer, sizeof peer, "%s", (const char *)sqlite3_column_text(st, 2));
        seen = sqlite3_column_int64(st, 3);
    }
    sqlite3_finalize(st);
    json_t *o = json_pack("{s:s, s:I, s:s?, s:I}", "origin", own, "size", (json_int_t)size,
                          "peer", has_peer ? peer : NULL, "seen", (json_int_t)seen);
    *json = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    if (!*json)
        rc = rn__err(err, RN_ENOMEM, "out of memory");
    return rc;
}

rn_code rn_sync_peer_acked(rn_store *s, const char *peer, uint64_t size, rn_error *err)
{
    sqlite3 *db = db_of(s, err);
    if (!db)
        return RN_EINVAL;
    if (size > INT64_MAX)
        return rn__err(err, RN_EINPUT, "a log size is at most 2^63-1");
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "UPDATE sync_peer SET acked_size=max(acked_size, ?) WHERE "
                               "name=?", -1, &st, NULL) != SQLITE_OK)
        return rn__sync_dberr(db, err, "recording what the peer holds");
    sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
    sqlite3_bind_text(st, 2, peer, -1, SQLITE_STATIC);
    rn_code rc = sqlite3_step(st) == SQLITE_DONE
                     ? RN_OK
                     : rn__sync_dberr(db, err, "recording what the peer holds");
    if (rc == RN_OK && sqlite3_changes(db) == 0)
        rc = rn__err(err, RN_ENOTFOUND, "no peer named '%s' (`remnant peer list`)", peer);
    sqlite3_finalize(st);
    return rc;
}
