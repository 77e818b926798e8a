/* SPDX-License-Identifier: Apache-2.0
 *
 * test_schema_checks.c — lib/ledger/schema_checks.c: the CHECK expressions
 * found in CREATE TABLE text (column and table constraints, named ones,
 * nested parentheses; the word inside strings, quoted identifiers and
 * comments ignored; unclosed text refused), and their evaluation over a
 * database's rows on a read-only connection, where PRAGMA integrity_check
 * does not check them (the reason the module exists: asserted here too, so
 * that a SQLite that starts checking them shows up). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "ledger/ledger_int.h"

typedef struct found {
    char expr[8][128];
    int n;
} found;

static int collect(void *ctx, const char *expr, size_t len)
{
    found *f = ctx;
    assert_true(f->n < 8);
    snprintf(f->expr[f->n], sizeof f->expr[0], "%.*s", (int)len, expr);
    f->n++;
    return 0;
}

static int scan(const char *sql, found *f)
{
    memset(f, 0, sizeof *f);
    return rn__sql_checks(sql, strlen(sql), collect, f);
}

static void test_found(void **state)
{
    (void)state;
    found f;
    assert_int_equal(scan("CREATE TABLE t(a INTEGER CHECK (a >= 0), b TEXT NOT NULL check(length(b)"
                          " BETWEEN 1 AND (2 + 3)), CONSTRAINT ab CHECK (a < 9 OR b = 'x'))",
                          &f),
                     3);
    assert_string_equal(f.expr[0], "a >= 0");
    assert_string_equal(f.expr[1], "length(b) BETWEEN 1 AND (2 + 3)");
    assert_string_equal(f.expr[2], "a < 9 OR b = 'x'");
    /* a parenthesis or the word inside a string, a quoted name or a comment
     * is text, not SQL */
    assert_int_equal(scan("CREATE TABLE \"check\"(a TEXT CHECK (a <> ')' AND a <> 'it''s (')"
                          " /* CHECK (x) */ -- check (y)\n, [check] INT, `ch)eck` INT"
                          " CHECK (\"ch)eck\" > 0))",
                          &f),
                     2);
    assert_string_equal(f.expr[0], "a <> ')' AND a <> 'it''s ('");
    assert_string_equal(f.expr[1], "\"ch)eck\" > 0");
    /* comments between the keyword and its parenthesis */
    assert_int_equal(scan("CREATE TABLE t(a INT CHECK /* why */ -- so\n (a = 1))", &f), 1);
    assert_string_equal(f.expr[0], "a = 1");
    /* no CHECK: none; a word that only contains it: none */
    assert_int_equal(scan("CREATE TABLE checks(checked INT, rechecK INT)", &f), 0);
    assert_int_equal(rn__sql_checks("", 0, NULL, NULL), 0);
}

static void test_refused(void **state)
{
    (void)state;
    found f;
    const char *bad[] = {
        "CREATE TABLE t(a INT CHECK ((a > 0)", /* the CHECK unbalanced */
        "CREATE TABLE t(a TEXT CHECK (a = 'x))", /* unclosed string */
        "CREATE TABLE t(a INT CHECK a > 0)",   /* no parenthesis */
        "CREATE TABLE t(a INT) /* unclosed",
        "CREATE TABLE t(\"a INT)",
        "CREATE TABLE t(a INT CHECK",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(scan(bad[i], &f), -1);
    /* a length that ends the text early is honoured */
    const char *sql = "CREATE TABLE t(a INT CHECK (a > 0))";
    assert_int_equal(rn__sql_checks(sql, strlen(sql) - 2, NULL, NULL), -1);
}

typedef struct problems {
    char msg[8][600];
    int n;
} problems;

static void on_problem(void *ctx, const char *message)
{
    problems *p = ctx;
    if (p->n < 8)
        snprintf(p->msg[p->n], sizeof p->msg[0], "%s", message);
    p->n++;
}

static void test_evaluated(void **state)
{
    (void)state;
    char path[] = "/tmp/rn_schema_checks_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "CREATE TABLE \"we\"\"ird\"(a INT CHECK (a >= 0), b TEXT CHECK (b IN ('x','y')));"
                     "CREATE TABLE fine(c INT CHECK (c IS NULL OR c > 1));"
                     "CREATE VIRTUAL TABLE v USING fts5(t);"
                     "INSERT INTO \"we\"\"ird\" VALUES (1, 'x'), (2, NULL);"
                     "INSERT INTO fine VALUES (NULL), (5);"
                     "PRAGMA ignore_check_constraints=1;"
                     "INSERT INTO \"we\"\"ird\" VALUES (-1, 'x'), (-2, 'z'), (3, 'q');",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    /* what SQLite itself does on a read-only connection */
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    problems p;
    memset(&p, 0, sizeof p);
    assert_true(rn__schema_checks(db, on_problem, &p) >= 2);
    assert_int_equal(p.n, 2);
    assert_string_equal(p.msg[0], "CHECK constraint failed in we\"ird: 2 rows where (a >= 0) is"
                                  " false");
    assert_string_equal(p.msg[1], "CHECK constraint failed in we\"ird: 2 rows where (b IN"
                                  " ('x','y')) is false");
    sqlite3_close(db);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_found),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_evaluated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
