/* SPDX-License-Identifier: Apache-2.0
 *
 * witnesses.c — `remnant serve` asks the log's witnesses (c2sp.org/
 * tlog-witness, lib/ledger/witness_ask.c) to cosign its latest checkpoint
 * after writes through the API, as the CLI does after each command.
 *
 * One background thread does the asking, so that no request and no write
 * lock ever waits on the network:
 *
 *   handler returns 2xx to POST/PUT/PATCH/DELETE (http.c)
 *        │ srv_witness_poke(): pending = 1, signal   (never blocks on I/O)
 *        ▼
 *   thread wakes ── pending = 0 ── log grew since the last ask? ── no ─► sleep
 *        │ yes: open the log, rn_ledger_witness_ask(latest), log outcomes
 *        '-------------------------------------------------------------> sleep
 *
 * Invariants: (W1) a poke only sets a flag under a mutex held for no I/O;
 * (W2) pokes that arrive while an ask runs coalesce into one more ask, for
 * the checkpoint that is latest then (its consistency proof covers every
 * checkpoint in between); (W3) the asking opens its own connection and
 * holds no transaction across the network (each statement of
 * rn_ledger_witness_ask commits on its own), so writes go on meanwhile;
 * (W4) every outcome and every failure is one line of the server's log,
 * and none fails a write; (W5) srv_witness_stop() makes a transfer in
 * progress give up (the transport's stop flag) and joins the thread.
 * A witness that was down is asked again after the next write that grows
 * the log, or by `remnant witness ask`.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "server.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static pthread_t thread;
static int running, pending;
static atomic_int stopping;
static uint64_t asked_size; /* the thread's own: the size last asked about */

static void on_result(void *ctx, const rn_ledger_witness_result *r)
{
    (void)ctx;
    srv_log("witness %s: %s (HTTP %d): %s", r->witness->name,
            rn_witness_outcome_word(r->outcome), r->status, r->message);
}

static int count_one(void *ctx, const rn_ledger_witness_info *w)
{
    (void)w;
    ++*(unsigned *)ctx;
    return 0;
}

/* Ask for the latest checkpoint when the log grew since the last ask. */
static void ask_latest(void)
{
    rn_ledger *l = NULL;
    rn_error err;
    uint64_t size = 0;
    unsigned n = 0, quorum = 0;
    size_t cosigned = 0, asked = 0;
    rn_error_clear(&err);
    if (rn_ledger_open(srv_cfg.db_path, 0, &l, &err) != RN_OK) {
        srv_log("witnesses not asked: cannot open the log: %s", err.message);
        return;
    }
    if (rn_ledger_size(l, &size, &err) != RN_OK || size <= asked_size)
        goto out;
    asked_size = size;
    if (rn_ledger_witness_list(l, count_one, &n, &err) != RN_OK || n == 0)
        goto out; /* no witnesses: nothing to ask */
    if (rn_ledger_witness_quorum_get(l, &quorum, &err) != RN_OK)
        quorum = 0;
    if (rn_ledger_witness_ask(l, size, srv_cfg.witness_post, &stopping, on_result, NULL,
                              &cosigned, &asked, &err) != RN_OK) {
        srv_log("witnesses not asked for checkpoint %llu: %s", (unsigned long long)size,
                err.message);
        goto out;
    }
    srv_log("checkpoint %llu: %zu cosignature%s, quorum %u: %s%s", (unsigned long long)size,
            cosigned, cosigned == 1 ? "" : "s", quorum, cosigned >= quorum ? "met" : "NOT MET",
            cosigned >= quorum ? "" : " (`remnant witness ask` asks again)");
out:
    rn_ledger_close(l);
}

static void *run(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&mu);
        while (!pending && !atomic_load(&stopping))
            pthread_cond_wait(&cv, &mu);
        pending = 0;
        pthread_mutex_unlock(&mu);
        if (atomic_load(&stopping))
            break;
        ask_latest();
    }
    return NULL;
}

void srv_witness_start(void)
{
    rn_ledger *l = NULL;
    if (!srv_cfg.witness_post || running)
        return;
    atomic_store(&stopping, 0);
    pending = 0;
    /* what is there at start was the CLI's to ask (or `witness ask`'s) */
    asked_size = 0;
    if (rn_ledger_open(srv_cfg.db_path, RN_LEDGER_READONLY, &l, NULL) == RN_OK) {
        if (rn_ledger_size(l, &asked_size, NULL) != RN_OK)
            asked_size = 0;
        rn_ledger_close(l);
    }
    if (pthread_create(&thread, NULL, run, NULL) != 0) {
        srv_log("cannot start the thread that asks witnesses: checkpoints made here are"
                " not sent to them (`remnant witness ask` sends them)");
        return;
    }
    running = 1;
}

void srv_witness_poke(void)
{
    if (!running)
        return;
    pthread_mutex_lock(&mu);
    pending = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
}

void srv_witness_stop(void)
{
    if (!running)
        return;
    pthread_mutex_lock(&mu);
    atomic_store(&stopping, 1);
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    pthread_join(thread, NULL);
    running = 0;
}
