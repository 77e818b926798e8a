/* SPDX-License-Identifier: Apache-2.0
 *
 * store_int.h — the inside of rn_store: the backend operations table that
 * rn_store_open() chooses, and helpers shared by the store's files. */
#ifndef REMNANT_STORE_INT_H
#define REMNANT_STORE_INT_H

#include "internal.h"
#include "model/record_int.h"
#include "remnant/store.h"

struct rn_store_ops {
    const char *name;
    void (*close)(rn_store *s);
    rn_code (*begin)(rn_store *s, rn_error *err);
    rn_code (*commit)(rn_store *s, rn_error *err);
    void (*rollback)(rn_store *s);
    /* r has an id and passed rn_record_check(); references not yet checked */
    rn_code (*put)(rn_store *s, const rn_record *r, rn_put_mode mode, rn_error *err);
    rn_code (*get)(rn_store *s, const char *id, rn_record **out, rn_error *err);
    rn_code (*del)(rn_store *s, const char *id, rn_error *err);
    rn_code (*list)(rn_store *s, rn_type t, const rn_filter *f, size_t nf, long limit,
                    long offset, int order_tree, rn_cursor **out, rn_error *err);
    rn_code (*count)(rn_store *s, rn_type t, int64_t *out);
    rn_code (*search)(rn_store *s, const char *q, long limit, rn_hit_fn fn, void *ctx,
                      rn_error *err);
    /* type of the record with this id: RN_ENOTFOUND if none */
    rn_code (*type_of)(rn_store *s, const char *id, rn_type *out);
    int (*schema_version)(rn_store *s);
    rn_code (*redecode)(rn_store *s, uint64_t *count, rn_error *err);
    /* Inside the import's transaction, before its first put: about
     * `expected` records are coming. The backend may then prepare for a
     * bulk write (the SQLite one builds a small database's secondary
     * indexes once, at commit, instead of row by row); whatever it does is
     * part of the transaction, undone by a rollback. NULL: nothing to do.
     * flags: RN__BULK_* */
    rn_code (*bulk)(rn_store *s, uint64_t expected, unsigned flags, rn_error *err);
    /* Before the transaction of a write of about `expected` records: the
     * backend may choose a cheaper way to make a large transaction durable
     * (the SQLite one, a rollback journal instead of the WAL) for this
     * transaction only, as safe. 1 if it did (the SQLite store: the
     * transaction will not go through the WAL). NULL: nothing to do. */
    int (*bulk_journal)(rn_store *s, uint64_t expected);
    /* Before the transaction of an import of about `expected` new records:
     * the backend may check the records' references itself for that
     * transaction only, by the same rule as its constraints (the SQLite
     * one: foreign keys off, each reference looked up among the ids the
     * transaction created, else in the database); it then refuses deletes
     * until the transaction ends. 1 if it does. NULL: nothing to do.
     * What these two set is undone when the transaction ends, and by a
     * begin that fails. */
    int (*own_refs)(rn_store *s, uint64_t expected);
};

/* A bulk write in which nothing but the writes read the evidence log (an
 * import: creates only): the log's rows may be written a batch at a time
 * (rn__ledger_batch). */
#define RN__BULK_LOG_BATCH 1u

struct rn_store {
    const struct rn_store_ops *ops;
    char *path;     /* database file */
    char *blob_dir; /* <path>.blobs */
    char author[128];
    int account;    /* author is an authenticated account (rn_store_set_account) */
    int act;        /* the put under way is a library act (rn__store_put_act) */
    int readonly;
    int user_tx;    /* a transaction opened by rn_store_begin() is open */
    int no_decode;  /* markings are written without candidates */
    struct rn__incoming *incoming; /* blobs an import brings (--blobs DIR), or NULL */
    /* The canonical JSON of the record being put, when its caller holds it
     * already checked (rn__store_sync_create_canon): the backend logs these
     * bytes instead of encoding the record again. NULL otherwise; set for
     * the duration of one put only. */
    const char *put_canon;
    size_t put_canon_len;
    /* With put_canon, its log disclosures made ahead (an import's reader
     * thread: rn__ledger_prepare), or NULL; for the same one put. */
    const struct rn__ledger_prep *put_prep;
    void *impl;     /* the backend's state */
};

/* Blobs an import may bring with it: the folder they come from and the
 * blobs copied in so far, removed again if the import fails (rn__incoming_drop). */
struct rn__incoming {
    const char *dir;
    char (*added)[65];
    size_t n, cap;
};

struct rn_cursor {
    rn_code (*next)(rn_cursor *c, const rn_record **rec, rn_error *err);
    void (*free)(rn_cursor *c);
};

/* The SQLite backend. */
rn_code rn__sqlite_open(rn_store *s, unsigned flags, rn_error *err);

/* The schema: migrations/NNNN_*.sql, embedded at build time, applied in
 * order; PRAGMA application_id marks a Remnant database. */
#define RN_APPLICATION_ID 0x524e4e54 /* "RNNT" */
extern const char *const rn__migrations[];
extern const size_t rn__migration_count;

/* Tests only: create a new database at `path` (refused when the file
 * exists) holding the schema of the first `version` migrations (1 to
 * rn__migration_count), empty, as a Remnant of that schema left it; the
 * next rn_store_open() migrates it on. No store handle comes back: the
 * store writes only the newest schema, so a test fills an old database
 * with SQL (tests/unit/test_tiles.c copies a log into schema 7). */
rn_code rn__store_create_at(const char *path, unsigned version, rn_error *err);
/* The SQLite connection under a store, for library parts whose queries are
 * SQL aggregates (analysis): NULL for any other backend. The store keeps
 * ownership; the caller must not close it or leave a transaction open. */
struct sqlite3 *rn__store_db(rn_store *s);

/* Blobs: copy `file` into the blob folder under its SHA-256. */
rn_code rn__blob_put(const char *blob_dir, const char *file, char sha_hex[65],
                     uint64_t *size, rn_error *err);
/* An attachment record may only be written when the blob it names is stored
 * (with the size it states): RN_ECONSTRAINT otherwise. During an import with
 * s->incoming set, a missing blob is first taken from that folder (named
 * <sha256> or <sha[0..2]>/<sha256>) and checked against its name. Records of
 * other types pass. */
rn_code rn__blob_require(rn_store *s, const struct rn_record *r, rn_error *err);
/* Remove the blobs an import added (it failed), and forget them. */
void rn__incoming_drop(rn_store *s);
/* Copy blob `sha` of s into dir/<sha>, checking its content against its
 * name on the way (RN_ETAMPER if it does not match). A file already there
 * with the right size is kept. */
rn_code rn__blob_copy_out(const rn_store *s, const char *sha, const char *dir, rn_error *err);
/* Make folder dir (one level) if it is not there. */
rn_code rn__blob_dir_make(const char *dir, rn_error *err);
/* photo.c: make the public copy of attachment `orig` (stored as a blob) and
 * its record, not yet written, into *out. RN_EINPUT when none can be made. */
rn_code rn__photo_prepare(rn_store *s, const struct rn_record *orig,
                          struct rn_record **out, rn_error *err);
/* photo.c: write the copy of the picture `src` without its metadata to
 * `dst` (overwritten) and check it. RN_EINPUT when none can be made. */
rn_code rn__photo_strip(const char *src, const char *dst, rn_error *err);

/* The review and trace-request rules (lifecycle.c), checked inside the
 * write's transaction before the backend's put / delete. `how`: */
#define RN__PUT_PLAIN 0  /* rn_store_put from any face */
#define RN__PUT_ACT 1    /* a lifecycle act of the library */
#define RN__PUT_IMPORT 2 /* a record created by rn_import_file */
#define RN__PUT_SYNC 3   /* a change another log made, synced (lib/sync) */
/* May set a new finding's author (W1); else r is unchanged. */
rn_code rn__lifecycle_put(rn_store *s, rn_record *r, rn_put_mode mode, int how, rn_error *err);
/* Does the lifecycle govern records of type t (findings, trace requests)?
 * Their writes may set fields, so bytes encoded before the write (an
 * import's reader, a sync's S6) are not the record's: the store encodes
 * those anew. */
static inline int rn__lifecycle_type(rn_type t)
{
    return t == RN_T_FINDING || t == RN_T_TRACE;
}
rn_code rn__lifecycle_delete(rn_store *s, const char *id, rn_error *err);
/* rn_store_put(RN_PUT_REPLACE) as a lifecycle act (a finding's review,
 * publication or withdrawal, a trace request's move): the one way a status
 * changes (lifecycle.c W1, W6). */
rn_code rn__store_put_act(rn_store *s, rn_record *r, rn_error *err);

/* sync_apply.c: write or delete a record as a change synced from another
 * log (lib/sync/import.c), inside the caller's open transaction (RN_EINVAL
 * without one). The lifecycle checks the record's facts only: the moves
 * were made under the rules of the log that made them. */
rn_code rn__store_sync_put(rn_store *s, rn_record *r, rn_error *err);
/* The same for a record with no entry in this log (a first arrival): one
 * probe fewer; a record here without an entry falls back to the upsert. */
rn_code rn__store_sync_create(rn_store *s, rn_record *r, rn_error *err);
/* rn__store_sync_put / _create (exists: the record has an entry in this log)
 * of a record whose canonical JSON the caller has built and checked:
 * canon[0..len) must be rn_record_to_json(r, RN_JSON_CANONICAL)'s bytes
 * (lib/sync/import.c S6 compares them with the entry's). The log's entry is
 * made from them: the record is not encoded a second time. prep: its log
 * entry's disclosures (and perhaps the whole entry) made ahead from those
 * same bytes (rn__ledger_prepare), or NULL. */
rn_code rn__store_sync_write_canon(rn_store *s, rn_record *r, int exists, const char *canon,
                                   size_t len, const struct rn__ledger_prep *prep, rn_error *err);
rn_code rn__store_sync_delete(rn_store *s, const char *id, rn_error *err);

/* Items sorted so that parents come first: rn_store_list with this flag. */
rn_code rn__store_list_tree(rn_store *s, rn_type t, rn_cursor **out, rn_error *err);

#endif
