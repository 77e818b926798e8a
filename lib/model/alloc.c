/* SPDX-License-Identifier: Apache-2.0
 *
 * alloc.c — the library's allocator and its failure-injection hook, SQLite's
 * allocator set-up, and the bounded growable buffer every serializer uses. */
#define _GNU_SOURCE /* SCHED_BATCH, gettid (rn__thread_helper) */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <sqlite3.h>

#include "internal.h"

/* SQLite keeps memory statistics by default (SQLITE_CONFIG_MEMSTATUS):
 * every sqlite3_malloc and sqlite3_free then takes a process-wide mutex and
 * updates counters that only sqlite3_memory_used(), sqlite3_status() and
 * the soft and hard heap limits read. libremnant uses none of them, and the
 * SQLite that Debian ships has no lookaside, so every allocation of a
 * statement's execution (its cursors, the records it builds) goes through
 * that path: turning the statistics off makes the log's append about a
 * tenth cheaper (docs/BENCHMARKS.md "Log append, branch append2"). SQLite
 * recommends the same at build time (SQLITE_DEFAULT_MEMSTATUS=0,
 * https://www.sqlite.org/compile.html). sqlite3_config() works only before
 * SQLite initialises (the first sqlite3_open_v2 does that) and refuses with
 * SQLITE_MISUSE after, which is then harmless: a program that opened SQLite
 * first keeps its statistics and the library works the same, slower.
 * Threads: pthread_once orders the library's own first opens behind the
 * call; SQLite also asks that no other thread be inside SQLite while it
 * runs, which holds for remnant's programs (the first SQLite call of each is
 * a store open before any thread starts: cmd_serve.c opens one before its
 * workers). An embedding program that broke that rule could at worst leave
 * SQLite's memory counters, which nothing here reads, off by a few
 * allocations: each sqlite3_malloc and sqlite3_free reads the setting once. */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static void sqlite_setup(void) { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

void rn__sqlite_setup(void) { (void)pthread_once(&sqlite_once, sqlite_setup); }

/* A bulk write's writer thread runs SQL without pause while its helpers
 * are fed in bursts and often sleep. Linux (CFS) lets a thread it wakes
 * preempt the running one on the waker's core, so on two cores every
 * hand-off could stop the writer, the one thread whose time is the wall
 * time, while the other core idles. SCHED_BATCH is Linux's policy for
 * exactly such throughput work: such a thread is not given the waker's
 * core on wake-up. Unprivileged threads may take it (sched(7)). And the
 * helpers run at nice 10 (a thread's own nice value on Linux): when CFS
 * puts a helper on the writer's core, the writer keeps about nine tenths of
 * it rather than half, while a helper still gets a share on a busy machine
 * (not SCHED_IDLE, which could starve it and with it the writer). Measured:
 * docs/BENCHMARKS.md "Import, 2026-12-03". */
void rn__thread_helper(void)
{
#ifdef SCHED_BATCH
    struct sched_param sp = {0};
    (void)pthread_setschedparam(pthread_self(), SCHED_BATCH, &sp);
#endif
    (void)setpriority(PRIO_PROCESS, (id_t)gettid(), 10);
}

int rn__helper_start(rn__helper *h, void *(*fn)(void *), void *arg)
{
    pthread_mutex_init(&h->mu, NULL); /* default attributes: cannot fail on Linux */
    pthread_cond_init(&h->cv, NULL);
    h->running = pthread_create(&h->thread, NULL, fn, arg) == 0;
    if (!h->running) {
        pthread_cond_destroy(&h->cv);
        pthread_mutex_destroy(&h->mu);
    }
    return h->running;
}

int rn__helper_take(rn__helper *h, const int *full, const int *done)
{
    pthread_mutex_lock(&h->mu);
    while (!*full && !*done)
        pthread_cond_wait(&h->cv, &h->mu);
    int have = *full;
    pthread_mutex_unlock(&h->mu);
    return have;
}

void rn__helper_signal(rn__helper *h, int *flag)
{
    if (!h->running)
        return;
    pthread_mutex_lock(&h->mu);
    *flag = 1;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

void rn__helper_stop(rn__helper *h, int *flag)
{
    if (!h->running)
        return;
    rn__helper_signal(h, flag);
    pthread_join(h->thread, NULL);
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    h->running = 0;
}

/* Countdown to an injected failure; 0 means never. Tests only; not
 * thread-safe by design (tests that use it are single-threaded). */
static long fail_after;

void rn__alloc_fail_after(long n) { fail_after = n; }

static int should_fail(void)
{
    if (fail_after <= 0)
        return 0;
    return --fail_after == 0;
}

void *rn__malloc(size_t n) { return should_fail() ? NULL : malloc(n ? n : 1); }

void *rn__calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : calloc(n ? n : 1, size ? size : 1);
}

void *rn__realloc(void *p, size_t n)
{
    return should_fail() ? NULL : realloc(p, n ? n : 1);
}

char *rn__strndup(const char *s, size_t n)
{
    char *p = rn__malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

void rn_free(void *p) { free(p); }

void rn__buf_init(rn_buf *b, size_t max)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max;
}

void rn__buf_free(rn_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

rn_code rn__buf_reserve(rn_buf *b, size_t extra)
{
    if (extra > b->max || b->len + extra + 1 > b->max)
        return RN_ELIMIT;
    size_t need = b->len + extra + 1; /* room for a NUL */
    if (need <= b->cap)
        return RN_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    if (cap > b->max)
        cap = b->max;
    char *p = rn__realloc(b->data, cap);
    if (!p)
        return RN_ENOMEM;
    b->data = p;
    b->cap = cap;
    return RN_OK;
}

rn_code rn__buf_add(rn_buf *b, const char *s, size_t n)
{
    if (n == 0)
        return RN_OK;
    /* room already (cap never passes max): the common case, without a call */
    if (n >= b->cap - b->len || !b->data) {
        rn_code rc = rn__buf_reserve(b, n);
        if (rc)
            return rc;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    return RN_OK;
}

rn_code rn__buf_addc(rn_buf *b, char c)
{
    if (b->data && b->cap - b->len >= 2) {
        b->data[b->len++] = c;
        return RN_OK;
    }
    return rn__buf_add(b, &c, 1);
}

rn_code rn__buf_adds(rn_buf *b, const char *s) { return rn__buf_add(b, s, strlen(s)); }

rn_code rn__buf_printf(rn_buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return RN_EINVAL;
    if ((size_t)n < sizeof tmp)
        return rn__buf_add(b, tmp, (size_t)n);
    rn_code rc = rn__buf_reserve(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return RN_OK;
}

rn_code rn__buf_json_str(rn_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    /* Worst case every byte becomes \u00XX. */
    rn_code rc = rn__buf_reserve(b, n * 6 + 2);
    if (rc)
        return rc;
    char *o = b->data + b->len;
    *o++ = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': *o++ = '\\'; *o++ = '"'; break;
        case '\\': *o++ = '\\'; *o++ = '\\'; break;
        case '\n': *o++ = '\\'; *o++ = 'n'; break;
        case '\r': *o++ = '\\'; *o++ = 'r'; break;
        case '\t': *o++ = '\\'; *o++ = 't'; break;
        case '\b': *o++ = '\\'; *o++ = 'b'; break;
        case '\f': *o++ = '\\'; *o++ = 'f'; break;
        default:
            if (c < 0x20 || c == 0x7f) {
                *o++ = '\\'; *o++ = 'u'; *o++ = '0'; *o++ = '0';
                *o++ = hex[c >> 4]; *o++ = hex[c & 15];
            } else {
                *o++ = (char)c;
            }
        }
    }
    *o++ = '"';
    b->len = (size_t)(o - b->data);
    return RN_OK;
}

rn_code rn__buf_cstr(rn_buf *b)
{
    rn_code rc = rn__buf_reserve(b, 0);
    if (rc)
        return rc;
    b->data[b->len] = '\0';
    return RN_OK;
}
