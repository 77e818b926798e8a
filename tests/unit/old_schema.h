/* SPDX-License-Identifier: Apache-2.0
 *
 * old_schema.h — databases of an older schema for migration tests
 * (tests/unit/old_schema.c). Every function fails the running cmocka test
 * on any error.
 */
#ifndef RN_TEST_OLD_SCHEMA_H
#define RN_TEST_OLD_SCHEMA_H

/* The schema version just before the first migration whose SQL contains
 * `marker` (a version to give rn__store_create_at). */
int rn_test_schema_before(const char *marker);

/* Copy into the database at `to` every row of each of its tables (virtual
 * tables and their shadows aside) from the database at `from`, column by
 * column as `to` names them. */
void rn_test_copy_tables(const char *to, const char *from);

/* Rewrite the log of the database at `path` in the full stored form of the
 * schemas before 0013 (no time, no prev; each body its canonical bytes),
 * running `tamper` (SQL on the table "le7") before the swap. */
void rn_test_full_rows(const char *path, const char *tamper);

#endif
