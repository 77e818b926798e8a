/* SPDX-License-Identifier: Apache-2.0
 *
 * old_schema.c — for the migration tests (test_tiles, test_store): a
 * database of an older schema holding what today's store wrote. Migrations
 * are numbered by their position in lib/store/migrations/, so a test finds
 * "the schema before migration X" by X's content, never by a number.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "ledger/ledger_int.h"
#include "old_schema.h"
#include "store/store_int.h"

int rn_test_schema_before(const char *marker)
{
    size_t v = 0;
    while (v < rn__migration_count && !strstr(rn__migrations[v], marker))
        v++;
    assert_true(v < rn__migration_count);
    return (int)v;
}

/* Copy into the database at `to` every row of every table it has (virtual
 * tables and their shadows aside) from the database at `from`, column by
 * column as `to` names them: a log written by today's store, in an older
 * schema. A row of the same key there (the new log's origin, its empty
 * tree) is replaced; full-text indexes are rebuilt from the copied rows. */
void rn_test_copy_tables(const char *to, const char *from)
{
    sqlite3 *h;
    sqlite3_stmt *t, *c;
    char sql[4096], cols[2048];
    assert_int_equal(sqlite3_open(to, &h), SQLITE_OK);
    snprintf(sql, sizeof sql, "ATTACH '%s' AS f", from);
    assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT name FROM pragma_table_list WHERE schema ="
                                        " 'main' AND type = 'table' AND name NOT LIKE"
                                        " 'sqlite_%' ORDER BY name", -1, &t, NULL),
                     SQLITE_OK);
    while (sqlite3_step(t) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(t, 0);
        size_t n = 0;
        assert_int_equal(sqlite3_prepare_v2(h, "SELECT name FROM pragma_table_info(?1, 'main')",
                                            -1, &c, NULL), SQLITE_OK);
        sqlite3_bind_text(c, 1, name, -1, SQLITE_STATIC);
        while (sqlite3_step(c) == SQLITE_ROW)
            n += (size_t)snprintf(cols + n, sizeof cols - n, "%s\"%s\"", n ? ", " : "",
                                  (const char *)sqlite3_column_text(c, 0));
        sqlite3_finalize(c);
        assert_true(n < sizeof cols);
        assert_true((size_t)snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO main.\"%s\"(%s)"
                                     " SELECT %s FROM f.\"%s\"", name, cols, cols, name) <
                    sizeof sql);
        assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
    }
    sqlite3_finalize(t);
    /* the full-text indexes over the copied contents (external content) */
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT name FROM main.sqlite_schema WHERE sql LIKE"
                                        " '%USING fts5(%content=%'", -1, &t, NULL),
                     SQLITE_OK);
    while (sqlite3_step(t) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(t, 0);
        assert_true((size_t)snprintf(sql, sizeof sql, "INSERT INTO main.\"%s\"(\"%s\")"
                                     " VALUES ('rebuild')", name, name) < sizeof sql);
        assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
    }
    sqlite3_finalize(t);
    assert_int_equal(sqlite3_exec(h, "COMMIT; DETACH f", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
}

/* The log's rows as a database before schema 13 stored them (full form,
 * stored.c): ledger_entry rebuilt without time and prev, each body the
 * entry's canonical bytes, in the database at `path`; then `tamper` (SQL on
 * the old table) runs. */
void rn_test_full_rows(const char *path, const char *tamper)
{
    sqlite3 *h;
    sqlite3_stmt *st, *ins;
    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "CREATE TABLE le7 (seq INTEGER PRIMARY KEY NOT NULL CHECK"
                                     " (seq >= 0), record_id TEXT NOT NULL, type TEXT NOT NULL,"
                                     " op TEXT NOT NULL CHECK (op IN ('c', 'u', 'd')), body BLOB"
                                     " NOT NULL, leaf_hash BLOB NOT NULL CHECK (length(leaf_hash)"
                                     " = 32), disclosures BLOB) STRICT",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT " RN_ENTRY_COLS("") ", leaf_hash FROM"
                                           " ledger_entry ORDER BY seq", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, "INSERT INTO le7 VALUES (?, ?, ?, ?, ?, ?, ?)", -1,
                                        &ins, NULL),
                     SQLITE_OK);
    char buf[RN_ENTRY_V2_MAX];
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *b;
        size_t bl;
        assert_int_equal(rn__ledger_entry_bytes(st, 0, buf, sizeof buf, &b, &bl), RN_OK);
        for (int c = 0; c < 4; c++)
            sqlite3_bind_value(ins, c + 1, sqlite3_column_value(st, c));
        sqlite3_bind_blob(ins, 5, b, (int)bl, SQLITE_TRANSIENT);
        sqlite3_bind_value(ins, 6, sqlite3_column_value(st, RN_ENTRY_NCOLS));
        sqlite3_bind_value(ins, 7, sqlite3_column_value(st, 5));
        assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
        sqlite3_reset(ins);
    }
    sqlite3_finalize(st);
    sqlite3_finalize(ins);
    assert_int_equal(sqlite3_exec(h, tamper, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "DROP TABLE ledger_entry; ALTER TABLE le7 RENAME TO"
                                     " ledger_entry; CREATE INDEX ledger_entry_record ON"
                                     " ledger_entry(record_id, seq);" RN_LEDGER_NO_UPDATE_TRIGGER,
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(h);
}
