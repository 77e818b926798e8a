/* SPDX-License-Identifier: Apache-2.0
 *
 * throttle.c — how often a client may try: login attempts (per client
 * address and per account, with backoff) and anonymous searches (per client
 * address). State is in memory, shared by the worker threads under one
 * mutex, in a fixed table: a flood of addresses or invented names evicts
 * the least recently seen entries, it cannot grow memory.
 *
 * Login (docs/API.md, "Login throttling"):
 *  - a client address may fail ADDR_FREE times; each failure after that
 *    locks it for --login-lock-min x 2^k seconds (k = 0, 1, ...), at most
 *    --login-lock-max;
 *  - an account may fail ACCT_FREE times (from any address); then the same
 *    backoff locks the account;
 *  - while locked, attempts are answered 429 with Retry-After without
 *    checking the password and without counting, so a lock ends by itself
 *    at its time, however hard it is hammered;
 *  - an account lock does not apply to a client address that has logged
 *    into that account before (remembered here): an attacker elsewhere can
 *    slow the account down, not lock its user out;
 *  - a success clears the address's and the account's failures;
 *  - every lock is logged (escaped: names come from the client).
 * Search: a token bucket per client address, --search-rate per minute,
 * bursts up to the same number.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "server.h"

#define ADDR_FREE 5
#define ACCT_FREE 10
#define SLOTS 4096
#define PROBE 16

typedef enum { K_ADDR, K_ACCT, K_KNOWN, K_SEARCH } kind;

typedef struct slot {
    char key[144];               /* "" = free */
    uint64_t seen_us;
    unsigned fails;
    uint64_t until_us;           /* locked until */
    double tokens;               /* search bucket */
} slot;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static slot table[SLOTS];

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* FNV-1a */
static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The slot of (kind, a, b), made (evicting the stalest of its probe
 * window) when `make`; NULL if absent and not made. Under mu. */
static slot *find(kind k, const char *a, const char *b, int make, uint64_t now)
{
    char key[sizeof table[0].key];
    snprintf(key, sizeof key, "%d|%.64s|%.64s", (int)k, a, b ? b : "");
    uint32_t h = hash(key);
    slot *stale = NULL;
    for (unsigned i = 0; i < PROBE; i++) {
        slot *s = &table[(h + i) % SLOTS];
        if (strcmp(s->key, key) == 0) {
            s->seen_us = now;
            return s;
        }
        if (!stale || !s->key[0] || (stale->key[0] && s->seen_us < stale->seen_us))
            stale = s;
    }
    if (!make)
        return NULL;
    memset(stale, 0, sizeof *stale);
    snprintf(stale->key, sizeof stale->key, "%s", key);
    stale->seen_us = now;
    return stale;
}

static unsigned secs_left(uint64_t until, uint64_t now)
{
    return (unsigned)((until - now + 999999u) / 1000000u);
}

int srv_login_check(const char *addr, const char *name, unsigned *retry_s)
{
    uint64_t now = now_us();
    int locked = 0;
    pthread_mutex_lock(&mu);
    slot *a = find(K_ADDR, addr, NULL, 0, now);
    if (a && a->until_us > now) {
        locked = 1;
        *retry_s = secs_left(a->until_us, now);
    }
    slot *n = locked ? NULL : find(K_ACCT, name, NULL, 0, now);
    if (n && n->until_us > now && !find(K_KNOWN, name, addr, 0, now)) {
        locked = 1;
        *retry_s = secs_left(n->until_us, now);
    }
    pthread_mutex_unlock(&mu);
    return locked;
}

/* One more failure on s: lock it by the backoff once past `free_`. */
static unsigned fail_one(slot *s, unsigned free_, uint64_t now)
{
    s->fails++;
    if (s->fails <= free_)
        return 0;
    unsigned k = s->fails - free_ - 1;
    uint64_t secs = k >= 30 ? srv_cfg.login_lock_max_s : (uint64_t)srv_cfg.login_lock_min_s << k;
    if (secs > srv_cfg.login_lock_max_s)
        secs = srv_cfg.login_lock_max_s;
    s->until_us = now + secs * 1000000u;
    return (unsigned)secs;
}

void srv_login_result(const char *addr, const char *name, int ok)
{
    uint64_t now = now_us();
    unsigned la = 0, ln = 0, fa = 0, fn = 0;
    pthread_mutex_lock(&mu);
    if (ok) {
        slot *s = find(K_ADDR, addr, NULL, 0, now);
        if (s)
            s->fails = 0, s->until_us = 0;
        if ((s = find(K_ACCT, name, NULL, 0, now)) != NULL)
            s->fails = 0, s->until_us = 0;
        (void)find(K_KNOWN, name, addr, 1, now);
    } else {
        slot *a = find(K_ADDR, addr, NULL, 1, now);
        la = fail_one(a, ADDR_FREE, now);
        fa = a->fails;
        slot *n = find(K_ACCT, name, NULL, 1, now);
        ln = fail_one(n, ACCT_FREE, now);
        fn = n->fails;
    }
    pthread_mutex_unlock(&mu);
    char en[SRV_NAME_MAX * 4 + 8], ea[200];
    srv_log_escape(en, sizeof en, name);
    srv_log_escape(ea, sizeof ea, addr);
    if (la)
        srv_log("login: client %s locked for %u s after %u failed logins", ea, la, fa);
    if (ln)
        srv_log("login: account '%s' locked for %u s after %u failed logins (last from %s); "
                "addresses that logged into it before are not locked", en, ln, fn, ea);
}

int srv_search_take(const char *addr, unsigned *retry_s)
{
    uint64_t now = now_us();
    double rate = srv_cfg.search_rate / 60.0; /* tokens per second */
    int refused = 0;
    pthread_mutex_lock(&mu);
    slot *s = find(K_SEARCH, addr, NULL, 0, now);
    if (!s) {
        s = find(K_SEARCH, addr, NULL, 1, now);
        s->tokens = srv_cfg.search_rate;
        s->until_us = now; /* last refill */
    }
    s->tokens += (double)(now - s->until_us) / 1e6 * rate;
    if (s->tokens > srv_cfg.search_rate)
        s->tokens = srv_cfg.search_rate;
    s->until_us = now;
    if (s->tokens >= 1.0) {
        s->tokens -= 1.0;
    } else {
        refused = 1;
        *retry_s = (unsigned)((1.0 - s->tokens) / rate) + 1;
    }
    pthread_mutex_unlock(&mu);
    return refused;
}

void srv_throttle_reset(void)
{
    pthread_mutex_lock(&mu);
    memset(table, 0, sizeof table);
    pthread_mutex_unlock(&mu);
}
