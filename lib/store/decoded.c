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
    /* the read side (rn__decoded_explain): the marking last decoded for an
     * explanation and its candidates (NULL: it could not be decoded);
     * `fresh` makes context() read the database, not the cache */
    sqlite3_stmt *mark_q, *cand_q;
    char read_id[RN_ID_LEN + 1];
    rn_candidates *read_cs;
    uint64_t read_best; /* same_list() */
    int fresh;
    rn__rows *batch; /* candidate rows not yet written (store_candidates) */
    /* the last event read for a context: items come event by event */
    char last_event[RN_ID_LEN + 1];
    int32_t last_documented;
    /* rules whose source this connection has written to decode_rule: a
     * small open-addressing set of rule-name pointers (the decoder keeps
     * the names alive as long as it lives) */
    const char *rules_seen[2048];
    async *bg; /* decoding on a second thread, or NULL */
    /* a bulk write's items and events whose context changed, their
     * markings decoded again once its indexes are built
     * (rn__decoded_recontext): ids of RN_ID_LEN + 1 bytes each */
    int bulk;
    rn_buf pending;
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
    rn__buf_init(&d->pending, (size_t)1 << 30);
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
    sqlite3_finalize(d->mark_q);
    sqlite3_finalize(d->cand_q);
    rn_candidates_free(d->read_cs);
    rn__rows_free(d->batch);
    rn__buf_free(&d->pending);
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
    if (event[0] && !d->fresh && strcmp(event, d->last_event) == 0) {
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
    if (!d->fresh && strcmp(e->id, id) == 0)
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
    if (!d->batch && !(d->batch = rn__rows_new(10)))
        return rn__err(err, RN_ENOMEM, "out of memory");
    /* no explanation: the read side renders it (rn__decoded_explain) */
    if (sqlite3_prepare_v3(d->db,
                           "INSERT INTO candidate(marking, rank, field, value, earliest, "
                           "latest, precision, country, confidence, rule) "
                           "SELECT c0, c1, c2, c3, c4, c5, c6, c7, c8, c9 FROM rn_rows(?)",
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

/* The decoder's context from c (NULL: nothing known). Writes pass
 * RN_DECODE_NO_EXPLANATION in flags: explanations are not stored, the read
 * side renders them (rn__decoded_explain). */
static void to_decode_ctx(const ctx_entry *c, unsigned flags, rn_decode_ctx *dc)
{
    *dc = (rn_decode_ctx){c && c->category[0] ? c->category : NULL,
                          c && c->state[0] ? c->state : NULL,
                          c && c->manufacturer[0] ? c->manufacturer : NULL,
                          c ? c->documented : RN_DAY_OPEN_HIGH, flags};
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

/* A candidate as a row of table `candidate` holds it, from the field on
 * (the marking and the rank are the row's key): what store_candidates
 * writes and the read side compares (same_row). A NULL string or a has_
 * flag of 0 is SQL NULL. */
typedef struct cand_row {
    const char *field, *value, *precision, *country, *rule;
    int has_earliest, has_latest;
    int64_t earliest, latest;
    double confidence;
} cand_row;

static cand_row row_of(const rn_candidate *k)
{
    int dated = k->date.precision != RN_PREC_NONE;
    return (cand_row){k->field,
                      k->value ? k->value : "",
                      dated ? rn_precision_name(k->date.precision) : NULL,
                      k->country && k->country[0] ? k->country : NULL,
                      k->rule ? k->rule : "",
                      dated && k->date.earliest != RN_DAY_OPEN_LOW,
                      dated && k->date.latest != RN_DAY_OPEN_HIGH,
                      k->date.earliest,
                      k->date.latest,
                      k->confidence};
}

static rn_code rows_text_or_null(rn__rows *b, const char *v)
{
    return v ? rn__rows_text(b, v, -1) : rn__rows_null(b);
}

/* Add the candidates cs of marking `id` to the batch (copied: cs stays the
 * caller's), and write the batch when it is full, or at once outside a bulk
 * write (no thread: nothing else would flush it). */
static rn_code store_candidates(rn__decoded *d, const char *id, const rn_candidates *cs,
                                rn_error *err)
{
    rn_code rc = RN_OK;
    rn__rows *b = d->batch;
    size_t n = rn_candidates_count(cs);
    for (size_t i = 0; i < n && rc == RN_OK; i++) {
        const rn_candidate *k = rn_candidates_at(cs, i);
        cand_row r = row_of(k);
        rc = rn__rows_text(b, id, RN_ID_LEN);
        if (!rc)
            rc = rn__rows_int(b, (int64_t)i);
        if (!rc)
            rc = rn__rows_text(b, r.field, -1);
        if (!rc)
            rc = rn__rows_text(b, r.value, -1);
        if (!rc)
            rc = r.has_earliest ? rn__rows_int(b, r.earliest) : rn__rows_null(b);
        if (!rc)
            rc = r.has_latest ? rn__rows_int(b, r.latest) : rn__rows_null(b);
        if (!rc)
            rc = rows_text_or_null(b, r.precision);
        if (!rc)
            rc = rows_text_or_null(b, r.country);
        if (!rc)
            rc = rn__rows_double(b, r.confidence);
        if (!rc)
            rc = rn__rows_text(b, r.rule, -1);
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
        to_decode_ctx(j->has_ctx ? &j->ctx : NULL, RN_DECODE_NO_EXPLANATION, &dc);
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
    if (d)
        d->bulk = 1;
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

static void stop_thread(rn__decoded *d);

void rn__decoded_discard(rn__decoded *d)
{
    if (!d)
        return;
    if (d->batch)
        rn__rows_clear(d->batch);
    d->bulk = 0;
    d->pending.len = 0;
    stop_thread(d);
}

/* End the decoding thread, dropping what it decoded but was not stored. */
static void stop_thread(rn__decoded *d)
{
    async *a = d->bg;
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

/* Store every candidate in flight (a bulk write's) and batched. */
static rn_code drain(rn__decoded *d, rn_error *err)
{
    rn_code rc = RN_OK;
    if (d->bg && !(rc = bg_store(d, 1, err)))
        rc = flush_candidates(d, err);
    return rc;
}

rn_code rn__decoded_finish(rn__decoded *d, rn_error *err)
{
    if (!d || !d->bg)
        return RN_OK;
    rn_code rc = drain(d, err);
    stop_thread(d);
    return rc;
}

/* Drop the stored candidates of marking `id`; none of its may be in flight
 * (drain()). */
static rn_code drop_candidates(rn__decoded *d, const char *id, rn_error *err)
{
    sqlite3_bind_text(d->del, 1, id, -1, SQLITE_STATIC);
    int src = sqlite3_step(d->del);
    sqlite3_reset(d->del);
    if (src != SQLITE_DONE)
        return rn__err(err, RN_EDB, "clearing old candidates: %s", sqlite3_errmsg(d->db));
    return RN_OK;
}

/* Decode marking `id` (text[0..tlen), on item `item`) and store its
 * candidates, or hand it to the decoding thread. load() and
 * prepare_writes() have succeeded. */
static rn_code decode_one(rn__decoded *d, const char *id, const char *text, size_t tlen,
                          const char *item, rn_error *err)
{
    rn_code rc;
    const ctx_entry *c = context(d, item, 0);
    if (d->bg)
        return bg_submit(d, id, text, tlen, c, err);
    rn_decode_ctx dc;
    to_decode_ctx(c, RN_DECODE_NO_EXPLANATION, &dc);
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

rn_code rn__decoded_refresh(rn__decoded *d, const rn_record *m, int replace, rn_error *err)
{
    rn_code rc = load(d, err);
    if (rc || (rc = prepare_writes(d, err)))
        return rc;
    const char *id = rn_record_id(m);
    if (replace && ((rc = drain(d, err)) || (rc = drop_candidates(d, id, err))))
        return rc;
    size_t tlen;
    const char *text = rn_record_get(m, "text", &tlen);
    const char *item = rn_record_get(m, "item", NULL);
    if (!text || !item)
        return RN_OK;
    return decode_one(d, id, text, tlen, item, err);
}

/* An event's fields its items' context reads (inherit()). */
static const char *const EVENT_FIELDS[] = {"documented", "incident"};

int rn__decoded_context_differs(const rn_record *old, const rn_record *now)
{
    const char *const *f = ITEM_FIELDS;
    size_t n = RN_ARRAY_LEN(ITEM_FIELDS);
    if (rn_record_type(now) == RN_T_EVENT)
        f = EVENT_FIELDS, n = RN_ARRAY_LEN(EVENT_FIELDS);
    else if (rn_record_type(now) != RN_T_ITEM)
        return 0;
    for (size_t i = 0; i < n; i++) {
        size_t a = 0, b = 0;
        const char *va = rn_record_get(old, f[i], &a), *vb = rn_record_get(now, f[i], &b);
        if ((va == NULL) != (vb == NULL) || (va && (a != b || memcmp(va, vb, a))))
            return 1;
    }
    return 0;
}

/* The items whose context follows from record ?1: the item itself or the
 * event's items, and every item part of those. (Ids are unique across
 * types, so one of the two terms matches nothing.) */
#define BELOW_SQL                                                                          \
    "WITH RECURSIVE t(id) AS (SELECT id FROM item WHERE id = ?1 OR event = ?1 "              \
    "UNION SELECT i.id FROM item i JOIN t ON i.parent = t.id) "

static rn_code recontext_now(rn__decoded *d, const char *id, rn_error *err);

rn_code rn__decoded_recontext(rn__decoded *d, const char *id, rn_error *err)
{
    if (!d->bulk)
        return recontext_now(d, id, err);
    /* A bulk write may have dropped the indexes by event and parent that
     * find the markings: one search a change would scan the tables. Its
     * own markings are decoded with the new context from here on; those
     * below it, and all that were decoded before, again at the end. */
    rn__decoded_forget(d, id);
    rn_code rc = rn__buf_add(&d->pending, id, RN_ID_LEN + 1);
    return rc ? rn__err(err, rc, "out of memory") : RN_OK;
}

rn_code rn__decoded_bulk_end(rn__decoded *d, rn_error *err)
{
    if (!d)
        return RN_OK;
    rn_code rc = RN_OK;
    for (size_t at = 0; rc == RN_OK && at + RN_ID_LEN < d->pending.len; at += RN_ID_LEN + 1)
        rc = recontext_now(d, d->pending.data + at, err);
    d->pending.len = 0;
    d->bulk = 0;
    return rc;
}

/* Outside a bulk write, or at its end: there is no decoding thread, so
 * each marking is decoded and stored here. */
static rn_code recontext_now(rn__decoded *d, const char *id, rn_error *err)
{
    rn_code rc = load(d, err);
    if (rc || (rc = prepare_writes(d, err)))
        return rc;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(d->db,
                           BELOW_SQL "SELECT t.id, m.id, m.text FROM t LEFT JOIN marking m "
                                     "ON m.item = t.id",
                           -1, &st, NULL) != SQLITE_OK)
        return rn__err(err, RN_EDB, "finding the markings to decode again: %s",
                       sqlite3_errmsg(d->db));
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    /* What is cached of every item below is stale (a child holds what it
     * inherited): each row's item is forgotten, and the contexts read
     * from the database (fresh), whatever order the rows come in. */
    rn__decoded_forget(d, id);
    d->fresh = 1;
    int src;
    while (rc == RN_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        char item[RN_ID_LEN + 1], mid[RN_ID_LEN + 1];
        copy_text((const char *)sqlite3_column_text(st, 0), (size_t)sqlite3_column_bytes(st, 0),
                  item, sizeof item);
        rn__decoded_forget(d, item);
        const char *text = (const char *)sqlite3_column_text(st, 2);
        if (sqlite3_column_type(st, 1) == SQLITE_NULL || !text)
            continue; /* an item without markings */
        size_t tlen = (size_t)sqlite3_column_bytes(st, 2);
        copy_text((const char *)sqlite3_column_text(st, 1), (size_t)sqlite3_column_bytes(st, 1),
                  mid, sizeof mid);
        rc = drop_candidates(d, mid, err);
        if (rc == RN_OK)
            rc = decode_one(d, mid, text, tlen, item, err);
    }
    d->fresh = 0;
    if (rc == RN_OK && src != SQLITE_DONE)
        rc = rn__err(err, RN_EDB, "finding the markings to decode again: %s",
                     sqlite3_errmsg(d->db));
    sqlite3_finalize(st);
    return rc;
}

/* ---- read side ----------------------------------------------------------- */

/* Does column `col` of st hold v (NULL: SQL NULL)? */
static int text_is(sqlite3_stmt *st, int col, const char *v)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    return v ? t && strcmp(t, v) == 0 : sqlite3_column_type(st, col) == SQLITE_NULL;
}

static int int_is(sqlite3_stmt *st, int col, int has, int64_t v)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return !has;
    return has && sqlite3_column_int64(st, col) == v;
}

/* Is the stored candidate whose field is column `col` of st the row k
 * would be stored as? */
static int same_row(sqlite3_stmt *st, int col, const rn_candidate *k)
{
    cand_row r = row_of(k);
    return text_is(st, col, r.field) && text_is(st, col + 1, r.value) &&
           int_is(st, col + 2, r.has_earliest, r.earliest) &&
           int_is(st, col + 3, r.has_latest, r.latest) && text_is(st, col + 4, r.precision) &&
           text_is(st, col + 5, r.country) &&
           sqlite3_column_type(st, col + 6) != SQLITE_NULL &&
           sqlite3_column_double(st, col + 6) == r.confidence && text_is(st, col + 7, r.rule);
}

/* Are the stored candidates of marking `id` exactly cs (NULL: none could
 * be decoded), rank for rank? Sets d->read_best: bit r for each stored
 * rank r that is the best of its field (no better rank has its field). */
static int same_list(rn__decoded *d, const char *id, const rn_candidates *cs)
{
    sqlite3_bind_text(d->cand_q, 1, id, -1, SQLITE_STATIC);
    char fields[16][32]; /* the fields seen, fewer than 16 exist */
    size_t n = 0, nf = 0;
    int same = cs != NULL, src;
    d->read_best = 0;
    while ((src = sqlite3_step(d->cand_q)) == SQLITE_ROW) {
        const rn_candidate *k = rn_candidates_at(cs, n);
        same = same && k && sqlite3_column_int64(d->cand_q, 0) == (int64_t)n &&
               same_row(d->cand_q, 1, k);
        const char *f = (const char *)sqlite3_column_text(d->cand_q, 1);
        int64_t rank = sqlite3_column_int64(d->cand_q, 0);
        size_t j = 0;
        while (f && j < nf && strcmp(fields[j], f) != 0)
            j++;
        if (f && j == nf && nf < RN_ARRAY_LEN(fields)) {
            copy_text(f, strlen(f), fields[nf++], sizeof fields[0]);
            if (rank >= 0 && rank < 64)
                d->read_best |= (uint64_t)1 << rank;
        }
        n++;
    }
    sqlite3_reset(d->cand_q);
    return same && src == SQLITE_DONE && n == rn_candidates_count(cs);
}

/* Decode marking `id` again as a write would now, with explanations, into
 * d->read_cs; left NULL when it cannot be, or when what it gives is not
 * what is stored (an explanation may speak of the other candidates: of a
 * tie, of other makers with the same prefix). */
static void decode_for_read(rn__decoded *d, const char *id)
{
    copy_text(id, strlen(id), d->read_id, sizeof d->read_id);
    rn_candidates_free(d->read_cs);
    d->read_cs = NULL;
    d->read_best = 0;
    if (!prepare_queries(d) ||
        (!d->mark_q && sqlite3_prepare_v3(d->db, "SELECT text, item FROM marking WHERE id=?", -1,
                                          SQLITE_PREPARE_PERSISTENT, &d->mark_q,
                                          NULL) != SQLITE_OK) ||
        (!d->cand_q &&
         sqlite3_prepare_v3(d->db,
                            "SELECT rank, field, value, earliest, latest, precision, country, "
                            "confidence, rule FROM candidate WHERE marking=? ORDER BY rank",
                            -1, SQLITE_PREPARE_PERSISTENT, &d->cand_q, NULL) != SQLITE_OK))
        return;
    /* rules that no longer load explain nothing: same_list() says so */
    sqlite3_bind_text(d->mark_q, 1, id, -1, SQLITE_STATIC);
    if (load(d, NULL) == RN_OK && sqlite3_step(d->mark_q) == SQLITE_ROW &&
        sqlite3_column_text(d->mark_q, 0) &&
        sqlite3_column_text(d->mark_q, 1)) {
        const char *text = (const char *)sqlite3_column_text(d->mark_q, 0);
        size_t tlen = (size_t)sqlite3_column_bytes(d->mark_q, 0);
        char item[RN_ID_LEN + 1];
        copy_text((const char *)sqlite3_column_text(d->mark_q, 1),
                  (size_t)sqlite3_column_bytes(d->mark_q, 1), item, sizeof item);
        d->fresh = 1; /* another connection may have changed the item since */
        const ctx_entry *c = context(d, item, 0);
        d->fresh = 0;
        rn_decode_ctx dc;
        to_decode_ctx(c, 0, &dc);
        if (rn_decode_marking(d->dec, text, tlen, &dc, &d->read_cs, NULL) != RN_OK)
            d->read_cs = NULL;
    }
    sqlite3_reset(d->mark_q);
    if (!same_list(d, id, d->read_cs)) {
        rn_candidates_free(d->read_cs);
        d->read_cs = NULL;
    }
}

void rn__decoded_explain_begin(rn__decoded *d)
{
    if (!d)
        return;
    d->read_id[0] = '\0';
    rn_candidates_free(d->read_cs);
    d->read_cs = NULL;
}

const char *rn__decoded_explain(rn__decoded *d, sqlite3_stmt *st, int col, const char **why)
{
    *why = NULL;
    if (sqlite3_column_type(st, col + 10) != SQLITE_NULL) /* stored by an older version */
        return (const char *)sqlite3_column_text(st, col + 10);
    const char *id = (const char *)sqlite3_column_text(st, col);
    int rank = sqlite3_column_int(st, col + 1);
    if (!d || !id) {
        *why = RN__DECODED_UNEXPLAINED;
        return NULL;
    }
    if (strcmp(d->read_id, id) != 0)
        decode_for_read(d, id);
    if (rank < 0 || rank >= 64 || !(d->read_best & ((uint64_t)1 << rank)))
        return NULL; /* not the best of its field: never explained */
    /* the row is one of those same_list compared */
    const rn_candidate *k = rn_candidates_at(d->read_cs, (size_t)rank);
    if (!k) {
        *why = d->dec ? RN__DECODED_UNEXPLAINED : RN__DECODED_NO_RULES;
        return NULL;
    }
    return k->explanation;
}

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
