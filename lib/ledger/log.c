/* SPDX-License-Identifier: Apache-2.0
 *
 * log.c — appending to the evidence log inside the store's transactions, and
 * sealing each transaction with one checkpoint.
 *
 * The log lives in the same SQLite database as the records (tables of
 * lib/store/migrations/0002_ledger.sql), so the store and the log commit or
 * roll back together: there is no state where one has a change the other
 * lacks.
 *
 * State machine of one connection's log writer (the function behind each
 * transition in brackets):
 *
 *      +--------+  first append of a txn [sync_state: reload]   +---------+
 *      | CLEAN  | ---------------------------------------------> | PENDING |
 *      +--------+                                                +---------+
 *          ^   ^        append [rn__ledger_append]                |   |  ^
 *          |   |    (entries k..n-1 inserted, frontier in RAM)    |   +--+
 *          |   |                                                  |
 *          |   +------- seal [rn__ledger_seal]: tree row and -----+
 *          |            checkpoint written, statements finalized  |
 *          |                                                      |
 *          +---- rollback (no call): the next append or seal -----+
 *                finds the RAM state stale [sync_state] and reloads
 *
 * Invariants (tests and verify.c cite them by number):
 *   L1. ledger_entry.seq runs 0, 1, 2, ... without gaps; an entry's body
 *       says the same seq. Entries are never updated or deleted (triggers).
 *   L2. leaf_hash = SHA-256(0x00 || body) for every entry.
 *   L3. An entry's "prev" is the leaf hash of the previous entry with the
 *       same record id, or null when it is the record's first.
 *   L4. Outside a write transaction, ledger_tree.size equals the number of
 *       entries (every committed transaction was sealed), and its frontier
 *       is the frontier of those leaves.
 *   L5. For every sealed size there is one checkpoint whose root is the tree
 *       head of the first `size` leaves; it is signed when a key existed.
 *   L6. The RAM frontier is trusted only after sync_state has matched it
 *       against the database's last entry (seq and leaf hash); otherwise it
 *       is rebuilt from ledger_tree plus the unsealed entries.
 *   L7. Appends happen only inside a write transaction (checked).
 *   L8. The tiles (tiles.c T1-T4) are written with the entries: full tiles
 *       as they fill, the rightmost partial ones at seal.
 *   L9. Salts come from a ChaCha20 key stream under a random key per
 *       source (rn__salts: the writer's, made per transaction, or an
 *       import reader's, per import): drawn 1 KiB at a time, each draw
 *       under a fresh nonce, each salt the next 16 unused bytes: never
 *       reused. Disclosures made ahead (rn__ledger_prepare) are used only
 *       for the very bytes they were made from.
 *   L10. Format-2 entries are stored compact (stored.c S1-S3): body x'',
 *       time and prev columns, every disclosure; the canonical bytes are
 *       built here once, hashed into leaf_hash, and rebuilt by readers.
 *
 * Cost (docs/BENCHMARKS.md): within a transaction the RAM state is checked
 * against the database once (L6; the connection's rollback hook, which the
 * ledger owns, clears it); a create's previous entry is looked up among the
 * deletes only (L3: a create is of a record that is not alive), and not at
 * all while the log holds no delete (one probe per transaction); the salts
 * are drawn 64 at a time (L9); the entry is formatted without printf
 * (rn__entry_format_v2) and stored compact (L10); hashes are libcrypto's
 * (sha256.c); an import's reader makes each create's whole entry and leaf
 * hash ahead, on the guess of its index (rn__ledger_prepare_entry; the
 * append takes it only when the guess holds); SQLite allocates without its
 * memory statistics (alloc.c,
 * rn__sqlite_setup). The INSERT is one row and two index entries; no check of
 * ledger_entry may use an IN list (SQLite builds an ephemeral B-tree for it
 * at every execution: migration 15 took one out). What SQLite alone costs
 * per row is measured beside the append (bench/ledger_bench.c, part 2).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "ledger/ledger_int.h"
#include "model/rows.h"

/* ---- per-connection writer state ---------------------------------------- */

typedef struct writer {
    sqlite3 *db;
    sqlite3_stmt *ins;  /* INSERT INTO ledger_entry: one row */
    sqlite3_stmt *insb; /* INSERT INTO ledger_entry: a batch (FROM rn_rows(?)) */
    rn__rows *pending;  /* a batch's entries appended, their rows not yet written */
    int batching;       /* rn__ledger_batch: until the transaction ends */
    sqlite3_stmt *prev; /* the record's last entry */
    sqlite3_stmt *dele; /* the record's last delete (a create's only possible prev) */
    sqlite3_stmt *anyd; /* is there any delete in the log? */
    int deletes;        /* 0: the log holds no delete (checked with L6), so a
                           create has no previous entry (L3) */
    sqlite3_stmt *last; /* the log's last entry */
    int checked;        /* L6: checked against the db; no rollback since */
    rn__salts salts;    /* L9 */
    int valid;          /* t, next_seq and last_leaf match the db (L6) */
    rn_tiles *t;        /* the frontier and the rightmost tiles (tiles.c) */
    rn__tile_writer tw; /* writes tiles that fill, and at seal the partial ones */
    rn_hash last_leaf;
    rn_buf body;
    rn_buf disc; /* the v2 entry's disclosures */
    rn_buf auth; /* the author as a JSON string */
} writer;

/* The store opens one connection per process (a server may open a few), so
 * a small table keyed by the connection pointer is enough. */
#define MAX_WRITERS 32
static writer *writers[MAX_WRITERS];
static pthread_mutex_t writers_lock = PTHREAD_MUTEX_INITIALIZER;

static void writer_free(writer *w)
{
    if (!w)
        return;
    sqlite3_finalize(w->ins);
    sqlite3_finalize(w->insb);
    rn__rows_free(w->pending);
    sqlite3_finalize(w->prev);
    sqlite3_finalize(w->dele);
    sqlite3_finalize(w->anyd);
    sqlite3_finalize(w->last);
    rn__tile_writer_done(&w->tw);
    rn__salts_wipe(&w->salts);
    free(w->t);
    rn__buf_free(&w->body);
    rn__buf_free(&w->disc);
    rn__buf_free(&w->auth);
    free(w);
}

/* 1 if stmt is one of db's live statements: guards against a stale table
 * entry whose connection was closed and whose address was reused. */
static int stmt_of(sqlite3 *db, sqlite3_stmt *stmt)
{
    for (sqlite3_stmt *s = sqlite3_next_stmt(db, NULL); s;
         s = sqlite3_next_stmt(db, s))
        if (s == stmt)
            return 1;
    return 0;
}

rn_code rn__ledger_dberr(sqlite3 *db, rn_error *err, const char *what)
{
    int ec = sqlite3_errcode(db);
    rn_code code = RN_EDB;
    if (ec == SQLITE_BUSY || ec == SQLITE_LOCKED)
        code = RN_EBUSY;
    else if (ec == SQLITE_READONLY)
        code = RN_EREADONLY;
    return rn__err(err, code, "evidence log: %s: %s", what, sqlite3_errmsg(db));
}

/* The connection's rollback hook: the transaction's appends are gone. */
static void on_rollback(void *arg)
{
    writer *w = arg;
    w->valid = 0;
    w->checked = 0;
    rn__rows_clear(w->pending); /* rows of the rolled-back appends */
    w->batching = 0;
}

/* A commit with rows still pending would lose log entries the records of
 * its transaction were written with: SQLite turns it into a rollback (a
 * store seals, and so writes them, before every commit that appended). */
static int on_commit(void *arg)
{
    writer *w = arg;
    w->batching = 0;
    return rn__rows_count(w->pending) != 0;
}

static rn_code writer_get(sqlite3 *db, writer **out, rn_error *err)
{
    rn_code rc = RN_OK;
    writer *w = NULL;
    pthread_mutex_lock(&writers_lock);
    int slot = -1;
    for (int i = 0; i < MAX_WRITERS; i++) {
        if (writers[i] && writers[i]->db == db) {
            /* Checked in this transaction (no rollback since): the
             * connection is alive. Otherwise make sure it is the same one. */
            if (writers[i]->checked || stmt_of(db, writers[i]->ins)) {
                *out = writers[i];
                goto out;
            }
            /* Stale: its connection is gone. The statements went with it. */
            free(writers[i]->t);
            rn__buf_free(&writers[i]->auth);
            rn__buf_free(&writers[i]->body);
            rn__buf_free(&writers[i]->disc);
            free(writers[i]);
            writers[i] = NULL;
        }
        if (!writers[i] && slot < 0)
            slot = i;
    }
    if (slot < 0) {
        rc = rn__err(err, RN_ELIMIT, "evidence log: too many connections");
        goto out;
    }
    w = rn__calloc(1, sizeof *w);
    if (!w) {
        rc = rn__err(err, RN_ENOMEM, "evidence log: out of memory");
        goto out;
    }
    w->db = db;
    w->tw.db = db;
    w->t = rn__calloc(1, sizeof *w->t);
    if (!w->t) {
        rc = rn__err(err, RN_ENOMEM, "evidence log: out of memory");
        goto out;
    }
    rn__buf_init(&w->body, RN_ENTRY_V2_MAX + 1);
    rn__buf_init(&w->auth, 4096);
    rn__buf_init(&w->disc, RN_ENTRY_MAX);
    if (!(w->pending = rn__rows_new(8))) {
        rc = rn__err(err, RN_ENOMEM, "evidence log: out of memory");
        goto out;
    }
    if (sqlite3_prepare_v3(db,
                           "INSERT INTO ledger_entry(seq, record_id, type, op,"
                           " body, leaf_hash, disclosures, time, prev) VALUES (?1,"
                           " ?2, ?3, ?4, x'', ?5, ?6, ?7, ?8)",
                           -1, SQLITE_PREPARE_PERSISTENT, &w->ins, NULL) ||
        sqlite3_prepare_v3(db,
                           "INSERT INTO ledger_entry(seq, record_id, type, op,"
                           " body, leaf_hash, disclosures, time, prev) SELECT c0,"
                           " c1, c2, c3, x'', c4, c5, c6, c7 FROM rn_rows(?)",
                           -1, SQLITE_PREPARE_PERSISTENT, &w->insb, NULL) ||
        sqlite3_prepare_v3(db,
                           "SELECT leaf_hash FROM ledger_entry WHERE"
                           " record_id = ?1 ORDER BY seq DESC LIMIT 1",
                           -1, SQLITE_PREPARE_PERSISTENT, &w->prev, NULL) ||
        sqlite3_prepare_v3(db,
                           "SELECT seq, leaf_hash FROM ledger_entry"
                           " ORDER BY seq DESC LIMIT 1",
                           -1, SQLITE_PREPARE_PERSISTENT, &w->last, NULL) ||
        sqlite3_prepare_v3(db,
                           "SELECT leaf_hash FROM ledger_entry WHERE record_id = ?1"
                           " AND op = 'd' ORDER BY seq DESC LIMIT 1",
                           -1, SQLITE_PREPARE_PERSISTENT, &w->dele, NULL) ||
        sqlite3_prepare_v3(db, "SELECT 1 FROM ledger_entry WHERE op = 'd' LIMIT 1", -1,
                           SQLITE_PREPARE_PERSISTENT, &w->anyd, NULL)) {
        rc = rn__ledger_dberr(db, err, "prepare");
        goto out;
    }
    rn__salts_init(&w->salts);
    /* A rollback invalidates the RAM state at once (L6); the ledger owns
     * the connection's rollback hook (ledger_int.h) until detach. */
    (void)sqlite3_rollback_hook(db, on_rollback, w);
    (void)sqlite3_commit_hook(db, on_commit, w);
    writers[slot] = w;
    *out = w;
    w = NULL;
out:
    pthread_mutex_unlock(&writers_lock);
    writer_free(w);
    return rc;
}

/* ---- the rows' writes ------------------------------------------------------
 * An append's row is written at once (write_row), or in a batch
 * (rn__ledger_batch) added to w->pending (batch_row), which is written
 * when it is full or the log is about to be read (flush). A sync writes
 * one row at a time: through rn_rows a lone row costs more than a plain
 * INSERT (about 4 % of a 100k-item sync import). */

typedef struct entry_row {
    uint64_t seq;
    const char *id, *tname, *op; /* op: "c", "u" or "d" */
    const uint8_t *leaf;
    const rn_buf *disc;
    int64_t time_ms;
    const uint8_t *prev; /* NULL: none */
} entry_row;

/* A row write's outcome r (an SQLite result) as the append's. */
static rn_code written(writer *w, int r, rn_error *err)
{
    if (r == SQLITE_DONE)
        return RN_OK;
    w->valid = 0;
    return rn__ledger_dberr(w->db, err, "append entry");
}

static rn_code flush(writer *w, rn_error *err)
{
    return written(w, rn__rows_insert(w->insb, w->pending), err);
}

static rn_code write_row(writer *w, const entry_row *e, rn_error *err)
{
    sqlite3_stmt *st = w->ins;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)e->seq);
    sqlite3_bind_text(st, 2, e->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, e->tname, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, e->op, 1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 5, e->leaf, RN_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 6, e->disc->data ? e->disc->data : "", (int)e->disc->len,
                      SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, e->time_ms);
    if (e->prev)
        sqlite3_bind_blob(st, 8, e->prev, RN_HASH_LEN, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 8);
    int r = sqlite3_step(st);
    sqlite3_reset(st); /* every parameter is bound anew by the next append */
    return written(w, r, err);
}

static rn_code batch_row(writer *w, const entry_row *e, rn_error *err)
{
    rn__rows *b = w->pending;
    rn_code rc = rn__rows_int(b, (int64_t)e->seq);
    if (rc == RN_OK)
        rc = rn__rows_text(b, e->id, -1);
    if (rc == RN_OK)
        rc = rn__rows_text(b, e->tname, -1);
    if (rc == RN_OK)
        rc = rn__rows_text(b, e->op, 1);
    if (rc == RN_OK)
        rc = rn__rows_blob(b, e->leaf, RN_HASH_LEN);
    if (rc == RN_OK)
        rc = rn__rows_blob(b, e->disc->data ? e->disc->data : "", e->disc->len);
    if (rc == RN_OK)
        rc = rn__rows_int(b, e->time_ms);
    if (rc == RN_OK)
        rc = e->prev ? rn__rows_blob(b, e->prev, RN_HASH_LEN) : rn__rows_null(b);
    if (rc != RN_OK) {
        w->valid = 0;
        return rn__err(err, rc, "evidence log: out of memory");
    }
    return rn__rows_count(b) >= RN__LEDGER_BATCH ? flush(w, err) : RN_OK;
}

/* The writer of db if it has one, else NULL (none is made). */
static writer *writer_of(sqlite3 *db)
{
    writer *w = NULL;
    pthread_mutex_lock(&writers_lock);
    for (int i = 0; i < MAX_WRITERS && !w; i++)
        if (writers[i] && writers[i]->db == db)
            w = writers[i];
    pthread_mutex_unlock(&writers_lock);
    return w;
}

void rn__ledger_batch(sqlite3 *db)
{
    writer *w;
    if (!sqlite3_get_autocommit(db) && writer_get(db, &w, NULL) == RN_OK)
        w->batching = 1;
}

void rn__ledger_detach(sqlite3 *db)
{
    pthread_mutex_lock(&writers_lock);
    for (int i = 0; i < MAX_WRITERS; i++)
        if (writers[i] && writers[i]->db == db) {
            (void)sqlite3_rollback_hook(db, NULL, NULL);
            (void)sqlite3_commit_hook(db, NULL, NULL);
            writer_free(writers[i]);
            writers[i] = NULL;
        }
    pthread_mutex_unlock(&writers_lock);
}

/* ---- tree state ---------------------------------------------------------- */

rn_code rn__ledger_leaf_source(void *ctx, uint64_t start, uint64_t n,
                               rn_hash *out)
{
    sqlite3 *db = ctx;
    sqlite3_stmt *st = NULL;
    writer *w = writer_of(db);
    rn_code rc = w ? flush(w, NULL) : RN_OK;
    if (rc != RN_OK)
        return rc;
    if (sqlite3_prepare_v2(db,
                           "SELECT seq, leaf_hash FROM ledger_entry WHERE seq"
                           " >= ?1 AND seq < ?2 ORDER BY seq",
                           -1, &st, NULL) != SQLITE_OK)
        return RN_EDB;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)start);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)(start + n));
    uint64_t i = 0;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (i >= n || (uint64_t)sqlite3_column_int64(st, 0) != start + i ||
            sqlite3_column_bytes(st, 1) != RN_HASH_LEN) {
            rc = RN_ETAMPER;
            goto out;
        }
        memcpy(out[i], sqlite3_column_blob(st, 1), RN_HASH_LEN);
        i++;
    }
    if (r != SQLITE_DONE)
        rc = RN_EDB;
    else if (i != n)
        rc = RN_ETAMPER; /* a gap: L1 broken */
out:
    sqlite3_finalize(st);
    return rc;
}

/* Read ledger_tree; OUT frontier at the sealed size. */
static rn_code load_sealed(sqlite3 *db, rn_frontier *f, rn_error *err)
{
    sqlite3_stmt *st = NULL;
    rn_code rc = RN_OK;
    if (sqlite3_prepare_v2(db, "SELECT size, frontier FROM ledger_tree"
                               " WHERE id = 1", -1, &st, NULL) != SQLITE_OK)
        return rn__ledger_dberr(db, err, "read tree state");
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = rn__err(err, RN_ETAMPER, "evidence log: the tree state is missing");
        goto out;
    }
    sqlite3_int64 size = sqlite3_column_int64(st, 0);
    const void *fb = sqlite3_column_blob(st, 1);
    int fl = sqlite3_column_bytes(st, 1);
    if (size < 0 ||
        rn__frontier_load(f, (uint64_t)size, fb ? fb : "", (size_t)fl) != RN_OK)
        rc = rn__err(err, RN_ETAMPER, "evidence log: the tree state is corrupt");
out:
    sqlite3_finalize(st);
    return rc;
}

/* L6: trust the RAM frontier only if it matches the database's last entry;
 * otherwise rebuild it from the sealed state plus unsealed entries. */
static rn_code check_state(writer *w, rn_error *err)
{
    sqlite3_stmt *st = w->last;
    int have_last = 0;
    uint64_t last_seq = 0;
    rn_hash last_leaf;
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        have_last = 1;
        last_seq = (uint64_t)sqlite3_column_int64(st, 0);
        if (sqlite3_column_bytes(st, 1) != RN_HASH_LEN) {
            sqlite3_reset(st);
            return rn__err(err, RN_ETAMPER, "evidence log: entry %llu has a"
                           " bad leaf hash", (unsigned long long)last_seq);
        }
        memcpy(last_leaf, sqlite3_column_blob(st, 1), RN_HASH_LEN);
    } else if (r != SQLITE_DONE) {
        sqlite3_reset(st);
        return rn__ledger_dberr(w->db, err, "read last entry");
    }
    sqlite3_reset(st);
    if (w->valid) {
        if ((!have_last && w->t->f.size == 0) ||
            (have_last && w->t->f.size == last_seq + 1 &&
             memcmp(w->last_leaf, last_leaf, RN_HASH_LEN) == 0)) {
            w->checked = 1;
            return RN_OK;
        }
    }
    /* Rebuild. */
    w->valid = 0;
    rn_frontier sealed;
    rn_code rc = load_sealed(w->db, &sealed, err);
    if (rc != RN_OK)
        return rc;
    uint64_t count = have_last ? last_seq + 1 : 0;
    if (count < sealed.size)
        return rn__err(err, RN_ETAMPER, "evidence log: the tree state claims"
                       " %llu entries but the log holds %llu",
                       (unsigned long long)sealed.size, (unsigned long long)count);
    if ((rc = rn__tiles_load(w->db, &sealed, w->t, err)) != RN_OK)
        return rc;
    rn_hash batch[256];
    while (w->t->f.size < count) {
        uint64_t n = count - w->t->f.size < 256 ? count - w->t->f.size : 256;
        rc = rn__ledger_leaf_source(w->db, w->t->f.size, n, batch);
        if (rc != RN_OK)
            return rn__err(err, rc, "evidence log: cannot read entries from"
                           " %llu", (unsigned long long)w->t->f.size);
        for (uint64_t i = 0; i < n; i++)
            if ((rc = rn__tiles_append(w->t, batch[i], rn__tile_writer_emit, &w->tw)))
                return rn__ledger_dberr(w->db, err, "write tiles");
        memcpy(w->last_leaf, batch[n - 1], RN_HASH_LEN);
    }
    w->valid = 1;
    w->checked = 1;
    return RN_OK;
}

static rn_code sync_state(writer *w, rn_error *err)
{
    /* Checked before in this transaction, and no rollback since (the hook
     * clears `checked`): only our own appends changed the log. */
    if (w->valid && w->checked)
        return RN_OK;
    rn_code rc = flush(w, err); /* (none pending after a rollback) */
    if (rc == RN_OK)
        rc = check_state(w, err);
    if (rc != RN_OK)
        return rc;
    /* Whether any delete exists (the partial index of deletes: one probe per
     * transaction); this transaction's own deletes set it (append). */
    int r = sqlite3_step(w->anyd);
    sqlite3_reset(w->anyd);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return rn__ledger_dberr(w->db, err, "read the log");
    w->deletes = r == SQLITE_ROW;
    return RN_OK;
}

void rn__ledger_now(char buf[25], int64_t *unix_seconds)
{
    /* The seconds' text is formatted once per second and thread. */
    static __thread time_t last_sec = -1;
    static __thread char last_text[20];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != last_sec) {
        gmtime_r(&ts.tv_sec, &tm);
        if (strftime(last_text, sizeof last_text, "%Y-%m-%dT%H:%M:%S", &tm) != 19)
            memcpy(last_text, "0000-00-00T00:00:00", 20);
        last_sec = ts.tv_sec;
    }
    memcpy(buf, last_text, 19);
    unsigned ms = (unsigned)(ts.tv_nsec / 1000000) % 1000u;
    buf[19] = '.';
    buf[20] = (char)('0' + ms / 100);
    buf[21] = (char)('0' + ms / 10 % 10);
    buf[22] = (char)('0' + ms % 10);
    buf[23] = 'Z';
    buf[24] = '\0';
    if (unix_seconds)
        *unix_seconds = (int64_t)ts.tv_sec;
}

/* ---- entry bytes (format v2, tlog.h) ------------------------------------------ */

void rn__salts_init(rn__salts *s)
{
    _Static_assert(sizeof s->key == crypto_stream_chacha20_KEYBYTES, "ChaCha20 key size");
    randombytes_buf(s->key, sizeof s->key);
    s->nonce = 0;
    s->pos = sizeof s->buf; /* drawn at the first salt */
}

void rn__salts_wipe(rn__salts *s)
{
    sodium_memzero(s, sizeof *s);
}

/* The next salt as hex (no NUL). */
static void next_salt(rn__salts *s, char shex[RN_SALT_HEX])
{
    if (s->pos + RN_SALT_HEX / 2 > sizeof s->buf) {
        uint8_t nonce[crypto_stream_chacha20_NONCEBYTES];
        for (size_t k = 0; k < sizeof nonce; k++)
            nonce[k] = (uint8_t)(s->nonce >> (8 * k));
        s->nonce++;
        crypto_stream_chacha20(s->buf, sizeof s->buf, nonce, s->key);
        s->pos = 0;
    }
    rn__hex_encode(s->buf + s->pos, RN_SALT_HEX / 2, shex);
    sodium_memzero(s->buf + s->pos, RN_SALT_HEX / 2);
    s->pos += RN_SALT_HEX / 2;
}

/* One disclosure with a fresh 128-bit salt (L9: rn__salts), appended to
 * disc; OUT its digest. */
static rn_code add_disclosure(rn__salts *salts, rn_buf *disc, rn_hash digest, const char *name,
                              size_t nl, const char *val, size_t vl)
{
    char shex[RN_SALT_HEX + 1];
    next_salt(salts, shex);
    rn_code rc = disc->len ? rn__buf_addc(disc, '\n') : RN_OK;
    size_t need = RN_SALT_HEX + nl + vl + 8;
    if (!rc)
        rc = rn__buf_reserve(disc, need);
    if (rc)
        return rc;
    size_t off = disc->len;
    size_t len = rn__disclosure_format(shex, name, nl, val, vl, disc->data + off,
                                       disc->cap - off);
    if (len == 0)
        return RN_ELIMIT;
    disc->len += len;
    rn__sha256(disc->data + off, len, digest);
    return RN_OK;
}

/* The disclosures of an entry into disc and their digests, sorted, into
 * it[0..*n): "_author" first, then each field of the canonical record (canon
 * may be NULL: a delete) in its (sorted) order, so the disclosures are in
 * name order (D2). auth: scratch. */
static rn_code disclose(rn__salts *salts, rn_buf *disc, rn_buf *auth, rn_hash *it, size_t *n,
                        const char *canon, size_t len, const char *author)
{
    rn_member m[RN_ENTRY_MAX_DIGESTS];
    size_t nm = 0;
    rn_code rc;
    *n = 0;
    if (canon && (rc = rn__json_members(canon, len, m, RN_ARRAY_LEN(m), &nm)) != RN_OK)
        return rc;
    disc->len = 0;
    auth->len = 0;
    rc = rn__buf_json_str(auth, author ? author : "", author ? strlen(author) : 0);
    if (!rc)
        rc = add_disclosure(salts, disc, it[(*n)++], RN_AUTHOR_NAME, sizeof RN_AUTHOR_NAME - 1,
                            auth->data, auth->len);
    for (size_t i = 0; i < nm && !rc; i++) {
        if ((m[i].name_len == 2 && memcmp(m[i].name, "id", 2) == 0) ||
            (m[i].name_len == 4 && memcmp(m[i].name, "type", 4) == 0))
            continue;
        if (*n == RN_ENTRY_MAX_DIGESTS)
            return RN_ELIMIT;
        rc = add_disclosure(salts, disc, it[(*n)++], m[i].name, m[i].name_len, m[i].value,
                            m[i].value_len);
    }
    if (rc)
        return rc;
    /* sorted ascending (D1's order; few: insertion sort) */
    for (size_t i = 1; i < *n; i++)
        for (size_t k = i; k > 0 && memcmp(it[k - 1], it[k], RN_HASH_LEN) > 0; k--) {
            rn_hash t;
            memcpy(t, it[k], RN_HASH_LEN);
            memcpy(it[k], it[k - 1], RN_HASH_LEN);
            memcpy(it[k - 1], t, RN_HASH_LEN);
        }
    return RN_OK;
}

void rn__ledger_prep_init(rn__ledger_prep *p)
{
    memset(p, 0, sizeof *p);
    rn__buf_init(&p->disc, RN_ENTRY_V2_MAX);
    rn__buf_init(&p->auth, RN_ENTRY_V2_MAX);
    rn__buf_init(&p->body, RN_ENTRY_V2_MAX + 1);
}

void rn__ledger_prep_free(rn__ledger_prep *p)
{
    rn__buf_free(&p->disc);
    rn__buf_free(&p->auth);
    rn__buf_free(&p->body);
    p->canon = NULL;
    p->whole = 0;
}

rn_code rn__ledger_prepare(rn__ledger_prep *p, rn__salts *salts, const char *canon, size_t len,
                           const char *author)
{
    p->canon = NULL;
    p->whole = 0;
    rn_code rc = disclose(salts, &p->disc, &p->auth, p->digest, &p->n, canon, len, author);
    if (rc == RN_OK) {
        p->canon = canon;
        p->canon_len = len;
        p->author = author;
    }
    return rc;
}

void rn__ledger_prepare_entry(rn__ledger_prep *p, const char *id, const char *tname, uint64_t seq)
{
    p->whole = 0;
    p->body.len = 0;
    char now[25];
    int64_t now_ms = rn__ledger_now_ms();
    if (!p->canon || !rn__ledger_time_text(now_ms, now) ||
        rn__buf_reserve(&p->body, RN_ENTRY_V2_MAX) != RN_OK)
        return;
    p->body.len = rn__entry_format_v2(p->digest, p->n, id, strlen(id), 'c', NULL, seq, now, tname,
                                      strlen(tname), p->body.data, p->body.cap);
    if (!p->body.len)
        return;
    rn__merkle_leaf_hash(p->body.data, p->body.len, p->leaf);
    p->id = id;
    p->tname = tname;
    p->seq = seq;
    p->now_ms = now_ms;
    p->whole = 1;
}

rn_code rn__ledger_next_seq(sqlite3 *db, uint64_t *seq, rn_error *err)
{
    /* in a transaction that appended: the writer's tree, checked against
     * the database at its first append (L6), no rollback since */
    const writer *w = writer_of(db);
    if (w && w->valid && w->checked) {
        *seq = w->t->f.size;
        return RN_OK;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT max(seq) FROM ledger_entry", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return rn__ledger_dberr(db, err, "read the log's size");
    }
    *seq =
        sqlite3_column_type(st, 0) == SQLITE_NULL ? 0 : (uint64_t)sqlite3_column_int64(st, 0) + 1;
    sqlite3_finalize(st);
    return RN_OK;
}

/* prep was made ahead for these very bytes by this author */
static int prep_fits(const rn__ledger_prep *prep, const char *canon, size_t len, const char *author)
{
    return prep && canon && prep->canon == canon && prep->canon_len == len &&
           strcmp(prep->author ? prep->author : "", author ? author : "") == 0;
}

/* The entry's canonical bytes into w->body; OUT *disc its disclosures:
 * made here into w->disc, or prep's when made ahead for these very bytes. */
static rn_code build_v2(writer *w, const char *id, char op, const uint8_t *prev,
                        const char *canon, size_t len, const char *author, uint64_t seq,
                        const char *now, const char *tname, const rn__ledger_prep *prep,
                        const rn_buf **disc)
{
    rn_hash own[RN_ENTRY_MAX_DIGESTS];
    const rn_hash *it = own;
    size_t n = 0;
    *disc = &w->disc;
    if (prep_fits(prep, canon, len, author)) {
        it = (const rn_hash *)prep->digest;
        n = prep->n;
        *disc = &prep->disc;
    } else {
        rn_code rc = disclose(&w->salts, &w->disc, &w->auth, own, &n, canon, len, author);
        if (rc)
            return rc;
    }
    rn_buf *b = &w->body;
    b->len = 0;
    rn_code rc = rn__buf_reserve(b, RN_ENTRY_V2_MAX);
    if (rc != RN_OK)
        return rc;
    /* the one formatter, also the readers' (stored.c): L10 */
    b->len = rn__entry_format_v2(it, n, id, strlen(id), op, prev, seq, now, tname, strlen(tname),
                                 b->data, b->cap);
    return b->len ? RN_OK : RN_EINVAL;
}

/* ---- append -------------------------------------------------------------- */

rn_code rn__ledger_append(sqlite3 *db, rn_type type, const char *id, char op,
                          const char *canon, size_t len, const char *author,
                          const rn__ledger_prep *prep, rn_error *err)
{
    writer *w;
    rn_code rc;
    const char *opw = rn__entry_op_word(op);
    const char *tname = rn_type_name(type);
    if (!db || !id || !opw || !tname || !*id)
        return rn__err(err, RN_EINVAL, "evidence log: bad append arguments");
    if ((op == 'd') != (canon == NULL))
        return rn__err(err, RN_EINVAL, "evidence log: a delete has no record,"
                       " a create or update has one");
    if (sqlite3_get_autocommit(db)) /* L7 */
        return rn__err(err, RN_EINVAL, "evidence log: append outside a"
                       " transaction");
    if ((rc = writer_get(db, &w, err)) != RN_OK)
        return rc;
    if ((rc = sync_state(w, err)) != RN_OK)
        return rc;

    /* L3: the record's previous entry. A create is of a record that is not
     * alive (the store's registry), so its previous entry, if any, is the
     * delete that ended its last life: looked up in the small partial index
     * of deletes (0008_tiles.sql) rather than among all entries. */
    int have_prev = 0;
    rn_hash prev;
    /* ... and when the log holds no delete at all, a create has none: no
     * statement is touched (a bulk import's creates) */
    if (op != 'c' || w->deletes) {
        if ((rc = flush(w, err)) != RN_OK)
            return rc;
        sqlite3_stmt *pq = op == 'c' ? w->dele : w->prev;
        sqlite3_bind_text(pq, 1, id, -1, SQLITE_STATIC);
        int r = sqlite3_step(pq);
        if (r == SQLITE_ROW && sqlite3_column_bytes(pq, 0) == RN_HASH_LEN) {
            memcpy(prev, sqlite3_column_blob(pq, 0), RN_HASH_LEN);
            have_prev = 1;
        }
        sqlite3_reset(pq);
        sqlite3_clear_bindings(pq);
        if (r == SQLITE_ROW && !have_prev)
            return rn__err(err, RN_ETAMPER, "evidence log: bad leaf hash in"
                           " the log of %s", id);
        if (r != SQLITE_ROW && r != SQLITE_DONE)
            return rn__ledger_dberr(db, err, "read previous entry");
    }

    uint64_t seq = w->t->f.size;
    const rn_buf *disc;
    int64_t now_ms;
    rn_hash leaf;
    if (op == 'c' && !have_prev && prep_fits(prep, canon, len, author) && prep->whole &&
        prep->seq == seq && strcmp(prep->id, id) == 0 && strcmp(prep->tname, tname) == 0) {
        /* made ahead, every guess right (rn__ledger_prepare_entry) */
        disc = &prep->disc;
        now_ms = prep->now_ms;
        memcpy(leaf, prep->leaf, RN_HASH_LEN);
    } else {
        char now[25];
        now_ms = rn__ledger_now_ms();
        if (!rn__ledger_time_text(now_ms, now))
            return rn__err(err, RN_EINVAL, "evidence log: the clock is out of range");
        if ((rc = build_v2(w, id, op, have_prev ? prev : NULL, canon, len, author, seq, now, tname,
                           prep, &disc)) != RN_OK)
            return rn__err(err, rc,
                           rc == RN_EINPUT ? "evidence log: the record of %s is not canonical JSON"
                           : rc == RN_EINVAL ? "evidence log: the id %s cannot be logged"
                                             : "evidence log: entry for %s too large",
                           id);
        rn__merkle_leaf_hash(w->body.data, w->body.len, leaf);
    }
    char opc[2] = {op, '\0'};
    entry_row row = {seq, id, tname, opc, leaf, disc, now_ms, have_prev ? prev : NULL};
    if ((rc = w->batching ? batch_row(w, &row, err) : write_row(w, &row, err)) != RN_OK)
        return rc;
    if ((rc = rn__tiles_append(w->t, leaf, rn__tile_writer_emit, &w->tw)) != RN_OK) {
        w->valid = 0;
        return rc == RN_ELIMIT ? rn__err(err, rc, "evidence log: the log is full")
                               : rn__ledger_dberr(db, err, "write tiles");
    }
    memcpy(w->last_leaf, leaf, RN_HASH_LEN);
    if (op == 'd')
        w->deletes = 1;
    return RN_OK;
}

rn_code rn__ledger_entry_open(const char *body, size_t blen, const char *disc, size_t dlen,
                              rn_entry *e, char **buf)
{
    *buf = NULL;
    rn_code rc = rn__entry_parse(body, blen, e);
    if (rc != RN_OK)
        return rc;
    if (e->version == 1)
        return dlen == 0 ? RN_OK : RN_EINPUT;
    size_t cap = dlen + blen + 64;
    if (!(*buf = rn__malloc(cap)))
        return RN_ENOMEM;
    return rn__entry_disclose(e, disc, dlen, 1, *buf, cap);
}

/* ---- origin -------------------------------------------------------------- */

rn_code rn__ledger_origin(sqlite3 *db, char *buf, size_t cap, rn_error *err)
{
    sqlite3_stmt *st = NULL;
    rn_code rc = RN_OK;
    if (sqlite3_prepare_v2(db, "SELECT value FROM ledger_meta WHERE key ="
                               " 'origin'", -1, &st, NULL) != SQLITE_OK)
        return rn__ledger_dberr(db, err, "read origin");
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = rn__err(err, RN_ETAMPER, "evidence log: no origin");
        goto out;
    }
    const char *o = (const char *)sqlite3_column_text(st, 0);
    size_t ol = (size_t)sqlite3_column_bytes(st, 0);
    if (!o || !rn__note_name_ok(o, ol) || ol + 1 > cap) {
        rc = rn__err(err, RN_ETAMPER, "evidence log: bad origin");
        goto out;
    }
    memcpy(buf, o, ol + 1);
out:
    sqlite3_finalize(st);
    return rc;
}

/* ---- seal ---------------------------------------------------------------- */

static rn_code exec_bind(sqlite3 *db, const char *sql, rn_error *err,
                         const char *what, sqlite3_stmt **out)
{
    if (sqlite3_prepare_v2(db, sql, -1, out, NULL) != SQLITE_OK)
        return rn__ledger_dberr(db, err, what);
    return RN_OK;
}

rn_code rn__ledger_seal(sqlite3 *db, const char *db_path, rn_error *err)
{
    writer *w;
    rn_code rc;
    sqlite3_stmt *st = NULL;
    rn_skey key;
    int have_key = 0;
    char origin[RN_ORIGIN_MAX + 1];
    char note[RN_CHECKPOINT_MAX + 512];
    uint8_t fbuf[64 * RN_HASH_LEN];
    rn_frontier sealed;

    if (!db || !db_path)
        return rn__err(err, RN_EINVAL, "evidence log: bad seal arguments");
    if (sqlite3_get_autocommit(db))
        return rn__err(err, RN_EINVAL, "evidence log: seal outside a"
                       " transaction");
    if ((rc = writer_get(db, &w, err)) != RN_OK)
        return rc;
    if ((rc = sync_state(w, err)) != RN_OK || (rc = flush(w, err)) != RN_OK)
        goto out;
    w->batching = 0; /* the transaction's appends end here */
    if ((rc = load_sealed(db, &sealed, err)) != RN_OK)
        goto out;
    if (sealed.size == w->t->f.size)
        goto out; /* nothing appended: nothing to seal */

    /* T1 (tiles.c): the rightmost tiles of the new tree. */
    if ((rc = rn__tiles_flush(w->t, rn__tile_writer_emit, &w->tw)) != RN_OK) {
        rc = rn__ledger_dberr(db, err, "write tiles");
        goto out;
    }
    /* L4: the new tree state. */
    size_t flen = rn__frontier_save(&w->t->f, fbuf, sizeof fbuf);
    if ((rc = exec_bind(db, "UPDATE ledger_tree SET size = ?1, frontier = ?2"
                            " WHERE id = 1", err, "seal", &st)))
        goto out;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)w->t->f.size);
    sqlite3_bind_blob(st, 2, fbuf, (int)flen, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE || sqlite3_changes(db) != 1) {
        rc = rn__ledger_dberr(db, err, "seal");
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;

    /* L5: the checkpoint, signed when the instance has a key. */
    rn_hash root;
    rn__frontier_root(&w->t->f, root);
    if ((rc = rn__ledger_origin(db, origin, sizeof origin, err)) != RN_OK)
        goto out;
    size_t blen = rn__checkpoint_format(origin, strlen(origin), w->t->f.size,
                                        root, note, sizeof note);
    if (blen == 0) {
        rc = rn__err(err, RN_EINVAL, "evidence log: cannot format checkpoint");
        goto out;
    }
    size_t nlen = blen;
    rc = rn__ledger_key_load(db_path, &key, err);
    if (rc == RN_OK &&
        (rc = rn__ledger_key_binding_check(db, db_path, &key, origin, err)) != RN_OK)
        goto out;
    if (rc == RN_OK) {
        have_key = 1;
        note[nlen++] = '\n';
        if ((rc = rn__note_sign_line(&key, note, blen, note, sizeof note,
                                     &nlen)) != RN_OK) {
            rc = rn__err(err, rc, "evidence log: cannot sign checkpoint");
            goto out;
        }
    } else if (rc != RN_ENOTFOUND) {
        goto out;
    }
    if (err && rc == RN_ENOTFOUND)
        rn_error_clear(err);
    if ((rc = exec_bind(db, "INSERT INTO ledger_checkpoint(size, root, note)"
                            " VALUES (?1, ?2, ?3)",
                        err, "store checkpoint", &st)))
        goto out;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)w->t->f.size);
    sqlite3_bind_blob(st, 2, root, RN_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, note, (int)nlen, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = rn__ledger_dberr(db, err, "store checkpoint");
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (have_key) {
        /* Every key that ever signed is on record, so old checkpoints
         * still verify after a rotation. */
        char vk[RN_KEY_NAME_MAX + 80];
        size_t vl = rn__vkey_format(&key.v, vk, sizeof vk);
        if ((rc = exec_bind(db, "INSERT OR IGNORE INTO ledger_key(vkey)"
                                " VALUES (?1)", err, "record key", &st)))
            goto out;
        sqlite3_bind_text(st, 1, vk, (int)vl, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
            rc = rn__ledger_dberr(db, err, "record key");
            goto out;
        }
    }
    rc = RN_OK;
out:
    sqlite3_finalize(st);
    sodium_memzero(&key, sizeof key);
    /* The transaction ends next; nothing stays prepared between them. */
    rn__ledger_detach(db);
    return rc;
}
