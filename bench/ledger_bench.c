/* SPDX-License-Identifier: Apache-2.0
 *
 * ledger_bench.c — evidence-log benchmarks, each measured against a baseline
 * in the same run:
 *   1. log append (leaf hash + frontier update) vs raw SHA-256 over the same
 *      entry bytes; the goal is at least half the raw hashing rate;
 *      "raw SHA-256" is measured twice: libsodium's crypto_hash_sha256
 *      (portable C: the log's hash when the goal was set, and
 *      remnant-verify's) and the log's own rn__sha256 (lib/ledger/sha256.c:
 *      OpenSSL's libcrypto, SHA-NI where the CPU has it); each ratio names
 *      which;
 *   2. the full append inside SQLite (rn__ledger_append: canonical format-2
 *      entry with its salted disclosures, prev link, one prepared INSERT,
 *      the tiles) for N records in one transaction, then one seal, in a
 *      database the store made (rn_store_open: its migrations, page size,
 *      pragmas), against raw SHA-256 over the very entry bytes it wrote
 *      (read back, then hashed, a chunk at a time in turn with the
 *      append); and what SQLite alone costs, in the same run and database:
 *      the INSERT of the log's own rows (the same stored columns) into a
 *      copy of ledger_entry with its checks and indexes, and the floor, its
 *      bare B-tree insert of the entry bytes (key + one blob);
 *   3. proof sizes and inclusion / consistency proof verification time at
 *      1M and 10M entries;
 *   4. proof generation from the tiles (lib/ledger/tiles.c) in an SQLite
 *      database holding the tiles of 1M and 10M synthetic leaves: time,
 *      tile rows and stored hashes read per proof, against rebuilding the
 *      same proof from the leaf hashes (the way before tiles, here from
 *      leaves computed in memory: a lower bound of its cost).
 *
 * Build (from the source folder; bench/run does this):
 *   cc -O2 -std=c17 -D_DEFAULT_SOURCE -Iinclude -Ilib bench/ledger_bench.c \
 *      build/libremnant.a $(pkg-config --libs ...) -lm -o ledger_bench
 * Run: ./ledger_bench [ENTRIES (default 1000000)] [append|sqlite|sqlite-batch|proofs|tiles]
 *      (sqlite-batch: part 2 as an import appends, its rows written 1024 at
 *      a time: rn__ledger_batch)
 *      ./ledger_bench ENTRIES sqlite 'SQL'   part 2 after running SQL on the
 *      store's fresh database (a schema to try: docs/BENCHMARKS.md "Log
 *      append, branch append2")
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "ledger/ledger_int.h"
#include "remnant/store.h"
#include "store/store_int.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this thread: the development machine is shared by parallel
 * builds, and wall time there says more about them than about this code. */
static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A realistic entry: ~300 bytes of canonical JSON. */
static size_t make_entry(uint64_t i, char *buf, size_t cap)
{
    int n = snprintf(buf, cap,
                     "{\"author\":\"investigator-%llu\",\"id\":\"01M8JM8X5X7J"
                     "%014llu\",\"op\":\"create\",\"prev\":null,\"record\":{"
                     "\"event\":\"01M8JM8X5E8RJGV74HWFN9B37K\",\"id\":\"01M8JM"
                     "8X5X7J%014llu\",\"kind\":\"component\",\"manufacturer\":"
                     "\"Example Semiconductor\",\"name\":\"board %llu\","
                     "\"type\":\"item\"},\"seq\":%llu,\"time\":\"2026-11-29T"
                     "03:06:13.053Z\",\"type\":\"item\"}",
                     (unsigned long long)(i % 7), (unsigned long long)i,
                     (unsigned long long)i, (unsigned long long)i,
                     (unsigned long long)i);
    return (size_t)n;
}

/* Synthetic leaf i: H(0x00 || le64(i)), computed on demand (no memory). */
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

static void bench_append(uint64_t n)
{
    char buf[512];
    size_t total = 0;
    rn_hash h;
    /* Raw SHA-256 over the same bytes, one hash per entry: libsodium's,
     * then the log's own (rn__sha256). */
    double t0 = now();
    for (uint64_t i = 0; i < n; i++) {
        size_t len = make_entry(i, buf, sizeof buf);
        crypto_hash_sha256(h, (const uint8_t *)buf, len);
        total += len;
    }
    double raw = now() - t0;
    t0 = now();
    for (uint64_t i = 0; i < n; i++) {
        size_t len = make_entry(i, buf, sizeof buf);
        rn__sha256(buf, len, h);
    }
    double raw_ni = now() - t0;
    /* The formatting alone, to subtract from both. */
    t0 = now();
    size_t sink = 0;
    for (uint64_t i = 0; i < n; i++)
        sink += make_entry(i, buf, sizeof buf);
    double fmt = now() - t0;
    if (sink != total)
        return;
    rn_frontier f;
    rn__frontier_init(&f);
    t0 = now();
    for (uint64_t i = 0; i < n; i++) {
        size_t len = make_entry(i, buf, sizeof buf);
        rn__merkle_leaf_hash(buf, len, h);
        (void)rn__frontier_append(&f, h);
    }
    rn__frontier_root(&f, h);
    double app = now() - t0;
    double bytes = (double)total;
    double raw_net = raw - fmt, app_net = app - fmt, ni_net = raw_ni - fmt;
    printf("1. %llu entries, %.1f MB of entry bytes (avg %.0f B)\n",
           (unsigned long long)n, bytes / 1e6, bytes / (double)n);
    printf("   raw SHA-256, libsodium:  %8.1f MB/s  %9.0f entries/s\n",
           bytes / raw_net / 1e6, (double)n / raw_net);
    printf("   raw SHA-256, the log's (%s): %8.1f MB/s  %9.0f entries/s\n",
           rn__sha256_backend(), bytes / ni_net / 1e6, (double)n / ni_net);
    printf("   log append (tree):  %8.1f MB/s  %9.0f entries/s  = %.2f x raw libsodium,"
           " %.2f x raw %s (goal >= 0.5)\n",
           bytes / app_net / 1e6, (double)n / app_net, raw_net / app_net, ni_net / app_net,
           rn__sha256_backend());
}

/* Apply the migrations the log's tables come from (run from the source
 * folder). */
static int ledger_schema(sqlite3 *db)
{
    static const char *const files[] = {"lib/store/migrations/0002_ledger.sql",
                                        "lib/store/migrations/0005_disclosure.sql",
                                        "lib/store/migrations/0008_tiles.sql",
                                        "lib/store/migrations/0013_entry_compact.sql"};
    static char sql[1 << 16];
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        FILE *m = fopen(files[i], "r");
        if (!m)
            return -1;
        size_t sl = fread(sql, 1, sizeof sql - 1, m);
        sql[sl] = '\0';
        fclose(m);
        if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
            return -1;
    }
    return 0;
}

static void rm_db(const char *path)
{
    char more[300];
    snprintf(more, sizeof more, "%s-wal", path);
    unlink(more);
    snprintf(more, sizeof more, "%s-shm", path);
    unlink(more);
    unlink(path);
}

/* Remove the store's files in dir (the database, its WAL, any key), then
 * dir. */
static void rm_store_dir(const char *dir)
{
    static const char *const sfx[] = {"", "-wal", "-shm", "-journal", ".key", ".key.last"};
    char p[300];
    for (size_t i = 0; i < sizeof sfx / sizeof *sfx; i++) {
        snprintf(p, sizeof p, "%s/log.db%s", dir, sfx[i]);
        unlink(p);
    }
    rmdir(dir);
}

/* Entry bytes and disclosures read back from the log, one chunk at a time. */
typedef struct row { /* the stored columns of one entry (compact form) */
    char id[40], type[16], op;
    uint8_t leaf[RN_HASH_LEN], prev[RN_HASH_LEN];
    int has_prev;
    int64_t time;
    size_t doff, dlen; /* its disclosures in chunk.dall */
} row;

typedef struct chunk {
    char *all, *dall;   /* entry bytes back to back; disclosures, '\n' after each line set */
    size_t total, cap;  /* bytes in all */
    size_t dtotal, dcap;
    size_t *lens;       /* each entry's length */
    row *rows;
    size_t cnt;
} chunk;

static int grow(char **p, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    char *q = realloc(*p, need * 2);
    if (!q)
        return -1;
    *p = q;
    *cap = need * 2;
    return 0;
}

/* Read entries [from, to) through the stored form (S1), as every reader
 * does, into c (emptied first). */
static int read_chunk(sqlite3_stmt *st, uint64_t from, uint64_t to, chunk *c)
{
    char ebuf[RN_ENTRY_V2_MAX];
    c->total = c->dtotal = c->cnt = 0;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)from);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)to);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *eb;
        size_t l, dl = (size_t)sqlite3_column_bytes(st, 5);
        if (rn__ledger_entry_bytes(st, 0, ebuf, sizeof ebuf, &eb, &l) != RN_OK ||
            grow(&c->all, &c->cap, c->total + l) || grow(&c->dall, &c->dcap, c->dtotal + dl + 1))
            break;
        memcpy(c->all + c->total, eb, l);
        row *r = &c->rows[c->cnt];
        snprintf(r->id, sizeof r->id, "%s", (const char *)sqlite3_column_text(st, 1));
        snprintf(r->type, sizeof r->type, "%s", (const char *)sqlite3_column_text(st, 2));
        r->op = *(const char *)sqlite3_column_text(st, 3);
        r->time = sqlite3_column_int64(st, 6);
        r->has_prev = sqlite3_column_bytes(st, 7) == RN_HASH_LEN;
        if (r->has_prev)
            memcpy(r->prev, sqlite3_column_blob(st, 7), RN_HASH_LEN);
        if (sqlite3_column_bytes(st, RN_ENTRY_NCOLS) != RN_HASH_LEN)
            break;
        memcpy(r->leaf, sqlite3_column_blob(st, RN_ENTRY_NCOLS), RN_HASH_LEN);
        r->doff = c->dtotal;
        r->dlen = dl;
        c->lens[c->cnt++] = l;
        c->total += l;
        memcpy(c->dall + c->dtotal, sqlite3_column_blob(st, 5), dl);
        c->dtotal += dl;
        c->dall[c->dtotal++] = '\n';
    }
    sqlite3_reset(st);
    return c->cnt == to - from ? 0 : -1;
}

/* CPU seconds of raw SHA-256 over each entry of c (k = 0: libsodium, 1: the
 * log's rn__sha256); OUT *disc the same over each disclosure. */
static double raw_hash(const chunk *c, int k, double *disc)
{
    rn_hash h;
    double r0 = cpu();
    for (size_t i = 0, off = 0; i < c->cnt; off += c->lens[i], i++)
        if (k)
            rn__sha256(c->all + off, c->lens[i], h);
        else
            crypto_hash_sha256(h, (const uint8_t *)c->all + off, c->lens[i]);
    double r1 = cpu();
    for (size_t off = 0; off < c->dtotal;) {
        const char *end = c->dall + off, *nl;
        /* one disclosure a line; the last line of an entry ends with '\n' too */
        nl = memchr(end, '\n', c->dtotal - off);
        size_t l = (size_t)(nl - end);
        if (k)
            rn__sha256(end, l, h);
        else
            crypto_hash_sha256(h, (const uint8_t *)end, l);
        off += l + 1;
    }
    *disc = cpu() - r1;
    return r1 - r0;
}

#define CHUNK 4096 /* entries appended, then hashed raw, in turn */
_Static_assert(CHUNK % RN__LEDGER_BATCH == 0, "a chunk read back ends on a whole batch");

static void bench_sqlite(uint64_t n, const char *alter, int batch)
{
    /* a batch's rows are written when it fills (or the log reads itself):
     * the chunks read back below end on whole batches (CHUNK is 4 of them) */
    if (batch)
        n -= n % RN__LEDGER_BATCH;
    /* The database is made by the store itself (rn_store_open): its
     * migrations, page size, pragmas and connection flags, as an import
     * sees them. */
    char dir[] = "/tmp/rn_ledger_bench_XXXXXX", path[300];
    if (!mkdtemp(dir))
        return;
    snprintf(path, sizeof path, "%s/log.db", dir);
    rn_store *s = NULL;
    rn_error err;
    rn_error_clear(&err);
    if (rn_store_open(path, RN_STORE_CREATE, &s, &err) != RN_OK) {
        printf("2. cannot create a store: %s\n", err.message);
        rm_store_dir(dir);
        return;
    }
    sqlite3 *db = rn__store_db(s);
    sqlite3_stmt *rd = NULL, *st = NULL;
    /* a schema to try instead of the store's (third argument), to measure
     * what a change to ledger_entry would buy before making it */
    if (alter && sqlite3_exec(db, alter, NULL, NULL, NULL) != SQLITE_OK) {
        printf("2. cannot alter the schema: %s\n", sqlite3_errmsg(db));
        rn_store_close(s);
        rm_store_dir(dir);
        return;
    }
    if (alter)
        printf("2. schema altered first: %s\n", alter);
    chunk c = {0};
    struct rec { /* one record to append: made before the clock starts */
        char id[40], rec[256];
        int len;
    } *recs = calloc(CHUNK, sizeof *recs);
    c.lens = calloc(CHUNK, sizeof *c.lens);
    c.rows = calloc(CHUNK, sizeof *c.rows);
    if (!recs || !c.lens || !c.rows ||
        sqlite3_prepare_v2(db, "SELECT " RN_ENTRY_COLS("") ", leaf_hash FROM ledger_entry WHERE"
                               " seq >= ?1 AND seq < ?2 ORDER BY seq",
                           -1, &rd, NULL) != SQLITE_OK) {
        printf("2. cannot read the log: %s\n", sqlite3_errmsg(db));
        goto out;
    }
    /* The append and the raw hashes over the bytes it wrote take turns, a
     * chunk at a time, so that both run under the same load on a shared
     * machine; reading a chunk back is timed apart. */
    double app = 0, readback = 0, raw[2] = {0, 0}, rawd[2] = {0, 0};
    size_t total = 0, dtotal = 0;
    double t0 = now();
    sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (batch) /* as an import appends: rows written 1024 at a time */
        rn__ledger_batch(db);
    for (uint64_t i = 0; i < n;) {
        uint64_t from = i, to = n - i < CHUNK ? n : i + CHUNK;
        /* the chunk's records are made before the clock starts: the
         * append's time is rn__ledger_append's alone (until 2026-12-02
         * evening it also held these two snprintf calls per entry) */
        for (uint64_t k = from; k < to; k++) {
            char *id = recs[k - from].id;
            snprintf(id, sizeof recs->id, "01M8JM8X5X7J%014llu", (unsigned long long)k);
            recs[k - from].len = snprintf(recs[k - from].rec, sizeof recs->rec,
                                          "{\"event\":\"01M8JM8X5E8RJGV74HWFN9B37K\",\"id\":"
                                          "\"%s\",\"kind\":\"component\",\"name\":\"board"
                                          " %llu\",\"type\":\"item\"}",
                                          id, (unsigned long long)k);
        }
        double c0 = cpu();
        for (; i < to; i++) {
            const struct rec *r = &recs[i - from];
            if (rn__ledger_append(db, RN_T_ITEM, r->id, 'c', r->rec, (size_t)r->len,
                                  "investigator", NULL, &err) != RN_OK) {
                printf("append failed: %s\n", err.message);
                goto out;
            }
        }
        app += cpu() - c0;
        c0 = cpu();
        if (read_chunk(rd, from, to, &c) != 0) {
            printf("2. cannot read entries %llu.. back\n", (unsigned long long)from);
            goto out;
        }
        readback += cpu() - c0;
        total += c.total;
        dtotal += c.dtotal;
        for (int k = 0; k < 2; k++) {
            double d;
            raw[k] += raw_hash(&c, k, &d);
            rawd[k] += d;
        }
    }
    double t1 = now();
    if (rn__ledger_seal(db, path, &err) != RN_OK)
        printf("seal failed: %s\n", err.message);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    double t2 = now();
    rn__ledger_detach(db);
    /* The database's size per entry (the stored form, stored.c). */
    double dbbytes = 0, tblbytes = 0;
    if (sqlite3_prepare_v2(db, "SELECT page_count * page_size FROM pragma_page_count,"
                               " pragma_page_size", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        dbbytes = (double)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db, "SELECT sum(length(body) + length(disclosures) +"
                               " ifnull(length(prev), 0) + 8 + length(record_id) + 32)"
                               " FROM ledger_entry", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        tblbytes = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    /* What SQLite alone costs, in the same database, each in one
     * transaction and in turn with raw libsodium SHA-256 of the same chunk,
     * as above: (0) the floor: its bare B-tree insert of the same entry
     * bytes, one row each (key seq, one blob: no other column, index or
     * constraint); (1) the log's own rows: the same stored columns bound as
     * the append binds them, into a copy of ledger_entry (same columns,
     * checks and indexes), without building or hashing any entry. */
    double ins[2] = {0, 0}, raw_f[2] = {0, 0};
    int ok[2];
    for (int kind = 0; kind < 2; kind++) {
        ok[kind] = sqlite3_exec(db, kind ? "SELECT 1" : "CREATE TABLE bench_bare (seq INTEGER"
                                                        " PRIMARY KEY, data BLOB) STRICT",
                                NULL, NULL, NULL) == SQLITE_OK;
        if (kind && ok[kind] &&
            sqlite3_prepare_v2(db, "SELECT replace(sql, 'ledger_entry', 'bench_entry') FROM"
                                   " sqlite_schema WHERE tbl_name = 'ledger_entry' AND type IN"
                                   " ('table', 'index') AND sql IS NOT NULL ORDER BY type"
                                   " DESC", -1, &st, NULL) == SQLITE_OK) {
            while (ok[kind] && sqlite3_step(st) == SQLITE_ROW)
                ok[kind] = sqlite3_exec(db, (const char *)sqlite3_column_text(st, 0), NULL, NULL,
                                        NULL) == SQLITE_OK;
            sqlite3_finalize(st);
        }
        st = NULL;
        ok[kind] = ok[kind] &&
                   sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK &&
                   sqlite3_prepare_v3(db, kind ? "INSERT INTO bench_entry(seq, record_id, type,"
                                                 " op, body, leaf_hash, disclosures, time, prev)"
                                                 " VALUES (?1, ?2, ?3, ?4, x'', ?6, ?7, ?8, ?9)"
                                               : "INSERT INTO bench_bare(seq, data) VALUES (?1,"
                                                 " ?2)",
                                      -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) == SQLITE_OK;
        for (uint64_t i = 0; ok[kind] && i < n;) {
            uint64_t to = n - i < CHUNK ? n : i + CHUNK;
            ok[kind] = read_chunk(rd, i, to, &c) == 0;
            double b0 = cpu();
            for (size_t k = 0, off = 0; ok[kind] && k < c.cnt; off += c.lens[k], k++, i++) {
                const row *r = &c.rows[k];
                sqlite3_bind_int64(st, 1, (sqlite3_int64)i);
                if (kind == 0) {
                    sqlite3_bind_blob(st, 2, c.all + off, (int)c.lens[k], SQLITE_STATIC);
                } else {
                    char opc[2] = {r->op, '\0'};
                    sqlite3_bind_text(st, 2, r->id, -1, SQLITE_STATIC);
                    sqlite3_bind_text(st, 3, r->type, -1, SQLITE_STATIC);
                    sqlite3_bind_text(st, 4, opc, 1, SQLITE_TRANSIENT);
                    sqlite3_bind_blob(st, 6, r->leaf, RN_HASH_LEN, SQLITE_STATIC);
                    sqlite3_bind_blob(st, 7, c.dall + r->doff, (int)r->dlen, SQLITE_STATIC);
                    sqlite3_bind_int64(st, 8, r->time);
                    if (r->has_prev)
                        sqlite3_bind_blob(st, 9, r->prev, RN_HASH_LEN, SQLITE_STATIC);
                    else
                        sqlite3_bind_null(st, 9);
                }
                ok[kind] = sqlite3_step(st) == SQLITE_DONE;
                sqlite3_reset(st);
            }
            ins[kind] += cpu() - b0;
            double d;
            raw_f[kind] += raw_hash(&c, 0, &d);
        }
        sqlite3_finalize(st);
        st = NULL;
        if (ok[kind])
            ok[kind] = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
        else
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    }
    printf("2. SQLite log append%s, %llu entries in one transaction: %.0f entries/s of CPU"
           " (%.2f s CPU, %.2f s wall with the raw hashes between chunks; seal+commit %.3f s"
           " wall)\n",
           batch ? " (an import's: rows batched)" : "", (unsigned long long)n, (double)n / app,
           app, t1 - t0, t2 - t1);
    for (int k = 0; k < 2; k++)
        printf("   raw SHA-256 (%s) of the same %.1f MB of entry bytes: %.3f s CPU = %.0f"
               " entries/s; append = %.2f x raw (goal >= 0.5)\n"
               "   raw SHA-256 (%s) of the entry bytes and each disclosure (%.1f MB more), as"
               " format 2 hashes them: %.3f s CPU; append = %.2f x that\n",
               k ? rn__sha256_backend() : "libsodium", (double)total / 1e6, raw[k],
               (double)n / raw[k], raw[k] / app, k ? rn__sha256_backend() : "libsodium",
               (double)dtotal / 1e6, raw[k] + rawd[k], (raw[k] + rawd[k]) / app);
    printf("   stored: %.0f B of database per entry (%.0f B of entry row data); reading every"
           " entry's bytes back: %.2f us each\n",
           dbbytes / (double)n, tblbytes / (double)n, readback / (double)n * 1e6);
    printf("   per entry: append %.2f us; raw SHA-256 (libsodium) of its bytes %.2f us\n",
           app / (double)n * 1e6, raw[0] / (double)n * 1e6);
    if (ok[1])
        printf("   SQLite alone, the log's rows: INSERT of the same stored columns into a copy"
               " of ledger_entry (its checks and indexes), nothing built or hashed: %.2f us"
               " each = %.0f%% of the append; raw libsodium in turn with it %.2f us each;"
               " this INSERT + raw hash = %.2f x raw libsodium\n",
               ins[1] / (double)n * 1e6, 100 * ins[1] / app, raw_f[1] / (double)n * 1e6,
               raw_f[1] / (raw_f[1] + ins[1]));
    if (ok[0])
        printf("   floor: SQLite's bare B-tree insert of the same entry bytes (key + one blob,"
               " no index): %.2f us each = %.2f x raw libsodium (%.2f us each, in turn with"
               " it); bare insert + raw hash = %.2f x raw libsodium, the most an append that"
               " stores and hashes them reaches\n",
               ins[0] / (double)n * 1e6, raw_f[0] / ins[0], raw_f[0] / (double)n * 1e6,
               raw_f[0] / (raw_f[0] + ins[0]));
out:
    sqlite3_finalize(st);
    sqlite3_finalize(rd);
    free(c.all);
    free(c.dall);
    free(c.lens);
    free(c.rows);
    free(recs);
    rn_store_close(s);
    rm_store_dir(dir);
}

static void bench_proofs(uint64_t size)
{
    rn_hash root, root1, leaf, p[RN_PROOF_MAX], c[RN_PROOF_MAX];
    size_t np, nc;
    double t0 = now();
    if (rn__merkle_range_root(syn, NULL, 0, size, root) != RN_OK)
        return;
    uint64_t idx = size / 3, old = size / 2 + 12345;
    if (rn__merkle_inclusion_proof(syn, NULL, idx, size, p, &np) != RN_OK ||
        rn__merkle_consistency_proof(syn, NULL, old, size, c, &nc) != RN_OK ||
        rn__merkle_range_root(syn, NULL, 0, old, root1) != RN_OK)
        return;
    double build = now() - t0;
    syn(NULL, idx, 1, &leaf);
    const int reps = 200000;
    t0 = now();
    int ok = 0;
    for (int i = 0; i < reps; i++)
        ok += rn__merkle_verify_inclusion(idx, size, leaf, p, np, root) ==
              RN_OK;
    double ti = (now() - t0) / reps;
    t0 = now();
    for (int i = 0; i < reps; i++)
        ok += rn__merkle_verify_consistency(old, size, c, nc, root1, root) ==
              RN_OK;
    double tc = (now() - t0) / reps;
    printf("3. tree of %llu entries (built in %.1f s):\n"
           "   inclusion proof   %2zu hashes = %4zu bytes, verify %.2f us\n"
           "   consistency proof %2zu hashes = %4zu bytes, verify %.2f us"
           " (from size %llu)%s\n",
           (unsigned long long)size, build, np, np * 32, ti * 1e6, nc,
           nc * 32, tc * 1e6, (unsigned long long)old,
           ok == 2 * reps ? "" : "  VERIFY FAILED");
}

/* 4. Proof generation from tiles stored in SQLite. */
static void bench_tiles(uint64_t size)
{
    char path[] = "/tmp/rn_tiles_bench_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return;
    close(fd);
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK || ledger_schema(db) != 0) {
        printf("4. (run from the source folder to include the tiles)\n");
        sqlite3_close(db);
        rm_db(path);
        return;
    }
    sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    rn_tiles *t = calloc(1, sizeof *t);
    rn__tile_writer tw = {db, NULL};
    double t0 = now();
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    rn_hash batch[1024];
    for (uint64_t i = 0; i < size; i += 1024) {
        uint64_t k = size - i < 1024 ? size - i : 1024;
        syn(NULL, i, k, batch);
        for (uint64_t j = 0; j < k; j++)
            (void)rn__tiles_append(t, batch[j], rn__tile_writer_emit, &tw);
    }
    (void)rn__tiles_flush(t, rn__tile_writer_emit, &tw);
    rn__tile_writer_done(&tw);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    double build = now() - t0;
    rn_hash root;
    rn__frontier_root(&t->f, root);
    free(t);
    /* Many proofs at spread indexes, each with a fresh reader (no cache
     * carried between proofs: one proof's cost). */
    const int reps = 2000;
    rn_hash p[RN_PROOF_MAX];
    size_t np = 0;
    uint64_t rows = 0, hashes = 0, rows_c = 0, hashes_c = 0;
    int okc = 0;
    t0 = now();
    for (int r = 0; r < reps; r++) {
        uint64_t idx = (uint64_t)r * 7919u * 104729u % size;
        rn__tile_reader *tr;
        if (rn__tile_reader_open(db, &tr) != RN_OK)
            return;
        if (rn__merkle_inclusion_proof_nodes(rn__tile_node, tr, idx, size, p, &np) != RN_OK)
            printf("inclusion failed\n");
        rows += tr->tiles_read;
        hashes += tr->hashes_read;
        rn__tile_reader_close(tr);
    }
    double ti = (now() - t0) / reps;
    t0 = now();
    for (int r = 0; r < reps; r++) {
        uint64_t old = 1 + (uint64_t)r * 7919u * 104729u % (size - 1);
        rn__tile_reader *tr;
        if (rn__tile_reader_open(db, &tr) != RN_OK)
            return;
        okc += rn__merkle_consistency_proof_nodes(rn__tile_node, tr, old, size, p, &np) ==
               RN_OK;
        rows_c += tr->tiles_read;
        hashes_c += tr->hashes_read;
        rn__tile_reader_close(tr);
    }
    double tc = (now() - t0) / reps;
    /* Check one of each against the root. */
    uint64_t idx = size / 3;
    rn_hash leaf;
    syn(NULL, idx, 1, &leaf);
    rn__tile_reader *tr;
    int ok = 0;
    if (rn__tile_reader_open(db, &tr) == RN_OK) {
        ok = rn__merkle_inclusion_proof_nodes(rn__tile_node, tr, idx, size, p, &np) == RN_OK &&
             rn__merkle_verify_inclusion(idx, size, leaf, p, np, root) == RN_OK;
        rn__tile_reader_close(tr);
    }
    /* Before tiles: the same proof rebuilt from leaf hashes (in memory). */
    t0 = now();
    rn_hash q[RN_PROOF_MAX];
    size_t nq;
    (void)rn__merkle_inclusion_proof(syn, NULL, idx, size, q, &nq);
    double tl = now() - t0;
    sqlite3_int64 dbsize = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT page_count * page_size FROM pragma_page_count,"
                           " pragma_page_size", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        dbsize = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    rm_db(path);
    printf("4. tiles of %llu leaves in SQLite (written in %.1f s, %.0f MB):\n"
           "   inclusion proof from tiles:   %7.1f us, %.1f tile rows, %.0f hashes read"
           " (mean of %d)%s\n"
           "   consistency proof from tiles: %7.1f us, %.1f tile rows, %.0f hashes read"
           " (mean of %d)%s\n"
           "   the inclusion proof rebuilt from the leaf hashes: %.0f us = %.0f x the tiles\n",
           (unsigned long long)size, build, (double)dbsize / 1e6, ti * 1e6,
           (double)rows / reps, (double)hashes / reps, reps, ok ? "" : "  VERIFY FAILED",
           tc * 1e6, (double)rows_c / reps, (double)hashes_c / reps, reps,
           okc == reps ? "" : "  FAILED", tl * 1e6, tl / ti);
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0)
        return 1;
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    const char *only = argc > 2 ? argv[2] : "";
    if (!*only || strcmp(only, "append") == 0)
        bench_append(n);
    if (!*only || strcmp(only, "sqlite") == 0)
        bench_sqlite(n, argc > 3 ? argv[3] : NULL, 0);
    if (!*only || strcmp(only, "sqlite-batch") == 0)
        bench_sqlite(n, argc > 3 ? argv[3] : NULL, 1);
    if (!*only || strcmp(only, "proofs") == 0) {
        bench_proofs(1000000);
        bench_proofs(10000000);
    }
    if (!*only || strcmp(only, "tiles") == 0) {
        bench_tiles(1000000);
        bench_tiles(10000000);
    }
    return 0;
}
