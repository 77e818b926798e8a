/* SPDX-License-Identifier: Apache-2.0
 *
 * test_tiles.c — lib/ledger/tiles.c: the tile math (which tiles a tree of n
 * leaves has, and their hashes, against MTH computed from the leaves), the
 * tile path syntax of c2sp.org/tlog-tiles (a table of paths, accepted and
 * refused), tiles stored in the database as the log grows (T1-T4: rollback,
 * the grow-only trigger, verify V9 naming a changed tile), and proofs read
 * from tiles equal to the proofs rebuilt from the leaves, for many sizes;
 * the migrations of the log's table (8 tiles, 13 compact rows, 16 the op
 * check without IN). */
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
#include <sodium.h>

#include "ledger/ledger_int.h"
#include "remnant/ledger.h"
#include "store/store_int.h"
#include "old_schema.h"
#include "remnant/store.h"

/* ---- in-memory tiles over synthetic leaves --------------------------------- */

/* Leaf i: SHA-256(0x00 || le64(i)). */
static rn_code syn(void *ctx, uint64_t start, uint64_t n, rn_hash *out)
{
    (void)ctx;
    for (uint64_t i = 0; i < n; i++) {
        uint8_t b[8];
        for (int k = 0; k < 8; k++)
            b[k] = (uint8_t)((start + i) >> (8 * k));
        rn__merkle_leaf_hash(b, 8, out[i]);
    }
    return RN_OK;
}

/* Every tile ever emitted, keyed by (level, index): the last emit wins. */
#define MEM_MAX 512
typedef struct mem_tiles {
    size_t n;
    struct {
        unsigned level;
        uint64_t idx;
        unsigned width;
        uint8_t h[RN_TILE_BYTES];
    } t[MEM_MAX];
    size_t emits;
} mem_tiles;

static rn_code mem_emit(void *ctx, unsigned level, uint64_t idx, const uint8_t *h,
                        unsigned width)
{
    mem_tiles *m = ctx;
    m->emits++;
    size_t i = 0;
    while (i < m->n && !(m->t[i].level == level && m->t[i].idx == idx))
        i++;
    if (i == m->n) {
        if (m->n == MEM_MAX)
            return RN_ELIMIT;
        m->n++;
    }
    /* T3: a tile only grows, its hashes never change. */
    if (i < m->n - 1 || m->t[i].width) {
        assert_true(width >= m->t[i].width);
        assert_memory_equal(m->t[i].h, h, (size_t)m->t[i].width * RN_HASH_LEN);
    }
    m->t[i].level = level;
    m->t[i].idx = idx;
    m->t[i].width = width;
    memcpy(m->t[i].h, h, (size_t)width * RN_HASH_LEN);
    return RN_OK;
}

static rn_code mem_node(void *ctx, unsigned level, uint64_t index, rn_hash out)
{
    mem_tiles *m = ctx;
    unsigned tl = level / 8, r = level % 8;
    uint64_t first = index << r;
    for (size_t i = 0; i < m->n; i++)
        if (m->t[i].level == tl && m->t[i].idx == first >> 8) {
            unsigned off = (unsigned)(first & 255);
            assert_true(off + (1u << r) <= m->t[i].width);
            rn__tiles_subtree(m->t[i].h + (size_t)off * 32, 1u << r, out);
            return RN_OK;
        }
    return RN_ENOTFOUND;
}

static mem_tiles *grow(uint64_t size)
{
    mem_tiles *m = calloc(1, sizeof *m);
    rn_tiles *t = calloc(1, sizeof *t);
    assert_non_null(m);
    assert_non_null(t);
    rn_hash leaf;
    for (uint64_t i = 0; i < size; i++) {
        syn(NULL, i, 1, &leaf);
        assert_int_equal(rn__tiles_append(t, leaf, mem_emit, m), RN_OK);
    }
    assert_int_equal(rn__tiles_flush(t, mem_emit, m), RN_OK);
    /* The frontier is the one merkle.c keeps. */
    rn_frontier f;
    rn__frontier_init(&f);
    for (uint64_t i = 0; i < size; i++) {
        syn(NULL, i, 1, &leaf);
        assert_int_equal(rn__frontier_append(&f, leaf), RN_OK);
    }
    assert_int_equal(t->f.size, size);
    rn_hash a, b;
    rn__frontier_root(&f, a);
    rn__frontier_root(&t->f, b);
    assert_memory_equal(a, b, 32);
    free(t);
    return m;
}

static unsigned width_of(const mem_tiles *m, unsigned level, uint64_t idx)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->t[i].level == level && m->t[i].idx == idx)
            return m->t[i].width;
    return 0;
}

/* The spec's example: a tree of 70,000 leaves has 273 full level-0 tiles,
 * a partial one of width 112, one full level-1 tile, a partial level-1 tile
 * of width 17 and a partial level-2 tile of width 1; 256 leaves make a full
 * level-0 tile and a level-1 tile of width 1. */
static void test_tile_shape(void **state)
{
    (void)state;
    mem_tiles *m = grow(70000);
    size_t full0 = 0;
    for (size_t i = 0; i < m->n; i++)
        if (m->t[i].level == 0 && m->t[i].width == 256)
            full0++;
    assert_int_equal(full0, 273);
    assert_int_equal(width_of(m, 0, 273), 112);
    assert_int_equal(width_of(m, 1, 0), 256);
    assert_int_equal(width_of(m, 1, 1), 17);
    assert_int_equal(width_of(m, 2, 0), 1);
    assert_int_equal(m->n, 273 + 1 + 2 + 1);
    free(m);
    m = grow(256);
    assert_int_equal(m->n, 2);
    assert_int_equal(width_of(m, 0, 0), 256);
    assert_int_equal(width_of(m, 1, 0), 1);
    free(m);
    assert_int_equal(rn__tiles_width(70000, 0), 112);
    assert_int_equal(rn__tiles_width(70000, 1), 17);
    assert_int_equal(rn__tiles_width(70000, 2), 1);
    assert_int_equal(rn__tiles_width(65536, 1), 0);
}

/* T2: each hash of each tile is MTH of the leaves it spans. */
static void test_tile_hashes(void **state)
{
    (void)state;
    static const uint64_t sizes[] = {1, 2, 255, 256, 257, 511, 512, 65535, 65536, 65537, 70000};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        mem_tiles *m = grow(sizes[s]);
        for (size_t i = 0; i < m->n; i++) {
            uint64_t span = UINT64_C(1) << (8 * m->t[i].level);
            for (unsigned k = 0; k < m->t[i].width; k += 37) {
                uint64_t lo = (m->t[i].idx * 256 + k) * span;
                rn_hash want;
                assert_int_equal(rn__merkle_range_root(syn, NULL, lo, lo + span, want), RN_OK);
                assert_memory_equal(want, m->t[i].h + (size_t)k * 32, 32);
            }
        }
        free(m);
    }
}

/* Proofs from tiles are the proofs from the leaves, for many sizes and
 * indexes (including every edge: first, last, powers of two). */
static void test_proofs_from_tiles(void **state)
{
    (void)state;
    static const uint64_t sizes[] = {1, 2, 3, 7, 8, 9, 255, 256, 257, 300, 511, 513,
                                     1000, 4096, 65535, 65536, 65537, 70000};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        uint64_t n = sizes[s];
        mem_tiles *m = grow(n);
        uint64_t picks[] = {0, 1, n / 3, n / 2, n - 2, n - 1, 255, 256, 4095};
        for (size_t p = 0; p < sizeof picks / sizeof *picks; p++) {
            uint64_t i = picks[p];
            if (i >= n)
                continue;
            rn_hash a[RN_PROOF_MAX], b[RN_PROOF_MAX];
            size_t na, nb;
            assert_int_equal(rn__merkle_inclusion_proof(syn, NULL, i, n, a, &na), RN_OK);
            assert_int_equal(rn__merkle_inclusion_proof_nodes(mem_node, m, i, n, b, &nb),
                             RN_OK);
            assert_int_equal(na, nb);
            assert_memory_equal(a, b, na * 32);
            uint64_t s1 = i + 1;
            assert_int_equal(rn__merkle_consistency_proof(syn, NULL, s1, n, a, &na), RN_OK);
            assert_int_equal(rn__merkle_consistency_proof_nodes(mem_node, m, s1, n, b, &nb),
                             RN_OK);
            assert_int_equal(na, nb);
            assert_memory_equal(a, b, na * 32);
        }
        rn_hash r1, r2;
        assert_int_equal(rn__merkle_range_root(syn, NULL, 0, n, r1), RN_OK);
        assert_int_equal(rn__merkle_nodes_range_root(mem_node, m, 0, n, r2), RN_OK);
        assert_memory_equal(r1, r2, 32);
        free(m);
    }
}

/* ---- paths ------------------------------------------------------------------ */

static const struct {
    const char *path;
    int ok;
    int entries;
    unsigned level;
    uint64_t index;
    unsigned width;
} paths[] = {
    {"tile/0/000", 1, 0, 0, 0, 256},
    {"tile/0/001", 1, 0, 0, 1, 256},
    {"tile/1/x001/x234/067", 1, 0, 1, 1234067, 256},
    {"tile/2/x001/234.p/5", 1, 0, 2, 1234, 5},
    {"tile/63/999", 1, 0, 63, 999, 256},
    {"tile/entries/x001/234", 1, 1, 0, 1234, 256},
    {"tile/entries/000.p/255", 1, 1, 0, 0, 255},
    {"tile/entries/000.p/1", 1, 1, 0, 0, 1},
    {"tile/0/x018/x446/x744/x073/x709/x551/615", 1, 0, 0, UINT64_MAX, 256},
    {"tile/0/x018/x446/x744/x073/x709/x551/616", 0, 0, 0, 0, 0}, /* > 2^64-1 */
    {"tile/64/000", 0, 0, 0, 0, 0},
    {"tile/00/000", 0, 0, 0, 0, 0},
    {"tile/01/000", 0, 0, 0, 0, 0},
    {"tile/-1/000", 0, 0, 0, 0, 0},
    {"tile/0/00", 0, 0, 0, 0, 0},
    {"tile/0/0000", 0, 0, 0, 0, 0},
    {"tile/0/x000/001", 0, 0, 0, 0, 0}, /* not the shortest form */
    {"tile/0/x001", 0, 0, 0, 0, 0},
    {"tile/0/001/", 0, 0, 0, 0, 0},
    {"tile/0/x001/x002", 0, 0, 0, 0, 0},
    {"tile/0/001/002", 0, 0, 0, 0, 0},
    {"tile/0/000.p/0", 0, 0, 0, 0, 0},
    {"tile/0/000.p/256", 0, 0, 0, 0, 0},
    {"tile/0/000.p/05", 0, 0, 0, 0, 0},
    {"tile/0/000.p/", 0, 0, 0, 0, 0},
    {"tile/0/000.p", 0, 0, 0, 0, 0},
    {"tile/0/000.q/5", 0, 0, 0, 0, 0},
    {"tile/0/000.p/5/", 0, 0, 0, 0, 0},
    {"tile/8/0/000", 0, 0, 0, 0, 0}, /* Go's sumdb form with the height */
    {"tile/entry/000", 0, 0, 0, 0, 0},
    {"tile/entries/", 0, 0, 0, 0, 0},
    {"tile//000", 0, 0, 0, 0, 0},
    {"tiles/0/000", 0, 0, 0, 0, 0},
    {"tile/0/0a0", 0, 0, 0, 0, 0},
    {"", 0, 0, 0, 0, 0},
};

static void test_paths(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        rn_ledger_tile_ref t;
        rn_code rc = rn_ledger_tile_path_parse(paths[i].path, strlen(paths[i].path), &t);
        if (!paths[i].ok) {
            if (rc == RN_OK)
                fail_msg("accepted %s", paths[i].path);
            continue;
        }
        if (rc != RN_OK)
            fail_msg("refused %s", paths[i].path);
        assert_int_equal(t.entries, paths[i].entries);
        assert_int_equal(t.level, paths[i].level);
        assert_true(t.index == paths[i].index);
        assert_int_equal(t.width, paths[i].width);
        /* One path per tile: formatting gives the path back. */
        char out[128];
        size_t n = rn_ledger_tile_path_format(&t, out, sizeof out);
        assert_int_equal(n, strlen(paths[i].path));
        assert_string_equal(out, paths[i].path);
    }
    /* Round trips over a range of indexes. */
    for (uint64_t idx = 0; idx < 3000000; idx = idx * 3 + 1) {
        rn_ledger_tile_ref t = {0, 3, idx, 17}, u;
        char out[128];
        size_t n = rn_ledger_tile_path_format(&t, out, sizeof out);
        assert_true(n > 0);
        assert_int_equal(rn_ledger_tile_path_parse(out, n, &u), RN_OK);
        assert_true(u.index == idx && u.level == 3 && u.width == 17 && !u.entries);
    }
}

/* ---- stored tiles ------------------------------------------------------------ */

static char dir[256], db[300];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/rn_test_tiles_XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(db, sizeof db, "%s/t.db", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void add_events(rn_store *s, int n, int commit)
{
    rn_error err;
    assert_int_equal(rn_store_begin(s, &err), RN_OK);
    for (int i = 0; i < n; i++) {
        rn_record *r = rn_record_new(RN_T_EVENT);
        char name[32];
        snprintf(name, sizeof name, "event %d", i);
        assert_int_equal(rn_record_set(r, "name", name, strlen(name), &err), RN_OK);
        assert_int_equal(rn_store_put(s, r, RN_PUT_CREATE, &err), RN_OK);
        rn_record_free(r);
    }
    if (commit)
        assert_int_equal(rn_store_commit(s, &err), RN_OK);
    else
        rn_store_rollback(s);
}

static int64_t q1(const char *sql)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

static int exec_sql(const char *sql)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    int rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
    sqlite3_close(h);
    return rc;
}

static size_t nproblems;
static char last_problem[512];
static char all_problems[8192]; /* every problem of the last verify, one a line */
static void collect(void *ctx, const rn_ledger_problem *p)
{
    (void)ctx;
    nproblems++;
    snprintf(last_problem, sizeof last_problem, "%s %s: %s", p->what, p->id, p->message);
    size_t n = strlen(all_problems);
    snprintf(all_problems + n, sizeof all_problems - n, "%s\n", last_problem);
}

/* A log of n events, as today's store writes them, in dir/now.db (OUT its
 * path): what the migration tests copy into a database of an older schema.
 * The store stays open for more changes when `keep` is given. */
static void log_now(char *now, size_t cap, int n, rn_store **keep)
{
    rn_store *s = NULL;
    rn_error err;
    snprintf(now, cap, "%s/now.db", dir);
    assert_int_equal(rn_store_open(now, RN_STORE_CREATE, &s, &err), RN_OK);
    add_events(s, n, 1);
    if (keep)
        *keep = s;
    else
        rn_store_close(s);
}

/* Every proof the API gives (from tiles) equals the proof from the leaves. */
static void check_proofs(rn_ledger *l, uint64_t size)
{
    for (uint64_t i = 0; i < size; i += 1 + size / 7) {
        rn_hash a[RN_PROOF_MAX];
        size_t na;
        rn_ledger_proof p;
        rn_error err;
        assert_int_equal(rn__merkle_consistency_proof(rn__ledger_leaf_source, l->db, i + 1,
                                                      size, a, &na),
                         RN_OK);
        assert_int_equal(rn_ledger_consistency(l, i + 1, size, &p, &err), RN_OK);
        assert_int_equal(p.n, na);
        assert_memory_equal(p.hash, a, na * 32);
        assert_int_equal(rn__merkle_inclusion_proof(rn__ledger_leaf_source, l->db, i, size, a,
                                                    &na),
                         RN_OK);
        rn__tile_reader *r;
        assert_int_equal(rn__tile_reader_open(l->db, &r), RN_OK);
        rn_hash b[RN_PROOF_MAX];
        size_t nb;
        assert_int_equal(rn__merkle_inclusion_proof_nodes(rn__tile_node, r, i, size, b, &nb),
                         RN_OK);
        assert_int_equal(r->fallbacks, 0); /* every node came from a tile */
        assert_true(r->tiles_read <= 3 * 2);
        rn__tile_reader_close(r);
        assert_int_equal(na, nb);
        assert_memory_equal(a, b, na * 32);
    }
}

/* After a migration: the log of `size` entries verifies, takes 10 more
 * and verifies again; then (s closed) every proof from its tiles equals
 * the proof from its leaves. */
static void verify_grow_prove(rn_store *s, uint64_t size)
{
    rn_error err;
    rn_ledger_verify_stats st;
    nproblems = 0;
    assert_int_equal(rn_ledger_verify(s, db, NULL, 0, collect, NULL, &st, &err), RN_OK);
    add_events(s, 10, 1);
    nproblems = 0;
    assert_int_equal(rn_ledger_verify(s, db, NULL, 0, collect, NULL, &st, &err), RN_OK);
    assert_int_equal(nproblems, 0);
    rn_store_close(s);
    rn_ledger *l = NULL;
    assert_int_equal(rn_ledger_open(db, RN_LEDGER_READONLY, &l, &err), RN_OK);
    check_proofs(l, size + 10);
    rn_ledger_close(l);
}

static void test_stored(void **state)
{
    (void)state;
    rn_store *s = NULL;
    rn_error err;
    assert_int_equal(rn_store_open(db, RN_STORE_CREATE, &s, &err), RN_OK);
    add_events(s, 300, 1);
    /* T1 after one transaction of 300 entries. */
    assert_int_equal(q1("SELECT count(*) FROM ledger_tile"), 3);
    assert_int_equal(q1("SELECT length(hashes) FROM ledger_tile WHERE level=0 AND idx=1"),
                     44 * 32);
    assert_int_equal(q1("SELECT length(hashes) FROM ledger_tile WHERE level=1 AND idx=0"), 32);
    /* A rolled-back transaction leaves no tile behind (T4). */
    add_events(s, 600, 0);
    assert_int_equal(q1("SELECT count(*) FROM ledger_tile"), 3);
    assert_int_equal(q1("SELECT length(hashes) FROM ledger_tile WHERE level=0 AND idx=1"),
                     44 * 32);
    /* Single-entry transactions grow the partial tile. */
    for (int i = 0; i < 5; i++)
        add_events(s, 1, 1);
    assert_int_equal(q1("SELECT length(hashes) FROM ledger_tile WHERE level=0 AND idx=1"),
                     49 * 32);
    add_events(s, 250, 1);
    assert_int_equal(q1("SELECT count(*) FROM ledger_tile WHERE level=0"), 3);
    assert_int_equal(q1("SELECT length(hashes) FROM ledger_tile WHERE level=1 AND idx=0"), 64);

    rn_ledger *l = NULL;
    assert_int_equal(rn_ledger_open(db, RN_LEDGER_READONLY, &l, &err), RN_OK);
    uint64_t size;
    assert_int_equal(rn_ledger_size(l, &size, &err), RN_OK);
    assert_int_equal(size, 555);
    check_proofs(l, size);
    check_proofs(l, 300);
    /* Serving: full and partial tiles of the sealed tree, nothing beyond. */
    uint8_t *data;
    size_t len;
    assert_int_equal(rn_ledger_tile(l, 0, 0, 256, &data, &len, &err), RN_OK);
    assert_int_equal(len, 8192);
    rn_hash leaf0;
    assert_int_equal(rn__ledger_leaf_source(l->db, 0, 1, &leaf0), RN_OK);
    assert_memory_equal(data, leaf0, 32);
    rn_free(data);
    assert_int_equal(rn_ledger_tile(l, 0, 2, 43, &data, &len, &err), RN_OK);
    assert_int_equal(len, 43 * 32);
    rn_free(data);
    assert_int_equal(rn_ledger_tile(l, 0, 2, 44, &data, &len, &err), RN_ENOTFOUND);
    assert_int_equal(rn_ledger_tile(l, 0, 2, 256, &data, &len, &err), RN_ENOTFOUND);
    assert_int_equal(rn_ledger_tile(l, 1, 0, 2, &data, &len, &err), RN_OK);
    rn_free(data);
    assert_int_equal(rn_ledger_tile(l, 1, 0, 3, &data, &len, &err), RN_ENOTFOUND);
    assert_int_equal(rn_ledger_tile(l, 2, 0, 1, &data, &len, &err), RN_ENOTFOUND);
    rn_ledger_close(l);

    /* verify agrees; the trigger refuses to change a tile; a changed tile
     * (trigger dropped) is named by verify (V9). */
    rn_ledger_verify_stats st;
    nproblems = 0;
    assert_int_equal(rn_ledger_verify(s, db, NULL, 0, collect, NULL, &st, &err), RN_OK);
    assert_int_equal(nproblems, 0);
    assert_int_not_equal(exec_sql("UPDATE ledger_tile SET hashes = zeroblob(32) WHERE"
                                  " level = 1"), SQLITE_OK);
    assert_int_not_equal(exec_sql("DELETE FROM ledger_tile WHERE level = 1"), SQLITE_OK);
    assert_int_equal(exec_sql("DROP TRIGGER ledger_tile_grow; UPDATE ledger_tile SET hashes ="
                              " zeroblob(64) WHERE level = 1"), SQLITE_OK);
    nproblems = 0;
    assert_int_equal(rn_ledger_verify(s, db, NULL, 0, collect, NULL, &st, &err), RN_ETAMPER);
    assert_int_equal(nproblems, 1);
    assert_non_null(strstr(last_problem, "tile 1/0"));
    /* An extra tile is named too. */
    assert_int_equal(exec_sql("INSERT INTO ledger_tile VALUES (3, 0, zeroblob(32))"),
                     SQLITE_OK);
    nproblems = 0;
    assert_int_equal(rn_ledger_verify(s, db, NULL, 0, collect, NULL, &st, &err), RN_ETAMPER);
    assert_int_equal(nproblems, 2);
    rn_store_close(s);
}

/* A log from before schema 8 gets its tiles when it is migrated, and (13)
 * its format-2 rows become compact, all but one whose disclosures were
 * changed before: that one stays as it was (S3) and verify names it. */
static void test_migration(void **state)
{
    (void)state;
    rn_store *s = NULL;
    rn_error err;
    char now[600];
    /* a log of 600 entries at schema 7 (rn__store_create_at), as today's
     * store wrote them into a database of today's schema */
    log_now(now, sizeof now, 600, NULL);
    rn_test_full_rows(now, ""); /* the rows as schema 7 stored them (full form) */
    assert_int_equal(rn__store_create_at(db, 7, &err), RN_OK);
    assert_int_equal(rn__store_create_at(db, 7, &err), RN_EEXISTS);
    assert_int_equal(q1("SELECT count(*) FROM sqlite_schema WHERE name = 'ledger_tile'"), 0);
    rn_test_copy_tables(db, now);
    assert_int_equal(q1("PRAGMA user_version"), 7);
    assert_int_equal(q1("SELECT count(*) FROM ledger_entry"), 600);
    /* Read-only and not migrated: proofs still come, from the leaves. */
    rn_ledger *l = NULL;
    assert_int_equal(rn_ledger_open(db, RN_LEDGER_READONLY, &l, &err), RN_OK);
    rn_ledger_proof p;
    assert_int_equal(rn_ledger_consistency(l, 100, 600, &p, &err), RN_OK);
    rn_ledger_close(l);
    assert_int_equal(rn_store_open(db, 0, &s, &err), RN_OK);
    assert_int_equal(q1("SELECT count(*) FROM ledger_tile"), 4);
    assert_int_equal(q1("PRAGMA user_version") >= 8, 1);
    /* 13: every entry compact, none full */
    assert_int_equal(q1("SELECT count(*) FROM ledger_entry WHERE length(body) = 0 AND time"
                        " IS NOT NULL"), 600);
    verify_grow_prove(s, 600);
}

/* S3: migration 13 compacts a row only when its compact form rebuilds its
 * bytes exactly. A row whose disclosure was changed before the migration
 * stays full, with its original bytes, and verify still names it. */
static void test_migration_keeps_damaged(void **state)
{
    (void)state;
    rn_store *s = NULL;
    rn_error err;
    char now[600];
    /* 20 entries in full form (as the schema before 0013 stored them), one
     * with a changed disclosure, in a database of that schema */
    log_now(now, sizeof now, 20, NULL);
    rn_test_full_rows(now, "UPDATE le7 SET disclosures = CAST(replace(CAST(disclosures AS TEXT),"
                 " 'event ', 'EVENT ') AS BLOB) WHERE seq = 5");
    /* the schema version before the migration that compacts (0013) */
    int before = rn_test_schema_before("rn__ledger_compact");
    assert_int_equal(rn__store_create_at(db, before, &err), RN_OK);
    rn_test_copy_tables(db, now);
    assert_int_equal(q1("PRAGMA user_version"), before);
    assert_int_equal(rn_store_open(db, 0, &s, &err), RN_OK);
    assert_int_equal(q1("SELECT count(*) FROM ledger_entry WHERE length(body) = 0"), 19);
    assert_int_equal(q1("SELECT seq FROM ledger_entry WHERE length(body) > 0 AND time IS NULL"),
                     5);
    rn_ledger_verify_stats st;
    nproblems = 0;
    all_problems[0] = '\0';
    assert_int_equal(rn_ledger_verify(s, db, NULL, 0, collect, NULL, &st, &err), RN_ETAMPER);
    assert_int_equal(nproblems >= 1, 1);
    assert_non_null(strstr(all_problems, "entry 5 (record"));
    assert_non_null(strstr(all_problems, "do not match the digests"));
    rn_store_close(s);
}

/* L3 with the index of deletes: a record created again after its delete
 * links to the delete; an update links to the record's last entry. */
static void test_prev_after_delete(void **state)
{
    (void)state;
    rn_store *s = NULL;
    rn_error err;
    assert_int_equal(rn_store_open(db, RN_STORE_CREATE, &s, &err), RN_OK);
    rn_record *r = rn_record_new(RN_T_EVENT);
    assert_int_equal(rn_record_set(r, "name", "once", 4, &err), RN_OK);
    assert_int_equal(rn_store_put(s, r, RN_PUT_CREATE, &err), RN_OK);
    char id[RN_ID_LEN + 1];
    memcpy(id, rn_record_id(r), sizeof id);
    add_events(s, 3, 1);
    assert_int_equal(rn_store_delete(s, id, &err), RN_OK);
    add_events(s, 2, 1);
    assert_int_equal(rn_store_put(s, r, RN_PUT_CREATE, &err), RN_OK); /* again */
    assert_int_equal(rn_record_set(r, "name", "twice", 5, &err), RN_OK);
    assert_int_equal(rn_store_put(s, r, RN_PUT_REPLACE, &err), RN_OK);
    rn_record_free(r);
    /* entries of id: 0 create, 4 delete, 7 create, 8 update */
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM ledger_entry a JOIN ledger_entry b ON"
             " b.record_id = a.record_id AND b.seq = (SELECT max(seq) FROM ledger_entry c"
             " WHERE c.record_id = a.record_id AND c.seq < a.seq) WHERE a.record_id = '%s'"
             " AND a.prev = b.leaf_hash", id);
    assert_int_equal(q1(sql), 3);
    rn_ledger_verify_stats st;
    nproblems = 0;
    assert_int_equal(rn_ledger_verify(s, db, NULL, 0, collect, NULL, &st, &err), RN_OK);
    assert_int_equal(nproblems, 0);
    rn_store_close(s);
}

/* The one text value of `sql` (malloc'd; "" for NULL). */
static char *rows_of(const char *sql)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const char *t = (const char *)sqlite3_column_text(st, 0);
    char *v = strdup(t ? t : "");
    assert_non_null(v);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

/* Every row of ledger_entry, every column quoted, in seq order: one string
 * to compare the table before and after a migration. */
static char *entry_rows(void)
{
    return rows_of("SELECT group_concat(r, char(10)) FROM (SELECT quote(seq) || ',' ||"
                   " quote(record_id) || ',' || quote(type) || ',' || quote(op) || ',' ||"
                   " quote(body) || ',' || quote(leaf_hash) || ',' || quote(disclosures) || ','"
                   " || quote(time) || ',' || quote(prev) AS r FROM ledger_entry ORDER BY seq)");
}

/* Migration 15 rebuilds ledger_entry with its op check written without IN
 * (an IN list cost an ephemeral B-tree per appended entry): the same rows,
 * byte for byte (creates, updates, deletes, prev links), the same checks,
 * indexes and append-only triggers; the log verifies and grows after it. */
static void test_migration_op_check(void **state)
{
    (void)state;
    rn_store *s = NULL;
    rn_error err;
    char now[600];
    log_now(now, sizeof now, 300, &s);
    rn_record *r = rn_record_new(RN_T_EVENT);
    assert_int_equal(rn_record_set(r, "name", "once", 4, &err), RN_OK);
    assert_int_equal(rn_store_put(s, r, RN_PUT_CREATE, &err), RN_OK);
    char id[RN_ID_LEN + 1];
    memcpy(id, rn_record_id(r), sizeof id);
    assert_int_equal(rn_record_set(r, "name", "twice", 5, &err), RN_OK);
    assert_int_equal(rn_store_put(s, r, RN_PUT_REPLACE, &err), RN_OK);
    assert_int_equal(rn_store_delete(s, id, &err), RN_OK);
    rn_record_free(r);
    rn_store_close(s);
    /* the same log in a database of the schema before 16 */
    int before = rn_test_schema_before("ledger_entry_0015");
    assert_int_equal(rn__store_create_at(db, (unsigned)before, &err), RN_OK);
    rn_test_copy_tables(db, now);
    assert_int_equal(q1("SELECT count(*) FROM sqlite_schema WHERE name = 'ledger_entry' AND"
                        " sql LIKE '%op IN (''c'', ''u'', ''d'')%'"), 1);
    char *rows = entry_rows();
    /* every index and trigger on the table, as SQL: 16 must recreate each
     * (a DROP TABLE drops them silently; one added by a migration before
     * 16 that 16 does not recreate fails here) */
    static const char objs[] = "SELECT group_concat(type || ' ' || name || ': ' || sql, char(10))"
                               " FROM (SELECT * FROM sqlite_schema WHERE tbl_name ="
                               " 'ledger_entry' AND type != 'table' ORDER BY name)";
    char *objects = rows_of(objs);
    assert_non_null(strstr(objects, "ledger_entry_record"));
    assert_int_equal(q1("SELECT count(*) FROM ledger_entry"), 303);
    assert_int_equal(q1("SELECT count(DISTINCT op) FROM ledger_entry"), 3);

    assert_int_equal(rn_store_open(db, 0, &s, &err), RN_OK);
    assert_int_equal(q1("PRAGMA user_version") > before, 1);
    char *rows2 = entry_rows();
    assert_string_equal(rows, rows2); /* lossless */
    free(rows2);
    char *objects2 = rows_of(objs);
    assert_string_equal(objects, objects2);
    free(objects);
    free(objects2);
    assert_int_equal(q1("SELECT count(*) FROM sqlite_schema WHERE name = 'ledger_entry' AND"
                        " sql LIKE '% IN (%'"), 0);
    assert_int_equal(q1("SELECT count(*) FROM sqlite_schema WHERE tbl_name = 'ledger_entry'"
                        " AND name IN ('ledger_entry_record', 'ledger_entry_deleted',"
                        " 'ledger_entry_no_update', 'ledger_entry_no_delete')"), 4);
    assert_int_equal(q1("SELECT count(*) FROM sqlite_schema WHERE name LIKE '%0015%'"), 0);
    /* the checks refuse what they refused; the triggers keep it append-only */
    static const char *const refused[] = {
        "INSERT INTO ledger_entry(seq, record_id, type, op, body, leaf_hash) VALUES (1000,"
        " 'x', 'event', 'x', x'', zeroblob(32))",
        "INSERT INTO ledger_entry(seq, record_id, type, op, body, leaf_hash) VALUES (1000,"
        " 'x', 'event', 'C', x'', zeroblob(32))",
        "INSERT INTO ledger_entry(seq, record_id, type, op, body, leaf_hash) VALUES (1000,"
        " 'x', 'event', 'cu', x'', zeroblob(32))",
        "INSERT INTO ledger_entry(seq, record_id, type, op, body, leaf_hash) VALUES (-1,"
        " 'x', 'event', 'c', x'', zeroblob(32))",
        "INSERT INTO ledger_entry(seq, record_id, type, op, body, leaf_hash) VALUES (1000,"
        " 'x', 'event', 'c', x'', zeroblob(31))",
        "INSERT INTO ledger_entry(seq, record_id, type, op, body, leaf_hash, time) VALUES"
        " (1000, 'x', 'event', 'c', x'', zeroblob(32), -1)",
        "INSERT INTO ledger_entry(seq, record_id, type, op, body, leaf_hash, prev) VALUES"
        " (1000, 'x', 'event', 'c', x'', zeroblob(32), x'00')",
        "UPDATE ledger_entry SET op = 'u' WHERE seq = 3",
        "DELETE FROM ledger_entry WHERE seq = 302",
    };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
        if (exec_sql(refused[i]) != SQLITE_CONSTRAINT)
            fail_msg("accepted: %s", refused[i]);
    /* ... and accept the three ops (rolled back) */
    assert_int_equal(exec_sql("BEGIN; INSERT INTO ledger_entry(seq, record_id, type, op, body,"
                              " leaf_hash) VALUES (1000, 'x', 'event', 'c', x'', zeroblob(32)),"
                              " (1001, 'x', 'event', 'u', x'', zeroblob(32)), (1002, 'x',"
                              " 'event', 'd', x'', zeroblob(32)); ROLLBACK"),
                     SQLITE_OK);
    assert_int_equal(q1("SELECT count(*) FROM ledger_entry"), 303);
    verify_grow_prove(s, 303);
    free(rows);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tile_shape),
        cmocka_unit_test(test_tile_hashes),
        cmocka_unit_test(test_proofs_from_tiles),
        cmocka_unit_test(test_paths),
        cmocka_unit_test_setup_teardown(test_stored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration_keeps_damaged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prev_after_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration_op_check, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
