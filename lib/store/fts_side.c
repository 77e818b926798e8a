/* SPDX-License-Identifier: Apache-2.0
 *
 * fts_side.c — a bulk import's search index, built beside the store.
 *
 * A write indexes its search texts (search_text) in the trigram index
 * search_fts when it commits (sqlite.c fts_add). For a large import into a
 * store whose index is empty, that build was about a sixth of the import's
 * wall time, on the writing thread and after everything else, while the
 * second core idled (docs/BENCHMARKS.md "Import: the search index built
 * beside"). Here a thread of its own builds the same index in an in-memory
 * database while the import writes: each batch of texts, once written to
 * search_text, is handed over with its ids; at the commit the writer waits
 * for the thread and copies the finished index (its two FTS5 shadow
 * tables, a few MB) into the store, inside the import's transaction.
 *
 * Why the copy is the same index: FTS5 keeps an index in %_data (segments,
 * the structure record, the averages record) and %_idx (each segment's
 * b-tree of terms), and what it writes there depends only on the rowids and
 * texts inserted and the table's options (tokenizer, detail, columnsize),
 * not on where the texts are stored: an index built contentless from the
 * same (rowid, text) pairs is the one the store's external-content table
 * builds, byte for byte (test_store checks that, and FTS5's
 * integrity-check). The side does what fts_add does for a bulk write:
 * inserts without incremental merges, then merges into one segment.
 *
 * What the caller guarantees (rn__fts_side_write): the store's index held
 * no text when the transaction began, so the side's index is the whole of
 * it; and the connection has not touched search_fts since it opened, so
 * FTS5 holds no structure of the index in memory that the copy would make
 * stale. */
#include "store/fts_side.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Batches in flight, ~32k texts: the thread runs at a helper's priority
 * beside the import's reader and decoder, and the writer waits for a slot
 * only when it is that far behind */
#define SLOTS 32
/* Texts indexed by one statement. FTS5 writes what it holds in memory as a
 * segment of its own at the end of each statement (its savepoint), and
 * every segment is merged again by the final 'optimize': the batches the
 * writer hands over (1024 texts) are gathered up to this many first. */
#define GATHER 32768

typedef struct slot {
    rn__rows *rows;
    int64_t first; /* the id of rows' first text */
    int full;      /* 1: the thread's to index; 0: the writer's */
} slot;

struct rn__fts_side {
    sqlite3 *db; /* in memory; the thread's until it ends, then the writer's */
    sqlite3_stmt *ins;
    rn__helper th;
    slot s[SLOTS];
    rn__rows *gathered; /* (id, text): the thread's, not yet indexed */
    size_t w;         /* the writer's next slot */
    int64_t next;     /* the id the next batch must start at (0: any) */
    int64_t texts;    /* handed over */
    int done;         /* the writer has handed over everything (under th.mu) */
    int failed;       /* the thread could not index something: nothing usable */
    int gave_up;      /* the writer stopped handing over: nothing usable */
};

/* Take batch k's texts into f->gathered, and index what is gathered when
 * there is enough (or, with k NULL, all of it); 0 on success. */
static int gather(rn__fts_side *f, const slot *k)
{
    if (k)
        for (size_t i = 0, n = rn__rows_count(k->rows); i < n; i++) {
            size_t len;
            const char *t = rn__rows_text_at(k->rows, i, 3, &len);
            if (rn__rows_int(f->gathered, k->first + (int64_t)i) ||
                rn__rows_text(f->gathered, t, (ptrdiff_t)len))
                return -1;
        }
    if (k && rn__rows_count(f->gathered) < GATHER)
        return 0;
    return rn__rows_insert(f->ins, f->gathered) == SQLITE_DONE ? 0 : -1;
}

static void *side_run(void *arg)
{
    rn__fts_side *f = arg;
    rn__thread_helper();
    for (size_t r = 0;; r = (r + 1) % SLOTS) {
        slot *k = &f->s[r];
        if (!rn__helper_take(&f->th, &k->full, &f->done))
            break; /* done, and every batch indexed */
        int bad = f->failed || gather(f, k);
        rn__rows_clear(k->rows); /* the writer's next batch */
        pthread_mutex_lock(&f->th.mu);
        if (bad)
            f->failed = 1;
        k->full = 0;
        pthread_cond_broadcast(&f->th.cv);
        pthread_mutex_unlock(&f->th.mu);
    }
    if (!f->failed && (gather(f, NULL) ||
                       sqlite3_exec(f->db, "INSERT INTO side(side) VALUES ('optimize'); COMMIT",
                                    NULL, NULL, NULL) != SQLITE_OK))
        f->failed = 1;
    return NULL;
}

rn__fts_side *rn__fts_side_start(void)
{
    rn__fts_side *f = rn__calloc(1, sizeof *f);
    if (!f)
        return NULL;
    rn__sqlite_setup();
    /* the options are the store's (RN__FTS_SIDE_TABLE) but for the
     * content, which the index does not hold */
    if (sqlite3_open_v2(":memory:", &f->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK ||
        rn__rows_register(f->db) != SQLITE_OK ||
        sqlite3_exec(f->db, "PRAGMA journal_mode=OFF; "
                            "CREATE VIRTUAL TABLE side USING fts5(text, content='', "
                            "tokenize='trigram', detail=none, columnsize=0); "
                            "INSERT INTO side(side, rank) VALUES ('automerge', 0); BEGIN",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(f->db, "INSERT INTO side(rowid, text) SELECT c0, c1 FROM rn_rows(?)",
                           -1, &f->ins, NULL) != SQLITE_OK ||
        !(f->gathered = rn__rows_new(2)))
        goto fail;
    for (size_t i = 0; i < SLOTS; i++)
        if (!(f->s[i].rows = rn__rows_new(4)))
            goto fail;
    if (!rn__helper_start(&f->th, side_run, f))
        goto fail;
    return f;
fail:
    rn__fts_side_free(f);
    return NULL;
}

int rn__fts_side_add(rn__fts_side *f, rn__rows **rows, int64_t first)
{
    size_t n = rn__rows_count(*rows);
    if (f->gave_up || f->done || (f->next && first != f->next)) {
        f->gave_up = 1;
        return -1;
    }
    if (n == 0)
        return 0;
    slot *k = &f->s[f->w];
    pthread_mutex_lock(&f->th.mu);
    while (k->full)
        pthread_cond_wait(&f->th.cv, &f->th.mu);
    rn__rows *empty = k->rows; /* indexed, and emptied by rn__rows_insert */
    k->rows = *rows;
    k->first = first;
    k->full = 1;
    pthread_cond_broadcast(&f->th.cv);
    pthread_mutex_unlock(&f->th.mu);
    *rows = empty;
    f->w = (f->w + 1) % SLOTS;
    f->next = first + (int64_t)n;
    f->texts += (int64_t)n;
    return 0;
}

/* Copy the rows of the side's shadow table `from` into the store's `to`. */
static rn_code copy_rows(rn__fts_side *f, sqlite3 *db, const char *from, const char *to,
                         int ncol, rn_error *err)
{
    char sql[160];
    sqlite3_stmt *rd = NULL, *wr = NULL;
    snprintf(sql, sizeof sql, "SELECT * FROM %s", from);
    int src = sqlite3_prepare_v2(f->db, sql, -1, &rd, NULL);
    if (src != SQLITE_OK) {
        sqlite3_finalize(rd);
        return rn__err(err, RN_EDB, "reading the search index built beside: %s",
                       sqlite3_errmsg(f->db));
    }
    snprintf(sql, sizeof sql, "INSERT INTO %s VALUES (?%s)", to, ncol == 2 ? ", ?" : ", ?, ?");
    src = sqlite3_prepare_v2(db, sql, -1, &wr, NULL);
    while (src == SQLITE_OK && sqlite3_step(rd) == SQLITE_ROW) {
        for (int i = 0; i < ncol; i++)
            sqlite3_bind_value(wr, i + 1, sqlite3_column_value(rd, i));
        src = sqlite3_step(wr);
        sqlite3_reset(wr);
        if (src == SQLITE_DONE)
            src = SQLITE_OK;
    }
    sqlite3_finalize(rd);
    sqlite3_finalize(wr);
    return src == SQLITE_OK ? RN_OK
                            : rn__err(err, RN_EDB, "writing the search index: %s",
                                      sqlite3_errmsg(db));
}

void rn__fts_side_end(rn__fts_side *f)
{
    if (f)
        rn__helper_signal(&f->th, &f->done);
}

rn_code rn__fts_side_write(rn__fts_side *f, sqlite3 *db, int64_t expected, int *written,
                           rn_error *err)
{
    *written = 0;
    rn__helper_stop(&f->th, &f->done);
    if (f->failed || f->gave_up || f->texts != expected)
        return RN_OK;
    rn_code rc = RN_OK;
    if (sqlite3_exec(db, "DELETE FROM search_fts_data; DELETE FROM search_fts_idx", NULL, NULL,
                     NULL) != SQLITE_OK)
        rc = rn__err(err, RN_EDB, "writing the search index: %s", sqlite3_errmsg(db));
    if (rc == RN_OK)
        rc = copy_rows(f, db, "side_data", "search_fts_data", 2, err);
    if (rc == RN_OK)
        rc = copy_rows(f, db, "side_idx", "search_fts_idx", 3, err);
    *written = rc == RN_OK;
    return rc;
}

void rn__fts_side_free(rn__fts_side *f)
{
    if (!f)
        return;
    rn__helper_stop(&f->th, &f->done);
    for (size_t i = 0; i < SLOTS; i++)
        rn__rows_free(f->s[i].rows);
    rn__rows_free(f->gathered);
    sqlite3_finalize(f->ins);
    sqlite3_close(f->db);
    free(f);
}
