/* SPDX-License-Identifier: Apache-2.0
 *
 * api_sync.c — sync between instances over HTTP (lib/sync, docs/SYNC.md,
 * docs/API.md): the same packages as by file, behind the roles.
 *
 *   GET  /api/v1/sync/state?origin=O   what this instance has seen of log O
 *                                      (where a push must start) and its
 *                                      own size
 *   GET  /api/v1/sync/pull?origin=O&since=L
 *                                      a package of this log from its
 *                                      checkpoint of size L, for the
 *                                      registered peer whose log is O
 *                                      (&files=list: carrying no file, naming
 *                                      each; &public=1, or a peer registered
 *                                      as a partner: the public view)
 *   POST /api/v1/sync/push             a package (the raw bytes; streamed to
 *                                      a temp file) from a registered peer,
 *                                      checked and applied in one transaction
 *                                      (a large one with the database to
 *                                      itself: gate.c)
 *   GET  /api/v1/sync/files/{sha}      a file an attachment here names, with
 *                                      Range: bytes=START- (resuming a pull)
 *   GET  /api/v1/sync/uploads/{sha}?size=N
 *                                      how much of a file in transfer is here
 *   PUT  /api/v1/sync/uploads/{sha}?size=N&offset=K
 *                                      the file's bytes from K on (resuming a
 *                                      push): stored once whole and hashing
 *                                      to its name (lib/sync/files.c F1..F5)
 *
 * Roles (the role table of auth.c): an investigator may push only changes
 * of the record types it may write (a package with any other change is
 * refused whole, 403), and pulls the records it may write plus reference
 * data (entities, sanctions measures); the other entries reach it withheld
 * (their digests, not their fields), so its log still verifies. Analysts,
 * reviewers and admins pull everything; pushing needs a role that may write
 * every type the package changes. The receiving account is the token's.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "remnant/sync.h"
#include "server.h"

static int type_of(const char *name, rn_type *t) { return rn_type_from_name(name, t) == RN_OK; }

/* Pull: what the calling role receives disclosed. */
static int may_read(void *ctx, const char *type)
{
    srv_role role = *(srv_role *)ctx;
    rn_type t;
    if (!type_of(type, &t))
        return 0;
    if (role != SRV_INVESTIGATOR)
        return 1; /* reviewers, analysts and admins read everything */
    return srv_may(role, M_POST, t) || t == RN_T_ENTITY || t == RN_T_SANCTION;
}

/* Push: what the calling role may write. */
static int may_write(void *ctx, const char *type)
{
    rn_type t;
    return type_of(type, &t) && srv_may(*(srv_role *)ctx, M_POST, t);
}

void api_sync_state(srv_req *q)
{
    const char *origin = srv_query(q, "origin");
    if (!origin || !*origin) {
        srv_reply_error(q, 422, "invalid", "give ?origin=, the log of the asking instance",
                        "origin");
        return;
    }
    char *out = NULL;
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_sync_state(q->w->store, origin, &out, &err);
    if (rc) {
        srv_reply_rn(q, rc, &err);
        return;
    }
    srv_reply_json(q, 200, out, strlen(out));
}

/* The peer registered for origin into name; 0, or an error reply and -1. */
static int peer_of(srv_req *q, const char *origin, char *name, size_t cap)
{
    char *out = NULL;
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_sync_state(q->w->store, origin, &out, &err);
    if (rc) {
        srv_reply_rn(q, rc, &err);
        return -1;
    }
    json_t *j = json_loads(out, 0, NULL);
    free(out);
    const char *p = json_string_value(json_object_get(j, "peer"));
    int ok = p && strlen(p) < cap;
    if (ok)
        snprintf(name, cap, "%s", p);
    json_decref(j);
    if (!ok) {
        srv_reply_error(q, 404, "not_found", "that log is not a registered peer of this "
                        "instance (`remnant peer add` on the server)", "origin");
        return -1;
    }
    return 0;
}

/* Is the peer of that name registered with the role "partner"? */
static int peer_is_partner(srv_req *q, const char *peer)
{
    char *out = NULL;
    rn_error err;
    rn_error_clear(&err);
    if (rn_sync_peer_list(q->w->store, &out, &err) != RN_OK)
        return 1; /* when in doubt, the public view */
    json_t *a = json_loads(out, 0, NULL), *p;
    free(out);
    size_t i;
    int partner = 0;
    json_array_foreach(a, i, p) {
        const char *n = json_string_value(json_object_get(p, "name"));
        const char *r = json_string_value(json_object_get(p, "role"));
        if (n && strcmp(n, peer) == 0)
            partner = !r || strcmp(r, "partner") == 0;
    }
    json_decref(a);
    return partner;
}

void api_sync_pull(srv_req *q)
{
    const char *origin = srv_query(q, "origin"), *since = srv_query(q, "since");
    long l = 0;
    char peer[RN_SYNC_NAME_MAX + 1];
    if (!origin || !*origin) {
        srv_reply_error(q, 422, "invalid", "give ?origin=, the log of the pulling instance",
                        "origin");
        return;
    }
    if (since && srv_parse_long(since, 0, INT64_MAX, &l) != 0) {
        srv_reply_error(q, 422, "invalid", "?since= is the size of a checkpoint of this log",
                        "since");
        return;
    }
    const char *files = srv_query(q, "files"), *pubq = srv_query(q, "public");
    if ((files && strcmp(files, "list") != 0) || (pubq && strcmp(pubq, "1") != 0)) {
        srv_reply_error(q, 422, "invalid", files && strcmp(files, "list") != 0
                                               ? "?files= takes only 'list'"
                                               : "?public= takes only 1", files ? "files"
                                                                                : "public");
        return;
    }
    if (peer_of(q, origin, peer, sizeof peer))
        return;
    /* a peer registered as a partner receives only the public view */
    int pub = pubq != NULL || peer_is_partner(q, peer);
    rn_error err;
    rn_error_clear(&err);
    /* the puller accepted this log up to `since` (its files are there) */
    if (!pub && l > 0 && rn_sync_peer_acked(q->w->store, peer, (uint64_t)l, &err) != RN_OK)
        srv_log("sync pull: cannot record what peer %s holds: %s\n", peer, err.message);
    rn_error_clear(&err);
    FILE *tf = tmpfile();
    if (!tf) {
        srv_reply_rn(q, RN_EIO, NULL);
        return;
    }
    srv_role role = q->role;
    rn_sync_export_opts o = {NULL, 0, 1, (uint64_t)l, pub ? NULL : may_read, &role, pub, 0,
                             NULL, NULL, 0, files != NULL};
    rn_code rc = rn_sync_export(q->w->store, peer, &o, tf, NULL, &err);
    if (rc == RN_OK && fflush(tf) != 0)
        rc = RN_EIO;
    int fd = rc == RN_OK ? dup(fileno(tf)) : -1;
    struct stat st;
    if (rc == RN_OK && (fd < 0 || fstat(fd, &st) != 0 || lseek(fd, 0, SEEK_SET) != 0))
        rc = RN_EIO;
    fclose(tf);
    if (rc) {
        if (fd >= 0)
            close(fd);
        srv_reply_rn(q, rc, &err);
        return;
    }
    q->out_fd = fd;
    q->out_fd_size = (uint64_t)st.st_size;
    q->status = 200;
    srv_add_header(q, "Content-Type", "application/vnd.remnant.sync");
    srv_add_header(q, "Cache-Control", "no-store");
}

/* ?size= of a file in transfer; 0, or an error reply and -1. */
static int file_size(srv_req *q, const char *key, uint64_t *out)
{
    const char *v = srv_query(q, key);
    long n = 0;
    if (!v || srv_parse_long(v, 0, (long)(1ll << 32), &n) != 0) {
        srv_reply_error(q, 422, "invalid", strcmp(key, "size") == 0
                        ? "give ?size=, the file's size in bytes (at most 4 GiB)"
                        : "give ?offset=, where these bytes start in the file", key);
        return -1;
    }
    *out = (uint64_t)n;
    return 0;
}

/* An upload's bytes go to the file's staging area, at its end (F1..F4); a
 * transfer cut short leaves what arrived there for the next one. */
static int upload_file_begin(srv_req *q)
{
    uint64_t size = 0, offset = 0, have = 0;
    if (!srv_may(q->role, M_POST, RN_T_ATTACHMENT)) {
        srv_reply_error(q, 403, "forbidden", "your role may not add files", NULL);
        return -1;
    }
    if (file_size(q, "size", &size) || file_size(q, "offset", &offset))
        return -1;
    const char *cl = srv_header(q, "Content-Length");
    long len = -1;
    if (!cl || srv_parse_long(cl, 0, (long)(1ll << 32), &len) != 0) {
        srv_reply_error(q, 411, "length_required", "send the bytes with a Content-Length",
                        NULL);
        return -1;
    }
    if ((uint64_t)len > srv_cfg.upload_max) {
        srv_reply_error(q, 413, "too_large", "send the file in pieces no larger than the "
                        "server's upload limit (--max-upload)", NULL);
        return -1;
    }
    if (offset > size || (uint64_t)len > size - offset) {
        srv_reply_error(q, 422, "invalid", "offset + Content-Length passes ?size=", "offset");
        return -1;
    }
    rn_sync_stage *g = NULL;
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_sync_stage_open(q->w->store, q->params[0], size, &g, &have, &err);
    if (rc) {
        if (rc == RN_EBUSY)
            srv_reply_error(q, 409, "busy", err.message, NULL);
        else
            srv_reply_rn(q, rc, &err);
        return -1;
    }
    if (have != offset || rn_sync_stage_fd(g) < 0) {
        char m[200];
        snprintf(m, sizeof m, "%llu bytes of this file are here%s: send from there",
                 (unsigned long long)have, rn_sync_stage_fd(g) < 0 ? " (it is stored)" : "");
        rn_sync_stage_close(g);
        srv_reply_error(q, 409, "offset", m, "offset");
        return -1;
    }
    /* the staging file's lock stays with this descriptor until the request
     * ends (F4); upload_path stays empty: the bytes are never removed */
    q->upload_fd = dup(rn_sync_stage_fd(g));
    rn_sync_stage_close(g);
    if (q->upload_fd < 0) {
        srv_reply_rn(q, RN_EIO, NULL);
        return -1;
    }
    crypto_hash_sha256_init(&q->upload_sha);
    q->upload_len = 0;
    return 0;
}

/* The push's body is streamed to a temp file in the blob folder. */
int srv_sync_upload_begin(srv_req *q)
{
    if (q->route->fn == api_sync_upload_put)
        return upload_file_begin(q);
    return srv_upload_open(q, "the package is larger than the server's upload limit "
                              "(--max-upload)");
}

/* {"sha256","size","have","stored"} of a file in transfer. */
static void reply_stage(srv_req *q, const char *sha, uint64_t size, uint64_t have, int stored)
{
    json_t *o = json_pack("{s:s, s:I, s:I, s:b}", "sha256", sha, "size", (json_int_t)size,
                          "have", (json_int_t)have, "stored", stored);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!s)
        srv_reply_rn(q, RN_ENOMEM, NULL);
    else
        srv_reply_json(q, 200, s, strlen(s)); /* takes s */
}

void api_sync_upload_state(srv_req *q)
{
    uint64_t size = 0, have = 0;
    if (!srv_may(q->role, M_POST, RN_T_ATTACHMENT)) {
        srv_reply_error(q, 403, "forbidden", "your role may not add files", NULL);
        return;
    }
    if (file_size(q, "size", &size))
        return;
    rn_error err;
    rn_error_clear(&err);
    int stored = 0;
    /* a look only: asking creates nothing */
    rn_code rc = rn_sync_stage_peek(q->w->store, q->params[0], size, &have, &stored, &err);
    if (rc) {
        srv_reply_rn(q, rc, &err);
        return;
    }
    reply_stage(q, q->params[0], size, have, stored);
}

void api_sync_upload_put(srv_req *q)
{
    uint64_t size = 0, have = 0;
    close(q->upload_fd); /* the lock goes; the stage below takes it again */
    q->upload_fd = -1;
    if (file_size(q, "size", &size))
        return;
    rn_sync_stage *g = NULL;
    rn_error err;
    rn_error_clear(&err);
    int stored = 0;
    rn_code rc = rn_sync_stage_open(q->w->store, q->params[0], size, &g, &have, &err);
    if (rc == RN_OK)
        rc = rn_sync_stage_finish(g, &stored, &err);
    if (g)
        have = rn_sync_stage_have(g);
    rn_sync_stage_close(g);
    if (rc == RN_ECRYPTO)
        srv_reply_error(q, 422, "refused", err.message, NULL); /* nothing stored */
    else if (rc == RN_EBUSY)
        srv_reply_error(q, 409, "busy", err.message, NULL);
    else if (rc)
        srv_reply_rn(q, rc, &err);
    else
        reply_stage(q, q->params[0], size, stored ? size : have, stored);
}

/* GET /api/v1/sync/files/{sha}: a file an attachment names (F5), whole or
 * from the byte a resuming client has (Range: bytes=START-). */
void api_sync_file_get(srv_req *q)
{
    int fd = -1;
    uint64_t size = 0, start = 0;
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_sync_file_open(q->w->store, q->params[0], &fd, &size, &err);
    if (rc) {
        srv_reply_rn(q, rc, &err);
        return;
    }
    const char *range = srv_header(q, "Range");
    char cr[100];
    if (range && size > 0 && rn_sync_range_parse(range, size, &start) != 0) {
        close(fd);
        snprintf(cr, sizeof cr, "bytes */%llu", (unsigned long long)size);
        srv_reply_error(q, 416, "range", "give Range: bytes=START- with START below the "
                        "file's size", NULL);
        srv_add_header(q, "Content-Range", cr);
        return;
    }
    q->out_fd = fd;
    q->out_fd_offset = start;
    q->out_fd_size = size - start;
    q->status = range && size > 0 ? 206 : 200;
    if (q->status == 206) {
        snprintf(cr, sizeof cr, "bytes %llu-%llu/%llu", (unsigned long long)start,
                 (unsigned long long)(size - 1), (unsigned long long)size);
        srv_add_header(q, "Content-Range", cr);
    }
    srv_add_header(q, "Content-Type", "application/octet-stream");
    srv_add_header(q, "Accept-Ranges", "bytes");
    srv_add_header(q, "Cache-Control", "no-store");
}

/* A large package's hook (rn_sync_import_opts.alone): the gate alone and
 * every other connection closed (gate.c), so that its transaction leaves
 * the WAL as the CLI's `sync import` does. */
typedef struct push_gate {
    srv_worker *w;
    int alone; /* srv_gate_alone answered 1: srv_gate_share() after */
} push_gate;

static void push_alone(void *ctx)
{
    push_gate *g = ctx;
    g->alone = srv_gate_alone(g->w);
}

void api_sync_push(srv_req *q)
{
    if (close(q->upload_fd) != 0) {
        q->upload_fd = -1;
        srv_reply_rn(q, RN_EIO, NULL);
        return;
    }
    q->upload_fd = -1;
    if (q->upload_len == 0) {
        srv_reply_error(q, 422, "invalid", "the package is empty", NULL);
        return;
    }
    srv_role role = q->role;
    rn_sync_stats st;
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = RN_EIO;
    int fd = open(q->upload_path, O_RDONLY | O_CLOEXEC);
    void *m = fd >= 0 ? mmap(NULL, (size_t)q->upload_len, PROT_READ, MAP_PRIVATE, fd, 0)
                      : MAP_FAILED;
    if (fd >= 0)
        close(fd);
    if (m != MAP_FAILED) {
        push_gate g = {q->w, 0};
        rn_sync_import_opts o = {may_write, &role, push_alone, &g};
        rc = rn_sync_import_with(q->w->store, m, (size_t)q->upload_len, q->user, &o, &st,
                                 &err);
        if (g.alone)
            srv_gate_share();
        munmap(m, (size_t)q->upload_len);
    }
    srv_upload_abort(q); /* the temp file never outlives its request */
    if (rc == RN_ECONSTRAINT && strncmp(err.message, "REFUSED: entry", 14) == 0) {
        srv_reply_error(q, 403, "forbidden", err.message, NULL);
        return;
    }
    if (rc == RN_ECRYPTO || rc == RN_ETAMPER || rc == RN_EINPUT) {
        srv_reply_error(q, 422, "refused", err.message, NULL); /* nothing written */
        return;
    }
    if (rc) {
        srv_reply_rn(q, rc, &err);
        return;
    }
    json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:b}",
                          "peer", st.peer, "from", (json_int_t)st.from,
                          "size", (json_int_t)st.size, "seen", (json_int_t)st.seen,
                          "applied", (json_int_t)st.applied, "same", (json_int_t)st.same,
                          "echoes", (json_int_t)st.echoes,
                          "conflicts", (json_int_t)st.conflicts,
                          "blobs", (json_int_t)st.blobs, "withheld", (json_int_t)st.withheld,
                          "already", st.already);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!s) {
        srv_reply_rn(q, RN_ENOMEM, NULL);
        return;
    }
    srv_reply_json(q, 200, s, strlen(s));
}

/* POST /api/v1/sync/blobs {"sha256": [...]}: which of these files this
 * instance lacks, {"missing": [...]} (lib/sync/blobs.c B1): a sender sends
 * only those. At most 100000 names per request. */
void api_sync_blobs(srv_req *q)
{
    json_error_t je;
    json_t *j = q->body ? json_loadb(q->body, q->body_len, JSON_REJECT_DUPLICATES, &je) : NULL;
    json_t *a = json_object_get(j, "sha256");
    if (!json_is_array(a) || json_array_size(a) > 100000) {
        json_decref(j);
        srv_reply_error(q, 422, "invalid", "expected {\"sha256\": [...]}, at most 100000 "
                        "SHA-256 names (64 lower-case hex digits)", "sha256");
        return;
    }
    size_t n = json_array_size(a);
    const char **v = calloc(n ? n : 1, sizeof *v);
    unsigned char *lacks = calloc(n ? n : 1, 1);
    json_t *miss = json_array();
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = v && lacks && miss ? RN_OK : RN_ENOMEM;
    for (size_t i = 0; rc == RN_OK && i < n; i++)
        v[i] = json_string_value(json_array_get(a, i));
    if (rc == RN_OK)
        rc = rn_sync_blobs_lacking(q->w->store, v, n, lacks, &err);
    for (size_t i = 0; rc == RN_OK && i < n; i++)
        if (lacks[i] && json_array_append_new(miss, json_string(v[i])) != 0)
            rc = RN_ENOMEM;
    char *s = NULL;
    if (rc == RN_OK) {
        json_t *o = json_pack("{s:O}", "missing", miss);
        s = o ? json_dumps(o, JSON_COMPACT) : NULL;
        json_decref(o);
        if (!s)
            rc = RN_ENOMEM;
    }
    free(v);
    free(lacks);
    json_decref(miss);
    json_decref(j);
    if (rc == RN_EINPUT)
        srv_reply_error(q, 422, "invalid", err.message, "sha256");
    else if (rc)
        srv_reply_rn(q, rc, &err);
    else
        srv_reply_json(q, 200, s, strlen(s)); /* takes s */
}

/* A push whose body stopped short (the sender or the network killed it):
 * keep the files that arrived whole (lib/sync/blobs.c B2), so the next push
 * need not send them again. Called before the temp file is removed. */
void srv_sync_upload_salvage(srv_req *q)
{
    if (q->upload_fd < 0 || !q->upload_path[0] || q->upload_len == 0 || q->failed ||
        !q->route || q->route->fn != api_sync_push)
        return;
    int fd = open(q->upload_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    void *m = mmap(NULL, (size_t)q->upload_len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED)
        return;
    uint64_t kept = 0;
    rn_error err;
    rn_error_clear(&err);
    if (rn_sync_salvage_blobs(q->w->store, m, (size_t)q->upload_len, &kept, &err) == RN_OK &&
        kept > 0)
        srv_log("a sync push was cut short after %llu bytes; kept %llu "
                "whole file(s) of it for the next push\n", (unsigned long long)q->upload_len,
                (unsigned long long)kept);
    munmap(m, (size_t)q->upload_len);
}

/* GET /api/v1/sync/peers: the registered peers with the last sync from each
 * and its open conflicts (rn_sync_peer_list), for the web app's sync view. */
void api_sync_peers(srv_req *q)
{
    char *out = NULL;
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_sync_peer_list(q->w->store, &out, &err);
    if (rc) {
        srv_reply_rn(q, rc, &err);
        return;
    }
    srv_reply_json(q, 200, out, strlen(out)); /* takes out */
}

/* GET /api/v1/sync/conflicts: the open conflicts, both versions of each
 * (rn_sync_conflicts); resolving is `remnant resolve`. */
void api_sync_conflicts(srv_req *q)
{
    char *out = NULL;
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_sync_conflicts(q->w->store, &out, &err);
    if (rc) {
        srv_reply_rn(q, rc, &err);
        return;
    }
    srv_reply_json(q, 200, out, strlen(out)); /* takes out */
}
