/* SPDX-License-Identifier: Apache-2.0
 *
 * test_rows.c — unit tests of lib/model/rows.c, rows batched in memory and
 * read by SQLite as rn_rows(?): each kind of value arrives as it was given,
 * columns past the batch's own read NULL, a cleared batch reads empty, the
 * rows keep their order (an INTEGER PRIMARY KEY table numbers them in it),
 * and the function refuses to run without its batch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/rows.h"

static sqlite3 *open_db(void)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(rn__rows_register(db), SQLITE_OK);
    return db;
}

/* Every row of `sql` run with batch r bound to its one parameter, each
 * value quoted, '|' after each, a line a row. */
static char *read_rows(sqlite3 *db, const char *sql, rn__rows *r)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if (r)
        assert_int_equal(rn__rows_bind(st, 1, r), SQLITE_OK);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(st); c++)
            fprintf(m, "%s|", (const char *)sqlite3_column_text(st, c));
        fputc('\n', m);
    }
    assert_int_equal(src, SQLITE_DONE);
    fclose(m);
    sqlite3_finalize(st);
    return buf;
}

static void values_as_given(void **state)
{
    (void)state;
    sqlite3 *db = open_db();
    rn__rows *r = rn__rows_new(4);
    assert_non_null(r);
    assert_int_equal(rn__rows_text(r, "abc", -1), RN_OK);
    assert_int_equal(rn__rows_int(r, -42), RN_OK);
    assert_int_equal(rn__rows_double(r, 0.5), RN_OK);
    assert_int_equal(rn__rows_null(r), RN_OK);
    assert_int_equal(rn__rows_count(r), 1);
    assert_int_equal(rn__rows_text(r, "", 0), RN_OK);         /* empty, not NULL */
    assert_int_equal(rn__rows_text(r, "xyz", 2), RN_OK);      /* a prefix */
    assert_int_equal(rn__rows_text(r, "주체111", -1), RN_OK); /* UTF-8 */
    assert_int_equal(rn__rows_count(r), 1);                   /* a row is not complete yet */
    assert_int_equal(rn__rows_int(r, INT64_MAX), RN_OK);
    assert_int_equal(rn__rows_count(r), 2);
    char *got = read_rows(db,
                          "SELECT quote(c0), quote(c1), quote(c2), quote(c3), quote(c4), "
                          "typeof(c0), typeof(c1), typeof(c2), typeof(c3) FROM rn_rows(?)",
                          r);
    assert_string_equal(got,
                        "'abc'|-42|0.5|NULL|NULL|text|integer|real|null|\n"
                        "''|'xy'|'주체111'|9223372036854775807|NULL|text|text|text|integer|\n");
    free(got);
    rn__rows_free(r);
    sqlite3_close(db);
}

static void batch_cleared_and_reused(void **state)
{
    (void)state;
    sqlite3 *db = open_db();
    assert_int_equal(
        sqlite3_exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT, b INT)", NULL, NULL, NULL),
        SQLITE_OK);
    rn__rows *r = rn__rows_new(2);
    assert_non_null(r);
    char s[32];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 3000; i++) {
            snprintf(s, sizeof s, "r%d-%d", round, i);
            assert_int_equal(rn__rows_text(r, s, -1), RN_OK);
            assert_int_equal(rn__rows_int(r, i), RN_OK);
        }
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO t(a, b) SELECT c0, c1 FROM rn_rows(?)",
                                            -1, &st, NULL),
                         SQLITE_OK);
        assert_int_equal(rn__rows_bind(st, 1, r), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_DONE);
        sqlite3_finalize(st);
        rn__rows_clear(r);
        assert_int_equal(rn__rows_count(r), 0);
    }
    /* in order: the ids number the rows as they were added */
    char *got = read_rows(db,
                          "SELECT count(*), sum(a = printf('r%d-%d', (id - 1) / 3000, b)), "
                          "sum(b = (id - 1) % 3000) FROM t",
                          NULL);
    assert_string_equal(got, "6000|6000|6000|\n");
    free(got);
    got = read_rows(db, "SELECT count(*) FROM rn_rows(?)", r); /* cleared: empty */
    assert_string_equal(got, "0|\n");
    free(got);
    rn__rows_free(r);
    sqlite3_close(db);
}

/* rn__rows_run writes the batch and keeps it (rn__rows_insert empties
 * it); rn__rows_text_at reads a text back, and nothing for other cells. */
static void run_keeps_rows_text_at(void **state)
{
    (void)state;
    sqlite3 *db = open_db();
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(a TEXT, b INT)", NULL, NULL, NULL),
                     SQLITE_OK);
    rn__rows *r = rn__rows_new(2);
    assert_non_null(r);
    assert_int_equal(rn__rows_text(r, "first", -1), RN_OK);
    assert_int_equal(rn__rows_int(r, 1), RN_OK);
    assert_int_equal(rn__rows_text(r, "", 0), RN_OK);
    assert_int_equal(rn__rows_null(r), RN_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO t SELECT c0, c1 FROM rn_rows(?)", -1,
                                        &st, NULL),
                     SQLITE_OK);
    assert_int_equal(rn__rows_run(st, r), SQLITE_DONE);
    assert_int_equal(rn__rows_count(r), 2);
    size_t len = 99;
    const char *t = rn__rows_text_at(r, 0, 0, &len);
    assert_non_null(t);
    assert_int_equal(len, 5);
    assert_memory_equal(t, "first", 5);
    t = rn__rows_text_at(r, 1, 0, &len);
    assert_non_null(t);
    assert_int_equal(len, 0);
    assert_null(rn__rows_text_at(r, 0, 1, &len)); /* an integer */
    assert_int_equal(len, 0);
    assert_null(rn__rows_text_at(r, 1, 1, &len)); /* NULL */
    assert_int_equal(rn__rows_insert(st, r), SQLITE_DONE);
    assert_int_equal(rn__rows_count(r), 0);
    sqlite3_finalize(st);
    char *got = read_rows(db, "SELECT quote(a), quote(b) FROM t", NULL);
    assert_string_equal(got, "'first'|1|\n''|NULL|\n'first'|1|\n''|NULL|\n");
    free(got);
    rn__rows_free(r);
    sqlite3_close(db);
}

static void refused_without_batch(void **state)
{
    (void)state;
    sqlite3 *db = open_db();
    sqlite3_stmt *st = NULL;
    /* no argument: no plan */
    assert_int_not_equal(sqlite3_prepare_v2(db, "SELECT * FROM rn_rows", -1, &st, NULL), SQLITE_OK);
    assert_null(st);
    /* an argument that is not a bound batch (SQL cannot make one): no rows */
    char *got = read_rows(db, "SELECT count(*) FROM rn_rows('x')", NULL);
    assert_string_equal(got, "0|\n");
    free(got);
    /* eponymous only */
    assert_int_not_equal(sqlite3_exec(db, "CREATE VIRTUAL TABLE v USING rn_rows", NULL, NULL, NULL),
                         SQLITE_OK);
    assert_null(rn__rows_new(0));
    assert_null(rn__rows_new(RN_ROWS_MAXCOL + 1));
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(values_as_given),
        cmocka_unit_test(batch_cleared_and_reused),
        cmocka_unit_test(run_keeps_rows_text_at),
        cmocka_unit_test(refused_without_batch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
