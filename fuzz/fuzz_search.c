/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_search.c — libFuzzer target for the marking search's query handling
 * (rn_store_search: the query's characters, its `?`s, the FTS5 expression
 * built from them). Property: for any query of valid UTF-8, the hits are
 * exactly those of a plain scan of the indexed texts with LIKE (`?` as `_`,
 * `%` `_` `\` literal), in the same order; an error always says something.
 *
 * The store is made once per process in a temporary folder, with texts of
 * mixed case, digits, punctuation, quotes, LIKE's own wildcards, `?` and
 * characters outside ASCII (invented, not real markings).
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "remnant/store.h"

static const char *const texts[] = {
    "KN-23 No. 2015", "KN-25", "date 2415", "2 15 x", "kn-2x", "AB2-15", "12345",
    "2?15", "2#15", "2\xd0\x96" "15", "2_15", "100% \"A\" 'b'", "a\\b%c_d", "SN74LVC1G14",
    "\xec\xa3\xbc\xec\xb2\xb4" "113 No 12", "caf\xc3\xa9 C\xc3\x89", "(x) [y] *z* ^w$",
    "\xd0\x96\xd0\xb6 \xd0\x96X", "aaa aab aba", "1906 WY0ZG", "PCB 8S1-263 REV2",
};

static rn_store *store;
static sqlite3 *db;
static sqlite3_stmt *scan;

static void fail(const char *what, const char *q)
{
    fprintf(stderr, "fuzz_search: %s (query '%s')\n", what, q);
    abort();
}

static int setup(void)
{
    static char dir[] = "/tmp/rn_fuzz_search.XXXXXX";
    char path[64];
    rn_error err;
    rn_error_clear(&err);
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/s.db", dir);
    if (rn_store_open(path, RN_STORE_CREATE, &store, &err) != RN_OK)
        return -1;
    rn_record *item = rn_record_new(RN_T_ITEM);
    if (!item || rn_record_set(item, "kind", "weapon", 6, &err) != RN_OK ||
        rn_store_put(store, item, RN_PUT_CREATE, &err) != RN_OK)
        return -1;
    const char *iid = rn_record_id(item);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        rn_record *m = rn_record_new(RN_T_MARKING);
        if (!m || rn_record_set(m, "item", iid, strlen(iid), &err) != RN_OK ||
            rn_record_set(m, "text", texts[i], strlen(texts[i]), &err) != RN_OK ||
            rn_store_put(store, m, RN_PUT_CREATE, &err) != RN_OK)
            return -1;
        rn_record_free(m);
    }
    rn_record_free(item);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT rid, field FROM search_text WHERE text LIKE ?1 "
                               "ESCAPE '\\' ORDER BY id", -1, &scan, NULL) != SQLITE_OK)
        return -1;
    return 0;
}

/* 1 if s[0..n) is valid UTF-8 without NUL. */
static int valid_utf8(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint8_t c = s[i];
        size_t len = c == 0 ? 0 : c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
                   : (c & 0xf8) == 0xf0 ? 4 : 0;
        if (len == 0 || i + len > n || (len == 2 && c < 0xc2))
            return 0;
        for (size_t k = 1; k < len; k++)
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
        i += len;
    }
    return 1;
}

typedef struct hits {
    char ids[64][40];
    int n;
} hits;

static int on_hit(void *ctx, const rn_hit *h)
{
    hits *x = ctx;
    if (x->n < 64)
        snprintf(x->ids[x->n], sizeof x->ids[0], "%s/%s", h->id, h->field);
    x->n++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready = -1;
    if (ready < 0)
        ready = setup() == 0;
    if (!ready) {
        fprintf(stderr, "fuzz_search: could not make the store\n");
        abort();
    }
    if (size > 64 || !valid_utf8(data, size))
        return 0;
    char q[65], like[2 * 64 + 3];
    memcpy(q, data, size);
    q[size] = '\0';
    size_t k = 0;
    like[k++] = '%';
    for (size_t i = 0; i < size; i++) {
        if (q[i] == '%' || q[i] == '_' || q[i] == '\\')
            like[k++] = '\\';
        like[k++] = q[i] == '?' ? '_' : q[i];
    }
    like[k++] = '%';
    like[k] = '\0';
    hits got = {0}, want = {0};
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_store_search(store, q, 1000, on_hit, &got, &err);
    if (rc != RN_OK) {
        if (!err.message[0])
            fail("an error without a message", q);
        if (size > 0 && rc != RN_ELIMIT)
            fail("a query refused other than as too complex", q);
        return 0;
    }
    if (size == 0)
        fail("an empty query accepted", q);
    sqlite3_bind_text(scan, 1, like, -1, SQLITE_STATIC);
    while (sqlite3_step(scan) == SQLITE_ROW) {
        if (want.n < 64)
            snprintf(want.ids[want.n], sizeof want.ids[0], "%s/%s",
                     (const char *)sqlite3_column_text(scan, 0),
                     (const char *)sqlite3_column_text(scan, 1));
        want.n++;
    }
    sqlite3_reset(scan);
    if (got.n != want.n)
        fail("the hits are not those of a scan", q);
    for (int i = 0; i < got.n && i < 64; i++)
        if (strcmp(got.ids[i], want.ids[i]) != 0)
            fail("the hits are not in the scan's order", q);
    return 0;
}
