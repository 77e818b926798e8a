/* SPDX-License-Identifier: Apache-2.0
 *
 * reply.c — how the server answers: JSON bodies, the one table that maps a
 * library result (rn_code) to an HTTP status and an error code name, JSON
 * error objects {"error":{"code","message","field"}}, extra headers and
 * ETags. Handlers only fill the request's reply fields; http.c sends them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

/* The one table: library result -> HTTP status and stable error code. */
static const struct {
    unsigned status;
    const char *code;
} rn_http[RN_CODE_COUNT_] = {
    [RN_OK] = {200, "ok"},
    [RN_ENOMEM] = {503, "out_of_memory"},
    [RN_EINVAL] = {400, "bad_request"},
    [RN_EINPUT] = {422, "invalid"},
    [RN_ENOTFOUND] = {404, "not_found"},
    [RN_EEXISTS] = {409, "exists"},
    [RN_ECONSTRAINT] = {409, "constraint"},
    [RN_EIO] = {500, "io_error"},
    [RN_EDB] = {500, "database_error"},
    [RN_EREADONLY] = {503, "read_only"},
    [RN_EBUSY] = {503, "busy"},
    [RN_ESCHEMA] = {503, "schema"},
    [RN_ECRYPTO] = {401, "unauthorized"},
    [RN_ETAMPER] = {500, "tampered"},
    [RN_ELIMIT] = {413, "too_large"},
    [RN_EINTERRUPTED] = {503, "interrupted"},
};

unsigned srv_status_for(rn_code rc)
{
    return rc < RN_CODE_COUNT_ && rn_http[rc].status ? rn_http[rc].status : 500;
}

void srv_reply_json(srv_req *q, unsigned status, char *body, size_t len)
{
    free(q->out);
    q->out = body;
    q->out_len = len;
    q->status = status;
    q->ctype = "application/json";
}

void srv_reply_text(srv_req *q, unsigned status, const char *ctype, const char *body, size_t len)
{
    char *c = malloc(len + 1);
    if (!c) {
        q->status = 503;
        return;
    }
    memcpy(c, body, len);
    c[len] = '\0';
    srv_reply_json(q, status, c, len);
    q->ctype = ctype;
}

/* JSON string escaping into a fixed buffer; truncates on a character
 * boundary of the escaped form. Returns bytes written (without NUL). */
static size_t esc(char *out, size_t cap, const char *s)
{
    size_t o = 0;
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        char tmp[8];
        size_t n;
        if (c == '"' || c == '\\') {
            tmp[0] = '\\';
            tmp[1] = (char)c;
            n = 2;
        } else if (c < 0x20) {
            n = (size_t)snprintf(tmp, sizeof tmp, "\\u%04x", c);
        } else {
            tmp[0] = (char)c;
            n = 1;
        }
        if (o + n + 1 > cap)
            break;
        memcpy(out + o, tmp, n);
        o += n;
    }
    out[o] = '\0';
    return o;
}

void srv_reply_error(srv_req *q, unsigned status, const char *code, const char *message,
                     const char *field)
{
    char m[1200], f[200];
    esc(m, sizeof m, message);
    esc(f, sizeof f, field);
    size_t cap = strlen(code) + strlen(m) + strlen(f) + 64;
    char *b = malloc(cap);
    if (!b) {
        q->status = 503;
        q->failed = 1;
        return;
    }
    int n = snprintf(b, cap, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\",\"field\":%s%s%s}}",
                     code, m, field && *field ? "\"" : "", field && *field ? f : "null",
                     field && *field ? "\"" : "");
    srv_reply_json(q, status, b, n > 0 ? (size_t)n : 0);
    q->failed = 1;
}

void srv_reply_rn(srv_req *q, rn_code rc, const rn_error *err)
{
    const char *code = rc < RN_CODE_COUNT_ && rn_http[rc].code ? rn_http[rc].code : "error";
    const char *msg = err && err->message[0] ? err->message : rn_strerror(rc);
    unsigned status = srv_status_for(rc);
    /* the database's own messages can name tables or paths: not for
     * clients, but the server log keeps the cause */
    if (rc == RN_EDB || rc == RN_EIO) {
        char path[300], cause[600];
        srv_log_escape(path, sizeof path, q->path);
        srv_log_escape(cause, sizeof cause, err && err->message[0] ? err->message
                                                                   : rn_strerror(rc));
        srv_log("%s %s: %s", srv_method_name(q->method), path, cause);
        msg = rn_strerror(rc);
        /* SQLITE_FULL, ENOSPC, EDQUOT, EFBIG: the disk (or a limit on it) is full */
        if (err && (strstr(err->message, "disk is full") || strstr(err->message, "No space") ||
                    strstr(err->message, "quota") || strstr(err->message, "File too large"))) {
            status = 507;
            code = "insufficient_storage";
            msg = "the server's disk is full: nothing was stored; try again later";
        }
    }
    if (rc == RN_EBUSY) {
        srv_add_header(q, "Retry-After", "1");
        msg = "the database is busy with another writer (an import?): nothing was changed; "
              "try again shortly";
    }
    srv_reply_error(q, status, code, msg, err ? err->field : NULL);
}

void srv_add_header(srv_req *q, const char *name, const char *value)
{
    if (q->nheaders >= SRV_MAX_HEADERS)
        return;
    size_t nl = strlen(name), vl = strlen(value);
    char *c = malloc(nl + vl + 2);
    if (!c)
        return;
    memcpy(c, name, nl + 1);
    memcpy(c + nl + 1, value, vl + 1);
    q->header_store[q->nheaders] = c;
    q->headers[q->nheaders].key = c;
    q->headers[q->nheaders].value = c + nl + 1;
    q->nheaders++;
}

void srv_etag(const char *body, size_t len, char out[35])
{
    uint8_t h[16];
    crypto_generichash(h, sizeof h, (const uint8_t *)body, len, NULL, 0);
    out[0] = '"';
    sodium_bin2hex(out + 1, 33, h, sizeof h);
    out[33] = '"';
    out[34] = '\0';
}

int srv_not_modified(srv_req *q, const char *etag)
{
    srv_add_header(q, "ETag", etag);
    const char *inm = srv_header(q, "If-None-Match");
    if (!inm)
        return 0;
    /* a list of tags, or "*"; weak comparison as RFC 9110 asks for GET */
    if (strcmp(inm, "*") == 0 || strstr(inm, etag + 0) != NULL) {
        free(q->out);
        q->out = NULL;
        q->out_len = 0;
        q->status = 304;
        return 1;
    }
    return 0;
}
