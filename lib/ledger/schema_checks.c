/* SPDX-License-Identifier: Apache-2.0
 *
 * schema_checks.c — the CHECK constraints of a database's own schema,
 * evaluated over its rows (verify.c V1).
 *
 * `remnant verify` reads the database on a read-only connection, and on a
 * read-only connection SQLite does not even parse a table's CHECK
 * constraints (build.c, sqlite3AddCheckConstraint, skips them when the
 * B-tree is read-only), so PRAGMA integrity_check there checks NOT NULL,
 * UNIQUE and STRICT types but no CHECK. A row written with the constraints
 * switched off (PRAGMA ignore_check_constraints, or a hex editor) would
 * pass. So verify takes each table's CHECK expressions from its CREATE
 * TABLE text in sqlite_schema and counts the rows for which one is false
 * (a NULL result passes, as SQLite's own check has it), one scan a table.
 *
 * The expressions come from the file under examination: they are run only
 * as one read-only SELECT each, whose text must be consumed whole by a
 * single prepare, on the read-only connection.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ledger/ledger_int.h"

/* Index past the token at sql[i] that is a string, a quoted identifier or a
 * comment; i itself if sql[i] starts none of them; len + 1 if it is not
 * closed before len. */
static size_t skip_quoted(const char *sql, size_t len, size_t i)
{
    char c = sql[i];
    if (c == '-' && i + 1 < len && sql[i + 1] == '-') {
        while (i < len && sql[i] != '\n')
            i++;
        return i;
    }
    if (c == '/' && i + 1 < len && sql[i + 1] == '*') {
        for (i += 2; i + 1 < len; i++)
            if (sql[i] == '*' && sql[i + 1] == '/')
                return i + 2;
        return len + 1;
    }
    char close = c == '\'' ? '\'' : c == '"' ? '"' : c == '`' ? '`' : c == '[' ? ']' : 0;
    if (!close)
        return i;
    for (i++; i < len; i++)
        if (sql[i] == close) {
            if (close != ']' && i + 1 < len && sql[i + 1] == close)
                i++; /* a doubled quote stands for itself */
            else
                return i + 1;
        }
    return len + 1;
}

static int word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

int rn__sql_checks(const char *sql, size_t len, rn__check_fn fn, void *ctx)
{
    int found = 0;
    size_t i = 0;
    while (i < len) {
        size_t j = skip_quoted(sql, len, i);
        if (j > len)
            return -1;
        if (j != i) {
            i = j;
            continue;
        }
        if (!word_char(sql[i])) {
            i++;
            continue;
        }
        size_t w = i;
        while (i < len && word_char(sql[i]))
            i++;
        if (i - w != 5 || strncasecmp(sql + w, "check", 5) != 0)
            continue;
        /* CHECK: its expression is what its parentheses hold */
        while (i < len) {
            j = skip_quoted(sql, len, i);
            if (j > len)
                return -1;
            if (j != i)
                i = j;
            else if (isspace((unsigned char)sql[i]))
                i++;
            else
                break;
        }
        if (i >= len || sql[i] != '(')
            return -1;
        size_t start = ++i;
        int depth = 1;
        while (i < len && depth > 0) {
            j = skip_quoted(sql, len, i);
            if (j > len)
                return -1;
            if (j != i) {
                i = j;
                continue;
            }
            depth += sql[i] == '(' ? 1 : sql[i] == ')' ? -1 : 0;
            i++;
        }
        if (depth)
            return -1;
        found++;
        if (fn && fn(ctx, sql + start, i - 1 - start))
            return found;
    }
    return found;
}

/* ---- evaluation ------------------------------------------------------------ */

/* The CHECKs of one table, evaluated 64 at a time. */
typedef struct checks {
    sqlite3 *db;
    const char *name;   /* the table's */
    rn__schema_problem_fn fn;
    void *ctx;
    rn_buf q;           /* the SELECT being built */
    const char *expr[64];
    size_t elen[64];
    size_t n;
} checks;

static void report(const checks *c, const char *fmt, ...) RN_PRINTF(2, 3);
static void report(const checks *c, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->fn(c->ctx, msg);
}

/* The one SELECT that counts, per CHECK held, the table's rows that fail
 * it. */
static rn_code build_query(checks *c)
{
    c->q.len = 0;
    rn_code rc = rn__buf_add(&c->q, "SELECT ", 7);
    for (size_t k = 0; k < c->n && rc == RN_OK; k++) {
        if (k)
            rc = rn__buf_add(&c->q, ", ", 2);
        if (rc == RN_OK)
            rc = rn__buf_add(&c->q, "count(*) FILTER (WHERE NOT (", 28);
        if (rc == RN_OK)
            rc = rn__buf_add(&c->q, c->expr[k], c->elen[k]);
        if (rc == RN_OK)
            rc = rn__buf_add(&c->q, "))", 2);
    }
    if (rc == RN_OK)
        rc = rn__buf_add(&c->q, " FROM main.\"", 12);
    for (const char *p = c->name; *p && rc == RN_OK; p++)
        rc = *p == '"' ? rn__buf_add(&c->q, "\"\"", 2) : rn__buf_add(&c->q, p, 1);
    if (rc == RN_OK)
        rc = rn__buf_add(&c->q, "\"", 1);
    if (rc == RN_OK)
        rc = rn__buf_cstr(&c->q);
    return rc;
}

/* Evaluate the CHECKs held, and hold none. */
static void evaluate(checks *c)
{
    if (!c->n)
        return;
    if (build_query(c) != RN_OK) {
        report(c, "table %s: out of memory checking its CHECK constraints", c->name);
        c->n = 0;
        return;
    }
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    int src = sqlite3_prepare_v2(c->db, c->q.data, (int)c->q.len, &st, &tail);
    while (src == SQLITE_OK && tail && isspace((unsigned char)*tail))
        tail++;
    if (src != SQLITE_OK || !st || (tail && *tail) || !sqlite3_stmt_readonly(st)) {
        report(c, "table %s: its CHECK constraints cannot be evaluated: %s", c->name,
               src != SQLITE_OK ? sqlite3_errmsg(c->db) : "not one read-only expression each");
    } else if (sqlite3_step(st) == SQLITE_ROW) {
        for (size_t k = 0; k < c->n; k++) {
            sqlite3_int64 bad = sqlite3_column_int64(st, (int)k);
            if (bad > 0)
                report(c, "CHECK constraint failed in %s: %lld row%s where (%.*s) is false",
                       c->name, (long long)bad, bad == 1 ? "" : "s",
                       (int)(c->elen[k] > 200 ? 200 : c->elen[k]), c->expr[k]);
        }
    } else {
        report(c, "table %s: reading it for its CHECK constraints: %s", c->name,
               sqlite3_errmsg(c->db));
    }
    sqlite3_finalize(st);
    c->n = 0;
}

static int add_check(void *ctx, const char *expr, size_t len)
{
    checks *c = ctx;
    if (c->n == sizeof c->expr / sizeof c->expr[0])
        evaluate(c);
    c->expr[c->n] = expr;
    c->elen[c->n] = len;
    c->n++;
    return 0;
}

int rn__schema_checks(sqlite3 *db, rn__schema_problem_fn fn, void *ctx)
{
    checks c;
    memset(&c, 0, sizeof c);
    c.db = db;
    c.fn = fn;
    c.ctx = ctx;
    c.name = "";
    sqlite3_stmt *st = NULL;
    /* virtual tables ("CREATE VIRTUAL TABLE") have no CHECKs of their own;
     * their shadow tables are ordinary tables and are checked */
    if (sqlite3_prepare_v2(db, "SELECT name, sql FROM main.sqlite_schema WHERE type = 'table'"
                               " AND sql LIKE 'CREATE TABLE%' ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK) {
        report(&c, "cannot read the schema: %s", sqlite3_errmsg(db));
        return -1;
    }
    rn__buf_init(&c.q, (size_t)1 << 20);
    int tables = 0, src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *sql = (const char *)sqlite3_column_text(st, 1);
        if (!name || !sql)
            continue;
        c.name = name;
        c.n = 0;
        if (rn__sql_checks(sql, strlen(sql), add_check, &c) < 0) {
            c.n = 0; /* what was found is not trusted either */
            report(&c, "table %s: its CREATE statement in sqlite_schema cannot be read for"
                       " CHECK constraints (an unclosed quote, comment or parenthesis)", name);
        }
        evaluate(&c);
        tables++;
    }
    if (src != SQLITE_DONE)
        report(&c, "cannot read the schema: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    rn__buf_free(&c.q);
    return tables;
}
