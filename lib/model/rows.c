/* SPDX-License-Identifier: Apache-2.0
 *
 * rows.c — a batch of rows in memory, read by SQLite as the table-valued
 * function rn_rows(P) (an eponymous-only virtual table, the pattern of
 * SQLite's own carray extension: the batch passes through
 * sqlite3_bind_pointer under the type "rn_rows", which SQL text cannot
 * forge). */
#include "model/rows.h"

#include <stdlib.h>
#include <string.h>

enum { CELL_NULL, CELL_INT, CELL_DOUBLE, CELL_TEXT, CELL_BLOB };

typedef struct {
    int kind;
    union {
        int64_t i;
        double d;
        struct {
            size_t off, len; /* in the batch's text */
        } t;
    } v;
} cell;

struct rn__rows {
    int ncol;
    cell *cells;
    size_t ncells, cap; /* cells filled (complete rows and the row begun) */
    rn_buf text;        /* every text and blob value, one after the other */
    size_t row_text;    /* text.len when the row being filled began */
};

rn__rows *rn__rows_new(int ncol)
{
    if (ncol < 1 || ncol > RN_ROWS_MAXCOL)
        return NULL;
    rn__rows *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->ncol = ncol;
    rn__buf_init(&r->text, SIZE_MAX);
    return r;
}

void rn__rows_free(rn__rows *r)
{
    if (!r)
        return;
    free(r->cells);
    rn__buf_free(&r->text);
    free(r);
}

size_t rn__rows_count(const rn__rows *r)
{
    return r->ncells / (size_t)r->ncol;
}

const char *rn__rows_text_at(const rn__rows *r, size_t row, int col, size_t *len)
{
    const cell *k = &r->cells[row * (size_t)r->ncol + (size_t)col];
    if (k->kind != CELL_TEXT) {
        *len = 0;
        return NULL;
    }
    *len = k->v.t.len;
    return r->text.data ? r->text.data + k->v.t.off : "";
}

void rn__rows_clear(rn__rows *r)
{
    r->ncells = 0;
    r->text.len = 0;
    r->row_text = 0;
}

/* The row being filled is dropped (out of memory part way). */
static rn_code drop_row(rn__rows *r)
{
    r->ncells -= r->ncells % (size_t)r->ncol;
    r->text.len = r->row_text;
    return RN_ENOMEM;
}

static cell *next_cell(rn__rows *r)
{
    if (r->ncells == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 1024;
        cell *c = realloc(r->cells, cap * sizeof *c);
        if (!c)
            return NULL;
        r->cells = c;
        r->cap = cap;
    }
    if (r->ncells % (size_t)r->ncol == 0)
        r->row_text = r->text.len;
    return &r->cells[r->ncells++];
}

/* A text or blob value: its bytes into the batch's buffer. */
static rn_code add_bytes(rn__rows *r, int kind, const void *p, size_t len)
{
    cell *c = next_cell(r);
    if (!c)
        return drop_row(r);
    c->kind = kind;
    c->v.t.off = r->text.len;
    c->v.t.len = len;
    if (len && rn__buf_add(&r->text, p, len) != RN_OK) {
        r->ncells--; /* this cell is not filled */
        return drop_row(r);
    }
    return RN_OK;
}

rn_code rn__rows_text(rn__rows *r, const char *s, ptrdiff_t n)
{
    return add_bytes(r, CELL_TEXT, s, n < 0 ? strlen(s) : (size_t)n);
}

rn_code rn__rows_blob(rn__rows *r, const void *p, size_t n)
{
    return add_bytes(r, CELL_BLOB, p, n);
}

rn_code rn__rows_int(rn__rows *r, int64_t v)
{
    cell *c = next_cell(r);
    if (!c)
        return drop_row(r);
    c->kind = CELL_INT;
    c->v.i = v;
    return RN_OK;
}

rn_code rn__rows_double(rn__rows *r, double v)
{
    cell *c = next_cell(r);
    if (!c)
        return drop_row(r);
    c->kind = CELL_DOUBLE;
    c->v.d = v;
    return RN_OK;
}

rn_code rn__rows_null(rn__rows *r)
{
    cell *c = next_cell(r);
    if (!c)
        return drop_row(r);
    c->kind = CELL_NULL;
    return RN_OK;
}

int rn__rows_bind(sqlite3_stmt *st, int i, rn__rows *r)
{
    return sqlite3_bind_pointer(st, i, r, "rn_rows", NULL);
}

int rn__rows_run(sqlite3_stmt *st, rn__rows *r)
{
    if (rn__rows_count(r) == 0)
        return SQLITE_DONE;
    int src = rn__rows_bind(st, 1, r);
    if (src == SQLITE_OK)
        src = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st); /* no pointer to r outlives the run */
    return src;
}

int rn__rows_insert(sqlite3_stmt *st, rn__rows *r)
{
    int src = rn__rows_run(st, r);
    rn__rows_clear(r);
    return src;
}

/* ---- the virtual table ---------------------------------------------------- */

#define COL_BATCH RN_ROWS_MAXCOL /* the hidden argument column */

typedef struct {
    sqlite3_vtab_cursor base;
    const rn__rows *rows; /* NULL: no batch bound (no rows) */
    size_t row, nrows;
} rows_cursor;

static int rows_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                        sqlite3_vtab **out, char **errmsg)
{
    (void)aux, (void)argc, (void)argv, (void)errmsg;
    int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, "
                                      "c10, c11, c12, c13, c14, c15, batch HIDDEN)");
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_vtab *v = sqlite3_malloc(sizeof *v);
    if (!v)
        return SQLITE_NOMEM;
    memset(v, 0, sizeof *v);
    *out = v;
    return SQLITE_OK;
}

static int rows_disconnect(sqlite3_vtab *v)
{
    sqlite3_free(v);
    return SQLITE_OK;
}

/* Only a plan with the batch given (rn_rows(?)) is usable. */
static int rows_best_index(sqlite3_vtab *v, sqlite3_index_info *info)
{
    (void)v;
    for (int i = 0; i < info->nConstraint; i++) {
        const struct sqlite3_index_constraint *c = &info->aConstraint[i];
        if (c->iColumn == COL_BATCH && c->op == SQLITE_INDEX_CONSTRAINT_EQ) {
            if (!c->usable)
                return SQLITE_CONSTRAINT;
            info->aConstraintUsage[i].argvIndex = 1;
            info->aConstraintUsage[i].omit = 1;
            info->estimatedCost = 1000;
            info->estimatedRows = 1000;
            return SQLITE_OK;
        }
    }
    return SQLITE_CONSTRAINT;
}

static int rows_open(sqlite3_vtab *v, sqlite3_vtab_cursor **out)
{
    (void)v;
    rows_cursor *c = sqlite3_malloc(sizeof *c);
    if (!c)
        return SQLITE_NOMEM;
    memset(c, 0, sizeof *c);
    *out = &c->base;
    return SQLITE_OK;
}

static int rows_close(sqlite3_vtab_cursor *cur)
{
    sqlite3_free(cur);
    return SQLITE_OK;
}

static int rows_filter(sqlite3_vtab_cursor *cur, int idx, const char *idxstr, int argc,
                       sqlite3_value **argv)
{
    (void)idx, (void)idxstr;
    rows_cursor *c = (rows_cursor *)cur;
    c->rows = argc == 1 ? sqlite3_value_pointer(argv[0], "rn_rows") : NULL;
    c->row = 0;
    c->nrows = c->rows ? rn__rows_count(c->rows) : 0;
    return SQLITE_OK;
}

static int rows_next(sqlite3_vtab_cursor *cur)
{
    ((rows_cursor *)cur)->row++;
    return SQLITE_OK;
}

static int rows_eof(sqlite3_vtab_cursor *cur)
{
    rows_cursor *c = (rows_cursor *)cur;
    return c->row >= c->nrows;
}

static int rows_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
    rows_cursor *c = (rows_cursor *)cur;
    if (col >= c->rows->ncol) {
        sqlite3_result_null(ctx);
        return SQLITE_OK;
    }
    const cell *k = &c->rows->cells[c->row * (size_t)c->rows->ncol + (size_t)col];
    switch (k->kind) {
    case CELL_INT:
        sqlite3_result_int64(ctx, k->v.i);
        break;
    case CELL_DOUBLE:
        sqlite3_result_double(ctx, k->v.d);
        break;
    case CELL_TEXT:
        /* the batch outlives the statement (rn__rows_bind); a batch of
         * empty texts only has no text buffer, and a NULL pointer would
         * read as SQL NULL */
        sqlite3_result_text64(ctx, c->rows->text.data ? c->rows->text.data + k->v.t.off : "",
                              k->v.t.len, SQLITE_STATIC, SQLITE_UTF8);
        break;
    case CELL_BLOB:
        if (k->v.t.len)
            sqlite3_result_blob64(ctx, c->rows->text.data + k->v.t.off, k->v.t.len, SQLITE_STATIC);
        else
            sqlite3_result_zeroblob(ctx, 0); /* empty, not NULL */
        break;
    default:
        sqlite3_result_null(ctx);
    }
    return SQLITE_OK;
}

static int rows_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *out)
{
    *out = (sqlite3_int64)((rows_cursor *)cur)->row;
    return SQLITE_OK;
}

static const sqlite3_module rows_module = {
    .iVersion = 0,
    .xCreate = NULL, /* eponymous only: no CREATE VIRTUAL TABLE */
    .xConnect = rows_connect,
    .xBestIndex = rows_best_index,
    .xDisconnect = rows_disconnect,
    .xDestroy = rows_disconnect,
    .xOpen = rows_open,
    .xClose = rows_close,
    .xFilter = rows_filter,
    .xNext = rows_next,
    .xEof = rows_eof,
    .xColumn = rows_column,
    .xRowid = rows_rowid,
};

int rn__rows_register(sqlite3 *db)
{
    return sqlite3_create_module(db, "rn_rows", &rows_module, NULL);
}
