/* SPDX-License-Identifier: Apache-2.0
 *
 * store.c — the public face of the store: argument checks, ids for new
 * records, one transaction per write when the caller has none, and
 * dispatch to the backend chosen at open (store_int.h). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store_int.h"

rn_code rn_store_open(const char *path, unsigned flags, rn_store **out, rn_error *err)
{
    *out = NULL;
    size_t n = strlen(path);
    if (n == 0 || n > 4000)
        return rn__err(err, RN_EINVAL, "the database path is empty or too long");
    rn_store *s = rn__calloc(1, sizeof *s);
    if (!s)
        return rn__err(err, RN_ENOMEM, "out of memory");
    s->path = rn__strndup(path, n);
    s->blob_dir = rn__malloc(n + 8);
    if (!s->path || !s->blob_dir) {
        rn_store_close(s);
        return rn__err(err, RN_ENOMEM, "out of memory");
    }
    memcpy(s->blob_dir, path, n);
    memcpy(s->blob_dir + n, ".blobs", 7);
    s->readonly = (flags & RN_STORE_READONLY) != 0;
    rn_code rc = rn__sqlite_open(s, flags, err);
    if (rc) {
        s->ops = NULL;
        rn_store_close(s);
        return rc;
    }
    *out = s;
    return RN_OK;
}

rn_code rn__store_create_at(const char *path, unsigned version, rn_error *err)
{
    sqlite3 *db = NULL;
    char sql[96];
    rn_code rc = RN_OK;
    if (version < 1 || version > rn__migration_count)
        return rn__err(err, RN_EINVAL, "no schema version %u", version);
    if (access(path, F_OK) == 0)
        return rn__err(err, RN_EEXISTS, "%s exists", path);
    rn__sqlite_setup();
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL) != SQLITE_OK) {
        rc = rn__err(err, RN_EDB, "%s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
        goto out;
    }
    snprintf(sql, sizeof sql, "PRAGMA application_id=%d; PRAGMA user_version=%u",
             RN_APPLICATION_ID, version);
    for (unsigned v = 0; v < version && rc == RN_OK; v++)
        if (sqlite3_exec(db, rn__migrations[v], NULL, NULL, NULL) != SQLITE_OK)
            rc = rn__err(err, RN_EDB, "migration %u: %s", v + 1, sqlite3_errmsg(db));
    if (rc == RN_OK && (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK ||
                        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK))
        rc = rn__err(err, RN_EDB, "%s: %s", path, sqlite3_errmsg(db));
out:
    sqlite3_close(db);
    return rc;
}

void rn_store_close(rn_store *s)
{
    if (!s)
        return;
    if (s->ops)
        s->ops->close(s);
    free(s->path);
    free(s->blob_dir);
    free(s);
}

int rn_store_schema_version(rn_store *s) { return s->ops->schema_version(s); }

const char *rn_store_blob_dir(const rn_store *s) { return s->blob_dir; }

rn_code rn_store_set_author(rn_store *s, const char *author)
{
    size_t n = strlen(author);
    if (n >= sizeof s->author)
        return RN_ELIMIT;
    memcpy(s->author, author, n + 1);
    s->account = 0;
    return RN_OK;
}

rn_code rn_store_set_account(rn_store *s, const char *account)
{
    size_t n = strlen(account);
    if (n == 0 || n >= sizeof s->author)
        return RN_ELIMIT;
    memcpy(s->author, account, n + 1);
    s->account = 1;
    return RN_OK;
}

rn_code rn_store_begin(rn_store *s, rn_error *err)
{
    if (s->user_tx)
        return rn__err(err, RN_EINVAL, "a transaction is already open");
    rn_code rc = s->ops->begin(s, err);
    if (rc == RN_OK)
        s->user_tx = 1;
    return rc;
}

rn_code rn_store_commit(rn_store *s, rn_error *err)
{
    if (!s->user_tx)
        return rn__err(err, RN_EINVAL, "no transaction is open");
    rn_code rc = s->ops->commit(s, err);
    if (rc == RN_OK)
        s->user_tx = 0;
    return rc;
}

void rn_store_rollback(rn_store *s)
{
    s->ops->rollback(s);
    s->user_tx = 0;
}

/* Run one write in the caller's transaction, or in its own. */
#define AUTOCOMMIT(s, err, call)                                      \
    do {                                                              \
        if ((s)->user_tx)                                             \
            return (call);                                            \
        rn_code rc_ = (s)->ops->begin((s), (err));                    \
        if (rc_ == RN_OK)                                             \
            rc_ = (call);                                             \
        if (rc_ == RN_OK)                                             \
            rc_ = (s)->ops->commit((s), (err));                       \
        if (rc_ != RN_OK)                                             \
            (s)->ops->rollback(s);                                    \
        return rc_;                                                   \
    } while (0)

/* The lifecycle guard, then the backend, in one transaction. */
static rn_code put_guarded(rn_store *s, rn_record *r, rn_put_mode mode, rn_error *err)
{
    rn_code rc = rn__lifecycle_put(s, r, mode, s->act ? RN__PUT_ACT : RN__PUT_PLAIN, err);
    if (!rc && mode == RN_PUT_CREATE)
        rc = rn__blob_require(s, r, err);
    return rc ? rc : s->ops->put(s, r, mode, err);
}

static rn_code del_guarded(rn_store *s, const char *id, rn_error *err)
{
    rn_code rc = rn__lifecycle_delete(s, id, err);
    return rc ? rc : s->ops->del(s, id, err);
}

rn_code rn__store_put_act(rn_store *s, rn_record *r, rn_error *err)
{
    s->act = 1;
    rn_code rc = rn_store_put(s, r, RN_PUT_REPLACE, err);
    s->act = 0;
    return rc;
}

rn_code rn_store_put(rn_store *s, rn_record *r, rn_put_mode mode, rn_error *err)
{
    if (s->readonly)
        return rn__err(err, RN_EREADONLY, "the store was opened read-only");
    if (!r->id[0]) {
        if (mode == RN_PUT_REPLACE)
            return rn__err_field(err, RN_EINVAL, "id", "replacing a record needs its id");
        rn_code rc = rn_id_new(r->id);
        if (rc)
            return rn__err(err, rc, "could not make an id");
    }
    rn_code rc = rn_record_check(r, err);
    if (rc)
        return rc;
    AUTOCOMMIT(s, err, put_guarded(s, r, mode, err));
}

rn_code rn_store_get(rn_store *s, const char *id, rn_record **out, rn_error *err)
{
    *out = NULL;
    if (!rn_id_valid(id, strlen(id)))
        return rn__err(err, RN_EINPUT,
                       "'%.40s' is not a record id (26 characters, as `remnant add` prints)", id);
    return s->ops->get(s, id, out, err);
}

rn_code rn_store_delete(rn_store *s, const char *id, rn_error *err)
{
    if (s->readonly)
        return rn__err(err, RN_EREADONLY, "the store was opened read-only");
    if (!rn_id_valid(id, strlen(id)))
        return rn__err(err, RN_EINPUT, "'%.40s' is not a record id", id);
    AUTOCOMMIT(s, err, del_guarded(s, id, err));
}

rn_code rn_store_list(rn_store *s, rn_type t, const rn_filter *filters, size_t nfilters,
                      long limit, long offset, rn_cursor **out, rn_error *err)
{
    *out = NULL;
    if ((unsigned)t >= RN_T_COUNT)
        return rn__err(err, RN_EINVAL, "no such record type");
    return s->ops->list(s, t, filters, nfilters, limit, offset, 0, out, err);
}

rn_code rn__store_list_tree(rn_store *s, rn_type t, rn_cursor **out, rn_error *err)
{
    return s->ops->list(s, t, NULL, 0, -1, 0, 1, out, err);
}

rn_code rn_cursor_next(rn_cursor *c, const rn_record **rec, rn_error *err)
{
    return c->next(c, rec, err);
}

void rn_cursor_free(rn_cursor *c)
{
    if (c)
        c->free(c);
}

rn_code rn_store_count(rn_store *s, rn_type t, int64_t *out)
{
    if ((unsigned)t >= RN_T_COUNT)
        return RN_EINVAL;
    return s->ops->count(s, t, out);
}

void rn_store_set_decode(rn_store *s, int on) { s->no_decode = !on; }

rn_code rn_store_redecode(rn_store *s, uint64_t *count, rn_error *err)
{
    *count = 0;
    if (s->readonly)
        return rn__err(err, RN_EREADONLY, "the store was opened read-only");
    AUTOCOMMIT(s, err, s->ops->redecode(s, count, err));
}

rn_code rn_store_search(rn_store *s, const char *query, long limit, rn_hit_fn fn, void *ctx,
                        rn_error *err)
{
    return s->ops->search(s, query, limit, fn, ctx, err);
}

/* Media type from the first bytes; the file name's extension as a
 * fallback. Photos are the common case. */
static const char *sniff_media_type(const char *file)
{
    unsigned char h[16] = {0};
    FILE *f = fopen(file, "rb");
    size_t n = f ? fread(h, 1, sizeof h, f) : 0;
    if (f)
        fclose(f);
    if (n >= 3 && h[0] == 0xff && h[1] == 0xd8 && h[2] == 0xff) return "image/jpeg";
    if (n >= 8 && memcmp(h, "\x89PNG\r\n\x1a\n", 8) == 0) return "image/png";
    if (n >= 6 && (memcmp(h, "GIF87a", 6) == 0 || memcmp(h, "GIF89a", 6) == 0)) return "image/gif";
    if (n >= 12 && memcmp(h, "RIFF", 4) == 0 && memcmp(h + 8, "WEBP", 4) == 0) return "image/webp";
    if (n >= 4 && (memcmp(h, "II*\0", 4) == 0 || memcmp(h, "MM\0*", 4) == 0)) return "image/tiff";
    if (n >= 5 && memcmp(h, "%PDF-", 5) == 0) return "application/pdf";
    if (n >= 12 && memcmp(h + 4, "ftypheic", 8) == 0) return "image/heic";
    if (n >= 8 && memcmp(h + 4, "ftyp", 4) == 0) return "video/mp4";
    const char *dot = strrchr(file, '.');
    if (dot && (strcmp(dot, ".txt") == 0 || strcmp(dot, ".md") == 0)) return "text/plain";
    if (dot && strcmp(dot, ".csv") == 0) return "text/csv";
    if (dot && strcmp(dot, ".json") == 0) return "application/json";
    return "application/octet-stream";
}

rn_code rn_store_attach(rn_store *s, const char *target_id, const char *file,
                        const char *media_type, char out_id[RN_ID_LEN + 1], rn_error *err)
{
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    return rn_store_attach_as(s, target_id, file, strlen(base) <= 500 ? base : NULL, media_type,
                              out_id, err);
}

rn_code rn_store_attach_as(rn_store *s, const char *target_id, const char *file,
                           const char *filename, const char *media_type,
                           char out_id[RN_ID_LEN + 1], rn_error *err)
{
    if (s->readonly)
        return rn__err(err, RN_EREADONLY, "the store was opened read-only");
    rn_type t;
    if (!rn_id_valid(target_id, strlen(target_id)) || s->ops->type_of(s, target_id, &t))
        return rn__err(err, RN_ENOTFOUND, "no item or event with id %.40s", target_id);
    if (t != RN_T_ITEM && t != RN_T_EVENT)
        return rn__err(err, RN_EINPUT, "%s is a %s; attach files to an item or an event",
                       target_id, rn_type_name(t));
    rn_record *r = rn_record_new(RN_T_ATTACHMENT);
    if (!r)
        return rn__err(err, RN_ENOMEM, "out of memory");
    char num[32], sha[65];
    uint64_t size;
    if (!media_type)
        media_type = sniff_media_type(file);
    /* every given value is checked before the blob is written */
    rn_code rc = rn_record_set(r, "media_type", media_type, strlen(media_type), err);
    if (!rc && filename) rc = rn_record_set(r, "filename", filename, strlen(filename), err);
    if (!rc) rc = rn_record_set(r, t == RN_T_ITEM ? "item" : "event", target_id,
                                strlen(target_id), err);
    if (!rc) rc = rn__blob_put(s->blob_dir, file, sha, &size, err);
    if (!rc) rc = rn_record_set(r, "sha256", sha, 64, err);
    if (!rc) rc = rn_record_set(r, "size", num, (size_t)snprintf(num, sizeof num, "%llu",
                                                                 (unsigned long long)size), err);
    /* A photo gets its public copy (photo.c), made before the transaction
     * so that the database is not held while it is made. A format that
     * cannot be cleaned gets none: the original is still kept. */
    rn_record *copy = NULL;
    if (!rc && strncmp(media_type, "image/", 6) == 0) {
        rn_error perr;
        rn_error_clear(&perr);
        rc = rn_id_new(r->id);
        if (!rc) rc = rn__photo_prepare(s, r, &copy, &perr);
        if (rc == RN_EINPUT)
            rc = RN_OK;
        else if (rc && err)
            *err = perr;
    }
    int own_tx = !s->user_tx;
    if (!rc && own_tx) rc = rn_store_begin(s, err);
    if (!rc) rc = rn_store_put(s, r, RN_PUT_CREATE, err);
    if (!rc && copy) rc = rn_store_put(s, copy, RN_PUT_CREATE, err);
    if (own_tx && s->user_tx) {
        if (!rc)
            rc = rn_store_commit(s, err);
        if (rc)
            rn_store_rollback(s);
    }
    if (!rc)
        memcpy(out_id, r->id, RN_ID_LEN + 1);
    rn_record_free(copy);
    rn_record_free(r);
    return rc;
}

rn_code rn_store_blob_path(const rn_store *s, const char *sha256, char *buf, size_t cap)
{
    if (strlen(sha256) != 64 || strspn(sha256, "0123456789abcdef") != 64)
        return RN_EINVAL;
    int n = snprintf(buf, cap, "%s/%.2s/%s", s->blob_dir, sha256, sha256);
    return (n < 0 || (size_t)n >= cap) ? RN_ELIMIT : RN_OK;
}
