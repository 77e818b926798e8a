/* SPDX-License-Identifier: Apache-2.0
 *
 * test_ledger_stored.c — lib/ledger/stored.c, an entry's stored form:
 *   - the time column's text equals gmtime's for random instants 1970..9999
 *     and is refused out of range;
 *   - a compact row rebuilds exactly the bytes the log wrote and hashed
 *     (leaf_hash), for creates, updates (prev) and deletes;
 *   - S2: a change of any one column of a compact row (record_id, type, op,
 *     time, prev, a disclosure byte) changes the rebuilt bytes, so they no
 *     longer hash to leaf_hash; a row in neither form is RN_ETAMPER. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>

#include "ledger/ledger_int.h"
#include "remnant/store.h"

static char db[64];

static void test_time_text(void **state)
{
    (void)state;
    char t[25], want[32];
    for (int i = 0; i < 20000; i++) {
        int64_t ms = (int64_t)(randombytes_uniform(2000000000u)) * 126701 +
                     randombytes_uniform(1000);
        if (i == 0)
            ms = 0;
        if (i == 1)
            ms = INT64_C(253402300799999);
        if (i > 1 && ms > INT64_C(253402300799999))
            ms %= INT64_C(253402300799999);
        assert_int_equal(rn__ledger_time_text(ms, t), 1);
        time_t s = (time_t)(ms / 1000);
        struct tm tm;
        assert_non_null(gmtime_r(&s, &tm));
        size_t n = strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S", &tm);
        assert_int_equal(n, 19);
        snprintf(want + 19, sizeof want - 19, ".%03dZ", (int)(ms % 1000));
        assert_string_equal(t, want);
    }
    assert_int_equal(rn__ledger_time_text(-1, t), 0);
    assert_int_equal(rn__ledger_time_text(INT64_C(253402300800000), t), 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(db, sizeof db, "/tmp/rn_test_stored_%d.db", (int)getpid());
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char p[96];
    const char *sfx[] = {"", "-wal", "-shm", ".key", ".key.last"};
    for (size_t i = 0; i < 5; i++) {
        snprintf(p, sizeof p, "%s%s", db, sfx[i]);
        unlink(p);
    }
    return 0;
}

/* Every row's rebuilt bytes hash to its leaf_hash; returns the number of
 * rows that do not (or cannot be rebuilt). */
static int bad_rows(sqlite3 *h)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT " RN_ENTRY_COLS("") ", leaf_hash FROM"
                                           " ledger_entry ORDER BY seq", -1, &st, NULL),
                     SQLITE_OK);
    char buf[RN_ENTRY_V2_MAX];
    int bad = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *b;
        size_t bl;
        rn_hash leaf;
        if (rn__ledger_entry_bytes(st, 0, buf, sizeof buf, &b, &bl) != RN_OK) {
            bad++;
            continue;
        }
        rn__merkle_leaf_hash(b, bl, leaf);
        rn_entry e;
        if (memcmp(leaf, sqlite3_column_blob(st, RN_ENTRY_NCOLS), RN_HASH_LEN) != 0 ||
            rn__entry_parse(b, bl, &e) != RN_OK)
            bad++;
    }
    sqlite3_finalize(st);
    return bad;
}

static void test_rebuild_and_tamper(void **state)
{
    (void)state;
    rn_store *s = NULL;
    rn_error err;
    assert_int_equal(rn_store_open(db, RN_STORE_CREATE, &s, &err), RN_OK);
    rn_record *r = rn_record_new(RN_T_EVENT);
    assert_int_equal(rn_record_set(r, "name", "depot", 5, &err), RN_OK);
    assert_int_equal(rn_record_set(r, "country", "UA", 2, &err), RN_OK);
    assert_int_equal(rn_store_put(s, r, RN_PUT_CREATE, &err), RN_OK);
    char id[RN_ID_LEN + 1];
    memcpy(id, rn_record_id(r), sizeof id);
    assert_int_equal(rn_record_set(r, "name", "depot \"2\"", 9, &err), RN_OK);
    assert_int_equal(rn_store_put(s, r, RN_PUT_REPLACE, &err), RN_OK);
    assert_int_equal(rn_store_delete(s, id, &err), RN_OK);
    rn_record_free(r);
    rn_store_close(s);

    sqlite3 *h;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    /* L10: every entry compact; prev set on the update and the delete */
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT count(*), count(prev) FROM ledger_entry WHERE"
                                           " length(body) = 0 AND time > 0", -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 3);
    assert_int_equal(sqlite3_column_int(q, 1), 2);
    sqlite3_finalize(q);
    assert_int_equal(bad_rows(h), 0);

    /* S2: each change, alone, on entry 1 (the update), then undone */
    static const char *const change[][2] = {
        {"UPDATE ledger_entry SET record_id = '01M8JM8X5X7JHMR8HJ9HP0GKH2' WHERE seq = 1", NULL},
        {"UPDATE ledger_entry SET type = 'item' WHERE seq = 1", NULL},
        {"UPDATE ledger_entry SET op = 'c' WHERE seq = 1", NULL},
        {"UPDATE ledger_entry SET time = time + 1 WHERE seq = 1", NULL},
        {"UPDATE ledger_entry SET prev = zeroblob(32) WHERE seq = 1", NULL},
        {"UPDATE ledger_entry SET prev = NULL WHERE seq = 1", NULL},
        {"UPDATE ledger_entry SET disclosures = CAST(replace(CAST(disclosures AS TEXT),"
         " 'depot', 'Depot') AS BLOB) WHERE seq = 1", NULL},
        {"UPDATE ledger_entry SET disclosures = CAST(substr(CAST(disclosures AS TEXT), 1,"
         " instr(CAST(disclosures AS TEXT), char(10)) - 1) AS BLOB) WHERE seq = 1", NULL},
        /* neither stored form */
        {"UPDATE ledger_entry SET time = NULL WHERE seq = 1", "form"},
        {"UPDATE ledger_entry SET body = CAST('{}' AS BLOB) WHERE seq = 1", "form"},
        {"UPDATE ledger_entry SET time = -5 WHERE seq = 1", "check"},
        {"UPDATE ledger_entry SET prev = x'00' WHERE seq = 1", "check"},
    };
    assert_int_equal(sqlite3_exec(h, "DROP TRIGGER ledger_entry_no_update", NULL, NULL, NULL),
                     SQLITE_OK);
    for (size_t i = 0; i < sizeof change / sizeof *change; i++) {
        assert_int_equal(sqlite3_exec(h, "SAVEPOINT t", NULL, NULL, NULL), SQLITE_OK);
        int rc = sqlite3_exec(h, change[i][0], NULL, NULL, NULL);
        if (change[i][1] && strcmp(change[i][1], "check") == 0) {
            assert_int_equal(rc, SQLITE_CONSTRAINT); /* the schema refuses it */
        } else {
            assert_int_equal(rc, SQLITE_OK);
            if (bad_rows(h) != 1)
                fail_msg("not caught: %s", change[i][0]);
        }
        assert_int_equal(sqlite3_exec(h, "ROLLBACK TO t; RELEASE t", NULL, NULL, NULL),
                         SQLITE_OK);
        assert_int_equal(bad_rows(h), 0);
    }
    sqlite3_close(h);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_text),
        cmocka_unit_test_setup_teardown(test_rebuild_and_tamper, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
