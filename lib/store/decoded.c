/* SPDX-License-Identifier: Apache-2.0
 *
 * decoded.c — decoding on write: when a marking is stored, the decoder's
 * candidates for it are stored beside it (table `candidate`), in the same
 * transaction, so that every marking in the database carries its machine
 * reading and the rule and source behind each candidate. The item's claims
 * follow from them (view `machine_claim`); an analyst's `claim` records sit
 * beside, never in place of, the machine's reading.
 *
 * The decoder needs context from the item: its category, the producing
 * state attributed to it or to the weapon it is part of, its manufacturer,
 * and the documentation date of its event (a year after that date cannot be
 * a production year). Items are looked up once and cached: a bulk import
 * writes each item's markings right after the item, so a small cache keyed
 * by id catches nearly every lookup.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store/decoded.h"
#include "model/rows.h"

#include "remnant/decode.h"

#define CACHE_SLOTS 4096 /* power of two */
#define MAX_DEPTH 64     /* item hierarchy depth followed for context */

typedef struct ctx_entry {
    char id[RN_ID_LEN + 1];
    char category[64];
    char state[3];
    char manufacturer[128];
    int32_t documented; /* RN_DAY_OPEN_HIGH: unknown */
} ctx_entry;

/* One marking handed to the decoding thread: its own copies of what the
 * decoder reads, and, once decoded, its candidates or error. */
typedef struct job {
    char marking[RN_ID_LEN + 1];
    ctx_entry ctx;
    int has_ctx;
    rn_buf text;
    rn_candidates *cs;
    rn_code rc;
    char message[RN_ERR_MSG_MAX];
} job;

#define JOBS 1024 /* power of two */

/* Decoding on a second thread during a bulk write (rn__decoded_async).
 * Jobs [taken, submitted) are in flight; the thread decodes them in order,
 * and [taken, decoded) are ready for this thread to store. Indexes only
 * grow; a job's slot is index % JOBS. Each counter has one writer and is
 * read by the other thread without the lock; the lock and `cv` serve only
 * to sleep and wake (see wake()). A job's candidates are freed by the
 * decoding thread when it reuses the slot (or by rn__decoded_discard), so
 * that what one thread allocates the other never frees: glibc's malloc
 * would otherwise contend for the decoding thread's arena. */
typedef struct async {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    const rn_decoder *dec;
    _Atomic uint64_t submitted, decoded;
    uint64_t taken; /* this thread's alone */
    atomic_int stop, idle, waiting; /* idle: the decoder sleeps; waiting: the writer */
    job jobs[JOBS];
} async;

struct rn__decoded {
    sqlite3 *db;
    char *db_path;
    rn_decoder *dec; /* loaded on first use */
    int load_failed;
    sqlite3_stmt *item_q, *event_q, *ins, *del, *rule_ins;
    rn__rows *batch; /* candidate rows not yet written (store_candidates) */
    /* the last event read for a context: items come event by event */
    char last_event[RN_ID_LEN + 1];
    int32_t last_documented;
    /* rules whose source this connection has written to decode_rule: a
     * small open-addressing set of rule-name pointers (the decoder keeps
     * the names alive as long as it lives) */
    const char *rules_seen[2048];
    async *bg; /* decoding on a second thread, or NULL */
    ctx_entry cache[CACHE_SLOTS];
};

rn_code rn__decoded_open(rn__decoded **out, sqlite3 *db, const char *db_path)
{
    rn__decoded *d = rn__calloc(1, sizeof *d);
    if (!d || !(d->db_path = rn__strndup(db_path, strlen(db_path)))) {
        free(d);
        return RN_ENOMEM;
    }
    d->db = db;
    *out = d;
    return RN_OK;
}

void rn__decoded_close(rn__decoded *d)
{
    if (!d)
        return;
    rn__decoded_discard(d);
    sqlite3_finalize(d->item_q);
    sqlite3_finalize(d->event_q);
    sqlite3_finalize(d->ins);
    sqlite3_finalize(d->del);
    sqlite3_finalize(d->rule_ins);
    rn__rows_free(d->batch);
    rn_decoder_free(d->dec);
    free(d->db_path);
    free(d);
}

static unsigned slot_of(const char *id)
{
    /* the last characters of a ULID are random: hash them */
    unsigned h = 2166136261u;
    for (int i = RN_ID_LEN - 8; i < RN_ID_LEN; i++)
        h = (h ^ (unsigned char)id[i]) * 16777619u;
    return h & (CACHE_SLOTS - 1);
}

static void copy_text(const char *v, size_t n, char *dst, size_t cap)
{
    if (!v)
        n = 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, v, n);
    dst[n] = '\0';
}

static int prepare_queries(rn__decoded *d)
{
    return (d->item_q ||
            sqlite3_prepare_v3(d->db, /* ITEM_FIELDS, in order */
                               "SELECT category, producing_state, manufacturer, event, "
                               "parent FROM item WHERE id=?",
                               -1, SQLITE_PREPARE_PERSISTENT, &d->item_q, NULL) == SQLITE_OK) &&
           (d->event_q ||
            sqlite3_prepare_v3(d->db,
                               "SELECT documented_latest, incident_latest FROM event "
                               "WHERE id=?",
                               -1, SQLITE_PREPARE_PERSISTENT, &d->event_q, NULL) == SQLITE_OK);
}

static const ctx_entry *context(rn__decoded *d, const char *id, int depth);

/* Complete n (its own fields read) from its event and the item it is part
 * of (`parent`), and cache it. */
static const ctx_entry *inherit(rn__decoded *d, ctx_entry *n, const char *event, const char *parent,
                                int depth)
{
    n->documented = RN_DAY_OPEN_HIGH;
    if (event[0] && strcmp(event, d->last_event) == 0) {
        n->documented = d->last_documented;
    } else if (event[0]) {
        sqlite3_bind_text(d->event_q, 1, event, -1, SQLITE_STATIC);
        if (sqlite3_step(d->event_q) == SQLITE_ROW) {
            /* documented, else the incident: either bounds production */
            for (int c = 0; c < 2 && n->documented == RN_DAY_OPEN_HIGH; c++)
                if (sqlite3_column_type(d->event_q, c) != SQLITE_NULL)
                    n->documented = (int32_t)sqlite3_column_int64(d->event_q, c);
        }
        sqlite3_reset(d->event_q);
        memcpy(d->last_event, event, sizeof d->last_event);
        d->last_documented = n->documented;
    }
    if (parent[0] && (n->documented == RN_DAY_OPEN_HIGH || !n->state[0])) {
        const ctx_entry *p = context(d, parent, depth + 1);
        if (p) {
            if (n->documented == RN_DAY_OPEN_HIGH)
                n->documented = p->documented;
            if (!n->state[0])
                memcpy(n->state, p->state, sizeof n->state);
        }
    }
    ctx_entry *e = &d->cache[slot_of(n->id)]; /* recursion may have used the slot */
    *e = *n;
    return e;
}

/* An item's own fields its context reads, in item_q's column order, and
 * where each one goes. */
static const char *const ITEM_FIELDS[] = {"category", "producing_state", "manufacturer", "event",
                                          "parent"};
typedef struct item_row {
    ctx_entry n;
    char event[RN_ID_LEN + 1], parent[RN_ID_LEN + 1];
} item_row;

static void row_init(item_row *r, const char *id)
{
    memset(r, 0, sizeof *r);
    memcpy(r->n.id, id, RN_ID_LEN + 1);
}

/* Set field k of r (ITEM_FIELDS' order) to v[0..n) (v NULL: empty). */
static void row_set(item_row *r, size_t k, const char *v, size_t n)
{
    switch (k) {
    case 0:
        copy_text(v, n, r->n.category, sizeof r->n.category);
        break;
    case 1:
        copy_text(v, n, r->n.state, sizeof r->n.state);
        break;
    case 2:
        copy_text(v, n, r->n.manufacturer, sizeof r->n.manufacturer);
        break;
    case 3:
        copy_text(v, n, r->event, sizeof r->event);
        break;
    default:
        copy_text(v, n, r->parent, sizeof r->parent);
        break;
    }
}

/* The context of item `id`, inheriting state and documentation date from
 * the items it is part of. NULL if the item does not exist. */
static const ctx_entry *context(rn__decoded *d, const char *id, int depth)
{
    ctx_entry *e = &d->cache[slot_of(id)];
    if (strcmp(e->id, id) == 0)
        return e;
    if (depth > MAX_DEPTH || !prepare_queries(d))
        return NULL;
    item_row r;
    row_init(&r, id);
    sqlite3_bind_text(d->item_q, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(d->item_q) != SQLITE_ROW) {
        sqlite3_reset(d->item_q);
        return NULL;
    }
    for (size_t k = 0; k < RN_ARRAY_LEN(ITEM_FIELDS); k++) {
        const char *v =
            (const char *)sqlite3_column_text(d->item_q, (int)k); /* before its length */
        row_set(&r, k, v, (size_t)sqlite3_column_bytes(d->item_q, (int)k));
    }
    sqlite3_reset(d->item_q);
    return inherit(d, &r.n, r.event, r.parent, depth);
}

void rn__decoded_item(rn__decoded *d, const rn_record *rec)
{
    if (!d || strlen(rec->id) != RN_ID_LEN || !prepare_queries(d))
        return;
    item_row r;
    row_init(&r, rec->id);
    for (size_t k = 0; k < RN_ARRAY_LEN(ITEM_FIELDS); k++) {
        size_t len = 0;
        const char *v = rn_record_get(rec, ITEM_FIELDS[k], &len);
        row_set(&r, k, v, len);
    }
    (void)inherit(d, &r.n, r.event, r.parent, 0);
}

void rn__decoded_forget(rn__decoded *d, const char *item_id)
{
    if (!d)
        return;
    ctx_entry *e = &d->cache[slot_of(item_id)];
    if (strcmp(e->id, item_id) == 0)
        e->id[0] = '\0';
    if (strcmp(d->last_event, item_id) == 0)
        d->last_event[0] = '\0';
}

void rn__decoded_begin(rn__decoded *d)
{
    if (d)
        d->last_event[0] = '\0';
}

/* Record rule `rule`'s source once per connection (INSERT OR IGNORE keeps
 * the first source seen for a rule id). */
static rn_code note_rule(rn__decoded *d, const char *rule, const char *source, rn_error *err)
{
    if (!rule || !source)
        return RN_OK;
    size_t cap = sizeof d->rules_seen / sizeof d->rules_seen[0];
    size_t h = ((uintptr_t)rule >> 3) & (cap - 1);
    for (size_t k = 0; k < cap; k++, h = (h + 1) & (cap - 1)) {
        if (d->rules_seen[h] == rule)
            return RN_OK;
        if (!d->rules_seen[h])
            break;
    }
    if (!d->rule_ins &&
        sqlite3_prepare_v3(d->db, "INSERT OR IGNORE INTO decode_rule(rule, source) VALUES (?, ?)",
                           -1, SQLITE_PREPARE_PERSISTENT, &d->rule_ins, NULL) != SQLITE_OK)
        return rn__err(err, RN_EDB, "preparing: %s", sqlite3_errmsg(d->db));
    sqlite3_bind_text(d->rule_ins, 1, rule, -1, SQLITE_STATIC);
    sqlite3_bind_text(d->rule_ins, 2, source, -1, SQLITE_STATIC);
    int src = sqlite3_step(d->rule_ins);
    sqlite3_reset(d->rule_ins);
    if (src != SQLITE_DONE)
        return rn__err(err, RN_EDB, "storing a rule's source: %s", sqlite3_errmsg(d->db));
    if (!d->rules_seen[h])
        d->rules_seen[h] = rule; /* a full set only means more INSERT OR IGNOREs */
    return RN_OK;
}

static rn_code load(rn__decoded *d, rn_error *err)
{
    if (d->dec)
        return RN_OK;
    /* rules beside the database: <dir of db>/rules */
    char dir[4200];
    const char *slash = strrchr(d->db_path, '/');
    if (slash)
        snprintf(dir, sizeof dir, "%.*s/rules", (int)(slash - d->db_path), d->db_path);
    else
        snprintf(dir, sizeof dir, "rules");
    const char *dirs[1] = {dir};
    rn_code rc = rn_decoder_load(dirs, 1, &d->dec, err);
    if (rc)
        d->load_failed = 1;
    return rc;
}

static rn_code prepare_writes(rn__decoded *d, rn_error *err)
{
    if (d->ins)
        return RN_OK;
    if (!d->batch && !(d->batch = rn__rows_new(11)))
        return rn__err(err, RN_ENOMEM, "out of memory");
    if (sqlite3_prepare_v3(d->db,
                           "INSERT INTO candidate(marking, rank, field, value, earliest, "
                           "latest, precision, country, confidence, rule, explanation) "
                           "SELECT c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10 FROM rn_rows(?)",
                           -1, SQLITE_PREPARE_PERSISTENT, &d->ins, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(d->db, "DELETE FROM candidate WHERE marking=?", -1,
                           SQLITE_PREPARE_PERSISTENT, &d->del, NULL) != SQLITE_OK)
        return rn__err(err, RN_EDB, "preparing the decoder's statements: %s",
                       sqlite3_errmsg(d->db));
    return RN_OK;
}

/* Write the candidate rows batched so far (store_candidates). */
static rn_code flush_candidates(rn__decoded *d, rn_error *err)
{
    if (!d->batch || rn__rows_insert(d->ins, d->batch) == SQLITE_DONE)
        return RN_OK;
    return rn__err(err, RN_EDB, "storing candidates: %s", sqlite3_errmsg(d->db));
}

static void to_decode_ctx(const ctx_entry *c, rn_decode_ctx *dc)
{
    *dc = (rn_decode_ctx){c && c->category[0] ? c->category : NULL,
                          c && c->state[0] ? c->state : NULL,
                          c && c->manufacturer[0] ? c->manufacturer : NULL,
                          c ? c->documented : RN_DAY_OPEN_HIGH};
}

/* The decoder's answer rc for marking `id` (message `msg`) as the store
 * takes it: a marking the decoder cannot read yields no candidates, which
 * is not an error in the marking. */
static rn_code decode_result(rn_code rc, const char *id, const char *msg, rn_error *err)
{
    if (rc == RN_OK || rc == RN_ELIMIT || rc == RN_EINPUT)
        return RN_OK;
    return rn__err(err, rc, "decoding marking %s: %s", id, msg);
}

/* Candidate rows written a batch at a time during a bulk write: about 300
 * markings' worth (rows.h) */
#define BATCH_ROWS 1024

/* Add the candidates cs of marking `id` to the batch (copied: cs stays the
 * caller's), and write the batch when it is full, or at once outside a bulk
 * write (no thread: nothing else would flush it). */
static rn_code store_candidates(rn__decoded *d, const char *id, const rn_candidates *cs,
                                rn_error *err)
{
    rn_code rc = RN_OK;
    rn__rows *b = d->batch;
    size_t n = rn_candidates_count(cs);
    const char *explained[16]; /* fields whose best candidate was stored */
    size_t nexpl = 0;
    for (size_t i = 0; i < n && rc == RN_OK; i++) {
        const rn_candidate *k = rn_candidates_at(cs, i);
        int first = 1;
        for (size_t j = 0; j < nexpl && first; j++)
            first = strcmp(explained[j], k->field) != 0;
        if (first && nexpl < sizeof explained / sizeof explained[0])
            explained[nexpl++] = k->field;
        int dated = k->date.precision != RN_PREC_NONE;
        rc = rn__rows_text(b, id, RN_ID_LEN);
        if (!rc)
            rc = rn__rows_int(b, (int64_t)i);
        if (!rc)
            rc = rn__rows_text(b, k->field, -1);
        if (!rc)
            rc = rn__rows_text(b, k->value ? k->value : "", -1);
        if (!rc)
            rc = dated && k->date.earliest != RN_DAY_OPEN_LOW ? rn__rows_int(b, k->date.earliest)
                                                               : rn__rows_null(b);
        if (!rc)
            rc = dated && k->date.latest != RN_DAY_OPEN_HIGH ? rn__rows_int(b, k->date.latest)
                                                              : rn__rows_null(b);
        if (!rc)
            rc = dated ? rn__rows_text(b, rn_precision_name(k->date.precision), -1)
                       : rn__rows_null(b);
        if (!rc)
            rc = k->country && k->country[0] ? rn__rows_text(b, k->country, -1)
                                             : rn__rows_null(b);
        if (!rc)
            rc = rn__rows_double(b, k->confidence);
        if (!rc)
            rc = rn__rows_text(b, k->rule ? k->rule : "", -1);
        if (!rc)
            rc = first && k->explanation ? rn__rows_text(b, k->explanation, -1)
                                         : rn__rows_null(b);
        if (rc)
            return rn__err(err, rc, "out of memory storing candidates");
        rc = note_rule(d, k->rule, k->source, err);
    }
    if (rc == RN_OK && (!d->bg || rn__rows_count(b) >= BATCH_ROWS))
        rc = flush_candidates(d, err);
    return rc;
}

/* ---- decoding on a second thread -------------------------------------------
 * A bulk write (an import, a sync) hands each marking's decoding to a
 * thread of its own and stores the candidates when they come back, a few
 * markings later; the decoder is immutable and thread-safe
 * (remnant/decode.h), and the thread touches nothing but its jobs, so the
 * database stays this thread's alone. Everything is stored before the
 * transaction commits (rn__decoded_finish); nothing inside the transaction
 * reads candidates in the meantime (a marking's update waits for all). */

/* Jobs pending before a sleeping decoder is woken: one wake-up for many
 * jobs, not one each (each costs both threads a trip through the kernel,
 * and on two cores often preempts the writer). Whoever waits for results
 * wakes it at once (wait_decoded). */
#define WAKE_AT 64

/* Wake the other thread if it sleeps (*flag set). A sleeper sets its flag
 * under the lock and then re-reads the counter it waits on; the waker
 * stores the counter and then reads the flag; both sequentially
 * consistent, so either the sleeper sees the new count or the waker sees
 * the flag and its broadcast comes after the sleeper's wait began. */
static void wake(async *a, atomic_int *flag)
{
    if (atomic_load(flag)) {
        pthread_mutex_lock(&a->mu);
        pthread_cond_broadcast(&a->cv);
        pthread_mutex_unlock(&a->mu);
    }
}

/* Sleep until the decoder has decoded more than this thread has taken. */
static void wait_decoded(async *a)
{
    wake(a, &a->idle);
    pthread_mutex_lock(&a->mu);
    atomic_store(&a->waiting, 1);
    while (atomic_load(&a->decoded) == a->taken)
        pthread_cond_wait(&a->cv, &a->mu);
    atomic_store(&a->waiting, 0);
    pthread_mutex_unlock(&a->mu);
}

static void *bg_run(void *arg)
{
    async *a = arg;
    rn__thread_helper();
    for (uint64_t next = 0;; next++) {
        if (next == atomic_load(&a->submitted)) {
            pthread_mutex_lock(&a->mu);
            atomic_store(&a->idle, 1);
            while (next == atomic_load(&a->submitted) && !atomic_load(&a->stop))
                pthread_cond_wait(&a->cv, &a->mu);
            atomic_store(&a->idle, 0);
            pthread_mutex_unlock(&a->mu);
            if (next == atomic_load(&a->submitted))
                return NULL; /* stopped, and nothing left */
        }
        job *j = &a->jobs[next % JOBS];
        rn_decode_ctx dc;
        to_decode_ctx(j->has_ctx ? &j->ctx : NULL, &dc);
        rn_error derr;
        rn_error_clear(&derr);
        rn_candidates_free(j->cs); /* the slot's last job's, stored by now */
        j->cs = NULL;
        j->rc = rn_decode_marking(a->dec, j->text.data, j->text.len, &dc, &j->cs, &derr);
        snprintf(j->message, sizeof j->message, "%s", derr.message);
        atomic_store(&a->decoded, next + 1);
        wake(a, &a->waiting);
    }
}

void rn__decoded_async(rn__decoded *d)
{
    if (!d || d->bg || load(d, NULL) != RN_OK)
        return;
    async *a = rn__calloc(1, sizeof *a);
    if (!a)
        return; /* decoded here, as without */
    a->dec = d->dec;
    pthread_mutex_init(&a->mu, NULL); /* default attributes: cannot fail on Linux */
    pthread_cond_init(&a->cv, NULL);
    for (size_t i = 0; i < JOBS; i++)
        rn__buf_init(&a->jobs[i].text, RN__RECORD_MAX);
    if (pthread_create(&a->thread, NULL, bg_run, a)) {
        for (size_t i = 0; i < JOBS; i++)
            rn__buf_free(&a->jobs[i].text);
        pthread_cond_destroy(&a->cv);
        pthread_mutex_destroy(&a->mu);
        free(a);
        return;
    }
    d->bg = a;
}

/* Store the candidates of the decoded jobs; with `all`, wait for every job
 * submitted. On an error the remaining results are dropped by the caller's
 * rollback (rn__decoded_discard). */
static rn_code bg_store(rn__decoded *d, int all, rn_error *err)
{
    async *a = d->bg;
    rn_code rc = RN_OK;
    while (rc == RN_OK) {
        uint64_t ready = atomic_load(&a->decoded);
        if (ready == a->taken) {
            if (!all || a->taken == atomic_load(&a->submitted))
                break;
            wait_decoded(a);
            continue;
        }
        for (; a->taken < ready && rc == RN_OK; a->taken++) {
            job *j = &a->jobs[a->taken % JOBS];
            rc = decode_result(j->rc, j->marking, j->message, err);
            if (rc == RN_OK && j->rc == RN_OK)
                rc = store_candidates(d, j->marking, j->cs, err);
        }
    }
    return rc;
}

static rn_code bg_submit(rn__decoded *d, const char *id, const char *text, size_t tlen,
                         const ctx_entry *c, rn_error *err)
{
    async *a = d->bg;
    uint64_t sub = atomic_load(&a->submitted);
    if (sub - a->taken == JOBS)
        wait_decoded(a); /* full: wait for the oldest */
    rn_code rc = bg_store(d, 0, err);
    if (rc)
        return rc;
    job *j = &a->jobs[a->submitted % JOBS];
    memcpy(j->marking, id, RN_ID_LEN + 1);
    j->has_ctx = c != NULL;
    if (c)
        j->ctx = *c;
    j->text.len = 0;
    if ((rc = rn__buf_add(&j->text, text, tlen)) || (rc = rn__buf_cstr(&j->text)))
        return rn__err(err, rc, "out of memory decoding marking %s", id);
    atomic_store(&a->submitted, sub + 1);
    if (sub + 1 - atomic_load(&a->decoded) >= WAKE_AT)
        wake(a, &a->idle);
    return RN_OK;
}

/* Stop the thread; drop what it decoded but was not stored. */
void rn__decoded_discard(rn__decoded *d)
{
    if (d && d->batch)
        rn__rows_clear(d->batch);
    async *a = d ? d->bg : NULL;
    if (!a)
        return;
    pthread_mutex_lock(&a->mu);
    atomic_store(&a->stop, 1);
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
    pthread_join(a->thread, NULL);
    for (size_t i = 0; i < JOBS; i++) {
        rn_candidates_free(a->jobs[i].cs);
        rn__buf_free(&a->jobs[i].text);
    }
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
    free(a);
    d->bg = NULL;
}

rn_code rn__decoded_finish(rn__decoded *d, rn_error *err)
{
    if (!d || !d->bg)
        return RN_OK;
    rn_code rc = bg_store(d, 1, err);
    if (rc == RN_OK)
        rc = flush_candidates(d, err);
    rn__decoded_discard(d);
    return rc;
}

rn_code rn__decoded_refresh(rn__decoded *d, const rn_record *m, int replace, rn_error *err)
{
    rn_code rc = load(d, err);
    if (rc || (rc = prepare_writes(d, err)))
        return rc;
    const char *id = rn_record_id(m);
    if (replace) {
        /* the marking's candidates in flight are stored first, then dropped */
        if (d->bg && ((rc = bg_store(d, 1, err)) || (rc = flush_candidates(d, err))))
            return rc;
        sqlite3_bind_text(d->del, 1, id, -1, SQLITE_STATIC);
        int src = sqlite3_step(d->del);
        sqlite3_reset(d->del);
        if (src != SQLITE_DONE)
            return rn__err(err, RN_EDB, "clearing old candidates: %s", sqlite3_errmsg(d->db));
    }
    size_t tlen;
    const char *text = rn_record_get(m, "text", &tlen);
    const char *item = rn_record_get(m, "item", NULL);
    if (!text || !item)
        return RN_OK;
    const ctx_entry *c = context(d, item, 0);
    if (d->bg)
        return bg_submit(d, id, text, tlen, c, err);
    rn_decode_ctx dc;
    to_decode_ctx(c, &dc);
    rn_candidates *cs = NULL;
    rn_error derr;
    rn_error_clear(&derr);
    rc = rn_decode_marking(d->dec, text, tlen, &dc, &cs, &derr);
    if (rc == RN_OK)
        rc = store_candidates(d, id, cs, err);
    else
        rc = decode_result(rc, id, derr.message, err);
    rn_candidates_free(cs);
    return rc;
}

/* ---- read side ----------------------------------------------------------- */

/* Confidence as the decoder reports it (three decimals): decode.c judges
 * ties on these figures, and so does the read side. */
static double shown(double c)
{
    return floor(c * 1000 + 0.5) / 1000;
}

int rn__decoded_ties(double best, double conf)
{
    return shown(best) - shown(conf) <= RN_DECODE_TIE_MARGIN + 1e-9;
}
