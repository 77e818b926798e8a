/* SPDX-License-Identifier: Apache-2.0
 *
 * http.c — the libmicrohttpd glue: starting and stopping the daemon, the
 * per-thread workers, and the life of one request.
 *
 * A request, as libmicrohttpd drives it:
 *   1. uri_log(): the request line is read. The srv_req is made here, with
 *      the raw path and query (the query is parsed by our own parse.c).
 *   2. on_request(), first call: headers are read. Route, authenticate,
 *      check the role floor and the body's size and type. Return without a
 *      response (two-phase: queuing now would make libmicrohttpd answer
 *      `Connection: close`), unless the request already failed and a body
 *      is still coming: then the error is queued at once, so an oversize or
 *      unauthorized upload is not read.
 *   3. on_request() with data: JSON bodies are kept (up to --max-body),
 *      uploads streamed to a temp file (api_attach.c). Past a limit: 413,
 *      queued at once.
 *   4. on_request() with no more data: the handler runs, the reply is queued.
 *   5. completed(): one log line, everything freed (srv_req_free).
 * Invariants: (a) a request is freed exactly once, in completed(); (b) a
 * handler runs only for a routed, authenticated, authorised request whose
 * body is complete; (c) the log line never holds a query, body, cookie or
 * token.
 *
 * Slow and hostile clients: --timeout closes idle connections; besides, each
 * request has absolute deadlines that no trickle of bytes can push back
 * (--header-timeout from the moment the connection is ready for a request
 * until its headers are in, --body-timeout from then until its body is in):
 * the main thread checks every connection four times a second and shuts
 * down the socket of one past its deadline (libmicrohttpd then closes it on
 * its own thread). --max-conn caps connections, --max-conn-per-ip those of
 * one client address. URLs longer than SRV_URL_MAX get 414, headers beyond
 * libmicrohttpd's per-connection memory get 431 from libmicrohttpd itself,
 * two different Content-Length headers 400 (RFC 9112, 6.3).
 * A body refused part-way (too large, disk full) is read on and dropped, up
 * to SRV_DRAIN_MAX bytes, so that the client is still reading when the
 * JSON error comes (closing on unread data would reset the connection and
 * lose the reply); past that, the error is sent at once.
 * /api/v1/health is answered before any database or account lookup.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server.h"

srv_config srv_cfg;

#define SRV_DRAIN_MAX (4u << 20) /* body bytes dropped after a failure */

/* ---- the log ------------------------------------------------------------------------ */

void srv_log_escape(char *out, size_t cap, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (; s && *s && o + 5 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c >= 0x7f || c == '\\') {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        } else {
            out[o++] = (char)c;
        }
    }
    if (cap)
        out[o < cap ? o : cap - 1] = '\0';
}

void srv_log(const char *fmt, ...)
{
    char line[1024];
    int n = snprintf(line, sizeof line, "remnant serve: ");
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        return;
    size_t len = (size_t)n + ((size_t)m < sizeof line - (size_t)n - 1 ? (size_t)m
                                                                     : sizeof line - (size_t)n - 2);
    line[len++] = '\n';
    (void)!write(2, line, len);
}

/* ---- connections and their deadlines ---------------------------------------------- */

/* One per open connection (libmicrohttpd's socket context), in a list the
 * main thread walks. deadline_us 0: none (a handler runs or a reply is
 * being sent; --timeout still applies). */
typedef struct srv_conn {
    int fd;
    _Atomic uint64_t deadline_us;
    struct srv_conn *prev, *next;
} srv_conn;

static pthread_mutex_t conns_mu = PTHREAD_MUTEX_INITIALIZER;
static srv_conn *conns;

static uint64_t now_us(void);

static srv_conn *conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static void conn_deadline(struct MHD_Connection *c, unsigned seconds)
{
    srv_conn *k = conn_of(c);
    if (k)
        atomic_store(&k->deadline_us, seconds ? now_us() + (uint64_t)seconds * 1000000u : 0);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        srv_conn *k = calloc(1, sizeof *k);
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!k || !ci) {
            free(k);
            *socket_context = NULL;
            return;
        }
        k->fd = ci->connect_fd;
        atomic_store(&k->deadline_us, now_us() + (uint64_t)srv_cfg.header_timeout_s * 1000000u);
        pthread_mutex_lock(&conns_mu);
        k->next = conns;
        if (conns)
            conns->prev = k;
        conns = k;
        pthread_mutex_unlock(&conns_mu);
        *socket_context = k;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
        /* libmicrohttpd closes the socket after this returns: under the
         * lock, the reaper never shuts down a reused descriptor */
        srv_conn *k = *socket_context;
        pthread_mutex_lock(&conns_mu);
        if (k->prev)
            k->prev->next = k->next;
        else
            conns = k->next;
        if (k->next)
            k->next->prev = k->prev;
        pthread_mutex_unlock(&conns_mu);
        free(k);
        *socket_context = NULL;
    }
}

/* Shut down the sockets of connections past their deadline. */
static void reap(void)
{
    uint64_t now = now_us();
    unsigned n = 0;
    pthread_mutex_lock(&conns_mu);
    for (srv_conn *k = conns; k; k = k->next) {
        uint64_t d = atomic_load(&k->deadline_us);
        if (d && now > d) {
            atomic_store(&k->deadline_us, 0);
            shutdown(k->fd, SHUT_RDWR);
            n++;
        }
    }
    pthread_mutex_unlock(&conns_mu);
    if (n)
        srv_log("closed %u connection%s whose request was not complete in time "
                "(--header-timeout %u s, --body-timeout %u s)", n, n == 1 ? "" : "s",
                srv_cfg.header_timeout_s, srv_cfg.body_timeout_s);
}

/* ---- workers ---------------------------------------------------------------------- */

static _Thread_local srv_worker *tls_worker;
static pthread_mutex_t workers_mu = PTHREAD_MUTEX_INITIALIZER;
static srv_worker *workers;

srv_worker *srv_worker_get(void)
{
    srv_worker *w = tls_worker;
    if (w && w->store && w->adb)
        return w;
    /* new, or its connections were closed for a large sync
     * (srv_workers_release): opened again here, on its own thread */
    int made = !w;
    if (made && !(w = calloc(1, sizeof *w)))
        return NULL;
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = RN_OK;
    if (!w->store && (rc = rn_store_open(srv_cfg.db_path, 0, &w->store, &err)) == RN_OK) {
        /* a write waits --busy-timeout for another writer, then 503 (reads
         * never wait: WAL) */
        if (rn_store_set_busy_timeout(w->store, srv_cfg.busy_ms) != RN_OK)
            fprintf(stderr, "remnant serve: cannot set the busy timeout\n");
    }
    if (rc == RN_OK && !w->adb) {
        srv_accounts_forget();
        if ((rc = srv_accounts_open(srv_cfg.db_path, &w->adb, &err)) == RN_OK)
            sqlite3_busy_timeout(w->adb, (int)srv_cfg.busy_ms);
    }
    if (rc != RN_OK) {
        fprintf(stderr, "remnant serve: cannot open %s: %s\n", srv_cfg.db_path, err.message);
        if (made) {
            rn_store_close(w->store);
            srv_accounts_close(w->adb);
            free(w);
        }
        return NULL; /* an old worker keeps what is open; the next request tries again */
    }
    if (made) {
        w->pub_version = -1;
        pthread_mutex_lock(&workers_mu);
        w->next = workers;
        workers = w;
        pthread_mutex_unlock(&workers_mu);
        tls_worker = w;
    }
    return w;
}

void srv_workers_release(srv_worker *self)
{
    pthread_mutex_lock(&workers_mu);
    for (srv_worker *w = workers; w; w = w->next) {
        srv_public_free(w->pub);
        w->pub = NULL;
        w->pub_version = -1;
        rn_ledger_close(w->ledger);
        w->ledger = NULL;
        srv_accounts_close(w->adb);
        w->adb = NULL;
        if (w != self) {
            rn_store_close(w->store);
            w->store = NULL;
        }
    }
    pthread_mutex_unlock(&workers_mu);
}

/* Only after the daemon stopped: no thread uses a worker any more. */
void srv_workers_close(void)
{
    pthread_mutex_lock(&workers_mu);
    while (workers) {
        srv_worker *w = workers;
        workers = w->next;
        srv_public_free(w->pub);
        rn_ledger_close(w->ledger);
        srv_accounts_close(w->adb);
        rn_store_close(w->store);
        free(w);
    }
    pthread_mutex_unlock(&workers_mu);
}

/* ---- request helpers --------------------------------------------------------------- */

const char *srv_query(const srv_req *q, const char *key)
{
    for (size_t i = 0; i < q->nquery; i++)
        if (strcmp(q->query[i].key, key) == 0)
            return q->query[i].value;
    return NULL;
}

const char *srv_header(const srv_req *q, const char *name)
{
    return MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, name);
}

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void srv_req_free(srv_req *q)
{
    /* a push cut short: keep its whole files (only a package's upload left
     * open can be one: no other request waits for the gate here) */
    if (q->w && q->route && q->route->upload == 2 && q->upload_fd >= 0 && !q->failed &&
        srv_gate_enter() == 0) {
        srv_sync_upload_salvage(q);
        srv_gate_leave();
    }
    srv_upload_abort(q);
    if (q->out_fd >= 0)
        close(q->out_fd);
    if (q->body) {
        sodium_memzero(q->body, q->body_len); /* may hold a password */
        free(q->body);
    }
    free(q->querybuf);
    free(q->out);
    for (size_t i = 0; i < q->nheaders; i++)
        free(q->header_store[i]);
    free(q);
}

/* Step 1. */
static void *uri_log(void *cls, const char *uri, struct MHD_Connection *c)
{
    srv_req *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->t0_us = now_us();
    q->conn = c;
    q->upload_fd = -1;
    q->out_fd = -1;
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, q->addr, sizeof q->addr);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, q->addr,
                  sizeof q->addr);
    else
        snprintf(q->addr, sizeof q->addr, "?");
    size_t n = strlen(uri);
    const char *qm = strchr(uri, '?');
    size_t pl = qm ? (size_t)(qm - uri) : n;
    if (n > SRV_URL_MAX) {
        snprintf(q->path, sizeof q->path, "%.*s", (int)(pl < 200 ? pl : 200), uri);
        srv_reply_error(q, 414, "uri_too_long", "the URL is too long", NULL);
        return q;
    }
    memcpy(q->path, uri, pl);
    q->path[pl] = '\0';
    if (qm) {
        size_t ql = n - pl - 1;
        q->querybuf = malloc(ql + 1);
        int k = q->querybuf ? srv_parse_query(qm + 1, ql, q->querybuf, ql + 1, q->query,
                                              SRV_MAX_QUERY)
                            : -1;
        if (k < 0)
            srv_reply_error(q, 400, "bad_query", "the query string is malformed or too long",
                            NULL);
        else
            q->nquery = (size_t)k;
    }
    return q;
}

static int body_expected(srv_req *q)
{
    const char *cl = srv_header(q, "Content-Length");
    const char *te = srv_header(q, "Transfer-Encoding");
    return (cl && strcmp(cl, "0") != 0) || te != NULL;
}

/* Content-Length headers: how many, and whether they differ. */
typedef struct cl_count {
    const char *first;
    int n, differ;
} cl_count;

static enum MHD_Result count_cl(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    (void)kind;
    cl_count *k = cls;
    if (key && strcasecmp(key, "Content-Length") == 0) {
        if (k->n++ == 0)
            k->first = value;
        else if (!value || !k->first || strcmp(value, k->first) != 0)
            k->differ = 1;
    }
    return MHD_YES;
}

/* The gate was not had within --busy-timeout: a large sync is being
 * written with the database to itself (gate.c). Nothing was done. */
static void gate_busy(srv_req *q)
{
    srv_add_header(q, "Retry-After", "1");
    srv_reply_error(q, 503, "busy", "the database is being written by a large sync: nothing "
                    "was done; try again shortly", NULL);
}

static void begin_db(srv_req *q, int known);

/* Step 2: everything decided before the body is read. */
static void begin(srv_req *q, const char *method)
{
    q->method = srv_method_from(method);
    if (q->failed)
        return;
    cl_count clc = {NULL, 0, 0};
    MHD_get_connection_values(q->conn, MHD_HEADER_KIND, count_cl, &clc);
    if (clc.differ) {
        srv_reply_error(q, 400, "bad_request",
                        "the request has two different Content-Length headers", NULL);
        return;
    }
    const srv_route *st = srv_static_route(q->path); /* the web app (static.c) */
    if (st) {
        q->route = st;
        if (q->method != M_GET && q->method != M_HEAD) {
            srv_add_header(q, "Allow", "GET, HEAD");
            srv_reply_error(q, 405, "method_not_allowed", "the web app's files take GET",
                            NULL);
        }
        return;
    }
    int known = 0;
    q->route = srv_route_match(q->method, q->path, q->pathbuf, sizeof q->pathbuf, q->params,
                               &q->nparams, &known);
    if (q->route && q->route->fn == api_health && !body_expected(q))
        return; /* no database, no accounts: health answers while a writer holds the lock */
    if (srv_gate_enter() != 0) {
        gate_busy(q);
        return;
    }
    begin_db(q, known);
    srv_gate_leave();
}

/* Step 2's part that reads the database (the worker, the account), inside
 * a shared hold of the gate (gate.c); `known`: the path matched under
 * another method. */
static void begin_db(srv_req *q, int known)
{
    q->w = srv_worker_get();
    if (!q->w) {
        srv_reply_error(q, 503, "unavailable", "the database cannot be opened", NULL);
        return;
    }
    if (!q->route) {
        if (known) {
            srv_add_header(q, "Allow", "see /api/openapi.json");
            srv_reply_error(q, 405, "method_not_allowed", "this path does not take that method",
                            NULL);
        } else {
            srv_reply_error(q, 404, "not_found", "no such endpoint (see /api/openapi.json)",
                            NULL);
        }
        return;
    }
    if (srv_authenticate(q))
        return;
    if (q->role < q->route->min_role) {
        if (q->role == SRV_PUBLIC)
            srv_reply_error(q, 401, "unauthorized", "log in or give an API token", NULL);
        else
            srv_reply_error(q, 403, "forbidden", "your role may not do this", NULL);
        return;
    }
    if (q->route->upload) {
        (void)srv_upload_begin(q);
        return;
    }
    if (body_expected(q)) {
        const char *ct = srv_header(q, "Content-Type");
        const char *cl = srv_header(q, "Content-Length");
        if (!ct || strncasecmp(ct, "application/json", 16) != 0) {
            srv_reply_error(q, 415, "unsupported_media_type",
                            "send the body as Content-Type: application/json", NULL);
            return;
        }
        if (cl && strtoull(cl, NULL, 10) > srv_cfg.json_max) {
            srv_reply_error(q, 413, "too_large", "the body is larger than the server's limit",
                            NULL);
            return;
        }
    }
}

/* Step 3 for JSON bodies. */
static void take_body(srv_req *q, const char *data, size_t n)
{
    if (q->body_len + n > srv_cfg.json_max) {
        srv_reply_error(q, 413, "too_large", "the body is larger than the server's limit", NULL);
        return;
    }
    if (q->body_len + n + 1 > q->body_cap) {
        size_t nc = q->body_cap ? q->body_cap : 1024;
        while (nc < q->body_len + n + 1)
            nc *= 2;
        char *nb = realloc(q->body, nc);
        if (!nb) {
            srv_reply_rn(q, RN_ENOMEM, NULL);
            return;
        }
        q->body = nb;
        q->body_cap = nc;
    }
    memcpy(q->body + q->body_len, data, n);
    q->body_len += n;
    q->body[q->body_len] = '\0';
}

static enum MHD_Result send_reply(srv_req *q)
{
    struct MHD_Response *r;
    if (q->status == 0) {
        srv_reply_error(q, 500, "internal", "the handler gave no answer", NULL);
    }
    if (q->out_fd >= 0) {
        r = MHD_create_response_from_fd_at_offset64(q->out_fd_size, q->out_fd,
                                                    q->out_fd_offset);
        if (r)
            q->out_fd = -1; /* the response owns it now */
    } else if (q->out) {
        r = MHD_create_response_from_buffer(q->out_len, q->out, MHD_RESPMEM_MUST_FREE);
        if (r)
            q->out = NULL;
    } else {
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    if (!r)
        return MHD_NO;
    if (q->ctype && q->status != 304 && q->status != 204)
        MHD_add_response_header(r, "Content-Type", q->ctype);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    int has_cc = 0;
    for (size_t i = 0; i < q->nheaders; i++) {
        MHD_add_response_header(r, q->headers[i].key, q->headers[i].value);
        has_cc |= strcasecmp(q->headers[i].key, "Cache-Control") == 0;
    }
    if (!has_cc)
        MHD_add_response_header(r, "Cache-Control",
                                q->role == SRV_PUBLIC ? "no-cache" : "private, no-cache");
    enum MHD_Result ret = MHD_queue_response(q->conn, q->status, r);
    MHD_destroy_response(r);
    q->queued = 1;
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    srv_req *q = *con_cls;
    if (!q)
        return MHD_NO; /* uri_log could not allocate */
    if (!q->started) { /* step 2 */
        q->started = 1;
        begin(q, method);
        if (q->failed && body_expected(q))
            return send_reply(q); /* do not read a body we will refuse */
        conn_deadline(c, body_expected(q) ? srv_cfg.body_timeout_s : 0);
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (q->queued)
            return MHD_YES;
        if (q->failed) { /* refused part-way: drop the rest, answer at its end */
            q->drained += n;
            return q->drained > SRV_DRAIN_MAX ? send_reply(q) : MHD_YES;
        }
        if (q->route && q->route->upload)
            (void)srv_upload_data(q, upload_data, n);
        else
            take_body(q, upload_data, n);
        if (q->failed)
            srv_upload_abort(q); /* nothing of a refused upload is kept */
        return MHD_YES;
    }
    conn_deadline(c, 0);
    if (q->queued)
        return MHD_YES;
    if (!q->failed && q->w && srv_gate_enter() != 0) {
        gate_busy(q);
    } else if (!q->failed) {
        q->status = 0;
        q->route->fn(q);
        if (q->w)
            srv_gate_leave();
        /* a write went through: its checkpoint goes to the witnesses (witnesses.c) */
        if (q->method >= M_POST && q->method <= M_DELETE && q->status >= 200 &&
            q->status < 300)
            srv_witness_poke();
    }
    return send_reply(q);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    srv_req *q = *con_cls;
    if (!q)
        return;
    *con_cls = NULL;
    conn_deadline(c, srv_cfg.header_timeout_s); /* for the next request on it */
    if (!srv_cfg.quiet) {
        char line[1100], path[820];
        uint64_t us = now_us() - q->t0_us;
        unsigned st = q->queued ? q->status : 0; /* 0: no answer (closed, timed out) */
        srv_log_escape(path, 201 * 4 < sizeof path ? 201 * 4 : sizeof path, q->path);
        int n = snprintf(line, sizeof line, "%s %.800s %u %llu.%03llums%s%s\n",
                         srv_method_name(q->method), path, st,
                         (unsigned long long)(us / 1000), (unsigned long long)(us % 1000),
                         q->user[0] ? " " : "", q->user);
        if (n > 0)
            (void)!write(2, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    }
    srv_req_free(q);
}

/* ---- the daemon ------------------------------------------------------------------- */

int srv_run(void)
{
    struct sockaddr_in sa4;
    struct sockaddr_in6 sa6;
    struct sockaddr *sa;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO;
    memset(&sa4, 0, sizeof sa4);
    memset(&sa6, 0, sizeof sa6);
    if (inet_pton(AF_INET, srv_cfg.host, &sa4.sin_addr) == 1) {
        sa4.sin_family = AF_INET;
        sa4.sin_port = htons((uint16_t)srv_cfg.port);
        sa = (struct sockaddr *)&sa4;
    } else if (inet_pton(AF_INET6, srv_cfg.host, &sa6.sin6_addr) == 1) {
        sa6.sin6_family = AF_INET6;
        sa6.sin6_port = htons((uint16_t)srv_cfg.port);
        sa = (struct sockaddr *)&sa6;
        flags |= MHD_USE_IPv6;
    } else {
        fprintf(stderr, "remnant serve: '%s' is not a numeric IP address\n", srv_cfg.host);
        return 2;
    }
    unsigned threads = srv_cfg.threads;
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        /* two per CPU: measured faster than one per CPU with wrk on the same
         * machine (docs/BENCHMARKS.md, "Server") */
        threads = n > 0 && n < 32 ? 2 * (unsigned)n : 4;
    }
    /* Signals are taken by sigwait() below: block them before the daemon's
     * threads start, so they inherit the mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN); /* a file size limit fails the write (507), not the server */

    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)srv_cfg.port, NULL, NULL, on_request, NULL,
        MHD_OPTION_SOCK_ADDR, sa,
        MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_TIMEOUT, srv_cfg.timeout_s,
        MHD_OPTION_CONNECTION_LIMIT, srv_cfg.max_conn,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, srv_cfg.max_conn_per_ip,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
        /* no SO_REUSEPORT: a second server on a taken address must fail */
        MHD_OPTION_URI_LOG_CALLBACK, uri_log, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
        MHD_OPTION_END);
    if (!d) {
        int e = errno;
        fprintf(stderr, "remnant serve: cannot listen on %s:%u: %s\n", srv_cfg.host,
                srv_cfg.port, e == EADDRINUSE ? "the address is already in use (another "
                "server?)" : e ? strerror(e) : "libmicrohttpd failed to start");
        return 5;
    }
    fprintf(stderr, "remnant serve: listening on http://%s%s%s:%u/ (%u threads, db %s)\n",
            sa == (struct sockaddr *)&sa6 ? "[" : "", srv_cfg.host,
            sa == (struct sockaddr *)&sa6 ? "]" : "", srv_cfg.port, threads, srv_cfg.db_path);
    srv_witness_start();
    int sig = 0;
    for (;;) {
        struct timespec tick = {0, 250 * 1000 * 1000};
        sig = sigtimedwait(&set, NULL, &tick);
        if (sig == SIGINT || sig == SIGTERM)
            break;
        reap(); /* a tick (EAGAIN) or an interruption */
    }
    fprintf(stderr, "remnant serve: %s, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    MHD_stop_daemon(d); /* joins the worker threads: requests in flight finish */
    srv_witness_stop();
    srv_workers_close();
    srv_portal_shutdown();
    srv_thumb_shutdown();
    return 0;
}
