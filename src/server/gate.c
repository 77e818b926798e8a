/* SPDX-License-Identifier: Apache-2.0
 *
 * gate.c — the server's database gate: every request's use of the database
 * passes it together with the others (shared); a large sync push may take
 * it alone, so that its one transaction is written with a rollback journal
 * instead of through the WAL (docs/SYNC.md "Over HTTP", "Measured").
 *
 * Why. The SQLite store leaves WAL mode for a large transaction only when
 * no other connection has the database open (lib/store/sqlite.c
 * sq_bulk_journal): in WAL mode every page of it is written twice, to the
 * WAL and by the checkpoint into the database. The server's workers keep
 * their connections open between requests, so without the gate a pushed
 * package always stayed in the WAL.
 *
 *   request callback (http.c) ── srv_gate_enter(): shared ── its database
 *        work ── srv_gate_leave()
 *   a push of a large package, once its signature holds (api_sync.c, through
 *   lib/sync's alone hook):
 *        srv_gate_alone(): its shared hold traded for the whole gate ──
 *        every connection of every worker closed (but the pusher's store),
 *        the portal's too ── the transaction (rollback journal, then WAL
 *        again at its end) ── srv_gate_share(): shared again
 *
 * Invariants: (G1) no connection of the server's is used outside a hold of
 * the gate (the witness thread's own connection excepted: while it is open
 * SQLite keeps the database in WAL, which is as safe); (G2) while one
 * thread holds the gate alone no other thread holds it, so the connections
 * it closes are idle and each worker opens its own again on its next
 * request (srv_worker_get); (G3) no wait is unbounded: a request waits at
 * most --busy-timeout ms for its shared hold, then is answered 503 busy
 * with Retry-After (nothing done), as when another process holds the write
 * lock; a push waits at most as long for the gate alone, then writes
 * through the WAL as before; (G4) a thread takes the gate once however
 * deeply its callbacks nest (a depth count), so a waiting writer can never
 * deadlock it; (G5) writers go first: a push waiting for the gate alone
 * makes new requests wait, so a stream of reads cannot starve it.
 * Correctness never depends on the gate: the rollback journal's safety
 * (a hot journal rolled back by the next open) and the transaction's are
 * SQLite's; the gate only lets the cheaper journal take effect.
 */
#define _GNU_SOURCE /* pthread_rwlockattr_setkind_np: writers first (G5) */
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "server.h"

static pthread_rwlock_t gate;
static pthread_once_t gate_once = PTHREAD_ONCE_INIT;
static _Thread_local unsigned depth; /* G4 */

static void gate_init(void)
{
    pthread_rwlockattr_t a;
    pthread_rwlockattr_init(&a);
    pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&gate, &a);
    pthread_rwlockattr_destroy(&a);
}

/* The moment `ms` milliseconds from now, on the clock the rwlock waits on. */
static struct timespec after_ms(unsigned ms)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

int srv_gate_enter(void)
{
    pthread_once(&gate_once, gate_init);
    if (depth++)
        return 0;
    struct timespec t = after_ms(srv_cfg.busy_ms);
    int e;
    while ((e = pthread_rwlock_timedrdlock(&gate, &t)) == EINTR)
        ;
    if (e != 0) {
        depth = 0;
        return -1;
    }
    return 0;
}

void srv_gate_leave(void)
{
    if (depth && --depth == 0)
        pthread_rwlock_unlock(&gate);
}

int srv_gate_alone(srv_worker *self)
{
    if (depth != 1)
        return 0; /* not in exactly one shared hold: nothing to trade */
    pthread_rwlock_unlock(&gate);
    struct timespec t = after_ms(srv_cfg.busy_ms);
    int e;
    while ((e = pthread_rwlock_timedwrlock(&gate, &t)) == EINTR)
        ;
    if (e != 0) {
        pthread_rwlock_rdlock(&gate); /* shared again: the transaction stays in the WAL */
        return 0;
    }
    srv_workers_release(self);
    srv_portal_release();
    return 1;
}

void srv_gate_share(void)
{
    /* waits only for a writer that came first (G5), which holds nothing we
     * hold */
    pthread_rwlock_unlock(&gate);
    pthread_rwlock_rdlock(&gate);
}
