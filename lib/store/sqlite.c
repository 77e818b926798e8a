/* SPDX-License-Identifier: Apache-2.0
 *
 * sqlite.c — the SQLite backend of the store: schema migration, prepared
 * statements built from the model's field tables, reference checks, search.
 *
 * Every statement is prepared with bound parameters; table and column names
 * in generated SQL come only from lib/model/types.c, never from input.
 *
 * Transactions: a write outside a caller's transaction runs in its own
 * (BEGIN IMMEDIATE .. COMMIT). The evidence log (lib/ledger) appends in the
 * same transaction as the change and seals one checkpoint per commit, so
 * the records and the log can never disagree.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/decoded.h"
#include "model/rows.h"
#include "store/fts_side.h"
#include "store/idset.h"
#include "store/store_int.h"
#include "ledger/ledger_int.h"

#define RN_APPLICATION_ID 0x524e4e54 /* "RNNT" */

extern const char *const rn__migrations[];
extern const size_t rn__migration_count;

enum { ST_INSERT, ST_UPDATE, ST_SELECT, ST_DELETE, ST_EXISTS, ST_COUNT_ };

#define CHAR_SLOTS 1024 /* power of two */
#define RN__PAGE_SIZE "16384" /* bytes a page, for databases created here */

typedef struct sq {
    sqlite3 *db;
    sqlite3_stmt *st[RN_T_COUNT][ST_COUNT_];
    sqlite3_stmt *search_del, *search_ins, *search_unindex, *char_ins;
    /* search texts not yet written (update_search): a bulk write's, until
     * its batch is full or something reads search_text */
    rn__rows *search_rows;
    int search_batched; /* the open transaction is a bulk write's */
    /* sq_own_refs: foreign keys are off for the open transaction, and the
     * store checks references itself (check_refs) against `seen`, the ids
     * it wrote or found last, and the database */
    int own_refs;
    rn__idset *seen;
    /* characters this transaction knows to be in search_char (note_chars):
     * ASCII by bit, others by their UTF-8 bytes in a small hash set */
    uint64_t char_ascii[2];
    uint32_t char_other[CHAR_SLOTS];
    sqlite3_stmt *reg_ins, *reg_get, *reg_del;
    int tx_open;   /* BEGIN issued and not yet ended */
    int64_t fts_mark; /* search_text ids above this are not in search_fts yet */
    /* a bulk import's search index, built on a thread beside (sq_bulk,
     * fts_side.c); NULL when the commit builds it (fts_add) */
    rn__fts_side *fts_side;
    int fts_seen; /* this connection has used search_fts (or migrated) */
    rn__decoded *decoded; /* candidates stored with markings */
    int appended;  /* log entries appended in the open transaction */
    unsigned long search_steps; /* rn_store_set_search_limit: 0 = none */
    unsigned long search_ticks; /* progress callbacks of the running search */
    /* a bulk import's deferred indexes (sq_bulk): their CREATE statements,
     * run at commit; len 0 when none are deferred */
    rn_buf bulk_sql;
    int rollback_journal; /* sq_bulk_journal left WAL mode for this transaction */
    int secure_was;       /* sq_bulk turned secure_delete off: its value before + 1 */
    int busy_ms;          /* the busy timeout set (SQLite has no getter) */
} sq;

static sq *SQ(rn_store *s) { return s->impl; }
static void bulk_clear(sq *q);
static void tx_ended(sq *q);
static rn_code flush_search(sq *q, rn_error *err);

struct sqlite3 *rn__store_db(rn_store *s)
{
    return s->ops && strcmp(s->ops->name, "sqlite") == 0 ? SQ(s)->db : NULL;
}

rn__decoded *rn__store_decoded(rn_store *s)
{
    return rn__store_db(s) ? SQ(s)->decoded : NULL;
}

static rn_code db_err(sqlite3 *db, int rc, rn_error *err, const char *what)
{
    rn_code code = RN_EDB;
    int base = rc & 0xff;
    if (base == SQLITE_READONLY)
        code = RN_EREADONLY;
    else if (base == SQLITE_BUSY || base == SQLITE_LOCKED)
        code = RN_EBUSY;
    else if (base == SQLITE_NOMEM)
        code = RN_ENOMEM;
    else if (base == SQLITE_CONSTRAINT)
        code = RN_ECONSTRAINT;
    else if (base == SQLITE_IOERR || base == SQLITE_FULL || base == SQLITE_CANTOPEN)
        code = RN_EIO;
    const char *hint = "";
    if (code == RN_EREADONLY)
        hint = " (the database file or its folder is read-only: check permissions)";
    else if (code == RN_EBUSY)
        hint = " (another remnant process holds the database; try again)";
    return rn__err(err, code, "%s: %s%s", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc),
                   hint);
}

static rn_code exec(sqlite3 *db, const char *sql, rn_error *err)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? RN_OK : db_err(db, rc, err, "database");
}

/* ---- schema ------------------------------------------------------------ */

/* Bring the schema to the newest version. Only a creating open may start
 * from nothing: an existing file that is empty (0 bytes, or an SQLite file
 * without tables) is not silently made into a new, empty log — that would
 * let a truncated database pass for a fresh one signed by the old key. */
static rn_code migrate(sq *q, const char *path, int readonly, int create, rn_error *err)
{
    sqlite3_stmt *st = NULL;
    int version = 0, app = 0, tables = 0;
    if (sqlite3_prepare_v2(q->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(q->db, "PRAGMA application_id", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        app = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(q->db, "SELECT count(*) FROM sqlite_schema", -1, &st, NULL) ==
            SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        tables = sqlite3_column_int(st, 0);
    else {
        sqlite3_finalize(st);
        return rn__err(err, RN_EDB, "the file is not a database (or is damaged)");
    }
    sqlite3_finalize(st);
    if (app != RN_APPLICATION_ID && (tables > 0 || version > 0))
        return rn__err(err, RN_EDB, "this is an SQLite database, but not a Remnant one");
    if (tables == 0 && version == 0 && !create)
        return rn__err(err, RN_EDB,
                       "%s is empty: it is not a Remnant database (it may have been truncated). "
                       "Only `remnant init` creates a database; restore this one from a backup",
                       path);
    if (version > (int)rn__migration_count)
        return rn__err(err, RN_ESCHEMA,
                       "the database is at schema version %d; this remnant knows up to %zu: "
                       "upgrade remnant", version, rn__migration_count);
    if (version == (int)rn__migration_count)
        return RN_OK;
    if (readonly)
        return rn__err(err, RN_EREADONLY,
                       "the database needs a schema upgrade (version %d to %zu), which a "
                       "read-only open cannot do", version, rn__migration_count);
    q->fts_seen = 1; /* migrations may read and write the search index */
    for (size_t v = (size_t)version; v < rn__migration_count; v++) {
        rn_code rc = exec(q->db, "BEGIN IMMEDIATE", err);
        if (rc)
            return rc;
        rc = exec(q->db, rn__migrations[v], err);
        if (rc == RN_OK && v + 1 == 8) /* 0008_tiles.sql: the tiles of the log so far */
            rc = rn__tiles_build(q->db, NULL, err);
        if (rc == RN_OK && strstr(rn__migrations[v], "rn__ledger_compact")) /* 0013 */
            rc = rn__ledger_compact(q->db, err);
        if (rc == RN_OK) {
            char sql[96];
            snprintf(sql, sizeof sql, "PRAGMA application_id=%d; PRAGMA user_version=%zu",
                     RN_APPLICATION_ID, v + 1);
            rc = exec(q->db, sql, err);
        }
        if (rc == RN_OK)
            rc = exec(q->db, "COMMIT", err);
        if (rc) {
            sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
            return rc;
        }
    }
    return RN_OK;
}

/* ---- statements ---------------------------------------------------------- */

/* Column list of a type: id, then each field (dates as three columns). */
static rn_code columns(rn_type t, rn_buf *b)
{
    const struct rn__type_desc *td = &rn__types[t];
    rn_code rc = rn__buf_adds(b, "id");
    for (size_t i = 0; i < td->nfields && rc == RN_OK; i++) {
        const char *n = td->fields[i].name;
        if (td->fields[i].kind == RN_F_DATE)
            rc = rn__buf_printf(b, ",%s_earliest,%s_latest,%s_precision", n, n, n);
        else
            rc = rn__buf_printf(b, ",%s", n);
    }
    return rc;
}

static size_t ncolumns(rn_type t)
{
    const struct rn__type_desc *td = &rn__types[t];
    size_t n = 1;
    for (size_t i = 0; i < td->nfields; i++)
        n += td->fields[i].kind == RN_F_DATE ? 3 : 1;
    return n;
}

static rn_code prepare(sq *q, rn_type t, int which, sqlite3_stmt **out, rn_error *err)
{
    if (q->st[t][which]) {
        *out = q->st[t][which];
        return RN_OK;
    }
    const char *tn = rn__types[t].name;
    rn_buf b;
    rn__buf_init(&b, 8192);
    rn_code rc = RN_OK;
    switch (which) {
    case ST_INSERT: {
        rc = rn__buf_printf(&b, "INSERT INTO %s(", tn);
        if (!rc) rc = columns(t, &b);
        if (!rc) rc = rn__buf_adds(&b, ") VALUES (?");
        for (size_t i = 1; i < ncolumns(t) && !rc; i++)
            rc = rn__buf_adds(&b, ",?");
        if (!rc) rc = rn__buf_adds(&b, ")");
        break;
    }
    case ST_UPDATE: {
        /* same parameter numbers as the insert: ?1 is the id */
        const struct rn__type_desc *td = &rn__types[t];
        int p = 2;
        rc = rn__buf_printf(&b, "UPDATE %s SET ", tn);
        for (size_t i = 0; i < td->nfields && !rc; i++) {
            const char *n = td->fields[i].name;
            if (td->fields[i].kind == RN_F_DATE) {
                rc = rn__buf_printf(&b, "%s%s_earliest=?%d,%s_latest=?%d,%s_precision=?%d",
                                    i ? "," : "", n, p, n, p + 1, n, p + 2);
                p += 3;
            } else {
                rc = rn__buf_printf(&b, "%s%s=?%d", i ? "," : "", n, p++);
            }
        }
        if (!rc) rc = rn__buf_adds(&b, " WHERE id=?1");
        break;
    }
    case ST_SELECT:
        rc = rn__buf_adds(&b, "SELECT ");
        if (!rc) rc = columns(t, &b);
        if (!rc) rc = rn__buf_printf(&b, " FROM %s WHERE id=?", tn);
        break;
    case ST_DELETE: rc = rn__buf_printf(&b, "DELETE FROM %s WHERE id=?", tn); break;
    case ST_EXISTS: rc = rn__buf_printf(&b, "SELECT 1 FROM %s WHERE id=?", tn); break;
    }
    if (!rc) rc = rn__buf_cstr(&b);
    if (rc) {
        rn__buf_free(&b);
        return rn__err(err, rc, "building a statement failed");
    }
    int src = sqlite3_prepare_v3(q->db, b.data, (int)b.len, SQLITE_PREPARE_PERSISTENT,
                                 &q->st[t][which], NULL);
    rn__buf_free(&b);
    if (src != SQLITE_OK)
        return db_err(q->db, src, err, "preparing a statement");
    *out = q->st[t][which];
    return RN_OK;
}

static rn_code step_done(sq *q, sqlite3_stmt *st, rn_error *err, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        return RN_OK;
    return db_err(q->db, rc, err, what);
}

static int exists_in(sq *q, rn_type t, const char *id)
{
    sqlite3_stmt *st = NULL;
    if (prepare(q, t, ST_EXISTS, &st, NULL))
        return 0;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return found;
}

/* Prepare a statement kept for the connection's life. */
static rn_code keep(sq *q, sqlite3_stmt **st, const char *sql, rn_error *err)
{
    if (*st)
        return RN_OK;
    int src = sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
    return src == SQLITE_OK ? RN_OK : db_err(q->db, src, err, "preparing a statement");
}

static rn_code sq_type_of(rn_store *s, const char *id, rn_type *out)
{
    sq *q = SQ(s);
    if (keep(q, &q->reg_get, "SELECT type FROM record WHERE id=?", NULL))
        return RN_EDB;
    sqlite3_bind_text(q->reg_get, 1, id, -1, SQLITE_STATIC);
    rn_code rc = RN_ENOTFOUND;
    if (sqlite3_step(q->reg_get) == SQLITE_ROW &&
        rn_type_from_name((const char *)sqlite3_column_text(q->reg_get, 0), out) == RN_OK)
        rc = RN_OK;
    sqlite3_reset(q->reg_get);
    return rc;
}

/* ---- transactions -------------------------------------------------------- */

static rn_code sq_begin(rn_store *s, rn_error *err)
{
    sq *q = SQ(s);
    rn_code rc = exec(q->db, "BEGIN IMMEDIATE", err);
    if (rc) {
        tx_ended(q); /* none began: what was set for it is undone */
        return rc;
    }
    q->tx_open = 1;
    q->appended = 0;
    q->search_batched = 0;
    q->fts_mark = 0;
    /* what an earlier transaction wrote to search_char may have been rolled
     * back: start over (a few INSERT OR IGNOREs per transaction) */
    memset(q->char_ascii, 0, sizeof q->char_ascii);
    memset(q->char_other, 0, sizeof q->char_other);
    rn__decoded_begin(q->decoded);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db, "SELECT seq FROM sqlite_sequence WHERE name='search_text'",
                           -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            q->fts_mark = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    return RN_OK;
}

/* Index the search texts written in this transaction (ids above
 * q->fts_mark). A bulk write's (the database was smaller than what it
 * brings: sq_bulk) builds them without FTS5's incremental merges and then
 * merges the whole index into one segment ('optimize'), and puts back the
 * automerge setting it found: the same index, built in less time, and
 * every later search reads one segment instead of the several the merges
 * leave (at 1M items, 8: `?` queries about half as costly; docs/BENCHMARKS.md
 * "Import: the search index in one segment"). Both settings are written
 * through FTS5 and inside the transaction, so a rollback undoes them too. */
static rn_code fts_add(sq *q, int bulk, rn_error *err)
{
    q->fts_seen = 1;
    sqlite3_stmt *st = NULL;
    int automerge = 4; /* FTS5's default, when the table names none */
    int src = SQLITE_OK;
    if (bulk) {
        src = sqlite3_prepare_v2(q->db, "SELECT v FROM search_fts_config WHERE k = 'automerge'",
                                 -1, &st, NULL);
        if (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW)
            automerge = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        st = NULL;
        if (src == SQLITE_ROW || src == SQLITE_DONE)
            src = sqlite3_exec(q->db, "INSERT INTO search_fts(search_fts, rank) "
                                      "VALUES ('automerge', 0)", NULL, NULL, NULL);
    }
    if (src == SQLITE_OK)
        src = sqlite3_prepare_v2(q->db, "INSERT INTO search_fts(rowid, text) SELECT id, text "
                                        "FROM search_text WHERE id > ?", -1, &st, NULL);
    if (src == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, q->fts_mark);
        src = sqlite3_step(st);
        sqlite3_finalize(st);
        st = NULL;
        if (src == SQLITE_DONE)
            src = SQLITE_OK;
    }
    if (src == SQLITE_OK && bulk) {
        char sql[160];
        snprintf(sql, sizeof sql, "INSERT INTO search_fts(search_fts) VALUES ('optimize'); "
                                  "INSERT INTO search_fts(search_fts, rank) VALUES "
                                  "('automerge', %d)", automerge);
        src = sqlite3_exec(q->db, sql, NULL, NULL, NULL);
    }
    return src == SQLITE_OK ? RN_OK : db_err(q->db, src, err, "updating the search index");
}

static void side_drop(sq *q)
{
    rn__fts_side_free(q->fts_side);
    q->fts_side = NULL;
}

/* This connection reads or changes search_fts itself: FTS5 now holds its
 * structure in memory, so an index built beside can no longer be copied
 * in (rn__fts_side_write), now or in a later bulk write. */
static void fts_used(sq *q)
{
    side_drop(q);
    q->fts_seen = 1;
}

/* A bulk import's search index built beside (sq_bulk) goes into search_fts
 * when it holds every text the transaction wrote (search_text was empty
 * when it began); *done 0: nothing was written, fts_add builds it. */
static rn_code side_index(sq *q, int *done, rn_error *err)
{
    *done = 0;
    if (!q->fts_side)
        return RN_OK;
    int64_t texts = -1;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db, "SELECT count(*) FROM search_text", -1, &st, NULL) ==
            SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        texts = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    rn_code rc = rn__fts_side_write(q->fts_side, q->db, texts, done, err);
    side_drop(q);
    return rc;
}

static rn_code sq_commit(rn_store *s, rn_error *err)
{
    sq *q = SQ(s);
    rn_code rc = rn__decoded_finish(q->decoded, err);
    if (rc == RN_OK)
        rc = flush_search(q, err);
    if (rc)
        return rc;
    rn__fts_side_end(q->fts_side); /* its last merge runs beside the index builds */
    int bulk = q->bulk_sql.len > 0;
    if (bulk) {
        /* the indexes a bulk import deferred, built from the rows in one
         * sorted pass each, inside the transaction */
        rc = exec(q->db, q->bulk_sql.data, err);
        if (rc)
            return rc;
        bulk_clear(q);
    }
    if ((rc = rn__decoded_bulk_end(q->decoded, err)))
        return rc;
    int indexed;
    rc = side_index(q, &indexed, err);
    if (rc == RN_OK && !indexed)
        rc = fts_add(q, bulk, err);
    if (rc)
        return rc;
    if (q->appended)
        rc = rn__ledger_seal(q->db, s->path, err);
    if (rc == RN_OK)
        rc = exec(q->db, "COMMIT", err);
    if (rc == RN_OK) {
        if (q->appended)
            rn__ledger_key_binding_save(q->db, s->path);
        q->tx_open = 0;
        q->appended = 0;
        tx_ended(q);
    }
    return rc;
}

static void sq_rollback(rn_store *s)
{
    sq *q = SQ(s);
    rn__decoded_discard(q->decoded);
    side_drop(q);
    if (q->search_rows)
        rn__rows_clear(q->search_rows);
    q->search_batched = 0;
    if (q->tx_open)
        sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
    q->tx_open = 0;
    q->appended = 0;
    bulk_clear(q); /* the rollback brought the dropped indexes back */
    tx_ended(q);
}

/* ---- a bulk write's journal ------------------------------------------------ */

#define BULK_MIN_RECORDS 1000 /* fewer: a write gains nothing from bulk handling */

/* Set the journal mode to `mode` without waiting for other connections:
 * 1 if the database is now in that mode. */
static int journal_mode(sq *q, const char *mode)
{
    char sql[40];
    snprintf(sql, sizeof sql, "PRAGMA journal_mode=%s", mode);
    sqlite3_busy_timeout(q->db, 0);
    sqlite3_stmt *st = NULL;
    int now = 0;
    if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        const char *m = (const char *)sqlite3_column_text(st, 0);
        now = m && sqlite3_stricmp(m, mode) == 0;
    }
    sqlite3_finalize(st);
    sqlite3_busy_timeout(q->db, q->busy_ms);
    return now;
}

/* Before a bulk write's transaction (ops->bulk_journal): a database that no
 * other connection has open leaves WAL mode for a rollback journal until
 * the transaction ends. In WAL mode each page of a large transaction is
 * written twice, to the WAL and then by the checkpoint into the database;
 * with a rollback journal it is written once, and a page past the
 * database's old end is not journaled at all (an import of 100k items:
 * about a quarter of its CPU time, docs/BENCHMARKS.md). SQLite's
 * documentation gives the same advice for transactions over about 100 MB.
 * Nothing is less safe: the commit is as durable (synchronous=FULL), and a
 * crash leaves a hot journal that the next connection rolls back
 * (rn__sqlite_open sees to it that a read-only one does too).
 * SQLite leaves WAL mode only when no other connection has the database
 * open, so a server or reader that is there keeps it in WAL and sees no
 * difference; one that opens during the import waits for its commit (the
 * busy timeout). After the transaction the database is in WAL mode again;
 * if another connection came and holds it, the next open switches it. */
static int sq_bulk_journal(rn_store *s, uint64_t expected)
{
    sq *q = SQ(s);
    if (!q->tx_open && !q->rollback_journal && expected >= BULK_MIN_RECORDS)
        q->rollback_journal = journal_mode(q, "DELETE");
    return q->rollback_journal;
}

static void wal_again(sq *q)
{
    if (!q->rollback_journal)
        return;
    q->rollback_journal = 0;
    (void)journal_mode(q, "WAL"); /* else the next open does it */
}

/* Before an import's transaction (ops->own_refs): its records' references
 * are checked here (check_refs) instead of by SQLite's foreign keys, which
 * are off until the transaction ends. The check is the same rule: each
 * reference names a record of the field's type that exists: one of the
 * ids the transaction wrote or found last (in memory, rn__idset), else
 * looked up by primary key. An import only creates, and its references
 * mostly name records of a few lines before or the same few over and
 * over; SQLite's check was a lookup of the parent's table from inside the
 * INSERT (about 6 % of the writing thread's work at 20k items,
 * docs/BENCHMARKS.md). A foreign key also guards deletes: sq_del
 * refuses to run while they are off. Any other table with a foreign key
 * (accounts, cosignatures) is not written by an import. */
static int sq_own_refs(rn_store *s, uint64_t expected)
{
    sq *q = SQ(s);
    if (q->tx_open || q->own_refs || expected < BULK_MIN_RECORDS)
        return q->own_refs;
    if (!q->seen && !(q->seen = rn__idset_new()))
        return 0;
    sqlite3_stmt *st = NULL;
    int off = sqlite3_exec(q->db, "PRAGMA foreign_keys=OFF", NULL, NULL, NULL) == SQLITE_OK &&
              sqlite3_prepare_v2(q->db, "PRAGMA foreign_keys", -1, &st, NULL) == SQLITE_OK &&
              sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 0;
    sqlite3_finalize(st);
    if (!off) {
        (void)sqlite3_exec(q->db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
        return 0;
    }
    rn__idset_clear(q->seen);
    q->own_refs = 1;
    return 1;
}

/* The transaction sq_own_refs was for has ended: foreign keys on again. */
static void refs_again(sq *q)
{
    if (!q->own_refs)
        return;
    q->own_refs = 0;
    rn__idset_clear(q->seen);
    (void)sqlite3_exec(q->db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
}

/* A bulk import into a small database (ops->bulk): the secondary indexes
 * of the record tables, of search_text and of sync_provenance are dropped
 * at the start of the import's transaction and created again at its commit
 * (sq_commit), so that each is built once from its sorted rows instead of one B-tree insert per
 * row (about an eighth of the store's import time). DDL is transactional in
 * SQLite: a failed or killed import rolls the drops back with everything
 * else, and the schema after a commit is the one before (the very same
 * CREATE statements, read from sqlite_schema). "Small": the database holds
 * no more records than the import is expected to bring, so rebuilding costs
 * at most about what the import adds. UNIQUE indexes are kept (each is a
 * rule whose error must name its line). Nothing an import runs reads through
 * these indexes: puts probe primary keys only (registry, references,
 * lifecycle, decoding context); the log's own indexes are not touched
 * (its index by record is fed in order by an import of new ids, and was
 * measured cheaper kept than rebuilt at a million items: docs/BENCHMARKS.md
 * "Import, 2026-12-03"). */

static int bulk_table(const char *tbl)
{
    /* sync_provenance: a synced change's row (lib/sync/import.c S9), which
     * a sync reads by its primary key (seq) only; its index by record is
     * for show, history and verify */
    if (strcmp(tbl, "search_text") == 0 || strcmp(tbl, "sync_provenance") == 0)
        return 1;
    for (int t = 0; t < RN_T_COUNT; t++)
        if (strcmp(tbl, rn__types[t].name) == 0)
            return 1;
    return 0;
}

static void bulk_clear(sq *q)
{
    rn__buf_free(&q->bulk_sql);
    rn__buf_init(&q->bulk_sql, (size_t)1 << 20);
}

/* A bulk write's transaction does without SQLite's secure delete (on in
 * Debian's build: it zeroes the bytes a B-tree frees, even when cells only
 * move between pages as they fill), for 3.7 % of an import's writing
 * thread (callgrind, 20k items; docs/BENCHMARKS.md "Import: the search index
 * in one segment"). What such a transaction frees is not secret from the
 * file: the old version of a record it replaces or deletes (the evidence
 * log, in the same file and append-only, keeps every version's values),
 * search texts and candidates derived from those, and the pages of the
 * indexes it drops and rebuilds. It never touches the tables where secure
 * delete matters (accounts and their sessions and tokens), and the setting
 * it found is put back when the transaction ends (secure_again). */
static void secure_off(sq *q)
{
    sqlite3_stmt *st = NULL;
    if (q->secure_was ||
        sqlite3_prepare_v2(q->db, "PRAGMA secure_delete", -1, &st, NULL) != SQLITE_OK)
        return;
    int was = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    if (was > 0 && sqlite3_exec(q->db, "PRAGMA secure_delete=0", NULL, NULL, NULL) == SQLITE_OK)
        q->secure_was = was + 1;
}

static void secure_again(sq *q)
{
    if (!q->secure_was)
        return;
    /* the pragma reads 2 for FAST but takes "2" for a plain true */
    const char *sql = q->secure_was - 1 == 2 ? "PRAGMA secure_delete=FAST" : "PRAGMA secure_delete=1";
    q->secure_was = 0;
    (void)sqlite3_exec(q->db, sql, NULL, NULL, NULL);
}

/* The transaction that the journal, the foreign keys or secure delete were
 * changed for (sq_bulk_journal, sq_own_refs, sq_bulk) has ended, or never
 * began: each is put back as it was. */
static void tx_ended(sq *q)
{
    wal_again(q);
    refs_again(q);
    secure_again(q);
}

/* May this bulk write build its search index beside (fts_side.c)? While
 * the index holds no text, is the store's own definition and has not been
 * touched by this connection (rn__fts_side_write says why). */
static int side_fits(sq *q)
{
    if (q->fts_seen || q->fts_side)
        return 0;
    sqlite3_stmt *st = NULL;
    int fits = 0;
    if (sqlite3_prepare_v2(q->db, "SELECT (SELECT sql FROM sqlite_schema WHERE name = "
                                  "'search_fts'), EXISTS (SELECT 1 FROM search_text)",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 1) == 0) {
        const char *sql = (const char *)sqlite3_column_text(st, 0);
        char flat[sizeof RN__FTS_SIDE_TABLE + 1];
        size_t n = 0;
        for (; sql && *sql && n < sizeof flat - 1; sql++)
            if (!isspace((unsigned char)*sql))
                flat[n++] = *sql;
        flat[n] = '\0';
        fits = sql && !*sql && strcmp(flat, RN__FTS_SIDE_TABLE) == 0;
    }
    sqlite3_finalize(st);
    return fits;
}

static rn_code sq_bulk(rn_store *s, uint64_t expected, unsigned flags, rn_error *err)
{
    sq *q = SQ(s);
    if (!q->tx_open || q->bulk_sql.len || expected < BULK_MIN_RECORDS)
        return RN_OK;
    /* whatever the database's size: */
    secure_off(q);
    if (!s->no_decode)
        rn__decoded_async(q->decoded);
    q->search_batched = 1;
    if (flags & RN__BULK_LOG_BATCH)
        rn__ledger_batch(q->db);
    sqlite3_stmt *st = NULL;
    int64_t have = INT64_MAX;
    int src = sqlite3_prepare_v2(q->db, "SELECT count(*) FROM (SELECT 1 FROM record LIMIT ?)",
                                 -1, &st, NULL);
    if (src == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)(expected > INT64_MAX - 1 ? INT64_MAX - 1
                                                                           : expected) + 1);
        if ((src = sqlite3_step(st)) == SQLITE_ROW)
            have = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (src != SQLITE_ROW)
        return db_err(q->db, src, err, "reading the database");
    if (have > (int64_t)expected)
        return RN_OK;
    rn_buf drop;
    rn__buf_init(&drop, (size_t)1 << 20);
    rn_code rc = RN_OK;
    /* a UNIQUE index is a rule checked row by row (its error names the
     * line): it stays */
    src = sqlite3_prepare_v2(q->db, "SELECT name, tbl_name, sql FROM sqlite_schema s "
                                    "WHERE type = 'index' AND sql IS NOT NULL AND NOT EXISTS "
                                    "(SELECT 1 FROM pragma_index_list(s.tbl_name) l "
                                    "WHERE l.name = s.name AND l.\"unique\") ORDER BY name",
                             -1, &st, NULL);
    if (src != SQLITE_OK)
        rc = db_err(q->db, src, err, "reading the schema");
    while (rc == RN_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *tbl = (const char *)sqlite3_column_text(st, 1);
        const char *sql = (const char *)sqlite3_column_text(st, 2);
        if (!name || !tbl || !sql || !bulk_table(tbl))
            continue;
        /* names come from our own migrations; quoted all the same */
        rc = rn__buf_printf(&drop, "DROP INDEX \"%s\";", name);
        if (rc == RN_OK)
            rc = rn__buf_printf(&q->bulk_sql, "%s;\n", sql);
    }
    if (rc == RN_OK && src != SQLITE_DONE)
        rc = db_err(q->db, src, err, "reading the schema");
    sqlite3_finalize(st);
    if (rc == RN_OK && q->bulk_sql.len)
        rc = rn__buf_cstr(&q->bulk_sql);
    if (rc == RN_OK && drop.len)
        rc = rn__buf_cstr(&drop);
    if (rc == RN_OK && drop.len)
        rc = exec(q->db, drop.data, err);
    rn__buf_free(&drop);
    if (rc) {
        /* the caller rolls back, which restores any index dropped */
        bulk_clear(q);
        if (rc == RN_ELIMIT || rc == RN_ENOMEM)
            return rn__err(err, rc, "out of memory reading the schema");
        return rc;
    }
    if (side_fits(q))
        q->fts_side = rn__fts_side_start(); /* NULL: fts_add at the commit */
    return RN_OK;
}

/* ---- writes -------------------------------------------------------------- */

static rn_code bind_record(sqlite3_stmt *st, const rn_record *r)
{
    const struct rn__type_desc *td = &rn__types[r->type];
    int col = 1;
    sqlite3_bind_text(st, col++, r->id, RN_ID_LEN, SQLITE_STATIC);
    for (size_t i = 0; i < td->nfields; i++) {
        const rn_field *f = &td->fields[i];
        size_t n;
        const char *v = rn_record_get_at(r, (int)i, &n);
        if (f->kind == RN_F_DATE) {
            const rn_date *d = &r->date[i];
            if (!v) {
                sqlite3_bind_null(st, col++);
                sqlite3_bind_null(st, col++);
                sqlite3_bind_null(st, col++);
                continue;
            }
            if (d->earliest == RN_DAY_OPEN_LOW)
                sqlite3_bind_null(st, col++);
            else
                sqlite3_bind_int64(st, col++, d->earliest);
            if (d->latest == RN_DAY_OPEN_HIGH)
                sqlite3_bind_null(st, col++);
            else
                sqlite3_bind_int64(st, col++, d->latest);
            sqlite3_bind_text(st, col++, rn_precision_name(d->precision), -1, SQLITE_STATIC);
            continue;
        }
        if (!v) {
            sqlite3_bind_null(st, col++);
        } else if (f->kind == RN_F_INT) {
            sqlite3_bind_int64(st, col++, strtoll(v, NULL, 10));
        } else if (f->kind == RN_F_REAL) {
            sqlite3_bind_double(st, col++, strtod(v, NULL));
        } else {
            sqlite3_bind_text(st, col++, v, (int)n, SQLITE_STATIC);
        }
    }
    return RN_OK;
}

/* The first reference of r that points at nothing, as an error (RN_OK if
 * none does): a record of the field's type among the ids in `seen` (may be
 * NULL: sq_own_refs), else in the database; one found there joins them. */
static rn_code check_refs(sq *q, const rn_record *r, rn__idset *seen, rn_error *err)
{
    const struct rn__type_desc *td = &rn__types[r->type];
    for (size_t i = 0; i < td->nfields; i++) {
        const rn_field *f = &td->fields[i];
        const char *v = rn_record_get_at(r, (int)i, NULL);
        if (f->kind != RN_F_REF || !v)
            continue;
        char id[RN_ID_LEN + 1];
        memcpy(id, v, RN_ID_LEN);
        id[RN_ID_LEN] = '\0';
        if (seen && rn__idset_find(seen, id) == (int)f->ref)
            continue;
        if (!exists_in(q, f->ref, id))
            return rn__err_field(err, RN_ECONSTRAINT, f->name,
                                 "'%s' refers to %s %s, which does not exist (create it "
                                 "first, or import it earlier in the file)",
                                 f->name, rn_type_name(f->ref), id);
        if (seen)
            (void)rn__idset_add(seen, id, (int)f->ref);
    }
    return RN_OK;
}

/* After a foreign-key failure: which reference points at nothing? */
static rn_code explain_missing_ref(sq *q, const rn_record *r, rn_error *err)
{
    const struct rn__type_desc *td = &rn__types[r->type];
    rn_code rc = check_refs(q, r, NULL, err);
    if (rc)
        return rc;
    return rn__err(err, RN_ECONSTRAINT, "a reference of this %s points at nothing", td->name);
}

/* Id lists (evidence, items) are checked here: no foreign key covers them. */
static rn_code check_reflists(rn_store *s, const rn_record *r, rn_error *err)
{
    const struct rn__type_desc *td = &rn__types[r->type];
    for (size_t i = 0; i < td->nfields; i++) {
        size_t n;
        const char *v = rn_record_get_at(r, (int)i, &n);
        if (td->fields[i].kind != RN_F_REFLIST || !v)
            continue;
        /* canonical form: ["ID","ID",...] — ids at fixed strides */
        for (size_t k = 2; k + RN_ID_LEN <= n; k += RN_ID_LEN + 3) {
            char id[RN_ID_LEN + 1];
            memcpy(id, v + k, RN_ID_LEN);
            id[RN_ID_LEN] = '\0';
            rn_type t;
            if (sq_type_of(s, id, &t) != RN_OK)
                return rn__err_field(err, RN_ECONSTRAINT, td->fields[i].name,
                                     "'%s' lists %s, which does not exist",
                                     td->fields[i].name, id);
        }
    }
    return RN_OK;
}

/* An item may not become its own ancestor. */
static rn_code check_item_cycle(sq *q, const rn_record *r, rn_error *err)
{
    const char *parent = rn_record_get(r, "parent", NULL);
    if (!parent)
        return RN_OK;
    char cur[RN_ID_LEN + 1];
    memcpy(cur, parent, RN_ID_LEN);
    cur[RN_ID_LEN] = '\0';
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db, "SELECT parent FROM item WHERE id=?", -1, &st, NULL))
        return db_err(q->db, SQLITE_ERROR, err, "checking the item tree");
    rn_code rc = RN_OK;
    for (int depth = 0; depth < 10000; depth++) {
        if (strcmp(cur, r->id) == 0) {
            rc = rn__err_field(err, RN_ECONSTRAINT, "parent",
                               "item %s cannot be part of itself (parent loop)", r->id);
            break;
        }
        sqlite3_bind_text(st, 1, cur, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_type(st, 0) == SQLITE_NULL) {
            sqlite3_reset(st);
            break;
        }
        memcpy(cur, sqlite3_column_text(st, 0), RN_ID_LEN);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Remove a record's texts from the search index: rows already in search_fts
 * (id <= fts_mark) are taken out of it first. */
static rn_code remove_search(sq *q, const char *id, rn_error *err)
{
    /* the index built beside holds what is removed here: the commit builds
     * the transaction's texts itself (fts_add), and the side is let go */
    fts_used(q);
    rn_code rc = flush_search(q, err);
    if (!rc)
        rc = keep(q, &q->search_unindex,
                      "INSERT INTO search_fts(search_fts, rowid, text) SELECT 'delete', id, "
                      "text FROM search_text WHERE rid=?1 AND id <= ?2", err);
    if (!rc)
        rc = keep(q, &q->search_del, "DELETE FROM search_text WHERE rid=?", err);
    if (rc)
        return rc;
    sqlite3_bind_text(q->search_unindex, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q->search_unindex, 2, q->fts_mark);
    rc = step_done(q, q->search_unindex, err, "updating the search index");
    if (rc)
        return rc;
    sqlite3_bind_text(q->search_del, 1, id, -1, SQLITE_STATIC);
    return step_done(q, q->search_del, err, "updating the search index");
}

/* Add the characters of text v[0..n) to search_char, the set a `?` is
 * expanded over (ASCII letters folded to lower case, as the trigram index
 * folds them). Each character is written once per transaction. */
static rn_code note_chars(sq *q, const char *v, size_t n, rn_error *err)
{
    for (size_t i = 0; i < n;) {
        unsigned char b = (unsigned char)v[i];
        int len = b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
        if (i + (size_t)len > n)
            len = (int)(n - i);
        char ch[4];
        memcpy(ch, v + i, (size_t)len);
        i += (size_t)len;
        uint32_t *slot = NULL, key = 0;
        if (b < 0x80) {
            if (ch[0] >= 'A' && ch[0] <= 'Z')
                ch[0] = (char)(ch[0] | 0x20);
            unsigned char a = (unsigned char)ch[0];
            uint64_t bit = 1ull << (a & 63);
            if (q->char_ascii[a >> 6] & bit)
                continue;
            q->char_ascii[a >> 6] |= bit; /* undone by the next begin if need be */
        } else {
            for (int k = 0; k < len; k++)
                key = key << 8 | (unsigned char)ch[k];
            uint32_t h = (key * 2654435761u) & (CHAR_SLOTS - 1);
            for (int k = 0; k < 16 && !slot; k++, h = (h + 1) & (CHAR_SLOTS - 1))
                if (q->char_other[h] == key || !q->char_other[h])
                    slot = &q->char_other[h];
            if (slot && *slot == key)
                continue;
            /* slot NULL (none free near): written, OR IGNORE, every time */
        }
        rn_code rc = keep(q, &q->char_ins, "INSERT OR IGNORE INTO search_char(c) VALUES (?)",
                          err);
        if (rc)
            return rc;
        sqlite3_bind_text(q->char_ins, 1, ch, len, SQLITE_STATIC);
        rc = step_done(q, q->char_ins, err, "updating the search index");
        if (rc)
            return rc;
        if (slot)
            *slot = key;
    }
    return RN_OK;
}

/* Write the search texts batched so far (update_search). */
static rn_code flush_search(sq *q, rn_error *err)
{
    if (!q->search_rows || rn__rows_count(q->search_rows) == 0)
        return RN_OK;
    rn_code rc = keep(q, &q->search_ins,
                      "INSERT INTO search_text(rid,type,field,text) "
                      "SELECT c0, c1, c2, c3 FROM rn_rows(?)", err);
    if (rc)
        return rc;
    size_t n = rn__rows_count(q->search_rows);
    int src = rn__rows_run(q->search_ins, q->search_rows);
    /* the batch's ids: one run, as AUTOINCREMENT gives them in one
     * statement (the side checks that the runs follow on) */
    if (src == SQLITE_DONE && q->fts_side &&
        rn__fts_side_add(q->fts_side, &q->search_rows,
                         sqlite3_last_insert_rowid(q->db) - (int64_t)n + 1) != 0)
        side_drop(q);
    rn__rows_clear(q->search_rows);
    return src == SQLITE_DONE ? RN_OK : db_err(q->db, src, err, "updating the search index");
}

#define SEARCH_BATCH 1024 /* rows */

/* A record's searchable texts into search_text: a bulk write's a batch at
 * a time, any other's at once. */
static rn_code update_search(sq *q, const rn_record *r, int replace, rn_error *err)
{
    const struct rn__type_desc *td = &rn__types[r->type];
    rn_code rc;
    if (!q->search_rows && !(q->search_rows = rn__rows_new(4)))
        return rn__err(err, RN_ENOMEM, "out of memory");
    if (replace && (rc = remove_search(q, r->id, err)))
        return rc;
    rn__rows *b = q->search_rows;
    for (size_t i = 0; i < td->nfields; i++) {
        size_t n;
        const char *v = rn_record_get_at(r, (int)i, &n);
        if (!v || !(td->fields[i].flags & RN_FIELD_SEARCH))
            continue;
        rc = rn__rows_text(b, r->id, RN_ID_LEN);
        if (!rc)
            rc = rn__rows_text(b, td->name, -1);
        if (!rc)
            rc = rn__rows_text(b, td->fields[i].name, -1);
        if (!rc)
            rc = rn__rows_text(b, v, (ptrdiff_t)n);
        if (rc)
            return rn__err(err, rc, "out of memory updating the search index");
        if ((rc = note_chars(q, v, n, err)))
            return rc;
    }
    if (!q->search_batched || rn__rows_count(b) >= SEARCH_BATCH)
        return flush_search(q, err);
    return RN_OK;
}

static rn_code log_change(rn_store *s, const rn_record *r, rn_type t, const char *id,
                          char op, rn_error *err)
{
    sq *q = SQ(s);
    char *canon = NULL; /* encoded here, freed here */
    const char *bytes = r ? s->put_canon : NULL; /* the caller's, checked (sync_apply.c) */
    size_t len = r ? s->put_canon_len : 0;
    rn_code rc = RN_OK;
    if (r && !bytes) {
        rc = rn_record_to_json(r, RN_JSON_CANONICAL, &canon, &len);
        if (rc)
            return rn__err(err, rc, "encoding the record for the log");
        bytes = canon;
    }
    rc = rn__ledger_append(q->db, t, id, op, bytes, len, s->author, r ? s->put_prep : NULL, err);
    free(canon);
    if (rc == RN_OK)
        q->appended++;
    return rc;
}

static rn_code sq_put(rn_store *s, const rn_record *r, rn_put_mode mode, rn_error *err)
{
    sq *q = SQ(s);
    rn_type existing;
    int exists = 0;
    if (mode == RN_PUT_CREATE) {
        /* one probe: the registry's primary key refuses a second record
         * with the id, whatever its type */
        rn_code rc = keep(q, &q->reg_ins, "INSERT INTO record(id, type) VALUES (?, ?)", err);
        if (rc)
            return rc;
        sqlite3_bind_text(q->reg_ins, 1, r->id, RN_ID_LEN, SQLITE_STATIC);
        sqlite3_bind_text(q->reg_ins, 2, rn__types[r->type].name, -1, SQLITE_STATIC);
        int src = sqlite3_step(q->reg_ins);
        sqlite3_reset(q->reg_ins);
        if (src == SQLITE_CONSTRAINT_PRIMARYKEY) {
            const char *tn = sq_type_of(s, r->id, &existing) == RN_OK ? rn_type_name(existing)
                                                                       : "record";
            return rn__err_field(err, RN_EEXISTS, "id",
                                 "a%s %s with id %s already exists (ids are unique: leave "
                                 "'id' out to get a new one)",
                                 strchr("aeiou", tn[0]) ? "n" : "", tn, r->id);
        }
        if (src != SQLITE_DONE)
            return db_err(q->db, src, err, "writing the record");
    } else {
        exists = sq_type_of(s, r->id, &existing) == RN_OK;
    }
    if (!exists && mode == RN_PUT_UPSERT) {
        /* create after all: register the id */
        rn_code rc = keep(q, &q->reg_ins, "INSERT INTO record(id, type) VALUES (?, ?)", err);
        if (rc)
            return rc;
        sqlite3_bind_text(q->reg_ins, 1, r->id, RN_ID_LEN, SQLITE_STATIC);
        sqlite3_bind_text(q->reg_ins, 2, rn__types[r->type].name, -1, SQLITE_STATIC);
        rc = step_done(q, q->reg_ins, err, "writing the record");
        if (rc)
            return rc;
    }
    if (!exists && mode == RN_PUT_REPLACE)
        return rn__err(err, RN_ENOTFOUND, "no record with id %s", r->id);
    if (exists && existing != r->type)
        return rn__err_field(err, RN_EEXISTS, "id", "id %s belongs to a %s, not a %s", r->id,
                             rn_type_name(existing), rn_type_name(r->type));
    rn_code rc = check_reflists(s, r, err);
    if (rc == RN_OK && r->type == RN_T_ITEM) {
        const char *parent = rn_record_get(r, "parent", NULL);
        if (parent && strcmp(parent, r->id) == 0)
            rc = rn__err_field(err, RN_ECONSTRAINT, "parent",
                               "item %s cannot be part of itself", r->id);
        else if (exists)
            rc = check_item_cycle(q, r, err);
    }
    if (rc)
        return rc;
    int recontext = 0; /* an item's or event's decoding context changes */
    if (exists) {
        /* immutable fields stay as they were */
        rn_record *old = NULL;
        rc = s->ops->get(s, r->id, &old, err);
        recontext = rc == RN_OK && rn__decoded_context_differs(old, r);
        const struct rn__type_desc *td = &rn__types[r->type];
        for (size_t i = 0; rc == RN_OK && i < td->nfields; i++) {
            if (!(td->fields[i].flags & RN_FIELD_IMMUTABLE))
                continue;
            size_t a, b;
            const char *va = rn_record_get_at(old, (int)i, &a);
            const char *vb = rn_record_get_at(r, (int)i, &b);
            if ((va == NULL) != (vb == NULL) || (va && (a != b || memcmp(va, vb, a))))
                rc = rn__err_field(err, RN_ECONSTRAINT, td->fields[i].name,
                                   "'%s' cannot change once recorded", td->fields[i].name);
        }
        rn_record_free(old);
        if (rc)
            return rc;
    }
    if (q->own_refs && (rc = check_refs(q, r, q->seen, err)))
        return rc;
    sqlite3_stmt *st = NULL;
    rc = prepare(q, r->type, exists ? ST_UPDATE : ST_INSERT, &st, err);
    if (rc)
        return rc;
    bind_record(st, r);
    int src = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (src != SQLITE_DONE) {
        if (src == SQLITE_CONSTRAINT_FOREIGNKEY)
            return explain_missing_ref(q, r, err);
        return db_err(q->db, src, err, "writing the record");
    }
    if (q->own_refs && !exists && rn__idset_add(q->seen, r->id, (int)r->type) != RN_OK)
        return rn__err(err, RN_ENOMEM, "out of memory");
    rc = update_search(q, r, exists, err);
    if (rc == RN_OK && q->decoded && r->type == RN_T_MARKING && !s->no_decode)
        rc = rn__decoded_refresh(q->decoded, r, exists, err);
    /* an item or event whose context did not change keeps what is cached */
    if (rc == RN_OK && q->decoded && recontext) {
        if (s->no_decode)
            rn__decoded_forget(q->decoded, r->id);
        else
            rc = rn__decoded_recontext(q->decoded, r->id, err);
    }
    if (rc == RN_OK && q->decoded && r->type == RN_T_ITEM && !exists && !s->no_decode)
        rn__decoded_item(q->decoded, r);
    if (rc == RN_OK)
        rc = log_change(s, r, r->type, r->id, exists ? 'u' : 'c', err);
    return rc;
}

/* Who still refers to `id` (of type t)? Fills err and returns
 * RN_ECONSTRAINT, or RN_OK when nothing does. */
static rn_code check_referrers(sq *q, rn_type t, const char *id, rn_error *err)
{
    char pat[RN_ID_LEN + 5];
    snprintf(pat, sizeof pat, "%%\"%s\"%%", id);
    for (int u = 0; u < RN_T_COUNT; u++) {
        const struct rn__type_desc *td = &rn__types[u];
        for (size_t i = 0; i < td->nfields; i++) {
            const rn_field *f = &td->fields[i];
            int is_ref = f->kind == RN_F_REF && f->ref == t;
            if (!is_ref && f->kind != RN_F_REFLIST)
                continue;
            char sql[200];
            snprintf(sql, sizeof sql, "SELECT id FROM %s WHERE %s %s ? LIMIT 1", td->name,
                     f->name, is_ref ? "=" : "LIKE");
            sqlite3_stmt *st = NULL;
            if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK)
                return db_err(q->db, SQLITE_ERROR, err, "checking references");
            sqlite3_bind_text(st, 1, is_ref ? id : pat, -1, SQLITE_STATIC);
            if (sqlite3_step(st) == SQLITE_ROW) {
                rn_code rc = rn__err_field(err, RN_ECONSTRAINT, f->name,
                                           "%s %s is still referred to by %s %s (field '%s'): "
                                           "remove or change that first",
                                           rn_type_name(t), id, td->name,
                                           (const char *)sqlite3_column_text(st, 0), f->name);
                sqlite3_finalize(st);
                return rc;
            }
            sqlite3_finalize(st);
        }
    }
    return RN_OK;
}

static rn_code sq_del(rn_store *s, const char *id, rn_error *err)
{
    sq *q = SQ(s);
    rn_type t;
    if (q->own_refs) /* no foreign key would guard the records that refer to it */
        return rn__err(err, RN_EINVAL, "a record cannot be deleted inside an import");
    if (sq_type_of(s, id, &t) != RN_OK)
        return rn__err(err, RN_ENOTFOUND, "no record with id %s", id);
    rn_code rc = check_referrers(q, t, id, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = NULL;
    rc = prepare(q, t, ST_DELETE, &st, err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    rc = step_done(q, st, err, "deleting the record");
    sqlite3_clear_bindings(st);
    if (rc)
        return rc;
    rc = remove_search(q, id, err);
    if (rc == RN_OK)
        rc = keep(q, &q->reg_del, "DELETE FROM record WHERE id=?", err);
    if (rc == RN_OK) {
        sqlite3_bind_text(q->reg_del, 1, id, -1, SQLITE_STATIC);
        rc = step_done(q, q->reg_del, err, "deleting the record");
    }
    if (rc == RN_OK)
        rc = log_change(s, NULL, t, id, 'd', err);
    return rc;
}

/* ---- reads ----------------------------------------------------------------- */

/* Fill r (reset, of type t) from the current row of st, whose columns are
 * columns(t). */
static rn_code row_to_record(sqlite3_stmt *st, rn_record *r)
{
    const struct rn__type_desc *td = &rn__types[r->type];
    rn_record_reset(r);
    const char *id = (const char *)sqlite3_column_text(st, 0);
    if (!id || sqlite3_column_bytes(st, 0) != RN_ID_LEN || !rn_id_valid(id, RN_ID_LEN))
        return RN_ETAMPER; /* a damaged row: never trust its length */
    memcpy(r->id, id, RN_ID_LEN);
    r->id[RN_ID_LEN] = '\0';
    int col = 1;
    rn_code rc = RN_OK;
    for (size_t i = 0; i < td->nfields && rc == RN_OK; i++) {
        const rn_field *f = &td->fields[i];
        if (f->kind == RN_F_DATE) {
            int c0 = col;
            col += 3;
            if (sqlite3_column_type(st, c0 + 2) == SQLITE_NULL)
                continue;
            rn_date d;
            const char *p = (const char *)sqlite3_column_text(st, c0 + 2);
            if (rn_precision_from_name(p, strlen(p), &d.precision))
                return RN_ETAMPER;
            d.earliest = sqlite3_column_type(st, c0) == SQLITE_NULL
                             ? RN_DAY_OPEN_LOW : (int32_t)sqlite3_column_int64(st, c0);
            d.latest = sqlite3_column_type(st, c0 + 1) == SQLITE_NULL
                           ? RN_DAY_OPEN_HIGH : (int32_t)sqlite3_column_int64(st, c0 + 1);
            char text[RN_DATE_TEXT_MAX];
            size_t n = rn_date_format(&d, text, sizeof text);
            rc = rn__record_set_raw(r, (int)i, text, n, &d);
            continue;
        }
        int c = col++;
        if (sqlite3_column_type(st, c) == SQLITE_NULL)
            continue;
        if (f->kind == RN_F_REAL) {
            char tmp[40];
            /* same normalization as rn_record_set_at */
            rc = rn_record_set_at(r, (int)i, tmp,
                                  (size_t)snprintf(tmp, sizeof tmp, "%.17g",
                                                   sqlite3_column_double(st, c)), NULL);
            continue;
        }
        const char *v = (const char *)sqlite3_column_text(st, c);
        rc = rn__record_set_raw(r, (int)i, v, (size_t)sqlite3_column_bytes(st, c), NULL);
    }
    return rc;
}

static rn_code sq_get(rn_store *s, const char *id, rn_record **out, rn_error *err)
{
    sq *q = SQ(s);
    rn_type t;
    if (sq_type_of(s, id, &t) != RN_OK)
        return rn__err(err, RN_ENOTFOUND, "no record with id %s", id);
    sqlite3_stmt *st = NULL;
    rn_code rc = prepare(q, t, ST_SELECT, &st, err);
    if (rc)
        return rc;
    rn_record *r = rn_record_new(t);
    if (!r)
        return rn__err(err, RN_ENOMEM, "out of memory");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        rc = row_to_record(st, r);
    else
        rc = db_err(q->db, src, err, "reading the record");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc) {
        rn_record_free(r);
        return rc == RN_ETAMPER ? rn__err(err, rc, "record %s is damaged (an invalid id or date): "
                                                   "run `remnant verify`", id)
                                : rc;
    }
    *out = r;
    return RN_OK;
}

typedef struct sq_cursor {
    rn_cursor base;
    sqlite3_stmt *st;
    rn_record *rec;
    sq *q;
} sq_cursor;

static rn_code cursor_next(rn_cursor *c, const rn_record **rec, rn_error *err)
{
    sq_cursor *k = (sq_cursor *)c;
    int src = sqlite3_step(k->st);
    if (src == SQLITE_DONE) {
        *rec = NULL;
        return RN_OK;
    }
    if (src != SQLITE_ROW)
        return db_err(k->q->db, src, err, "listing records");
    rn_code rc = row_to_record(k->st, k->rec);
    if (rc)
        return rn__err(err, rc, "a stored record could not be read");
    *rec = k->rec;
    return RN_OK;
}

static void cursor_free(rn_cursor *c)
{
    sq_cursor *k = (sq_cursor *)c;
    sqlite3_finalize(k->st);
    rn_record_free(k->rec);
    free(k);
}

static rn_code sq_list(rn_store *s, rn_type t, const rn_filter *f, size_t nf, long limit,
                       long offset, int order_tree, rn_cursor **out, rn_error *err)
{
    sq *q = SQ(s);
    rn_buf b;
    rn__buf_init(&b, 16384);
    rn_code rc = RN_OK;
    if (order_tree && t == RN_T_ITEM) {
        /* parents before children: depth-first levels, then id */
        rc = rn__buf_adds(&b, "WITH RECURSIVE d(id, depth) AS (SELECT id, 0 FROM item WHERE "
                              "parent IS NULL UNION ALL SELECT i.id, d.depth + 1 FROM item i "
                              "JOIN d ON i.parent = d.id) SELECT ");
        if (!rc) rc = columns(t, &b);
        if (!rc) rc = rn__buf_adds(&b, " FROM item JOIN d USING (id) ORDER BY d.depth, id");
    } else {
        rc = rn__buf_adds(&b, "SELECT ");
        if (!rc) rc = columns(t, &b);
        if (!rc) rc = rn__buf_printf(&b, " FROM %s", rn__types[t].name);
        for (size_t i = 0; i < nf && !rc; i++) {
            int idx = rn_type_field_index(t, f[i].field, strlen(f[i].field));
            int is_id = strcmp(f[i].field, "id") == 0;
            if (!is_id && (idx < 0 || rn__types[t].fields[idx].kind == RN_F_DATE)) {
                rn__buf_free(&b);
                return rn__err_field(err, RN_EINPUT, f[i].field,
                                     "cannot filter %s records by '%s' (see `remnant fields "
                                     "%s`; dates cannot be filtered here)",
                                     rn__types[t].name, f[i].field, rn__types[t].name);
            }
            rc = rn__buf_printf(&b, "%s %s = ?", i ? " AND" : " WHERE",
                                is_id ? "id" : rn__types[t].fields[idx].name);
        }
        if (!rc) rc = rn__buf_adds(&b, " ORDER BY id LIMIT ? OFFSET ?");
    }
    if (!rc) rc = rn__buf_cstr(&b);
    if (rc) {
        rn__buf_free(&b);
        return rn__err(err, rc, "building the query");
    }
    sq_cursor *k = rn__calloc(1, sizeof *k);
    if (!k || !(k->rec = rn_record_new(t))) {
        free(k);
        rn__buf_free(&b);
        return rn__err(err, RN_ENOMEM, "out of memory");
    }
    k->q = q;
    k->base.next = cursor_next;
    k->base.free = cursor_free;
    int src = sqlite3_prepare_v2(q->db, b.data, (int)b.len, &k->st, NULL);
    rn__buf_free(&b);
    if (src != SQLITE_OK) {
        cursor_free(&k->base);
        return db_err(q->db, src, err, "listing records");
    }
    if (!(order_tree && t == RN_T_ITEM)) {
        int p = 1;
        for (size_t i = 0; i < nf; i++) {
            int idx = rn_type_field_index(t, f[i].field, strlen(f[i].field));
            const char *v = f[i].value;
            char up[3];
            if (idx >= 0 && rn__types[t].fields[idx].kind == RN_F_COUNTRY && strlen(v) == 2) {
                up[0] = (char)(v[0] & ~0x20), up[1] = (char)(v[1] & ~0x20), up[2] = 0;
                v = up;
            }
            sqlite3_bind_text(k->st, p++, v, -1, SQLITE_TRANSIENT);
        }
        sqlite3_bind_int64(k->st, p++, limit < 0 ? -1 : limit);
        sqlite3_bind_int64(k->st, p, offset < 0 ? 0 : offset);
    }
    *out = &k->base;
    return RN_OK;
}

static rn_code sq_count(rn_store *s, rn_type t, int64_t *out)
{
    char sql[80];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", rn__types[t].name);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(SQ(s)->db, sql, -1, &st, NULL) != SQLITE_OK)
        return RN_EDB;
    rn_code rc = sqlite3_step(st) == SQLITE_ROW ? RN_OK : RN_EDB;
    *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc;
}

/* ---- search ------------------------------------------------------------- */

#define SEARCH_MAX_CHARS 256  /* characters in a query */
#define SEARCH_MAX_TERMS 2000 /* expansions in one MATCH */
#define SEARCH_MAX_SET 512    /* distinct characters one `?` may stand for */

typedef struct uchar {
    const char *p;
    int n; /* bytes of this UTF-8 character */
} uchar;

static size_t split_chars(const char *q, size_t n, uchar *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n; k++) {
        if (k == cap)
            return 0;
        unsigned char c = (unsigned char)q[i];
        int len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
        if (i + (size_t)len > n)
            len = (int)(n - i);
        out[k].p = q + i;
        out[k].n = len;
        i += (size_t)len;
    }
    return k;
}

static int same_char(const uchar *a, const uchar *b)
{
    if (a->n != b->n)
        return 0;
    if (a->n == 1) /* the trigram index folds ASCII case */
        return (a->p[0] | 0x20) == (b->p[0] | 0x20) || a->p[0] == b->p[0];
    return memcmp(a->p, b->p, (size_t)a->n) == 0;
}

static int is_unknown(const uchar *c) { return c->n == 1 && c->p[0] == '?'; }

/* The trigrams of c[0..n) (n >= 3) as an FTS5 AND of one-trigram strings,
 * "abc" AND "bcd" ...: the index keeps no positions (0009_search.sql), so a
 * text holding them all is a candidate, which the LIKE filter then checks. */
static rn_code trigram_terms(rn_buf *b, const uchar *c, size_t n)
{
    rn_code rc = RN_OK;
    for (size_t i = 0; i + 3 <= n && !rc; i++) {
        if (i)
            rc = rn__buf_adds(b, " AND ");
        if (!rc)
            rc = rn__buf_addc(b, '"');
        for (size_t k = i; k < i + 3 && !rc; k++)
            rc = c[k].n == 1 && c[k].p[0] == '"' ? rn__buf_add(b, "\"\"", 2)
                                                  : rn__buf_add(b, c[k].p, (size_t)c[k].n);
        if (!rc)
            rc = rn__buf_addc(b, '"');
    }
    return rc;
}

/* The set of characters that stand in place of the `?` at position qpos of
 * window w (three characters, the other two known) in some indexed trigram,
 * read from the index's vocabulary. Characters are stored back to back in
 * set->buf as uchar slices into it. */
typedef struct charset {
    char buf[SEARCH_MAX_SET * 4];
    size_t used;
    uchar c[SEARCH_MAX_SET];
    size_t n;
} charset;

static rn_code window_chars(sq *q, const uchar *w, int qpos, charset *set, rn_error *err)
{
    char lo[16], hi[16];
    size_t pl = 0;
    for (int i = 0; i < qpos; i++) {
        memcpy(lo + pl, w[i].p, (size_t)w[i].n);
        if (w[i].n == 1 && lo[pl] >= 'A' && lo[pl] <= 'Z')
            lo[pl] = (char)(lo[pl] | 0x20);
        pl += (size_t)w[i].n;
    }
    memcpy(hi, lo, pl);
    if (pl)
        hi[pl - 1] = (char)(hi[pl - 1] + 1); /* UTF-8 never holds 0xff */
    sqlite3_stmt *st = NULL;
    const char *sql = pl ? "SELECT term FROM search_vocab WHERE term >= ?1 AND term < ?2"
                         : "SELECT term FROM search_vocab";
    int src = sqlite3_prepare_v2(q->db, sql, -1, &st, NULL);
    if (src != SQLITE_OK)
        return db_err(q->db, src, err, "searching");
    if (pl) {
        sqlite3_bind_text(st, 1, lo, (int)pl, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, hi, (int)pl, SQLITE_STATIC);
    }
    set->n = set->used = 0;
    rn_code rc = RN_OK;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        uchar t[4];
        const char *term = (const char *)sqlite3_column_text(st, 0);
        if (split_chars(term, (size_t)sqlite3_column_bytes(st, 0), t, 4) != 3)
            continue;
        int ok = 1;
        for (int i = 0; i < 3 && ok; i++)
            if (i != qpos)
                ok = same_char(&t[i], &w[i]);
        for (size_t k = 0; k < set->n && ok; k++)
            ok = !(set->c[k].n == t[qpos].n &&
                   memcmp(set->c[k].p, t[qpos].p, (size_t)t[qpos].n) == 0);
        if (!ok)
            continue;
        if (set->n == SEARCH_MAX_SET) {
            rc = RN_ELIMIT;
            break;
        }
        memcpy(set->buf + set->used, t[qpos].p, (size_t)t[qpos].n);
        set->c[set->n].p = set->buf + set->used;
        set->c[set->n].n = t[qpos].n;
        set->used += (size_t)t[qpos].n;
        set->n++;
    }
    if (rc == RN_OK && src != SQLITE_DONE && src != SQLITE_ROW)
        rc = db_err(q->db, src, err, "searching");
    sqlite3_finalize(st);
    return rc;
}

/* The characters that occur in the indexed texts (table search_char, kept
 * by note_chars), into set. RN_ELIMIT when there are more than a set holds:
 * then each `?` is read from the trigram vocabulary instead. */
static rn_code all_chars(sq *q, charset *set, rn_error *err)
{
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(q->db, "SELECT c FROM search_char", -1, &st, NULL);
    if (src != SQLITE_OK)
        return db_err(q->db, src, err, "searching");
    set->n = set->used = 0;
    rn_code rc = RN_OK;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *p = (const char *)sqlite3_column_text(st, 0);
        int len = sqlite3_column_bytes(st, 0);
        if (!p || len < 1 || len > 4)
            continue;
        if (set->n == SEARCH_MAX_SET) {
            rc = RN_ELIMIT;
            break;
        }
        memcpy(set->buf + set->used, p, (size_t)len);
        set->c[set->n].p = set->buf + set->used;
        set->c[set->n].n = len;
        set->used += (size_t)len;
        set->n++;
    }
    if (rc == RN_OK && src != SQLITE_DONE)
        rc = db_err(q->db, src, err, "searching");
    sqlite3_finalize(st);
    return rc;
}

static rn_code expand(sq *q, const uchar *c, size_t nc, const size_t *unknown, size_t nu,
                      charset *sets, rn_buf *m, int *none, rn_error *err);

/* Build the FTS5 MATCH expression for the query, or leave m empty when the
 * index cannot narrow the search (then the LIKE filter scans). The LIKE
 * filter is always applied after, so the index only has to over-select:
 *  1. every literal run of 3+ characters must occur: AND of its trigrams
 *     (enough: adding the windows below to a run made queries slower);
 *  2. otherwise every window of three characters holding one `?` (of at
 *     most four) must occur with some character in place of the `?`: AND
 *     over those windows of the OR of their trigrams, the `?` taken over
 *     the characters the index holds (table search_char, so a `?`, `#` or
 *     `Ж` in a stored marking is found too; when there are too many of
 *     those, over the characters the trigram vocabulary holds at that place,
 *     and *none is set when some `?` has none);
 *  3. otherwise (too short, or too many unknowns) no index. */
static rn_code match_expr(sq *q, const char *query, size_t n, rn_buf *m, int *none,
                          rn_error *err)
{
    uchar c[SEARCH_MAX_CHARS];
    size_t nc = split_chars(query, n, c, SEARCH_MAX_CHARS);
    rn_code rc = RN_OK;
    int runs = 0;
    *none = 0;
    for (size_t i = 0; i < nc && !rc;) {
        size_t j = i;
        while (j < nc && !is_unknown(&c[j]))
            j++;
        if (j - i >= 3) {
            if (runs++)
                rc = rn__buf_adds(m, " AND ");
            if (!rc)
                rc = trigram_terms(m, c + i, j - i);
        }
        i = j + 1;
    }
    if (runs || rc || nc < 3)
        return rc;
    size_t unknown[4], nu = 0;
    for (size_t i = 0; i < nc; i++) {
        if (!is_unknown(&c[i]))
            continue;
        if (nu == 4)
            return RN_OK; /* too many unknowns: scan */
        unknown[nu++] = i;
    }
    /* ~40 KiB a set: on the heap, per call (the server searches from many
     * threads at once) */
    charset *sets = rn__calloc(4, sizeof *sets);
    if (!sets)
        return rn__err(err, RN_ENOMEM, "out of memory");
    rc = expand(q, c, nc, unknown, nu, sets, m, none, err);
    free(sets);
    return rc;
}

/* One trigram term: the window w of three characters with the one at qpos
 * replaced by x. */
static rn_code window_term(rn_buf *m, const uchar *w, int qpos, const uchar *x)
{
    uchar t[3] = {w[0], w[1], w[2]};
    t[qpos] = *x;
    return trigram_terms(m, t, 3);
}

/* The second half of match_expr: the characters each `?` at
 * unknown[0..nu) may stand for (sets[u]), then the AND over the windows
 * holding exactly one `?` of the OR of their trigrams. */
static rn_code expand(sq *q, const uchar *c, size_t nc, const size_t *unknown, size_t nu,
                      charset *sets, rn_buf *m, int *none, rn_error *err)
{
    rn_code rc = all_chars(q, &sets[0], err);
    int from_vocab = rc == RN_ELIMIT;
    if (rc && !from_vocab)
        return rc;
    if (!from_vocab && sets[0].n == 0) {
        *none = 1; /* nothing indexed */
        return RN_OK;
    }
    rc = RN_OK;
    for (size_t u = 0; u < nu && from_vocab; u++) {
        size_t i = unknown[u];
        int qpos = -1;
        if (i >= 2 && !is_unknown(&c[i - 1]) && !is_unknown(&c[i - 2]))
            qpos = 2;
        else if (i >= 1 && i + 1 < nc && !is_unknown(&c[i - 1]) && !is_unknown(&c[i + 1]))
            qpos = 1;
        else if (i + 2 < nc && !is_unknown(&c[i + 1]) && !is_unknown(&c[i + 2]))
            qpos = 0;
        if (qpos < 0)
            return RN_OK;
        rc = window_chars(q, c + i - qpos, qpos, &sets[u], err);
        if (rc == RN_ELIMIT)
            return RN_OK;
        if (rc)
            return rc;
        if (sets[u].n == 0) {
            *none = 1;
            return RN_OK;
        }
    }
    size_t terms = 0, windows = 0;
    for (size_t j = 0; j + 3 <= nc && !rc; j++) {
        int qpos = -1, k = 0;
        for (int i = 0; i < 3; i++)
            if (is_unknown(&c[j + (size_t)i]))
                qpos = i, k++;
        if (k != 1)
            continue;
        size_t u = 0;
        while (unknown[u] != j + (size_t)qpos)
            u++;
        const charset *set = from_vocab ? &sets[u] : &sets[0];
        if (terms + set->n > SEARCH_MAX_TERMS)
            break; /* enough narrowing: the LIKE filter does the rest */
        terms += set->n;
        rc = rn__buf_adds(m, windows++ ? " AND (" : "(");
        for (size_t x = 0; x < set->n && !rc; x++) {
            if (x)
                rc = rn__buf_adds(m, " OR ");
            if (!rc)
                rc = window_term(m, c + j, qpos, &set->c[x]);
        }
        if (!rc)
            rc = rn__buf_addc(m, ')');
    }
    return rc;
}

/* The search's work cap: SQLite calls this every SEARCH_TICK virtual
 * machine steps; nonzero interrupts the statement. */
#define SEARCH_TICK 1000
static int search_progress(void *ctx)
{
    sq *q = ctx;
    return ++q->search_ticks * SEARCH_TICK > q->search_steps;
}

static rn_code sq_search(rn_store *s, const char *query, long limit, rn_hit_fn fn, void *ctx,
                         rn_error *err)
{
    sq *q = SQ(s);
    size_t n = strlen(query);
    if (n == 0)
        return rn__err(err, RN_EINPUT, "the search query is empty");
    if (n > 256)
        return rn__err(err, RN_ELIMIT, "the search query is longer than 256 characters");
    fts_used(q); /* search_fts is read here */
    rn_code frc = flush_search(q, err); /* a bulk write's texts, if one is open */
    if (frc)
        return frc;
    rn_buf like, m;
    rn__buf_init(&like, 1024);
    rn__buf_init(&m, 1 << 20);
    rn_code rc = rn__buf_addc(&like, '%');
    for (size_t i = 0; i < n && !rc; i++) {
        char c = query[i];
        if (c == '%' || c == '_' || c == '\\')
            rc = rn__buf_addc(&like, '\\');
        if (!rc)
            rc = rn__buf_addc(&like, c == '?' ? '_' : c);
    }
    if (!rc) rc = rn__buf_addc(&like, '%');
    if (!rc) rc = rn__buf_cstr(&like);
    int none = 0;
    if (!rc) rc = match_expr(q, query, n, &m, &none, err);
    if (!rc) rc = rn__buf_cstr(&m);
    if (rc || none) {
        rn__buf_free(&like);
        rn__buf_free(&m);
        if (rc == RN_EDB)
            return rc;
        return rc ? rn__err(err, rc, "the search query is too complex") : RN_OK;
    }
    const char *sql = m.len
        ? "SELECT s.rid, s.type, s.field, s.text FROM search_fts JOIN search_text s "
          "ON s.id = search_fts.rowid WHERE search_fts MATCH ?1 AND s.text LIKE ?2 ESCAPE '\\' "
          "ORDER BY search_fts.rowid LIMIT ?3"
        : "SELECT rid, type, field, text FROM search_text WHERE text LIKE ?2 ESCAPE '\\' "
          "ORDER BY id LIMIT ?3";
    /* Hits come in the order texts were indexed (search_text ids rise
     * with each write), which the index yields without a sort: a common
     * query stops after `limit` hits instead of sorting all of them. */
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(q->db, sql, -1, &st, NULL);
    if (src != SQLITE_OK) {
        rn__buf_free(&like);
        rn__buf_free(&m);
        return db_err(q->db, src, err, "searching");
    }
    if (m.len)
        sqlite3_bind_text(st, 1, m.data, (int)m.len, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, like.data, (int)like.len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, limit <= 0 ? 100 : limit);
    rc = RN_OK;
    q->search_ticks = 0;
    if (q->search_steps)
        sqlite3_progress_handler(q->db, SEARCH_TICK, search_progress, q);
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        rn_hit h;
        h.id = (const char *)sqlite3_column_text(st, 0);
        const char *tn = (const char *)sqlite3_column_text(st, 1);
        if (rn_type_from_name(tn, &h.type))
            continue;
        h.field = (const char *)sqlite3_column_text(st, 2);
        h.text = (const char *)sqlite3_column_text(st, 3);
        if (fn(ctx, &h))
            break;
    }
    if (q->search_steps)
        sqlite3_progress_handler(q->db, 0, NULL, NULL);
    if (src == SQLITE_INTERRUPT && q->search_steps)
        rc = rn__err(err, RN_ELIMIT, "the search needs more work than this server allows: give "
                     "more characters and fewer '?'");
    else if (src != SQLITE_ROW && src != SQLITE_DONE)
        rc = db_err(q->db, src, err, "searching");
    sqlite3_finalize(st);
    rn__buf_free(&like);
    rn__buf_free(&m);
    return rc;
}

/* ---- open / close ----------------------------------------------------------- */

static int sq_schema_version(rn_store *s)
{
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(SQ(s)->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void sq_close(rn_store *s)
{
    sq *q = SQ(s);
    if (!q)
        return;
    sq_rollback(s);
    for (int t = 0; t < RN_T_COUNT; t++)
        for (int k = 0; k < ST_COUNT_; k++)
            sqlite3_finalize(q->st[t][k]);
    sqlite3_finalize(q->search_ins);
    rn__rows_free(q->search_rows);
    sqlite3_finalize(q->search_del);
    sqlite3_finalize(q->search_unindex);
    sqlite3_finalize(q->char_ins);
    sqlite3_finalize(q->reg_ins);
    sqlite3_finalize(q->reg_get);
    sqlite3_finalize(q->reg_del);
    rn__buf_free(&q->bulk_sql);
    rn__idset_free(q->seen);
    rn__ledger_detach(q->db);
    rn__decoded_close(q->decoded);
    sqlite3_close_v2(q->db);
    free(q);
    s->impl = NULL;
}

static rn_code sq_redecode(rn_store *s, uint64_t *count, rn_error *err)
{
    sq *q = SQ(s);
    if (s->readonly || !q->decoded)
        return rn__err(err, RN_EREADONLY, "the store was opened read-only");
    rn_code rc = exec(q->db, "DELETE FROM candidate", err);
    rn_cursor *c = NULL;
    if (!rc)
        rc = sq_list(s, RN_T_MARKING, NULL, 0, -1, 0, 0, &c, err);
    const rn_record *m = NULL;
    while (!rc && !(rc = cursor_next(c, &m, err)) && m) {
        rc = rn__decoded_refresh(q->decoded, m, 0, err);
        (*count)++;
    }
    if (c)
        cursor_free(c);
    return rc;
}

static const struct rn_store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .put = sq_put,
    .get = sq_get,
    .del = sq_del,
    .list = sq_list,
    .count = sq_count,
    .search = sq_search,
    .type_of = sq_type_of,
    .schema_version = sq_schema_version,
    .redecode = sq_redecode,
    .bulk = sq_bulk,
    .bulk_journal = sq_bulk_journal,
    .own_refs = sq_own_refs,
};

int rn__sqlite_open_immutable(const char *path, sqlite3 **out)
{
    rn_buf uri;
    *out = NULL;
    rn__buf_init(&uri, 16384);
    rn_code rc = rn__buf_adds(&uri, "file:");
    for (const char *p = path; *p && !rc; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '?' || c == '#' || c == '%' || c < 0x21 || c > 0x7e)
            rc = rn__buf_printf(&uri, "%%%02X", c);
        else
            rc = rn__buf_addc(&uri, (char)c);
    }
    if (!rc) rc = rn__buf_adds(&uri, "?immutable=1");
    if (!rc) rc = rn__buf_cstr(&uri);
    if (rc) {
        rn__buf_free(&uri);
        return SQLITE_TOOBIG;
    }
    int src = sqlite3_open_v2(uri.data, out, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI |
                                                 SQLITE_OPEN_NOMUTEX, NULL);
    rn__buf_free(&uri);
    return src;
}

/* 1 if `path` has a rollback journal beside it: a bulk write under way
 * (sq_bulk_journal), or one interrupted, whose changes are then undone by
 * the next connection that can write. */
static int has_journal(const char *path)
{
    char j[4200];
    struct stat st;
    if ((size_t)snprintf(j, sizeof j, "%s-journal", path) >= sizeof j)
        return 0;
    return stat(j, &st) == 0 && st.st_size > 0;
}

/* Before a read-only open: SQLite refuses to read a database with a hot
 * journal through a read-only connection, and an immutable open would read
 * the half-written pages. So a connection that can write opens it first,
 * which rolls the interrupted transaction back (or, if one is still
 * running, waits for it like any reader). Without write access the
 * read-only open is left to fail with its own error. */
static rn_code roll_back_first(const char *path, rn_error *err)
{
    if (!has_journal(path))
        return RN_OK;
    sqlite3 *db = NULL;
    int src = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (src == SQLITE_OK) {
        sqlite3_busy_timeout(db, 5000);
        src = sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
    }
    sqlite3_close_v2(db);
    if ((src & 0xff) == SQLITE_BUSY)
        return rn__err(err, RN_EBUSY, "%s is being written by a large import: try again when "
                       "it has finished", path);
    /* else the read-only open goes on: SQLite refuses it if the journal
     * is hot, and reopen_immutable refuses to read around it */
    return RN_OK;
}

static rn_code reopen_immutable(sq *q, const char *path, rn_error *err)
{
    if (has_journal(path))
        return rn__err(err, RN_EREADONLY,
                       "%s-journal is beside the database: an import into it may have been "
                       "interrupted, and reading it now could show half its changes. Run any "
                       "remnant command on it once as a user who can write the database and "
                       "its folder (that undoes the import), then read it", path);
    int src = rn__sqlite_open_immutable(path, &q->db);
    if (src == SQLITE_TOOBIG)
        return rn__err(err, RN_ELIMIT, "the database path is too long");
    if (src != SQLITE_OK)
        return db_err(q->db, src, err, path);
    sqlite3_extended_result_codes(q->db, 1);
    return exec(q->db, "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; "
                       "SELECT count(*) FROM sqlite_schema", err);
}

rn_code rn__sqlite_open(rn_store *s, unsigned flags, rn_error *err)
{
    rn__sqlite_setup();
    struct stat stt;
    int exists = stat(s->path, &stt) == 0;
    if (exists && !S_ISREG(stt.st_mode))
        return rn__err(err, RN_EINPUT, "%s is not a regular file", s->path);
    if (!exists && !(flags & RN_STORE_CREATE))
        return rn__err(err, RN_ENOTFOUND,
                       "no database at %s: create one with `remnant init %s`, or name "
                       "another with --db PATH or REMNANT_DB", s->path, s->path);
    if (exists && (flags & RN_STORE_EXCL))
        return rn__err(err, RN_EEXISTS, "%s already exists", s->path);
    if (exists && stt.st_size == 0 && !(flags & RN_STORE_CREATE))
        return rn__err(err, RN_EDB,
                       "%s is empty (0 bytes): it is not a Remnant database (it may have been "
                       "truncated). Only `remnant init` creates a database; restore this one "
                       "from a backup", s->path);
    sq *q = rn__calloc(1, sizeof *q);
    if (!q)
        return rn__err(err, RN_ENOMEM, "out of memory");
    s->impl = q;
    s->ops = &sqlite_ops;
    rn__buf_init(&q->bulk_sql, (size_t)1 << 20);
    int oflags = (flags & RN_STORE_READONLY) ? SQLITE_OPEN_READONLY
                                             : SQLITE_OPEN_READWRITE |
                                                   ((flags & RN_STORE_CREATE) ? SQLITE_OPEN_CREATE : 0);
    rn_code rc;
    if ((flags & RN_STORE_READONLY) && (rc = roll_back_first(s->path, err)))
        goto fail;
    int src = sqlite3_open_v2(s->path, &q->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
    if (src != SQLITE_OK) {
        rc = db_err(q->db, src, err, s->path);
        goto fail;
    }
    sqlite3_extended_result_codes(q->db, 1);
    if ((src = rn__rows_register(q->db)) != SQLITE_OK) {
        rc = db_err(q->db, src, err, s->path);
        goto fail;
    }
    q->busy_ms = 5000;
    sqlite3_busy_timeout(q->db, q->busy_ms);
    rc = exec(q->db, "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; "
                     "PRAGMA temp_store=MEMORY; SELECT count(*) FROM sqlite_schema", err);
    if (rc && (flags & RN_STORE_READONLY)) {
        /* A WAL database in a folder we cannot write: SQLite cannot create
         * its shared-memory file, so open it as an immutable file instead
         * (reads only; correct as long as no one writes it meanwhile, which
         * nobody without write access to the folder can). */
        sqlite3_close_v2(q->db);
        q->db = NULL;
        rc = reopen_immutable(q, s->path, err);
    }
    if (rc == RN_OK && !(flags & RN_STORE_READONLY)) {
        /* WAL: readers never block the writer; synchronous=FULL so a commit
         * that returned is durable (nothing accepted is lost). */
        /* A database made here gets 16 KiB pages (SQLite's default is 4):
         * a quarter of the pages, WAL frames and write calls for the same
         * rows; an import costs about a fifth less CPU (docs/BENCHMARKS.md,
         * issue 14). The size is fixed when the first table is written,
         * and WAL mode fixes it too, so it is set before either; an existing
         * database keeps its page size. */
        if ((flags & RN_STORE_CREATE) && (!exists || stt.st_size == 0))
            rc = exec(q->db, "PRAGMA page_size=" RN__PAGE_SIZE, err);
        if (rc == RN_OK)
            rc = exec(q->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL", err);
        if (rc == RN_EREADONLY || (rc && access(s->path, W_OK) != 0)) {
            rc = rn__err(err, RN_EREADONLY,
                         "%s is read-only: check the permissions of the file and its folder, "
                         "or use a read command", s->path);
        }
    }
    if (rc == RN_OK)
        rc = migrate(q, s->path, (flags & RN_STORE_READONLY) != 0,
                     (flags & RN_STORE_CREATE) != 0, err);
    /* read-only too: the read side renders explanations with the decoder */
    if (rc == RN_OK && rn__decoded_open(&q->decoded, q->db, s->path) != RN_OK)
        rc = rn__err(err, RN_ENOMEM, "out of memory");
    if (rc == RN_OK)
        return RN_OK;
fail:
    sq_close(s);
    return rc;
}

/* ---- options (store.h) ---------------------------------------------------------- */

rn_code rn_store_set_busy_timeout(rn_store *s, unsigned ms)
{
    if (!s->ops || strcmp(s->ops->name, "sqlite") != 0)
        return RN_EINVAL;
    SQ(s)->busy_ms = (int)(ms > 600000 ? 600000 : ms);
    sqlite3_busy_timeout(SQ(s)->db, SQ(s)->busy_ms);
    return RN_OK;
}

rn_code rn_store_set_search_limit(rn_store *s, unsigned long steps)
{
    if (!s->ops || strcmp(s->ops->name, "sqlite") != 0)
        return RN_EINVAL;
    SQ(s)->search_steps = steps;
    return RN_OK;
}
