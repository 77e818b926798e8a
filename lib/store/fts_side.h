/* SPDX-License-Identifier: Apache-2.0
 *
 * fts_side.h — a bulk import's search index, built beside the store on a
 * thread of its own while the import writes (fts_side.c). */
#ifndef REMNANT_FTS_SIDE_H
#define REMNANT_FTS_SIDE_H

#include <sqlite3.h>
#include <stdint.h>
#include "model/rows.h"

typedef struct rn__fts_side rn__fts_side;

/* The definition of the store's search index (migration 0009), as
 * sqlite_schema holds it with white space taken out: the side builds the
 * same index only for this one. */
#define RN__FTS_SIDE_TABLE                                                                    \
    "CREATEVIRTUALTABLEsearch_ftsUSINGfts5(text,content='search_text',content_rowid='id',"  \
    "tokenize='trigram',detail=none,columnsize=0)"

/* A side index and its thread: NULL when either cannot be made (the
 * caller then indexes the texts at its commit, as any write does). */
rn__fts_side *rn__fts_side_start(void);

/* Texts for the index: *rows holds search_text rows (rid, type, field,
 * text) that were just written with the ids first, first + 1, ... in row
 * order. The side takes the batch and leaves an empty one in *rows.
 * 0 when taken; -1 when the side gave up (out of memory, ids not in one
 * run): *rows is then as it was, and the caller must not use the side's
 * index (rn__fts_side_write refuses it too). */
int rn__fts_side_add(rn__fts_side *f, rn__rows **rows, int64_t first);

/* Everything is handed over: the thread indexes what it holds and merges
 * the index into one segment, while the caller goes on (its commit's other
 * work); rn__fts_side_add must not be called any more. NULL is a no-op. */
void rn__fts_side_end(rn__fts_side *f);

/* Wait for the thread to index every text handed over and merge the index
 * into one segment; then, if it holds exactly `expected` texts, replace
 * the contents of db's search index (search_fts_data, search_fts_idx) with
 * it, inside db's open transaction, and set *written to 1. The caller has
 * seen to it that db's index held no text before the transaction and that
 * nothing in this connection has read or written search_fts since it
 * opened (FTS5 keeps the index's structure in memory per connection, and
 * would not see rows written under it). RN_OK with *written 0: the side
 * has nothing usable and db is untouched (index the texts as usual); any
 * other code: writing db failed (err filled; roll back). The side stays
 * the caller's to free. */
rn_code rn__fts_side_write(rn__fts_side *f, sqlite3 *db, int64_t expected, int *written,
                           rn_error *err);

/* End the thread (if still running) and free everything. NULL is a no-op. */
void rn__fts_side_free(rn__fts_side *f);

#endif
