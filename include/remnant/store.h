/* SPDX-License-Identifier: Apache-2.0
 *
 * store.h — persistence of records behind one interface. SQLite (embedded,
 * the default) is the only backend today; the interface is a table of
 * operations chosen at open so that a PostgreSQL backend can follow.
 *
 * A store is a database file plus, beside it, a content-addressed blob
 * folder `<db>.blobs/` whose files are named by their SHA-256, written once
 * atomically (temp file, fsync, rename) and never modified.
 *
 * Transactions: every write function runs in its own transaction unless the
 * caller opened one with rn_store_begin(); then nothing is visible or durable
 * until rn_store_commit(). A failed write inside a caller's transaction
 * leaves the transaction open; the caller decides to roll back.
 *
 * Ownership: records passed in are borrowed; records handed out through OUT
 * parameters belong to the caller (rn_record_free).
 */
#ifndef REMNANT_STORE_H
#define REMNANT_STORE_H

#include <stdio.h>
#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rn_store rn_store;

#define RN_STORE_CREATE 1u   /* create the database if it does not exist */
#define RN_STORE_READONLY 2u /* open read-only */
#define RN_STORE_EXCL 4u     /* with CREATE: fail if it already exists */

/* Open (or create) the store at `path`, migrating its schema forward.
 * A schema newer than this program gives RN_ESCHEMA. */
RN_NODISCARD rn_code rn_store_open(const char *path, unsigned flags,
                                   rn_store **out, rn_error *err)
    RN_NONNULL(1, 3);
void rn_store_close(rn_store *s);
/* The schema version the database is at. */
int rn_store_schema_version(rn_store *s);
/* The path of the blob folder (owned by the store). */
const char *rn_store_blob_dir(const rn_store *s);

/* The author recorded with every change from now on ("" by default), as
 * the caller names it (not authenticated). */
RN_NODISCARD rn_code rn_store_set_author(rn_store *s, const char *author);
/* The same, for an account the caller has authenticated (the server after
 * its login or token check, the CLI after the account's password): the
 * review acts of findings (review, publish, withdraw) need one, and a new
 * finding's author is that account (lib/store/lifecycle.c W1, W3).
 * rn_store_set_author() ends it. RN_ELIMIT for "" or a too-long name. */
RN_NODISCARD rn_code rn_store_set_account(rn_store *s, const char *account)
    RN_NONNULL(1, 2);

RN_NODISCARD rn_code rn_store_begin(rn_store *s, rn_error *err);
RN_NODISCARD rn_code rn_store_commit(rn_store *s, rn_error *err);
void rn_store_rollback(rn_store *s);

typedef enum rn_put_mode {
    RN_PUT_CREATE = 0, /* fail with RN_EEXISTS if the id exists */
    RN_PUT_REPLACE,    /* the record must exist; all fields replaced */
    RN_PUT_UPSERT      /* create or replace */
} rn_put_mode;

/* Write a record. A record without an id gets a new one (set on *r, hence
 * not const). References are checked: a missing parent, event, ... gives
 * RN_ECONSTRAINT with err->field naming the field. Findings and trace
 * requests follow their lifecycle (lib/store/lifecycle.c): a plain write
 * never changes their status, a reviewed or published finding never
 * changes (RN_ECONSTRAINT), and a new finding written under an account
 * (rn_store_set_account) gets that account as its author (set on *r). */
RN_NODISCARD rn_code rn_store_put(rn_store *s, rn_record *r, rn_put_mode mode,
                                  rn_error *err) RN_NONNULL(1, 2);
/* Read the record with `id`, of whatever type. RN_ENOTFOUND if none. */
RN_NODISCARD rn_code rn_store_get(rn_store *s, const char *id,
                                  rn_record **out, rn_error *err)
    RN_NONNULL(1, 2, 3);
/* Delete. RN_ECONSTRAINT (err->field says which type refers to it) when
 * other records still refer to it, or when it is a finding that is no
 * longer a draft (it is withdrawn instead, lifecycle.c W2). */
RN_NODISCARD rn_code rn_store_delete(rn_store *s, const char *id,
                                     rn_error *err) RN_NONNULL(1, 2);

/* Listing: records of one type in id order (that is, creation order),
 * optionally filtered by equality on fields. */
typedef struct rn_filter {
    const char *field;
    const char *value;
} rn_filter;
typedef struct rn_cursor rn_cursor;
RN_NODISCARD rn_code rn_store_list(rn_store *s, rn_type t,
                                   const rn_filter *filters, size_t nfilters,
                                   long limit, long offset, rn_cursor **out,
                                   rn_error *err);
/* Next record into *rec (reused: the cursor owns it until the next call).
 * Returns RN_OK with *rec NULL at the end. */
RN_NODISCARD rn_code rn_cursor_next(rn_cursor *c, const rn_record **rec,
                                    rn_error *err);
void rn_cursor_free(rn_cursor *c);
/* Number of records of a type. */
RN_NODISCARD rn_code rn_store_count(rn_store *s, rn_type t, int64_t *out);

/* Search markings and notes. In the query, `?` stands for exactly one
 * unknown character; matching is by substring, case-insensitive. */
typedef struct rn_hit {
    const char *id;    /* the record */
    rn_type type;
    const char *field; /* which field matched */
    const char *text;  /* the whole text of that field */
} rn_hit;
typedef int (*rn_hit_fn)(void *ctx, const rn_hit *hit); /* nonzero stops */
RN_NODISCARD rn_code rn_store_search(rn_store *s, const char *query,
                                     long limit, rn_hit_fn fn, void *ctx,
                                     rn_error *err);

/* Options for a server. How long a write waits for another writer's lock
 * before RN_EBUSY (default 5000 ms). The most work one rn_store_search may
 * do, in database steps (0, the default: no cap); past it RN_ELIMIT. */
RN_NODISCARD rn_code rn_store_set_busy_timeout(rn_store *s, unsigned ms);
RN_NODISCARD rn_code rn_store_set_search_limit(rn_store *s, unsigned long steps);

/* Attach a file to an item or event: store the blob by its SHA-256 (once),
 * then create an attachment record. *out_id receives the new record's id. */
#define RN_ATTACH_MAX (1ull << 32) /* 4 GiB */
RN_NODISCARD rn_code rn_store_attach(rn_store *s, const char *target_id,
                                     const char *file, const char *media_type,
                                     char out_id[RN_ID_LEN + 1], rn_error *err);
/* The same, recording `filename` as the original file name (NULL: none)
 * instead of the file's own name (for a temporary file). Every value is
 * checked before anything is written. */
RN_NODISCARD rn_code rn_store_attach_as(rn_store *s, const char *target_id,
                                        const char *file, const char *filename,
                                        const char *media_type,
                                        char out_id[RN_ID_LEN + 1], rn_error *err);
/* Orphans in the blob folder (lib/store/gc.c): blobs that no attachment and
 * no log entry names, and stale temporary files of attaches or uploads that
 * did not finish. fn (may be NULL) gets each one's path, why it is an
 * orphan and its size; with `remove` they are deleted (`remnant gc`).
 * Nothing a record or a log entry names is ever touched. */
typedef void (*rn_orphan_fn)(void *ctx, const char *path, const char *why, uint64_t size);
RN_NODISCARD rn_code rn_store_orphans(rn_store *s, int remove, rn_orphan_fn fn, void *ctx,
                                      uint64_t *count, uint64_t *bytes, rn_error *err)
    RN_NONNULL(1, 5, 6);
/* Path of the blob with this SHA-256 hex digest into buf. */
RN_NODISCARD rn_code rn_store_blob_path(const rn_store *s, const char *sha256,
                                        char *buf, size_t cap);

/* ---- the public's copy of a photo (lib/store/photo.c, docs/PHOTOS.md) ----
 * A photo's location and device metadata (EXIF, GPS, XMP, IPTC, comments,
 * maker data) never reach the public. The public copy is an attachment of
 * its own: its own blob (named by its own SHA-256), `derived_from` the
 * original, `derivation` RN_DERIVATION_PUBLIC. The original is never changed.
 * rn_store_attach() makes it for JPEG, PNG, TIFF, WebP and HEIC/AVIF (whose
 * copy is a JPEG) in the same transaction as the original's record; other
 * files (GIF, PDF, video ...) get none, and so are never served to the
 * public. */
#define RN_DERIVATION_PUBLIC "public-metadata-stripped"
/* Make the public copy of attachment `id` (idempotent: an existing copy's id
 * is returned). RN_EINPUT when the format is not one a clean copy can be
 * made of, or the copy failed rn_store_photo_check(); nothing is written. */
RN_NODISCARD rn_code rn_store_photo_derive(rn_store *s, const char *id,
                                           char out_id[RN_ID_LEN + 1], rn_error *err)
    RN_NONNULL(1, 2, 3);
/* The public copy of attachment `id` into *out (the caller's), its content
 * checked with rn_store_photo_check() (once per process and blob).
 * RN_ENOTFOUND: there is none; RN_EINPUT: its content is not clean. */
RN_NODISCARD rn_code rn_store_photo_public(rn_store *s, const char *id, rn_record **out,
                                           rn_error *err) RN_NONNULL(1, 2, 3);
/* Fail-closed check of a file: RN_OK only for a JPEG, PNG, TIFF or WebP
 * holding no XMP, IPTC or comment, no EXIF beyond the image's structure
 * and orientation, no other JPEG APP segment, PNG text/time/eXIf/unknown
 * chunk, or bytes after a JPEG's end. RN_EINPUT (err says what) otherwise. */
RN_NODISCARD rn_code rn_store_photo_check(const char *path, rn_error *err)
    RN_NONNULL(1);

/* Decoding on write. By default every marking written gets the decoder's
 * candidates stored with it (rules built in plus a `rules` folder beside
 * the database). Turning it off (bulk loads, benchmarks) leaves new
 * markings without candidates until rn_store_redecode(). */
void rn_store_set_decode(rn_store *s, int on);
/* Recompute the candidates of every marking, in one transaction (after
 * rule files changed, or after writes with decoding off). *count gets the
 * number of markings decoded. */
RN_NODISCARD rn_code rn_store_redecode(rn_store *s, uint64_t *count, rn_error *err);

/* ---- import and export -------------------------------------------------- */

typedef enum rn_format { RN_FMT_AUTO = 0, RN_FMT_JSONL, RN_FMT_CSV } rn_format;

typedef struct rn_import_stats {
    uint64_t records;
    uint64_t bytes;
    uint64_t per_type[RN_T_COUNT];
} rn_import_stats;

/* Progress callback: called every few thousand records; nonzero cancels. */
typedef int (*rn_progress_fn)(void *ctx, uint64_t bytes_done,
                              uint64_t bytes_total, uint64_t records);

typedef struct rn_import_opts {
    rn_format format;        /* AUTO: by the file's extension */
    rn_type csv_type;        /* CSV without a `type` column: the type */
    int csv_type_set;
    rn_progress_fn progress; /* may be NULL */
    void *progress_ctx;
    const char *blobs_dir;   /* where the files of attachment records not yet
                                stored are found (<sha256> or <sha[0..2]>/<sha256>),
                                as `export --blobs` writes them; may be NULL */
} rn_import_opts;

/* Import a whole file in one transaction: either every record is written
 * or none is. On failure err gives file, line and field. "-" reads stdin.
 * An attachment record is accepted only when the file it names is stored or
 * is found in opts->blobs_dir (RN_ECONSTRAINT otherwise); the files taken
 * from there are removed again if the import fails. */
RN_NODISCARD rn_code rn_import_file(rn_store *s, const char *path,
                                    const rn_import_opts *opts,
                                    rn_import_stats *stats, rn_error *err);

typedef struct rn_export_opts {
    rn_format format;  /* JSONL (default) or CSV */
    int type_set;      /* export only `type` (CSV needs one type per file) */
    rn_type type;
    unsigned json_flags; /* RN_JSON_PUBLIC to redact */
} rn_export_opts;

/* Export every record (or one type) so that rn_import_file of the output
 * into an empty store gives identical records: parents before children. */
RN_NODISCARD rn_code rn_export(rn_store *s, FILE *out,
                               const rn_export_opts *opts, rn_error *err);

/* Copy the file of every attachment record into dir/<sha256> (dir is made
 * if missing), each checked against its SHA-256 on the way (RN_ETAMPER if a
 * stored file does not match): what `import --blobs DIR` takes back.
 * *count gets the number of records whose file was written or already there. */
RN_NODISCARD rn_code rn_export_blobs(rn_store *s, const char *dir, uint64_t *count,
                                     rn_error *err);

#ifdef __cplusplus
}
#endif
#endif
