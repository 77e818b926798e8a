/* SPDX-License-Identifier: Apache-2.0
 *
 * server.h — what the modules of the HTTP server (src/server/) share: the
 * configuration, the per-request state, the per-thread state, the route
 * table and the response helpers. The server is a face over the public API
 * of libremnant (include/remnant/) plus its own accounts tables; it is not
 * part of the library.
 *
 * Threads. libmicrohttpd runs a pool of worker threads; the store is not
 * thread-safe, so each worker opens its own rn_store, accounts connection
 * and ledger lazily on its first request (srv_worker()), and they are all
 * closed after the daemon has stopped (srv_workers_close()) — or, for the
 * length of a large sync push, by the thread that writes it, with the
 * database gate held alone (gate.c); each worker opens its own again on its
 * next request.
 *
 * Ownership. A request (struct srv_req) owns everything it points to;
 * srv_req_free() releases it once, when libmicrohttpd says the request is
 * complete. Handlers fill q->status / q->body / q->headers through the
 * srv_reply_*() helpers, which take ownership of malloc'd bodies.
 */
#ifndef REMNANT_SERVER_H
#define REMNANT_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <sodium.h>

#include "remnant/ledger.h"
#include "remnant/model.h"
#include "remnant/public.h"
#include "remnant/store.h"

struct sqlite3;
struct MHD_Connection;

/* ---- configuration ------------------------------------------------------- */

#define SRV_URL_MAX 2048            /* longer URLs get 414 */
#define SRV_JSON_MAX_DEFAULT (1u << 20) /* JSON bodies: 1 MiB */
#define SRV_UPLOAD_MAX_DEFAULT (256ull << 20) /* attachments: 256 MiB */
#define SRV_LIMIT_DEFAULT 50        /* list page size */
#define SRV_LIMIT_MAX 1000
#define SRV_SESSION_SECONDS (12 * 3600)
#define SRV_NAME_MAX 64             /* account names */

typedef struct srv_config {
    const char *db_path;
    char host[64];            /* numeric IPv4 or IPv6 address */
    unsigned port;
    unsigned threads;         /* worker threads (0: number of CPUs) */
    unsigned timeout_s;       /* idle connection timeout (slowloris) */
    unsigned max_conn;        /* simultaneous connections */
    size_t json_max;          /* max JSON body */
    uint64_t upload_max;      /* max attachment upload */
    double public_grid;       /* degrees; public coordinates rounded to it */
    int quiet;                /* no request log */
    int secure_cookie;        /* add `Secure` to the session cookie */
    unsigned header_timeout_s; /* absolute deadline for a request's headers */
    unsigned body_timeout_s;  /* absolute deadline for its body, once headers are in */
    unsigned max_conn_per_ip; /* simultaneous connections from one client address */
    unsigned busy_ms;         /* how long a write waits for the database lock (then 503) */
    unsigned login_lock_min_s; /* first login lockout; each next one doubles (throttle.c) */
    unsigned login_lock_max_s; /* longest login lockout */
    unsigned search_rate;     /* anonymous searches per minute per client address */
    unsigned long search_work; /* most database steps one anonymous search may take */
    const char *web_dir;      /* --web DIR: serve the app from DIR, not the binary */
    const char *tile_url;     /* --tiles URL: the operator's map tiles, or NULL */
    /* how witnesses are asked (the CLI's libcurl transport); NULL: never.
     * Its ctx is an atomic_int that, once nonzero, stops a transfer. */
    rn_witness_post_fn witness_post;
} srv_config;

extern srv_config srv_cfg;

/* ---- roles ------------------------------------------------------------------ */

typedef enum srv_role {
    SRV_PUBLIC = 0, /* anonymous */
    SRV_REVIEWER,
    SRV_ANALYST,
    SRV_INVESTIGATOR,
    SRV_ADMIN,
    SRV_ROLE_COUNT
} srv_role;

const char *srv_role_name(srv_role r);
/* SRV_ROLE_COUNT if s names no role ("public" is not a role one can hold). */
srv_role srv_role_from_name(const char *s);

/* ---- per-thread state -------------------------------------------------------- */

typedef struct rn_public srv_public_set; /* the library's public view (remnant/public.h) */

typedef struct srv_worker {
    rn_store *store;
    struct sqlite3 *adb;    /* accounts connection (auth.c / accounts.c) */
    rn_ledger *ledger;      /* opened on first use; may stay NULL */
    srv_public_set *pub;    /* the public view's id set (redact.c) */
    int64_t pub_version;    /* data_version it was built at */
    struct srv_worker *next;
} srv_worker;

/* The calling thread's worker, opened on first use; NULL if the database
 * cannot be opened (the request then gets 503). */
srv_worker *srv_worker_get(void);
void srv_workers_close(void);
/* Only with the database gate held alone (gate.c): close every connection
 * the workers hold on the database (store, accounts, log, public view), but
 * `self`'s store; each worker opens its own again on its next request. */
void srv_workers_release(srv_worker *self);

/* The database gate (gate.c, invariants G1-G5). srv_gate_enter: a shared
 * hold, around a request callback's use of the database; 0, or -1 when it
 * could not be had within --busy-timeout ms (a large sync is being
 * written: answer 503 busy, Retry-After). Nested holds of one thread count
 * once; each enter that returned 0 is matched by one srv_gate_leave. */
int srv_gate_enter(void);
void srv_gate_leave(void);
/* From within exactly one shared hold: trade it for the gate alone and
 * close every other connection the server holds on the database (the
 * caller's store excepted), so that its next transaction may leave the
 * WAL. 1 when done; 0 when not (the gate was not free within
 * --busy-timeout, or the caller's hold is nested): the caller then holds
 * it shared, as before. srv_gate_share() after a 1 returns to shared. */
int srv_gate_alone(srv_worker *self);
void srv_gate_share(void);
/* Serve srv_cfg until SIGINT/SIGTERM (http.c). Returns an exit code. */
int srv_run(void);

/* Asking the log's witnesses after writes, on a thread of its own
 * (witnesses.c): start (nothing when srv_cfg.witness_post is NULL); poke
 * after a write succeeded (never waits on the network; bursts coalesce);
 * stop (a transfer in progress gives up) and join. */
void srv_witness_start(void);
void srv_witness_poke(void);
void srv_witness_stop(void);

/* ---- requests ---------------------------------------------------------------- */

typedef enum srv_method {
    M_GET = 0, M_HEAD, M_POST, M_PUT, M_PATCH, M_DELETE, M_OTHER, M_COUNT
} srv_method;
const char *srv_method_name(srv_method m);
srv_method srv_method_from(const char *s);

#define SRV_MAX_PARAMS 4
#define SRV_MAX_HEADERS 8
#define SRV_MAX_QUERY 32

typedef struct srv_kv {
    const char *key;
    const char *value;
} srv_kv;

typedef struct srv_req srv_req;
typedef void (*srv_handler)(srv_req *q);

/* A route: method and path pattern; `{name}` matches one segment. The role
 * check is done by the handler (it depends on the record type), except for
 * `min_role`, a floor checked before the body is read. */
typedef struct srv_route {
    srv_method method;
    const char *pattern;
    srv_handler fn;
    srv_role min_role;
    int upload;        /* body streamed to a temp file, not held in memory
                          (1: an attachment; 2: a sync package) */
} srv_route;

extern const srv_route srv_routes[];
extern const size_t srv_nroutes;

/* Match method+path (no query). OUT params: the `{...}` segments, in order,
 * pointing into `buf` (a copy of path with separators replaced by NULs).
 * Returns the route, or NULL; *path_known is set when the path matched under
 * another method (405 rather than 404). */
const srv_route *srv_route_match(srv_method m, const char *path, char *buf, size_t cap,
                                 const char *params[SRV_MAX_PARAMS], size_t *nparams,
                                 int *path_known);

struct srv_req {
    struct MHD_Connection *conn;
    srv_method method;
    char path[SRV_URL_MAX + 1];
    char pathbuf[SRV_URL_MAX + 1];
    const srv_route *route;
    const char *params[SRV_MAX_PARAMS];
    size_t nparams;
    srv_kv query[SRV_MAX_QUERY];
    size_t nquery;
    char *querybuf;           /* owned: decoded query text */
    srv_worker *w;
    /* who */
    srv_role role;
    char user[SRV_NAME_MAX + 1];
    int by_session;           /* authenticated by cookie (needs CSRF) */
    /* body */
    char *body;               /* JSON body, NUL-terminated (owned) */
    size_t body_len, body_cap;
    int upload_fd;            /* upload routes: temp file in the blob folder */
    char upload_path[4096];
    uint64_t upload_len;
    crypto_hash_sha256_state upload_sha;
    int started;              /* on_request has seen the headers */
    int failed;               /* an error reply is already set */
    int queued;
    /* reply */
    unsigned status;
    char *out;                /* owned */
    size_t out_len;
    const char *ctype;
    int out_fd;               /* file reply (attachment content), or -1 */
    uint64_t out_fd_size;
    uint64_t out_fd_offset;   /* where in out_fd the reply starts (a range) */
    srv_kv headers[SRV_MAX_HEADERS];
    char *header_store[SRV_MAX_HEADERS]; /* owned copies */
    size_t nheaders;
    uint64_t t0_us;
    char addr[48];            /* the client's address, numeric */
    uint64_t drained;         /* body bytes read and dropped after a failure */
};

/* Query parameter (decoded) or NULL. */
const char *srv_query(const srv_req *q, const char *key);
/* Request header or NULL. */
const char *srv_header(const srv_req *q, const char *name);

/* ---- a growable text buffer (buf.c) -------------------------------------------- */

typedef struct srv_buf {
    char *p;    /* NUL-terminated text, malloc'd; the caller frees it */
    size_t n, cap;
    size_t max; /* the most it may grow to; set it before the first add */
    int fail;   /* sticky: an add ran out of memory or past max */
} srv_buf;
void srv_buf_add(srv_buf *b, const char *s, size_t n);
void srv_buf_adds(srv_buf *b, const char *s);
/* The text ("" when empty), now the caller's; NULL (and freed) on failure. */
char *srv_buf_take(srv_buf *b);

/* ---- replies (reply.c) -------------------------------------------------------- */

/* JSON body; takes ownership of `body` (malloc'd). */
void srv_reply_json(srv_req *q, unsigned status, char *body, size_t len);
/* Copies `body`. */
void srv_reply_text(srv_req *q, unsigned status, const char *ctype, const char *body,
                    size_t len);
/* {"error":{"code","message","field"}}; code is a short stable name. */
void srv_reply_error(srv_req *q, unsigned status, const char *code, const char *message,
                     const char *field);
/* The same from a library result (one table maps rn_code to status). */
void srv_reply_rn(srv_req *q, rn_code rc, const rn_error *err);
unsigned srv_status_for(rn_code rc);
/* Add a response header (copied). */
void srv_add_header(srv_req *q, const char *name, const char *value);
/* Strong ETag of a body: "\"" + 32 hex + "\"" into out (35 bytes). */
void srv_etag(const char *body, size_t len, char out[35]);
/* If-None-Match matches etag: set 304 and return 1. */
int srv_not_modified(srv_req *q, const char *etag);

/* ---- query and cookie parsing (parse.c; pure, fuzzed) -------------------------- */

/* Decode application/x-www-form-urlencoded `s` (len bytes) in place into
 * `buf` (cap >= len+1) and split it into at most `max` pairs. Returns the
 * number of pairs, or -1 on a malformed escape or too many pairs. */
int srv_parse_query(const char *s, size_t len, char *buf, size_t cap, srv_kv *kv,
                    size_t max);
/* Find cookie `name` in a Cookie header; copy its value into out (cap).
 * Returns 1 if found and it fits, 0 otherwise. */
int srv_cookie(const char *header, const char *name, char *out, size_t cap);
/* Parse a decimal in [min,max]; 0 on success, -1 otherwise. */
int srv_parse_long(const char *s, long min, long max, long *out);
/* Parse "HOST:PORT" ("[v6]:PORT" for IPv6); 0 or -1. */
int srv_parse_listen(const char *s, char *host, size_t cap, unsigned *port);

/* ---- accounts (accounts.c; no HTTP) ------------------------------------------ */

#define SRV_TOKEN_HEX 64 /* 32 random bytes as hex; tokens have a prefix */
#define SRV_TOKEN_MAX 80

/* Open the accounts connection to the database at path (which must already
 * be migrated by rn_store_open). */
rn_code srv_accounts_open(const char *path, struct sqlite3 **out, rn_error *err);
void srv_accounts_close(struct sqlite3 *db);
/* Forget this thread's statements of a connection that another thread
 * closed (srv_workers_release): called before this thread opens its own
 * again, whose address may be the closed one's. */
void srv_accounts_forget(void);
rn_code srv_user_add(struct sqlite3 *db, const char *name, srv_role role,
                     const char *password, rn_error *err);
rn_code srv_user_rm(struct sqlite3 *db, const char *name, rn_error *err);
rn_code srv_user_passwd(struct sqlite3 *db, const char *name, const char *password,
                        rn_error *err);
/* Give an account another role; its sessions and tokens carry the new role
 * from their next request (the role is looked up on each). */
rn_code srv_user_role(struct sqlite3 *db, const char *name, srv_role role, rn_error *err);
/* OUT token (NUL-terminated, SRV_TOKEN_MAX): printed once, stored hashed. */
rn_code srv_user_token(struct sqlite3 *db, const char *name, const char *label,
                       char token[SRV_TOKEN_MAX], rn_error *err);
/* Calls fn for each user; fn returns nonzero to stop. */
rn_code srv_user_list(struct sqlite3 *db,
                      int (*fn)(void *ctx, const char *name, srv_role role, int ntokens),
                      void *ctx, rn_error *err);
/* Check a password; RN_OK and *role, or RN_ECRYPTO (wrong name or password:
 * the same answer and about the same time for both). */
rn_code srv_login(struct sqlite3 *db, const char *name, const char *password,
                  srv_role *role, rn_error *err);
/* New session for name: OUT cookie token and CSRF token. */
rn_code srv_session_new(struct sqlite3 *db, const char *name, char token[SRV_TOKEN_MAX],
                        char csrf[SRV_TOKEN_MAX], rn_error *err);
rn_code srv_session_end(struct sqlite3 *db, const char *token);
/* Who holds this session cookie / API token: RN_OK with name and role, or
 * RN_ENOTFOUND. */
rn_code srv_session_user(struct sqlite3 *db, const char *token, char name[SRV_NAME_MAX + 1],
                         srv_role *role);
rn_code srv_token_user(struct sqlite3 *db, const char *token, char name[SRV_NAME_MAX + 1],
                       srv_role *role);
/* The CSRF token bound to a session token. */
void srv_csrf_for(const char *session_token, char csrf[SRV_TOKEN_MAX]);
/* Changes to the database by other connections since last asked. */
int64_t srv_data_version(struct sqlite3 *db);

/* API tokens by their id (the first 16 hex digits of the token's hash: not
 * a secret, it cannot be turned back into the token). `name` NULL: every
 * user's. fn returns nonzero to stop. */
rn_code srv_token_list(struct sqlite3 *db, const char *name,
                       int (*fn)(void *ctx, const char *id, const char *user,
                                 const char *label, int64_t created),
                       void *ctx, rn_error *err);
/* Revoke the token with this id; `name` non-NULL: only if it is that
 * user's (RN_ENOTFOUND otherwise, the same as no such token). */
rn_code srv_token_rm(struct sqlite3 *db, const char *name, const char *id, rn_error *err);
/* Revoke every token of a user; *n gets how many. */
rn_code srv_token_rm_all(struct sqlite3 *db, const char *name, int *n, rn_error *err);

/* ---- throttling (throttle.c) ------------------------------------------------- */

/* Login throttling, per client address and per account. Before checking a
 * password: 0, or 1 with *retry_s when this attempt must wait (429).
 * After: srv_login_result() with ok 1/0. Locks expire by themselves; a
 * locked account stays open to a client address that has logged into it
 * before (so an attacker cannot lock its user out). Every lock is logged. */
int srv_login_check(const char *addr, const char *name, unsigned *retry_s);
void srv_login_result(const char *addr, const char *name, int ok);
/* One anonymous search from addr: 0 if allowed, else 1 and *retry_s. */
int srv_search_take(const char *addr, unsigned *retry_s);
/* Forget everything (tests). */
void srv_throttle_reset(void);

/* Write a line to the server log with every control and non-ASCII byte of
 * each %s shown as \xNN (http.c). */
void srv_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Copy s into out (cap) with control and non-ASCII bytes as \xNN. */
void srv_log_escape(char *out, size_t cap, const char *s);

/* ---- redaction (redact.c) ----------------------------------------------------- */

/* 1 if the record with this id is in the public view. */
int srv_public_has(srv_worker *w, const char *id);
/* Ids of type t in the public view, in id order: fn per id; nonzero stops. */
rn_code srv_public_each(srv_worker *w, rn_type t, int (*fn)(void *ctx, const char *id),
                        void *ctx);
/* r as the public sees it (rn_public_json of the calling thread's view);
 * RN_ENOTFOUND when r is not public. r is not changed. */
rn_code srv_public_json(const rn_record *r, char **out, size_t *len);
/* The calling worker's view (rebuilt when the database changed), or NULL
 * when it cannot be built (then nothing is public: fail closed). */
const srv_public_set *srv_public_view(srv_worker *w);
void srv_public_free(srv_public_set *p);

/* ---- handlers --------------------------------------------------------------- */

void api_health(srv_req *q);
void api_openapi(srv_req *q);
void api_list(srv_req *q);
void api_create(srv_req *q);
void api_get(srv_req *q);
void api_replace(srv_req *q);
void api_patch(srv_req *q);
void api_delete(srv_req *q);
void api_search(srv_req *q);
void api_upload(srv_req *q);
void api_content(srv_req *q);
/* The attachment whose bytes .../content serves this request (api_attach.c):
 * the record `id` for staff; its public copy for the public (an attachment
 * in the public view only) and for staff asking ?variant=public (*pub set).
 * OUT *out, the caller's. 0, or -1 after replying (404, 409 no_public_copy). */
int srv_attachment_served(srv_req *q, const char *id, rn_record **out, int *pub);
/* a photo's thumbnail (api_thumb.c), and freeing its cache after the daemon stopped */
void api_thumbnail(srv_req *q);
void srv_thumb_shutdown(void);
/* The upload's streaming steps (api_attach.c); each sets an error reply and
 * returns -1 on failure. */
int srv_upload_begin(srv_req *q);
/* The streamed body's temp file: refused with 413 (saying `too_large`) when
 * Content-Length is over the limit; else a fresh .upload-XXXXXX in the blob
 * folder, its SHA-256 started. 0, or -1 after replying. */
int srv_upload_open(srv_req *q, const char *too_large);
int srv_upload_data(srv_req *q, const char *data, size_t n);
void srv_upload_abort(srv_req *q);
void api_login(srv_req *q);
void api_logout(srv_req *q);
void api_me(srv_req *q);
void api_users_list(srv_req *q);
void api_users_add(srv_req *q);
void api_users_rm(srv_req *q);
void api_tokens_list(srv_req *q);
void api_tokens_rm(srv_req *q);
/* one's own account, and an admin's reset (api_account.c) */
void api_me_password(srv_req *q);
void api_me_token(srv_req *q);
void api_user_password(srv_req *q);
void api_user_role(srv_req *q);
/* Add to each hit of a staff search its item and event (api_search_context.c);
 * nothing for the public. */
struct json_t;
void srv_search_context(srv_req *q, struct json_t *hits);
void api_checkpoint(srv_req *q);
/* The worker's read-only handle on the evidence log, opened on first use;
 * NULL after replying with the error when it cannot be opened. */
rn_ledger *srv_ledger(srv_req *q);
/* the log per C2SP tlog-tiles at /log/ (api_tlog.c) */
void api_tlog_checkpoint(srv_req *q);
void api_tlog_tile(srv_req *q);
void api_proof(srv_req *q);
void api_bundle(srv_req *q); /* api_publish.c */
void api_decode(srv_req *q);
void api_timeline(srv_req *q);
void api_origin(srv_req *q);
void api_sanctions(srv_req *q);
void api_links(srv_req *q);
/* api_workflow.c */
void api_finding_review(srv_req *q);
void api_finding_publish(srv_req *q);
void api_finding_withdraw(srv_req *q);
void api_finding_revise(srv_req *q);
void api_trace_move(srv_req *q);
void api_history(srv_req *q);
/* the public portal's reads (api_public.c) */
void api_config(srv_req *q);
void api_public_findings(srv_req *q);
void api_public_geojson(srv_req *q);
void api_public_csv(srv_req *q);
void api_public_jsonl(srv_req *q);
void api_public_finding(srv_req *q);
void api_public_preview(srv_req *q);
/* Free the public portal's shared set (after the daemon stopped). */
void srv_portal_shutdown(void);
/* Close the portal's connection on the database (with the gate held alone,
 * gate.c); it opens again when next needed. */
void srv_portal_release(void);
void api_report_pdf(srv_req *q);  /* api_report.c */
/* sync between instances (api_sync.c) */
void api_sync_state(srv_req *q);
void api_sync_pull(srv_req *q);
void api_sync_push(srv_req *q);
void api_sync_blobs(srv_req *q);
void api_sync_peers(srv_req *q);
void api_sync_conflicts(srv_req *q);
void api_sync_file_get(srv_req *q);
void api_sync_upload_state(srv_req *q);
void api_sync_upload_put(srv_req *q);
/* A sync push cut short: keep the files of it that arrived whole. */
void srv_sync_upload_salvage(srv_req *q);
/* The push's streamed body (upload routes marked 2), as srv_upload_begin. */
int srv_sync_upload_begin(srv_req *q);
void api_report_html(srv_req *q);

/* Authenticate the request from its cookie or bearer token (auth.c); sets
 * q->role/q->user. Returns 0, or sets an error reply and returns -1 (bad
 * token, missing CSRF token on a state-changing request). */
int srv_authenticate(srv_req *q);
/* May role do `m` on records of type t? (the role table, auth.c) */
int srv_may(srv_role role, srv_method m, rn_type t);

/* The record type named in a URL segment ("items", "events", ...). */
int srv_type_from_plural(const char *s, rn_type *out);
const char *srv_type_plural(rn_type t);

/* ---- the web app (static.c) ------------------------------------------------------ */

/* One file of the web app, built into the binary (web_assets.c, generated
 * by cmake/embed_web.cmake): `path` is where it is served, `src` where it
 * lives under web/; `gz` its gzip form, or NULL where that does not pay. */
typedef struct srv_asset {
    const char *path;
    const char *src;
    const unsigned char *data;
    size_t len;
    const unsigned char *gz;
    size_t gz_len;
    const char *etag;
} srv_asset;
extern const srv_asset srv_assets[];
extern const size_t srv_nassets;

/* The route that serves the app when `path` is one of its paths (`/`,
 * `/app`, `/app/...`, `/assets/...`, `/i18n/...`, `/vendor/...`,
 * `/favicon.ico`), else NULL. Such requests are not authenticated: the
 * app's files are the same for everyone. */
const srv_route *srv_static_route(const char *path);
/* The Content-Security-Policy of every page of the app. */
const char *srv_csp(void);
/* Pure helpers (web_path.c; fuzzed by fuzz/fuzz_web_path.c). The served path
 * a request path stands for ("/app/x" -> "/app/"); the media type of a
 * served path; 1 if `rel` may be joined to a folder (relative, no empty,
 * "." or ".." segment, no backslash, no trailing slash); 1 if an
 * Accept-Encoding header (or NULL) takes gzip. */
const char *srv_web_canonical(const char *path);
const char *srv_web_type(const char *path);
int srv_web_rel_safe(const char *rel);
int srv_accepts_gzip(const char *accept_encoding);

/* The embedded OpenAPI document (openapi.c). */
extern const char srv_openapi_json[];

#endif
