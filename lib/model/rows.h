/* SPDX-License-Identifier: Apache-2.0
 *
 * rows.h — rows held in memory and written to a table by one statement
 * (rows.c). A bulk write stores derived rows (the decoder's candidates, the
 * search texts) many at a time: `INSERT INTO t(...) SELECT c0, c1, ... FROM
 * rn_rows(?)` with the batch bound to the parameter, instead of one INSERT
 * statement a row. SQLite then runs one statement for the batch (one
 * transaction check, one set of cursors), which costs about half as much a
 * row (docs/BENCHMARKS.md "Import: derived rows by the batch"). */
#ifndef REMNANT_ROWS_H
#define REMNANT_ROWS_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include "internal.h"

#define RN_ROWS_MAXCOL 16

typedef struct rn__rows rn__rows;

/* Make the table-valued function rn_rows(P) known to connection db: P a
 * batch bound with rn__rows_bind; columns c0..c15 (NULL past the batch's
 * own). SQLITE_OK or SQLite's error code. */
int rn__rows_register(sqlite3 *db);

/* A batch of rows of ncol (1..RN_ROWS_MAXCOL) columns: NULL if out of
 * memory. Values are copied in. */
rn__rows *rn__rows_new(int ncol);
void rn__rows_free(rn__rows *r);
/* Append one value to the row being filled; a row is complete after its
 * ncol-th value. Text n < 0: up to its NUL. RN_ENOMEM if out of memory
 * (the batch is then as it was before the row began). */
rn_code rn__rows_text(rn__rows *r, const char *s, ptrdiff_t n);
rn_code rn__rows_int(rn__rows *r, int64_t v);
rn_code rn__rows_double(rn__rows *r, double v);
rn_code rn__rows_null(rn__rows *r);
rn_code rn__rows_blob(rn__rows *r, const void *p, size_t n);
/* Complete rows held. */
size_t rn__rows_count(const rn__rows *r);
/* The text in column col of complete row `row` (both in range), its
 * length in *len; NULL (and 0) if the cell is not a text. Valid until r
 * changes. */
const char *rn__rows_text_at(const rn__rows *r, size_t row, int col, size_t *len);
/* Drop every row (keeping the memory for the next). */
void rn__rows_clear(rn__rows *r);
/* Bind batch r to parameter i of st, for rn_rows(?); r must outlive the
 * statement's run. */
int rn__rows_bind(sqlite3_stmt *st, int i, rn__rows *r);
/* Run st, an INSERT ... FROM rn_rows(?1), over batch r, then reset st and
 * empty r whatever the outcome: SQLite's result, SQLITE_DONE on success
 * (at once, st not run, when r holds no row). */
int rn__rows_insert(sqlite3_stmt *st, rn__rows *r);
/* As rn__rows_insert, but r keeps its rows. */
int rn__rows_run(sqlite3_stmt *st, rn__rows *r);

#endif
