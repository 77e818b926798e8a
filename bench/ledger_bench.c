/* SPDX-License-Identifier: Apache-2.0
 *
 * ledger_bench.c — evidence-log benchmarks, each measured against a baseline
 * in the same run:
 *   1. log append (leaf hash + frontier update) vs raw SHA-256 over the same
 *      entry bytes; the goal is at least half the raw hashing rate;
 *   2. the full append inside SQLite (rn__ledger_append: canonical entry,
 *      prev-link lookup, one prepared INSERT) for the same entries in one
 *      transaction, then one seal;
 *   3. proof sizes and inclusion / consistency proof verification time at
 *      1M and 10M entries.
 *
 * Build (from the source folder, after building libremnant in build/):
 *   cc -O2 -std=c17 -D_DEFAULT_SOURCE -Iinclude -Ilib bench/ledger_bench.c \
 *      build/libremnant.a -lsqlite3 -ljansson -lsodium -lm -o ledger_bench
 * Run: ./ledger_bench [ENTRIES (default 1000000)] [append|sqlite|proofs]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "ledger/ledger_int.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
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
    /* Raw SHA-256 over the same bytes, one hash per entry. */
    double t0 = now();
    for (uint64_t i = 0; i < n; i++) {
        size_t len = make_entry(i, buf, sizeof buf);
        crypto_hash_sha256(h, (const uint8_t *)buf, len);
        total += len;
    }
    double raw = now() - t0;
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
    double raw_net = raw - fmt, app_net = app - fmt;
    printf("1. %llu entries, %.1f MB of entry bytes (avg %.0f B)\n",
           (unsigned long long)n, bytes / 1e6, bytes / (double)n);
    printf("   raw SHA-256:        %8.1f MB/s  %9.0f entries/s\n",
           bytes / raw_net / 1e6, (double)n / raw_net);
    printf("   log append (tree):  %8.1f MB/s  %9.0f entries/s  = %.2f x raw"
           " (goal >= 0.5)\n",
           bytes / app_net / 1e6, (double)n / app_net, raw_net / app_net);
}

static void bench_sqlite(uint64_t n)
{
    char path[] = "/tmp/rn_ledger_bench_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return;
    close(fd);
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        return;
    FILE *m = fopen("lib/store/migrations/0002_ledger.sql", "r");
    if (!m) {
        printf("2. (run from the source folder to include the SQLite"
               " append)\n");
        sqlite3_close(db);
        unlink(path);
        return;
    }
    static char sql[1 << 16];
    size_t sl = fread(sql, 1, sizeof sql - 1, m);
    sql[sl] = '\0';
    fclose(m);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL", NULL,
                 NULL, NULL);
    sqlite3_exec(db, sql, NULL, NULL, NULL);
    char rec[256], id[32];
    rn_error err;
    double t0 = now();
    sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    size_t bytes = 0;
    for (uint64_t i = 0; i < n; i++) {
        snprintf(id, sizeof id, "01M8JM8X5X7J%014llu", (unsigned long long)i);
        int len = snprintf(rec, sizeof rec,
                           "{\"event\":\"01M8JM8X5E8RJGV74HWFN9B37K\",\"id\":"
                           "\"%s\",\"kind\":\"component\",\"name\":\"board"
                           " %llu\",\"type\":\"item\"}",
                           id, (unsigned long long)i);
        bytes += (size_t)len;
        if (rn__ledger_append(db, RN_T_ITEM, id, 'c', rec, (size_t)len,
                              "investigator", &err) != RN_OK) {
            printf("append failed: %s\n", err.message);
            break;
        }
    }
    double t1 = now();
    if (rn__ledger_seal(db, path, &err) != RN_OK)
        printf("seal failed: %s\n", err.message);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    double t2 = now();
    rn__ledger_detach(db);
    sqlite3_close(db);
    printf("2. SQLite log append, %llu entries in one transaction: %.0f"
           " entries/s (%.2f s append, %.3f s seal+commit)\n",
           (unsigned long long)n, (double)n / (t1 - t0), t1 - t0, t2 - t1);
    char more[300];
    snprintf(more, sizeof more, "%s-wal", path);
    unlink(more);
    snprintf(more, sizeof more, "%s-shm", path);
    unlink(more);
    unlink(path);
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

int main(int argc, char **argv)
{
    if (sodium_init() < 0)
        return 1;
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    const char *only = argc > 2 ? argv[2] : "";
    if (!*only || strcmp(only, "append") == 0)
        bench_append(n);
    if (!*only || strcmp(only, "sqlite") == 0)
        bench_sqlite(n);
    if (!*only || strcmp(only, "proofs") == 0) {
        bench_proofs(1000000);
        bench_proofs(10000000);
    }
    return 0;
}
