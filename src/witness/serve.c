/* SPDX-License-Identifier: Apache-2.0
 *
 * serve.c — `remnant witness serve`: a witness on the web, per
 * c2sp.org/tlog-witness. One route, POST /add-checkpoint, answered by the
 * library (rn_witness_add_checkpoint: lib/ledger/witness_answer.c A1-A8);
 * this file is only HTTP: reading the body up to its limit, the answer's
 * status and type, a log line per request (never a key), stopping cleanly on
 * SIGINT/SIGTERM. GET / says which witness this is (its verifier key).
 *
 * Limits: a body of at most RN_WITNESS_BODY_MAX bytes (413 beyond, not
 * read further), 64 connections, 10 s per connection, 4 threads. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "cli.h"
#include "remnant/ledger.h"

/* src/server/parse.c */
int srv_parse_listen(const char *s, char *host, size_t cap, unsigned *port);

/* The largest body read: the protocol's, from lib/ledger/tlog.h (63 proof
 * lines of 45 bytes, a note of 64 KiB, the old size line). */
#define BODY_MAX (32 + 63 * 45 + 65536)

static const char usage[] =
    "remnant witness serve --key KEYFILE --log-key VKEY [--log-key VKEY ...]"
    " --state DIR [--listen ADDR:PORT]";

typedef struct req {
    char *body;
    size_t len;
    int queued; /* an answer was queued before the body ended (413) */
} req;

static rn_witness *the_witness;

static enum MHD_Result reply(struct MHD_Connection *c, int status,
                             const char *ctype, const char *body, size_t len)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", ctype);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (status == 405)
        MHD_add_response_header(r, "Allow", "POST");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result reply_error(struct MHD_Connection *c, int status,
                                   const char *code, const char *msg)
{
    char b[512];
    int n = snprintf(b, sizeof b, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}\n",
                     code, msg);
    return reply(c, status, "application/json", b, n < 0 ? 0 : (size_t)n);
}

static void log_line(const char *method, const char *url, int status,
                     const char *what)
{
    /* The URL is the client's: printable ASCII only, and short. */
    char u[80];
    size_t j = 0;
    for (size_t i = 0; url[i] && j + 1 < sizeof u; i++)
        u[j++] = (url[i] > 0x20 && url[i] < 0x7f) ? url[i] : '?';
    u[j] = '\0';
    fprintf(stderr, "remnant witness: %s %s %d%s%s\n", method, u, status,
            what && *what ? " " : "", what ? what : "");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)cls;
    (void)version;
    req *q = *con_cls;
    if (!q) {
        q = calloc(1, sizeof *q);
        if (!q)
            return MHD_NO;
        *con_cls = q;
        /* a body announced too large is refused before it is read */
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strcmp(url, "/add-checkpoint") == 0 &&
            strtoull(cl, NULL, 10) > BODY_MAX) {
            q->queued = 1;
            log_line(method, url, 413, "");
            return reply_error(c, 413, "too_large", "the request body is"
                               " larger than a checkpoint with its proof can"
                               " be");
        }
        return MHD_YES;
    }
    if (strcmp(url, "/add-checkpoint") != 0) {
        if (*upload_size) {
            *upload_size = 0;
            return MHD_YES;
        }
        if (strcmp(url, "/") == 0 && strcmp(method, "GET") == 0) {
            char b[600];
            int n = snprintf(b, sizeof b, "a c2sp.org/tlog-witness witness:"
                             " POST /add-checkpoint\n%s\n",
                             rn_witness_vkey(the_witness));
            return reply(c, 200, "text/plain; charset=utf-8", b,
                         n < 0 ? 0 : (size_t)n);
        }
        log_line(method, url, 404, "");
        return reply_error(c, 404, "not_found", "this witness answers only"
                           " POST /add-checkpoint (c2sp.org/tlog-witness)");
    }
    if (strcmp(method, "POST") != 0) {
        log_line(method, url, 405, "");
        return reply_error(c, 405, "method_not_allowed",
                           "add-checkpoint takes POST");
    }
    if (q->queued) {
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (n > BODY_MAX - q->len) {
            /* answer at once and read no further: libmicrohttpd closes the
             * connection after the answer */
            q->queued = 1;
            log_line(method, url, 413, "");
            return reply_error(c, 413, "too_large", "the request body is"
                               " larger than a checkpoint with its proof can"
                               " be");
        }
        char *nb = realloc(q->body, q->len + n + 1);
        if (!nb)
            return MHD_NO;
        q->body = nb;
        memcpy(q->body + q->len, upload, n);
        q->len += n;
        return MHD_YES;
    }
    rn_witness_answer a;
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_witness_add_checkpoint(the_witness, q->body ? q->body : "",
                                           q->len, &a, &err);
    log_line(method, url, a.status, rc == RN_OK ? "cosigned" : err.message);
    return reply(c, a.status, a.content_type, a.body, a.body_len);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    req *q = *con_cls;
    if (q) {
        free(q->body);
        free(q);
        *con_cls = NULL;
    }
}

int cmd_witness_serve(int argc, char **argv);
int cmd_witness_serve(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n"
               "Run a witness (c2sp.org/tlog-witness): answer POST "
               "/add-checkpoint for the logs\nwhose verifier keys are given "
               "(--log-key, repeatable: `remnant key show` of\neach log). A "
               "checkpoint is cosigned only when it is signed by its log's "
               "key and\nextends the last one this witness cosigned for that "
               "log (kept in --state DIR,\none file per log). Answers: 200 the "
               "cosignature line; 400 malformed; 403 not\nsigned by a trusted "
               "key; 404 unknown log; 409 the old size is not this\nwitness's "
               "(its size in the body, text/x.tlog.size) or a split view; 413 "
               "too\nlarge; 422 the consistency proof fails. A refused signed "
               "request is kept in\nDIR as evidence. Default --listen "
               "127.0.0.1:8090. SIGINT/SIGTERM stop it.\n", usage);
        return EXIT_OK;
    }
    const char *key = NULL, *state = NULL, *listen = "127.0.0.1:8090", *v;
    const char *logs[64];
    size_t nlogs = 0;
    if (cli_opt(&argc, argv, "--key", &key) < 0 ||
        cli_opt(&argc, argv, "--state", &state) < 0 ||
        cli_opt(&argc, argv, "--listen", &listen) < 0)
        return cli_usage_error(usage, "an option is missing its value");
    int r;
    while ((r = cli_opt(&argc, argv, "--log-key", &v)) > 0) {
        if (nlogs == sizeof logs / sizeof logs[0])
            return cli_usage_error(usage, "at most 64 --log-key");
        logs[nlogs++] = v;
    }
    if (r < 0)
        return cli_usage_error(usage, "--log-key needs a verifier key");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc > 1)
        return cli_usage_error(usage, "unexpected argument '%s'", argv[1]);
    if (!key || !state || nlogs == 0)
        return cli_usage_error(usage, "serve needs --key, --state and at least"
                               " one --log-key");
    char host[256];
    unsigned port = 0;
    if (srv_parse_listen(listen, host, sizeof host, &port) != 0)
        return cli_usage_error(usage, "--listen '%s' is not ADDR:PORT", listen);

    struct sockaddr_in sa4;
    struct sockaddr_in6 sa6;
    struct sockaddr *sa;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
    memset(&sa4, 0, sizeof sa4);
    memset(&sa6, 0, sizeof sa6);
    if (inet_pton(AF_INET, host, &sa4.sin_addr) == 1) {
        sa4.sin_family = AF_INET;
        sa4.sin_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&sa4;
    } else if (inet_pton(AF_INET6, host, &sa6.sin6_addr) == 1) {
        sa6.sin6_family = AF_INET6;
        sa6.sin6_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&sa6;
        flags |= MHD_USE_IPv6;
    } else {
        return cli_usage_error(usage, "--listen takes a numeric address, e.g."
                               " 127.0.0.1:8090 or [::1]:8090");
    }

    rn_error err;
    rn_error_clear(&err);
    rn_code c = rn_witness_open(key, logs, nlogs, state, &the_witness, &err);
    if (c)
        return cli_error(c, &err);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)port, NULL, NULL, on_request, NULL,
        MHD_OPTION_SOCK_ADDR, sa,
        MHD_OPTION_THREAD_POOL_SIZE, 4u,
        MHD_OPTION_CONNECTION_TIMEOUT, 10u,
        MHD_OPTION_CONNECTION_LIMIT, 64u,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
        MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
        MHD_OPTION_END);
    if (!d) {
        int e = errno;
        fprintf(stderr, "remnant witness: cannot listen on %s: %s\n", listen,
                e == EADDRINUSE ? "the address is already in use" :
                e ? strerror(e) : "libmicrohttpd failed to start");
        rn_witness_close(the_witness);
        return EXIT_DB;
    }
    fprintf(stderr, "remnant witness: listening on http://%s/ for %zu log%s"
            " as %s\n", listen, nlogs, nlogs == 1 ? "" : "s",
            rn_witness_vkey(the_witness));
    int sig;
    do {
        sig = 0;
        if (sigwait(&set, &sig) != 0)
            break;
    } while (sig != SIGINT && sig != SIGTERM);
    MHD_stop_daemon(d);
    rn_witness_close(the_witness);
    the_witness = NULL;
    fprintf(stderr, "remnant witness: stopped\n");
    return EXIT_OK;
}
