/* SPDX-License-Identifier: Apache-2.0
 *
 * internal.h — helpers shared by every part of libremnant and nothing else:
 * allocation, error filling, growable buffers with a stated maximum.
 * Not installed; the faces (src/) must not include it.
 */
#ifndef REMNANT_INTERNAL_H
#define REMNANT_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "remnant/remnant.h"

/* Allocation goes through these so a test build can fail the Nth call. */
void *rn__malloc(size_t n);
void *rn__calloc(size_t n, size_t size);
void *rn__realloc(void *p, size_t n);
char *rn__strndup(const char *s, size_t n);
/* Test hook: make the nth allocation from now fail (0 disables). */
void rn__alloc_fail_after(long n);
/* SQLite's allocator for this process, set once before its first
 * connection: every sqlite3_open_v2 in libremnant calls this first
 * (alloc.c says what it sets, why, and the one threading rule). Any number
 * of calls, from any thread; a no-op once SQLite is initialised. */
void rn__sqlite_setup(void);
/* Called first by a helper thread of a bulk write (the import's reader,
 * the decoding thread): asks the scheduler not to let its wake-ups preempt
 * the writer it feeds (alloc.c says why). Failure changes only speed. */
void rn__thread_helper(void);

/* The 128 bits of record id `id`, a NUL-terminated string (lib/model/id.c):
 * 1, or 0 if it is not an id by rn_id_valid's rule. A bijection with the
 * exact text: two ids have the same bits only when their texts are equal. */
int rn__id_bits(const char *id, uint64_t *hi, uint64_t *lo);
/* A helper thread and the lock and condition its owner and it share.
 * rn__helper_start: 1 when the thread runs fn(arg); 0 when none could be
 * started (h holds nothing then: the caller does the work itself).
 * rn__helper_take: below.
 * rn__helper_signal: set *flag (a field the thread reads under h->mu) to 1
 * and wake it; nothing when it never started.
 * rn__helper_stop: rn__helper_signal, then wait for it to end and free h's
 * lock and condition; nothing when it never started (or was stopped). */
typedef struct rn__helper {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int running;
} rn__helper;
int rn__helper_start(rn__helper *h, void *(*fn)(void *), void *arg);
/* In the helper: wait under h->mu until *full (a batch handed to it) or
 * *done (nothing more comes); returns *full, 0 only when done and empty. */
int rn__helper_take(rn__helper *h, const int *full, const int *done);
void rn__helper_signal(rn__helper *h, int *flag);
void rn__helper_stop(rn__helper *h, int *flag);

/* Fill *err (if err is non-NULL) and return code. */
rn_code rn__err(rn_error *err, rn_code code, const char *fmt, ...)
    RN_PRINTF(3, 4);
/* As rn__err, naming the field too. */
rn_code rn__err_field(rn_error *err, rn_code code, const char *field,
                      const char *fmt, ...) RN_PRINTF(4, 5);

/* A growable byte buffer that refuses to grow past `max`. */
typedef struct rn_buf {
    char *data;
    size_t len, cap, max;
} rn_buf;
void rn__buf_init(rn_buf *b, size_t max);
void rn__buf_free(rn_buf *b);
rn_code rn__buf_reserve(rn_buf *b, size_t extra);
rn_code rn__buf_add(rn_buf *b, const char *s, size_t n);
rn_code rn__buf_addc(rn_buf *b, char c);
rn_code rn__buf_adds(rn_buf *b, const char *s);
rn_code rn__buf_printf(rn_buf *b, const char *fmt, ...) RN_PRINTF(2, 3);
/* Append s as a JSON string literal, quotes included. */
rn_code rn__buf_json_str(rn_buf *b, const char *s, size_t n);
/* NUL-terminate without counting it in len. */
rn_code rn__buf_cstr(rn_buf *b);

/* "a" or "an" before a record type's name, for messages. */
static inline const char *rn__a(const char *word)
{
    return (word[0] == 'a' || word[0] == 'e' || word[0] == 'i' || word[0] == 'o' ||
            word[0] == 'u') ? "an" : "a";
}

#define RN_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
