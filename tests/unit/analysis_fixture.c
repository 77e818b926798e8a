/* SPDX-License-Identifier: Apache-2.0
 *
 * analysis_fixture.c — the lib/analysis tests' shared fixture set-up and
 * JSON helpers (analysis_fixture.h). */
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

#include "analysis_fixture.h"
#include "store/store_int.h"

static char dir[64];

rn_store *fx_open(const char *prefix, const char *fixture, const char *reference)
{
    char path[256];
    rn_store *s;
    rn_error err;
    rn_import_opts o = {0};
    rn_import_stats st;
    snprintf(dir, sizeof dir, "/tmp/%s_XXXXXX", prefix);
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/a.db", dir);
    assert_int_equal(rn_store_open(path, RN_STORE_CREATE, &s, &err), RN_OK);
    assert_int_equal(rn_store_set_author(s, "alice"), RN_OK);
    snprintf(path, sizeof path, RN_TEST_DATADIR "/%s", fixture);
    if (rn_import_file(s, path, &o, &st, &err))
        fail_msg("%s", err.message);
    snprintf(path, sizeof path, RN_SRC_DATADIR "/%s", reference);
    if (rn_import_file(s, path, &o, &st, &err))
        fail_msg("%s", err.message);
    return s;
}

void fx_close(rn_store *s)
{
    char cmd[160];
    rn_store_close(s);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

void fx_drop_candidates(rn_store *s, const char *marking)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(rn__store_db(s), "DELETE FROM candidate WHERE"
                                        " marking = ?1", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, marking, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
}

void fx_add_date(rn_store *s, const char *marking, int rank, const rn_date *d, double conf,
                 const char *rule)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(rn__store_db(s),
                                        "INSERT OR REPLACE INTO candidate (marking, rank, field, "
                                        "value, earliest, latest, precision, confidence, rule, "
                                        "explanation) VALUES (?1, ?2, 'production_date', "
                                        "'fixture', ?3, ?4, ?5, ?6, ?7, 'invented test reading')",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, marking, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, rank);
    sqlite3_bind_int(st, 3, d->earliest);
    sqlite3_bind_int(st, 4, d->latest);
    sqlite3_bind_text(st, 5, rn_precision_name(d->precision), -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 6, conf);
    sqlite3_bind_text(st, 7, rule, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
}

void fx_add_maker(rn_store *s, const char *marking, int rank, const char *value,
                  const char *country, double conf)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(rn__store_db(s),
                                        "INSERT INTO candidate (marking, rank, field, value, "
                                        "country, confidence, rule, explanation) VALUES "
                                        "(?1, ?2, 'manufacturer', ?3, ?4, ?5, 'fixture', "
                                        "'invented test reading')",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, marking, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, rank);
    sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, country, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 5, conf);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
}

int32_t fx_day(int y, int m, int d)
{
    int32_t v;
    assert_int_equal(rn_day_from_ymd(y, m, d, &v), RN_OK);
    return v;
}

json_t *fx_parse(char *js)
{
    json_error_t e;
    json_t *r = json_loads(js, 0, &e);
    if (!r)
        fail_msg("bad JSON: %s", e.text);
    rn_free(js);
    return r;
}

json_t *fx_find(json_t *arr, const char *key, const char *val)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        const char *s = json_string_value(json_object_get(v, key));
        if (s && !strcmp(s, val))
            return v;
    }
    return NULL;
}

json_int_t fx_ji(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_integer(v))
        fail_msg("%s is not an integer", k);
    return json_integer_value(v);
}

const char *fx_js(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    if (!s)
        fail_msg("%s is not a string", k);
    return s;
}

void fx_assert_span(json_t *a, json_int_t lo, json_int_t hi)
{
    assert_int_equal(json_integer_value(json_array_get(a, 0)), lo);
    assert_int_equal(json_integer_value(json_array_get(a, 1)), hi);
}
