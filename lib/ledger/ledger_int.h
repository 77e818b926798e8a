/* SPDX-License-Identifier: Apache-2.0
 *
 * ledger_int.h — the ledger's face towards the rest of libremnant: what the
 * store calls inside its write transactions (log.c), and helpers shared by
 * the ledger's own files (keys.c, proof.c, verify.c, bundle.c, witness.c).
 * Not installed.
 *
 * Contract with the store (lib/store/):
 *   - every create, update and delete calls rn__ledger_append() inside the
 *     same open write transaction that changes the record;
 *   - once per transaction that appended, just before COMMIT, the store calls
 *     rn__ledger_seal();
 *   - before sqlite3_close() of a connection that may have appended, the
 *     store calls rn__ledger_detach() (it finalizes the ledger's cached
 *     statements; otherwise sqlite3_close() would report SQLITE_BUSY).
 * If the transaction rolls back instead, nothing more is needed: the next
 * append or seal notices and reloads the tree state from the database.
 * While a writer is attached (from the first append to the seal or detach)
 * the ledger owns the connection's rollback and commit hooks
 * (sqlite3_rollback_hook, sqlite3_commit_hook): nothing else may set them.
 */
#ifndef REMNANT_LEDGER_INT_H
#define REMNANT_LEDGER_INT_H

#include <sqlite3.h>

#include "internal.h"
#include "ledger/tlog.h"
#include "remnant/model.h"

/* Salts for disclosures (L9): the ChaCha20 key stream of a random key made
 * for this source, drawn 1 KiB (64 salts) at a time under a fresh nonce,
 * each salt the next 16 unused bytes, so never reused. One thread each. */
typedef struct rn__salts {
    uint8_t key[32];
    uint64_t nonce;
    uint8_t buf[1024]; /* key stream not yet used from pos on */
    size_t pos;
} rn__salts;
void rn__salts_init(rn__salts *s);
void rn__salts_wipe(rn__salts *s);

/* A create's or update's disclosures made ahead of its append, possibly on
 * another thread (an import's reader): "_author" and each field of canon,
 * salted from the caller's own rn__salts, and their digests sorted. Valid
 * for exactly the bytes canon/canon_len it was made from and the same
 * author (the append checks the pointer, length and author, and makes its
 * own for anything else). */
typedef struct rn__ledger_prep {
    const char *canon;
    size_t canon_len;
    const char *author; /* as given to rn__ledger_prepare, compared at the append */
    rn_buf disc;
    rn_buf auth; /* scratch: the author as a JSON string */
    rn_hash digest[RN_ENTRY_MAX_DIGESTS];
    size_t n;
    /* the whole entry, when rn__ledger_prepare_entry made it: a create of
     * record `id` of type `tname` at log index `seq` with no previous
     * entry, stamped `now_ms`; its canonical bytes and leaf hash */
    int whole;
    const char *id;
    const char *tname;
    uint64_t seq;
    int64_t now_ms;
    rn_buf body;
    rn_hash leaf;
} rn__ledger_prep;
void rn__ledger_prep_init(rn__ledger_prep *p);
void rn__ledger_prep_free(rn__ledger_prep *p);
/* Make p's disclosures for canon/len by author (may be ""). On failure p
 * holds nothing (the append then makes them and reports the error). */
rn_code rn__ledger_prepare(rn__ledger_prep *p, rn__salts *salts, const char *canon, size_t len,
                           const char *author);
/* After rn__ledger_prepare, guess the rest: make the whole entry of a
 * create of `id` (type name `tname`, both kept by pointer) at log index
 * `seq` with no previous entry, stamped now. The append uses it only if
 * every guess holds (a create, that index, no previous entry, the same
 * id, type, bytes and author) and otherwise builds the entry itself, so a
 * wrong guess costs time, never correctness. On failure p->whole is 0. */
void rn__ledger_prepare_entry(rn__ledger_prep *p, const char *id, const char *tname, uint64_t seq);
/* The log index the next append in this write transaction will take. */
rn_code rn__ledger_next_seq(sqlite3 *db, uint64_t *seq, rn_error *err);

/* Inside the store's open write transaction, once per change. op is 'c'
 * create, 'u' update, 'd' delete. canon/len: the record's canonical JSON
 * (rn_record_to_json with RN_JSON_CANONICAL) for c/u; for d, NULL/0. author
 * may be "". prep: its disclosures made ahead (rn__ledger_prepare, by the
 * same author), or NULL. Computes the entry's canonical bytes and leaf hash,
 * links the record's previous entry hash, appends. */
rn_code rn__ledger_append(sqlite3 *db, rn_type type, const char *id, char op,
                          const char *canon, size_t len, const char *author,
                          const rn__ledger_prep *prep, rn_error *err);

/* From here to the end of the open write transaction (its seal, or its
 * rollback), appends of connection db are written to ledger_entry a batch
 * at a time (one INSERT ... SELECT a batch, model/rows.h) instead of one
 * INSERT each. Only for a transaction in which nothing outside this file
 * reads ledger_entry (an import of new records): the log's own reads (a
 * record's previous entry, the state check, the seal, the leaf reads)
 * write the batch first. The tree, the tiles and every hash are made at
 * each append as before; only the row's write waits. A batch is written
 * when it holds RN__LEDGER_BATCH rows. */
#define RN__LEDGER_BATCH 1024
void rn__ledger_batch(sqlite3 *db);

/* Inside the same transaction, just before COMMIT, once per transaction that
 * appended entries: advance the tree state and store one checkpoint for the
 * new size, signed if the instance has a key (db_path is the database file
 * path; the key is the file `<db_path>.key`). */
rn_code rn__ledger_seal(sqlite3 *db, const char *db_path, rn_error *err);

/* Forget (and finalize) the ledger's cached statements for db. Safe to call
 * for a connection that never appended. */
void rn__ledger_detach(sqlite3 *db);

/* ---- shared inside lib/ledger/ ------------------------------------------- */

/* The secret key file beside a database: "<db_path>.key" into buf. */
rn_code rn__ledger_key_path(const char *db_path, char *buf, size_t cap);
/* Load the instance key if the file exists: RN_ENOTFOUND if it does not. */
rn_code rn__ledger_key_load(const char *db_path, rn_skey *out, rn_error *err);
/* The log's origin from ledger_meta into buf. */
rn_code rn__ledger_origin(sqlite3 *db, char *buf, size_t cap, rn_error *err);
/* Map an SQLite failure to RN_EDB with its message. */
rn_code rn__ledger_dberr(sqlite3 *db, rn_error *err, const char *what);

/* Leaf hashes from ledger_entry, as an rn_leaf_source (ctx: sqlite3 *). */
rn_code rn__ledger_leaf_source(void *ctx, uint64_t start, uint64_t n,
                               rn_hash *out);

/* ---- tiles (tiles.c) --------------------------------------------------- */

/* Writes tiles as an rn_tile_emit (ctx: this): one UPSERT per tile, kept
 * prepared until rn__tile_writer_done. */
typedef struct rn__tile_writer {
    sqlite3 *db;
    sqlite3_stmt *up;
} rn__tile_writer;
rn_code rn__tile_writer_emit(void *ctx, unsigned level, uint64_t index,
                             const uint8_t *hashes, unsigned width);
void rn__tile_writer_done(rn__tile_writer *tw);

/* Inside a write transaction: write every tile of the sealed tree from the
 * leaf hashes (the migration to schema 8 does this for an existing log),
 * check the result against ledger_tree's frontier, OUT *t (may be NULL)
 * the state at the sealed size. */
rn_code rn__tiles_build(sqlite3 *db, rn_tiles *t, rn_error *err);
/* The state at the sealed tree whose frontier is f: the rightmost tile of
 * each level read back (T1); tiles that lag behind are built first. */
rn_code rn__tiles_load(sqlite3 *db, const rn_frontier *f, rn_tiles *t, rn_error *err);

/* Reads tiles for proofs: one cached tile per level; counts what it read. */
struct rn__tile_slot {
    int have;
    uint64_t idx;
    unsigned width;
    uint8_t h[RN_TILE_BYTES];
};
typedef struct rn__tile_reader {
    sqlite3 *db;
    sqlite3_stmt *st;
    struct rn__tile_slot slot[RN_TILE_LEVELS];
    uint64_t tiles_read;  /* rows read */
    uint64_t hashes_read; /* stored hashes used */
    uint64_t fallbacks;   /* nodes computed from leaves: no tile stored */
} rn__tile_reader;
rn_code rn__tile_reader_open(sqlite3 *db, rn__tile_reader **out);
void rn__tile_reader_close(rn__tile_reader *r);
/* Tile (level, idx) with at least `need` hashes: OUT hashes (owned by r,
 * valid until the next read), width. RN_ENOTFOUND when not stored. */
rn_code rn__tile_read(rn__tile_reader *r, unsigned level, uint64_t idx, unsigned need,
                      const uint8_t **hashes, unsigned *width);
/* rn_node_source over a reader (ctx: rn__tile_reader *): from the tiles,
 * else (no tile stored) from the leaf hashes. */
rn_code rn__tile_node(void *ctx, unsigned level, uint64_t index, rn_hash out);
/* The root of the tree of the first `size` entries, from the tiles. */
rn_code rn__ledger_tree_root(sqlite3 *db, uint64_t size, rn_hash out);

/* The public handle (include/remnant/ledger.h). */
struct rn_ledger {
    sqlite3 *db;
    char *path;
    int readonly;
    char origin[RN_ORIGIN_MAX + 1];
    sqlite3_stmt *tile_st; /* rn_ledger_tile's read, kept prepared */
};
/* The size of the latest checkpoint; RN_ENOTFOUND when there is none. */
rn_code rn__ledger_latest(struct rn_ledger *l, uint64_t *size, rn_error *err);

/* Open path read-only as an immutable file (lib/store/sqlite.c): for a WAL
 * database in a folder this process cannot write, where SQLite cannot make
 * its shared-memory file. Returns an SQLite result code. */
int rn__sqlite_open_immutable(const char *path, sqlite3 **out);

/* The key's binding to its log (keys.c): refuse to sign when the key is
 * named for another log, or when this log lacks the last checkpoint the
 * key signed (a rollback). _save records the latest signed checkpoint after
 * a commit; best effort (a missing state only weakens the next check). */
rn_code rn__ledger_key_binding_check(sqlite3 *db, const char *db_path, const rn_skey *key,
                                     const char *origin, rn_error *err);
void rn__ledger_key_binding_save(sqlite3 *db, const char *db_path);

/* Parse an entry's body and, for v2, open it with its stored disclosures
 * (every digest must be disclosed): e->record and e->author then point
 * into *buf (allocated; the caller frees it, also on failure) or into the
 * body. RN_EINPUT malformed, RN_ECRYPTO disclosures that do not match. */
rn_code rn__ledger_entry_open(const char *body, size_t blen, const char *disc, size_t dlen,
                              rn_entry *e, char **buf);
/* Write a secret key string to path atomically with mode 0600; `replace`
 * 0 fails with RN_EEXISTS if the file exists. The text is not kept. */
rn_code rn__ledger_key_write(const char *path, const char *text, size_t len,
                             int replace, rn_error *err);
/* Load a secret key file at an explicit path. */
rn_code rn__ledger_skey_file(const char *path, rn_skey *out, rn_error *err);

/* Format the current UTC time "YYYY-MM-DDTHH:MM:SS.mmmZ" (25 bytes). */
void rn__ledger_now(char buf[25], int64_t *unix_seconds);

/* ---- stored form (stored.c) ---------------------------------------------- */

/* The columns of ledger_entry an entry's canonical bytes come from, in the
 * order rn__ledger_entry_bytes reads them; p is a table alias with its dot
 * ("e.") or "". */
#define RN_ENTRY_COLS(p)                                                                 \
    p "seq, " p "record_id, " p "type, " p "op, " p "body, " p "disclosures, " p "time, " \
    p "prev"
#define RN_ENTRY_NCOLS 8
/* S1: the canonical bytes (the leaf data) of the entry whose RN_ENTRY_COLS
 * are st's columns col .. col+7: a full row's body, or rebuilt from a
 * compact row into buf (cap at least RN_ENTRY_V2_MAX). OUT *bytes points
 * into st's row or into buf, valid until the next step or reset of st.
 * RN_ETAMPER when the row is neither form or cannot be rebuilt (S2). */
RN_NODISCARD rn_code rn__ledger_entry_bytes(sqlite3_stmt *st, int col, char *buf, size_t cap,
                                            const char **bytes, size_t *len);
/* The same in two steps, for a caller that keeps the columns past the
 * statement's row: an entry's RN_ENTRY_COLS as read (pointers into st's row,
 * valid until its next step or reset; copy them to keep them), and the
 * canonical bytes from such a row (pointers into r's storage or buf). */
typedef struct rn__entry_row {
    int64_t seq;
    const char *id, *type, *op;
    size_t idl, tl, ol;
    const char *body; /* a full row's bytes; empty in a compact row */
    size_t bl;
    int body_null;
    const char *disc; /* the disclosures, one a line */
    size_t dl;
    int time_type; /* SQLITE_INTEGER for a compact row's time */
    int64_t ms;
    const uint8_t *prev;
    size_t prevl;
    int has_prev;
} rn__entry_row;
void rn__ledger_entry_row(sqlite3_stmt *st, int col, rn__entry_row *r);
RN_NODISCARD rn_code rn__ledger_entry_row_bytes(const rn__entry_row *r, char *buf, size_t cap,
                                                const char **bytes, size_t *len);
/* Migration 13 (S3): every full format-2 row that its compact form rebuilds
 * exactly becomes compact. Inside the migration's transaction. */
rn_code rn__ledger_compact(sqlite3 *db, rn_error *err);
/* An entry's time as text, "YYYY-MM-DDTHH:MM:SS.mmmZ", from milliseconds
 * since 1970 UTC; 0 when out of 0 .. year 9999. */
int rn__ledger_time_text(int64_t ms, char out[25]);
/* Now, in milliseconds since 1970 UTC. */
int64_t rn__ledger_now_ms(void);
/* schema_checks.c. Called with each CHECK constraint's expression found in
 * the CREATE TABLE text sql[0..len): what the parentheses after each CHECK
 * keyword hold (outside strings, quoted identifiers and comments); a
 * non-zero return stops the scan. */
typedef int (*rn__check_fn)(void *ctx, const char *expr, size_t len);
/* The number of CHECK constraints found (fn may be NULL), or -1 when the
 * text ends inside a string, comment or CHECK's parentheses, or a CHECK is
 * not followed by one. */
int rn__sql_checks(const char *sql, size_t len, rn__check_fn fn, void *ctx);
typedef void (*rn__schema_problem_fn)(void *ctx, const char *message);
/* Evaluate every CHECK constraint of every table of db's main schema over
 * its rows, one read-only SELECT a table; fn is called once for each
 * constraint some row fails (naming table, expression and row count) and
 * for each table that could not be checked. Returns the number of tables
 * read, or -1 when the schema could not be. */
int rn__schema_checks(sqlite3 *db, rn__schema_problem_fn fn, void *ctx);
/* The append-only trigger on updates of entries (0002_ledger.sql). */
#define RN_LEDGER_NO_UPDATE_TRIGGER                                     \
    "CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_entry" \
    " BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END;"

#endif
