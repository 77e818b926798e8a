/* SPDX-License-Identifier: Apache-2.0
 *
 * search_bench.c — marking-search latency inside one process: Remnant's
 * rn_store_search against a plain-SQLite baseline on the same database.
 *
 * Build (bench/run does this):
 *   cc -O2 -std=c17 -Iinclude bench/search_bench.c bench/out/build/libremnant.a \
 *      $(pkg-config --cflags --libs sqlite3 jansson libsodium) -lm -o search_bench
 * Run:
 *   search_bench DB [QUERIES] [--hits FILE]     (default 200 queries)
 *
 * What is measured. Each query is run once untimed on every side (to warm
 * the page cache evenly), then timed, one at a time, with CLOCK_MONOTONIC
 * around the whole call: preparing the SQL, stepping every row, handing
 * each hit to a callback. Both sides return at most 100 hits (the CLI's
 * default) in index order (the order texts were written).
 *
 * The baseline is what SQLite alone offers for the same question: the
 * store's trigram FTS5 table queried with its native LIKE support
 * (`search_fts.text LIKE '%2_15%'`, `?` written as `_`), joined to
 * search_text for the same columns, order and LIMIT. For literal
 * queries of 3+ characters this is the same index work Remnant does; for
 * `?` queries whose literal runs are shorter than 3 characters FTS5 has to
 * scan, which is the case Remnant's expansion of `?` is there for.
 *
 * Same hits. Every query's hit list (record id and field, in order) from
 * Remnant is compared with the baseline's and with a plain scan of
 * search_text (`text LIKE ?` in id order, no index at all: the definition of
 * the answer); the line "hits:" says how many queries differ (0 is the only
 * right answer). --hits FILE also writes each distinct query's list
 * ("query<TAB>id/field id/field ..."), so that two builds (before and after
 * a change of the search) can be compared with diff on their databases.
 *
 * Output: a table for people, then one line "RESULT key=value ..." for
 * bench/run. No thresholds: numbers are reported, never judged.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "remnant/store.h"

#define QMAX 64      /* longest query text */
#define NQ_MAX 10000 /* most queries a run may ask for */
#define LIMIT 100

/* Query shapes: literal substrings and one-unknown-character (`?`) forms,
 * as investigators type them. Picked round-robin with a fixed LCG, so every
 * run asks the same questions. */
static const char *const literals[] = {
    "2315", "2248", "0412", "SN74", "SN74LVC", "TPS", "STM32F", "IRF7", "ATMEGA",
    "XC7A", "LPC1", "TLE2", "MAX3", "PCB", "REV3", "\xEC\xA3\xBC\xEC\xB2\xB4" "113",
    "No 12", "AD8", "SCA1", "-I/PT",
};
static const char *const unknowns[] = {
    "2?15", "23?5", "1?48", "KN-2?", "SN74LVC?4", "TPS?5", "No 12?4", "PCB ?2",
    "22?8", "AD?2", "STM32F4?", "0?12", "REV?", "L?0", "?315",
};

typedef struct run {
    double *ms;  /* wall time of each query */
    double *cpu; /* the thread's CPU time of each query */
    long hits;
} run;

/* One query's hits as "id/field id/field ...", for the comparisons. */
typedef struct hitlist {
    char *s;
    size_t len, cap;
} hitlist;

static void hl_add(hitlist *h, const char *id, const char *field)
{
    size_t need = strlen(id) + strlen(field) + 3;
    if (h->len + need > h->cap) {
        size_t cap = (h->cap ? h->cap * 2 : 4096) + need;
        char *n = realloc(h->s, cap);
        if (!n) {
            fprintf(stderr, "search_bench: out of memory\n");
            exit(1);
        }
        h->s = n;
        h->cap = cap;
    }
    h->len += (size_t)snprintf(h->s + h->len, h->cap - h->len, "%s%s/%s", h->len ? " " : "",
                               id, field);
}

static const char *hl_str(const hitlist *h) { return h->s ? h->s : ""; }

static int collect_hit(void *ctx, const rn_hit *h)
{
    hl_add(ctx, h->id, h->field);
    return 0;
}

static double cpu_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int count_hit(void *ctx, const rn_hit *h)
{
    (void)h;
    (*(long *)ctx)++;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array. */
static double pct(const double *v, int n, double p)
{
    int k = (int)((p / 100.0) * n + 0.999999) - 1;
    if (k < 0)
        k = 0;
    if (k >= n)
        k = n - 1;
    return v[k];
}

/* The LIKE pattern for a query: %...% with ? as _ (queries here hold no %
 * or _ of their own). */
static void like_pattern(const char *q, char *out, size_t cap)
{
    size_t j = 0;
    out[j++] = '%';
    for (size_t i = 0; q[i] && j + 2 < cap; i++)
        out[j++] = q[i] == '?' ? '_' : q[i];
    out[j++] = '%';
    out[j] = '\0';
}

static int run_ours(rn_store *s, char (*qs)[QMAX], int nq, int timed, run *r)
{
    for (int i = 0; i < nq; i++) {
        long hits = 0;
        rn_error err;
        rn_error_clear(&err);
        double c0 = cpu_ms(), t0 = now_ms();
        rn_code rc = rn_store_search(s, qs[i], LIMIT, count_hit, &hits, &err);
        double t1 = now_ms(), c1 = cpu_ms();
        if (rc) {
            fprintf(stderr, "search_bench: remnant search '%s' failed: %s\n", qs[i],
                    err.message);
            return -1;
        }
        if (timed) {
            r->ms[i] = t1 - t0;
            r->cpu[i] = c1 - c0;
            r->hits += hits;
        }
    }
    return 0;
}

/* The hits of one query from each side, untimed: Remnant's rn_store_search,
 * the baseline's statement, and a plain scan of search_text. */
static int hits_of(rn_store *s, sqlite3 *db, const char *q, hitlist *ours, hitlist *base,
                   hitlist *scan)
{
    static const char *const sql[2] = {
        "SELECT s.rid, s.field FROM search_fts JOIN search_text s ON s.id = search_fts.rowid "
        "WHERE search_fts.text LIKE ?1 ORDER BY search_fts.rowid LIMIT ?2",
        "SELECT rid, field FROM search_text WHERE text LIKE ?1 ORDER BY id LIMIT ?2"};
    hitlist *out[2] = {base, scan};
    rn_error err;
    rn_error_clear(&err);
    ours->len = base->len = scan->len = 0;
    if (rn_store_search(s, q, LIMIT, collect_hit, ours, &err)) {
        fprintf(stderr, "search_bench: remnant search '%s' failed: %s\n", q, err.message);
        return -1;
    }
    char pat[QMAX + 3];
    like_pattern(q, pat, sizeof pat);
    for (int k = 0; k < 2; k++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, sql[k], -1, &st, NULL) != SQLITE_OK) {
            fprintf(stderr, "search_bench: %s\n", sqlite3_errmsg(db));
            return -1;
        }
        sqlite3_bind_text(st, 1, pat, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, LIMIT);
        while (sqlite3_step(st) == SQLITE_ROW)
            hl_add(out[k], (const char *)sqlite3_column_text(st, 0),
                   (const char *)sqlite3_column_text(st, 1));
        sqlite3_finalize(st);
    }
    return 0;
}

static int run_base(sqlite3 *db, char (*qs)[QMAX], int nq, int timed, run *r)
{
    static const char sql[] =
        "SELECT s.rid, s.type, s.field, s.text FROM search_fts JOIN search_text s "
        "ON s.id = search_fts.rowid WHERE search_fts.text LIKE ?1 ORDER BY search_fts.rowid LIMIT ?2";
    for (int i = 0; i < nq; i++) {
        char pat[QMAX + 3];
        like_pattern(qs[i], pat, sizeof pat);
        long hits = 0;
        double c0 = cpu_ms(), t0 = now_ms();
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
            fprintf(stderr, "search_bench: baseline: %s\n", sqlite3_errmsg(db));
            return -1;
        }
        sqlite3_bind_text(st, 1, pat, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, LIMIT);
        int src;
        while ((src = sqlite3_step(st)) == SQLITE_ROW) {
            /* Touch the columns as the store does when it builds a hit. */
            if (sqlite3_column_text(st, 0) && sqlite3_column_text(st, 3))
                hits++;
        }
        sqlite3_finalize(st);
        double t1 = now_ms(), c1 = cpu_ms();
        if (src != SQLITE_DONE) {
            fprintf(stderr, "search_bench: baseline '%s': %s\n", qs[i], sqlite3_errmsg(db));
            return -1;
        }
        if (timed) {
            r->ms[i] = t1 - t0;
            r->cpu[i] = c1 - c0;
            r->hits += hits;
        }
    }
    return 0;
}

/* p50/p99 of the times t[] of the queries of kind sel (0 literal, 1 with
 * `?`, -1 all). */
static void report(const char *name, const double *t, const int *isq, int nq, int sel,
                   double *p50, double *p99)
{
    double *v = malloc(sizeof *v * (size_t)nq);
    int n = 0;
    double sum = 0;
    if (!v)
        exit(1);
    for (int i = 0; i < nq; i++) {
        if (sel < 0 || isq[i] == sel) {
            v[n++] = t[i];
            sum += t[i];
        }
    }
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    *p50 = pct(v, n, 50);
    *p99 = pct(v, n, 99);
    printf("  %-26s n=%-4d p50 %8.3f ms   p99 %8.3f ms   mean %8.3f ms\n", name, n, *p50,
           *p99, sum / n);
    free(v);
}

int main(int argc, char **argv)
{
    const char *hits_file = NULL;
    if (argc >= 3 && strcmp(argv[argc - 2], "--hits") == 0) {
        hits_file = argv[argc - 1];
        argc -= 2;
    }
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: search_bench DB [QUERIES] [--hits FILE]\n");
        return 2;
    }
    int nq = 200;
    if (argc == 3) {
        char *end;
        long v = strtol(argv[2], &end, 10);
        if (*end || v < 1 || v > NQ_MAX) {
            fprintf(stderr, "search_bench: QUERIES must be 1 to %d\n", NQ_MAX);
            return 2;
        }
        nq = (int)v;
    }
    char(*qs)[QMAX] = calloc((size_t)nq, QMAX);
    int *isq = calloc((size_t)nq, sizeof *isq);
    run ours = {calloc((size_t)nq, sizeof(double)), calloc((size_t)nq, sizeof(double)), 0};
    run base = {calloc((size_t)nq, sizeof(double)), calloc((size_t)nq, sizeof(double)), 0};
    if (!qs || !isq || !ours.ms || !base.ms || !ours.cpu || !base.cpu) {
        fprintf(stderr, "search_bench: out of memory\n");
        return 1;
    }
    /* Half literal, half with `?`, in a fixed shuffled order. */
    uint32_t x = 12345;
    for (int i = 0; i < nq; i++) {
        x = x * 1103515245u + 12345u;
        uint32_t k = x >> 16;
        isq[i] = i % 2;
        const char *q = isq[i] ? unknowns[k % (sizeof unknowns / sizeof *unknowns)]
                               : literals[k % (sizeof literals / sizeof *literals)];
        snprintf(qs[i], QMAX, "%s", q);
    }

    rn_store *s;
    rn_error err;
    rn_error_clear(&err);
    if (rn_store_open(argv[1], RN_STORE_READONLY, &s, &err) != RN_OK) {
        fprintf(stderr, "search_bench: %s: %s\n", argv[1], err.message);
        return 1;
    }
    sqlite3 *db;
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "search_bench: %s: %s\n", argv[1], sqlite3_errmsg(db));
        return 1;
    }
    /* The same cache size the store asks for, so neither side is starved. */
    sqlite3_exec(db, "PRAGMA cache_size=-65536", NULL, NULL, NULL);

    if (run_ours(s, qs, nq, 0, &ours) || run_base(db, qs, nq, 0, &base))
        return 1;
    /* Timed: query by query, the three sides back to back in a rotating
     * order, so that noise from other processes falls on all of them. */
    for (int i = 0; i < nq; i++) {
        run o = {ours.ms + i, ours.cpu + i, 0}, b = {base.ms + i, base.cpu + i, 0};
        for (int k = 0; k < 2; k++) {
            int side = (i + k) % 2, bad;
            if (side == 0)
                bad = run_ours(s, qs + i, 1, 1, &o);
            else
                bad = run_base(db, qs + i, 1, 1, &b);
            if (bad)
                return 1;
        }
        ours.hits += o.hits;
        base.hits += b.hits;
    }

    /* Same hits: every distinct query, each side's whole list. */
    int differ_base = 0, differ_scan = 0, distinct = 0;
    FILE *hf = NULL;
    if (hits_file && !(hf = fopen(hits_file, "w"))) {
        fprintf(stderr, "search_bench: cannot write %s\n", hits_file);
        return 1;
    }
    hitlist ho = {0}, hb = {0}, hs = {0};
    for (int i = 0; i < nq; i++) {
        int seen = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = strcmp(qs[i], qs[j]) == 0;
        if (seen)
            continue;
        distinct++;
        if (hits_of(s, db, qs[i], &ho, &hb, &hs))
            return 1;
        if (strcmp(hl_str(&ho), hl_str(&hb)) != 0) {
            differ_base++;
            fprintf(stderr, "search_bench: '%s': remnant and the baseline differ\n", qs[i]);
        }
        if (strcmp(hl_str(&ho), hl_str(&hs)) != 0) {
            differ_scan++;
            fprintf(stderr, "search_bench: '%s': remnant and the scan differ\n", qs[i]);
        }
        if (hf)
            fprintf(hf, "%s\t%s\n", qs[i], hl_str(&ho));
    }
    free(ho.s);
    free(hb.s);
    free(hs.s);
    if (hf && fclose(hf) != 0) {
        fprintf(stderr, "search_bench: writing %s failed\n", hits_file);
        return 1;
    }

    double o50, o99, b50, b99, ol50, ol99, bl50, bl99, ou50, ou99, bu50, bu99;
    printf("search latency, %d queries (half literal, half with ?), limit %d, one process\n",
           nq, LIMIT);
    report("remnant (all)", ours.ms, isq, nq, -1, &o50, &o99);
    report("sqlite fts5 LIKE (all)", base.ms, isq, nq, -1, &b50, &b99);
    report("remnant (literal)", ours.ms, isq, nq, 0, &ol50, &ol99);
    report("sqlite fts5 LIKE (literal)", base.ms, isq, nq, 0, &bl50, &bl99);
    report("remnant (with ?)", ours.ms, isq, nq, 1, &ou50, &ou99);
    report("sqlite fts5 LIKE (with ?)", base.ms, isq, nq, 1, &bu50, &bu99);
    /* The same queries in CPU time of the searching thread: what the
     * search costs, without the time a loaded machine gives to others. */
    double cl50, cl99, cu50, cu99, dl50, dl99, du50, du99;
    printf("  CPU time of the searching thread:\n");
    report("remnant (literal)", ours.cpu, isq, nq, 0, &cl50, &cl99);
    report("sqlite fts5 LIKE (literal)", base.cpu, isq, nq, 0, &dl50, &dl99);
    report("remnant (with ?)", ours.cpu, isq, nq, 1, &cu50, &cu99);
    report("sqlite fts5 LIKE (with ?)", base.cpu, isq, nq, 1, &du50, &du99);
    /* The slowest queries for Remnant, with the baselines beside them: where
     * the tail of the distribution comes from. */
    int slow[5] = {-1, -1, -1, -1, -1};
    for (int i = 0; i < nq; i++) {
        int dup = 0;
        for (int j = 0; j < i && !dup; j++)
            dup = strcmp(qs[i], qs[j]) == 0 && ours.ms[j] >= ours.ms[i];
        for (int k = 0; k < 5 && !dup; k++) {
            if (slow[k] >= 0 && strcmp(qs[slow[k]], qs[i]) == 0) {
                if (ours.ms[i] > ours.ms[slow[k]])
                    slow[k] = i;
                dup = 1;
            }
        }
        for (int k = 0; k < 5 && !dup; k++) {
            if (slow[k] < 0 || ours.ms[i] > ours.ms[slow[k]]) {
                memmove(slow + k + 1, slow + k, sizeof *slow * (size_t)(4 - k));
                slow[k] = i;
                break;
            }
        }
    }
    printf("  slowest queries (remnant / sqlite fts5 LIKE):\n");
    for (int k = 0; k < 5 && slow[k] >= 0; k++)
        printf("    %-12s %9.3f / %9.3f ms\n", qs[slow[k]], ours.ms[slow[k]],
               base.ms[slow[k]]);
    printf("  hits: remnant %ld, sqlite fts5 LIKE %ld; of %d distinct queries, hit lists "
           "(ids and fields, in order) differing from the baseline: %d, from a plain scan: %d\n",
           ours.hits, base.hits, distinct, differ_base, differ_scan);
    printf("RESULT ours_p50=%.3f ours_p99=%.3f base_p50=%.3f base_p99=%.3f "
           "ours_lit_p50=%.3f base_lit_p50=%.3f ours_q_p50=%.3f base_q_p50=%.3f "
           "ours_q_p99=%.3f base_q_p99=%.3f ours_hits=%ld base_hits=%ld ours_lit_p99=%.3f "
           "base_lit_p99=%.3f differ_base=%d differ_scan=%d cpu_ours_lit_p99=%.3f "
           "cpu_base_lit_p99=%.3f cpu_ours_q_p99=%.3f cpu_base_q_p99=%.3f\n",
           o50, o99, b50, b99, ol50, bl50, ou50, bu50, ou99, bu99, ours.hits, base.hits, ol99,
           bl99, differ_base, differ_scan, cl99, dl99, cu99, du99);
    sqlite3_close(db);
    rn_store_close(s);
    free(qs);
    free(isq);
    free(ours.ms);
    free(base.ms);
    free(ours.cpu);
    free(base.cpu);
    return 0;
}
