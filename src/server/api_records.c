/* SPDX-License-Identifier: Apache-2.0
 *
 * api_records.c — the record endpoints: list (filters, pagination), create,
 * read (ETag, 304), replace (PUT, If-Match), patch (JSON merge), delete,
 * and search. Every write first names its author to the store
 * (rn_store_set_account), so the evidence log carries who made each change.
 *
 * Findings follow their review states (draft -> reviewed -> published ->
 * withdrawn), whose rules the store enforces on every write for every role
 * (lib/store/lifecycle.c: no plain write changes a status, a reviewed or
 * published finding never changes, 409). On top of them:
 *  1. an analyst writes drafts only, and cannot change a finding that is
 *     reviewed or published;
 *  2. a reviewer writes no finding through these endpoints: reviewing,
 *     publishing and withdrawing are the acts of api_workflow.c
 *     (POST /api/v1/findings/{id}/review|publish|withdraw);
 *  3. an admin is held by the store's rules alone.
 * Every write runs under the authenticated account (rn_store_set_account),
 * so the log names it and a new finding's author is it.
 * The public never sees a record outside the public view (redact.c): such a
 * record answers 404, exactly as one that does not exist.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"


static void ob_url(srv_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            srv_buf_add(b, (const char *)&c, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            srv_buf_add(b, e, 3);
        }
    }
}

#define OUT_MAX (64u << 20) /* a page of records: at most 64 MiB */

/* ---- shared steps --------------------------------------------------------------- */

static int type_param(srv_req *q, rn_type *t)
{
    if (!srv_type_from_plural(q->params[0], t)) {
        srv_reply_error(q, 404, "not_found", "no such record type", NULL);
        return -1;
    }
    return 0;
}

/* 401 for the public, 403 for a role without the right. */
static int allowed(srv_req *q, rn_type t)
{
    if (srv_may(q->role, q->method, t))
        return 1;
    if (q->role == SRV_PUBLIC)
        srv_reply_error(q, 401, "unauthorized", "log in or give an API token", NULL);
    else
        srv_reply_error(q, 403, "forbidden", "your role may not do this to this record type",
                        NULL);
    return 0;
}

/* Read the record named in the URL: of the URL's type, and in the public
 * view for the public; else 404. */
static rn_record *load(srv_req *q, rn_type t)
{
    rn_record *r = NULL;
    rn_error err;
    rn_error_clear(&err);
    const char *id = q->params[1];
    rn_code rc = rn_id_valid(id, strlen(id)) ? rn_store_get(q->w->store, id, &r, &err)
                                             : RN_ENOTFOUND;
    if (rc == RN_OK && (rn_record_type(r) != t ||
                        (q->role == SRV_PUBLIC && !srv_public_has(q->w, id)))) {
        rn_record_free(r);
        r = NULL;
        rc = RN_ENOTFOUND;
    }
    if (rc == RN_ENOTFOUND)
        srv_reply_error(q, 404, "not_found", "no such record", NULL);
    else if (rc)
        srv_reply_rn(q, rc, &err);
    return r;
}

/* The record as this request may see it. */
static rn_code view_json(srv_req *q, rn_record *r, char **out, size_t *len)
{
    if (q->role == SRV_PUBLIC)
        return srv_public_json(r, out, len);
    return rn_record_to_json(r, 0, out, len);
}

static void reply_record(srv_req *q, unsigned status, rn_record *r)
{
    char *s;
    size_t n;
    rn_code rc = view_json(q, r, &s, &n);
    if (rc) {
        srv_reply_rn(q, rc, NULL);
        return;
    }
    char etag[35];
    srv_etag(s, n, etag);
    if (status == 200 && srv_not_modified(q, etag)) {
        rn_free(s);
        return;
    }
    if (status != 200)
        srv_add_header(q, "ETag", etag);
    srv_reply_json(q, status, s, n);
}

/* ---- list --------------------------------------------------------------------- */

typedef struct list_ctx {
    srv_req *q;
    rn_type t;
    rn_filter *f;
    size_t nf;
    long limit, offset, seen, emitted;
    int more;
    srv_buf *b;
    rn_record *scratch;
    rn_code rc;
} list_ctx;

/* Public listing: filters are compared with the public copy (what the
 * public sees), never with the logged record, so a filter cannot probe a
 * withheld or coarsened value. */
static int public_one(void *ctx, const char *id)
{
    list_ctx *c = ctx;
    rn_record *r = NULL, *pub = NULL;
    const srv_public_set *view = srv_public_view(c->q->w);
    if (!view || rn_store_get(c->q->w->store, id, &r, NULL) != RN_OK)
        return 0;
    c->rc = rn_public_record(view, r, &pub, NULL);
    rn_record_free(r);
    if (c->rc != RN_OK)
        return 1;
    char *s = NULL;
    size_t n;
    if ((c->rc = rn_record_to_json(pub, 0, &s, &n)) != RN_OK) {
        rn_record_free(pub);
        return 1;
    }
    int match = 1;
    for (size_t i = 0; i < c->nf && match; i++) {
        const char *have = rn_record_get(pub, c->f[i].field, NULL);
        rn_record_reset(c->scratch);
        const char *want = NULL;
        if (rn_record_set(c->scratch, c->f[i].field, c->f[i].value, strlen(c->f[i].value),
                          NULL) == RN_OK)
            want = rn_record_get(c->scratch, c->f[i].field, NULL);
        match = have && want && strcmp(have, want) == 0;
    }
    rn_record_free(pub);
    if (match && c->seen++ >= c->offset) {
        if (c->emitted == c->limit) {
            c->more = 1;
            rn_free(s);
            return 1;
        }
        if (c->emitted++)
            srv_buf_adds(c->b, ",");
        srv_buf_add(c->b, s, n);
    }
    rn_free(s);
    return 0;
}

void api_list(srv_req *q)
{
    rn_type t;
    if (type_param(q, &t))
        return;
    long limit = SRV_LIMIT_DEFAULT, offset = 0;
    rn_filter f[SRV_MAX_QUERY];
    size_t nf = 0;
    for (size_t i = 0; i < q->nquery; i++) {
        const char *k = q->query[i].key, *v = q->query[i].value;
        if (strcmp(k, "limit") == 0) {
            if (srv_parse_long(v, 1, SRV_LIMIT_MAX, &limit)) {
                srv_reply_error(q, 400, "bad_request", "limit is 1 to 1000", "limit");
                return;
            }
            continue;
        }
        if (strcmp(k, "offset") == 0) {
            if (srv_parse_long(v, 0, 1000000000L, &offset)) {
                srv_reply_error(q, 400, "bad_request", "offset is a number from 0", "offset");
                return;
            }
            continue;
        }
        int idx = rn_type_field_index(t, k, strlen(k));
        size_t nfields;
        const rn_field *fields = rn_type_fields(t, &nfields);
        /* the public may not filter on what it may not see */
        if (idx < 0 || (q->role == SRV_PUBLIC && (fields[idx].flags & RN_FIELD_SENSITIVE))) {
            srv_reply_error(q, 400, "bad_request", "no such field to filter on", k);
            return;
        }
        f[nf].field = fields[idx].name;
        f[nf].value = v;
        nf++;
    }
    srv_buf b = {.max = OUT_MAX};
    srv_buf_adds(&b, "{\"items\":[");
    rn_code rc = RN_OK;
    rn_error err;
    rn_error_clear(&err);
    int more = 0;
    if (q->role == SRV_PUBLIC) {
        list_ctx c = {.q = q, .t = t, .f = f, .nf = nf, .limit = limit, .offset = offset,
                      .b = &b, .scratch = rn_record_new(t)};
        if (!c.scratch)
            rc = RN_ENOMEM;
        else
            rc = srv_public_each(q->w, t, public_one, &c);
        if (!rc)
            rc = c.rc;
        more = c.more;
        rn_record_free(c.scratch);
    } else {
        rn_cursor *cur = NULL;
        rc = rn_store_list(q->w->store, t, f, nf, limit + 1, offset, &cur, &err);
        const rn_record *r;
        long k = 0;
        while (rc == RN_OK && (rc = rn_cursor_next(cur, &r, &err)) == RN_OK && r) {
            if (k == limit) {
                more = 1;
                break;
            }
            char *s;
            size_t n;
            if ((rc = rn_record_to_json(r, 0, &s, &n)) != RN_OK)
                break;
            if (k++)
                srv_buf_adds(&b, ",");
            srv_buf_add(&b, s, n);
            rn_free(s);
        }
        rn_cursor_free(cur);
    }
    if (rc) {
        free(b.p);
        srv_reply_rn(q, rc, &err);
        return;
    }
    srv_buf_adds(&b, "],\"next\":");
    if (more) {
        char num[64];
        srv_buf_adds(&b, "\"/api/v1/");
        srv_buf_adds(&b, srv_type_plural(t));
        snprintf(num, sizeof num, "?limit=%ld&offset=%ld", limit, offset + limit);
        srv_buf_adds(&b, num);
        for (size_t i = 0; i < nf; i++) {
            srv_buf_adds(&b, "&");
            ob_url(&b, f[i].field);
            srv_buf_adds(&b, "=");
            ob_url(&b, f[i].value);
        }
        srv_buf_adds(&b, "\"}");
    } else {
        srv_buf_adds(&b, "null}");
    }
    if (b.fail) {
        free(b.p);
        srv_reply_error(q, 413, "too_large", "the page is too large: use a smaller limit",
                        "limit");
        return;
    }
    char etag[35];
    srv_etag(b.p, b.n, etag);
    if (srv_not_modified(q, etag)) {
        free(b.p);
        return;
    }
    srv_reply_json(q, 200, b.p, b.n);
}

/* ---- findings' review rules ---------------------------------------------------- */

static int status_is(json_t *o, const char *want)
{
    const char *s = json_string_value(json_object_get(o, "status"));
    return s ? strcmp(s, want) == 0 : strcmp(want, "draft") == 0;
}

/* `old` NULL on create. Returns 0, or sets a 403 and returns -1. */
static int finding_rules(srv_req *q, json_t *old, json_t *nw)
{
    if (q->role == SRV_ADMIN)
        return 0;
    if (q->role == SRV_ANALYST) {
        if (!status_is(nw, "draft") || (old && !status_is(old, "draft"))) {
            srv_reply_error(q, 403, "forbidden", "analysts write draft findings; a reviewer "
                            "reviews and publishes", "status");
            return -1;
        }
        if (!old && !json_object_get(nw, "author"))
            json_object_set_new(nw, "author", json_string(q->user));
        return 0;
    }
    if (q->role == SRV_REVIEWER) {
        srv_reply_error(q, 403, "forbidden", "a reviewer reviews, publishes or withdraws "
                        "through POST /api/v1/findings/{id}/review, /publish or /withdraw",
                        "status");
        return -1;
    }
    srv_reply_error(q, 403, "forbidden", "your role may not write findings", NULL);
    return -1;
}

/* ---- writes ------------------------------------------------------------------- */

static json_t *body_object(srv_req *q)
{
    json_error_t je;
    json_t *j = q->body ? json_loadb(q->body, q->body_len, JSON_REJECT_DUPLICATES, &je) : NULL;
    if (!j || !json_is_object(j)) {
        json_decref(j);
        srv_reply_error(q, 400, "bad_json", q->body ? "the body must be one JSON object"
                                                    : "a JSON body is needed", NULL);
        return NULL;
    }
    return j;
}

/* The type in the body must be the URL's (it is added when missing). */
static int fix_type(srv_req *q, json_t *j, rn_type t)
{
    json_t *ty = json_object_get(j, "type");
    if (!ty) {
        json_object_set_new(j, "type", json_string(rn_type_name(t)));
        return 0;
    }
    if (!json_is_string(ty) || strcmp(json_string_value(ty), rn_type_name(t)) != 0) {
        srv_reply_error(q, 422, "invalid", "\"type\" does not match the URL", "type");
        return -1;
    }
    return 0;
}

/* Turn the JSON object into a record and write it. */
static void write_record(srv_req *q, json_t *j, rn_put_mode mode)
{
    char *s = json_dumps(j, JSON_COMPACT);
    if (!s) {
        srv_reply_rn(q, RN_ENOMEM, NULL);
        return;
    }
    rn_record *r = NULL;
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_record_from_json(s, strlen(s), &r, &err);
    free(s);
    if (rc == RN_OK)
        rc = rn_store_set_account(q->w->store, q->user);
    if (rc == RN_OK)
        rc = rn_store_put(q->w->store, r, mode, &err);
    if (rc) {
        rn_record_free(r);
        srv_reply_rn(q, rc, &err);
        return;
    }
    if (mode == RN_PUT_CREATE) {
        char loc[128];
        snprintf(loc, sizeof loc, "/api/v1/%s/%s", srv_type_plural(rn_record_type(r)),
                 rn_record_id(r));
        srv_add_header(q, "Location", loc);
    }
    reply_record(q, mode == RN_PUT_CREATE ? 201 : 200, r);
    rn_record_free(r);
}

void api_create(srv_req *q)
{
    rn_type t;
    if (type_param(q, &t) || !allowed(q, t))
        return;
    json_t *j = body_object(q);
    if (!j)
        return;
    if (fix_type(q, j, t) == 0 && (t != RN_T_FINDING || finding_rules(q, NULL, j) == 0))
        write_record(q, j, RN_PUT_CREATE);
    json_decref(j);
}

/* The current record as a JSON object, after the If-Match check. */
static json_t *current_object(srv_req *q, rn_type t)
{
    rn_record *r = load(q, t);
    if (!r)
        return NULL;
    char *s;
    size_t n;
    rn_code rc = rn_record_to_json(r, 0, &s, &n);
    rn_record_free(r);
    if (rc) {
        srv_reply_rn(q, rc, NULL);
        return NULL;
    }
    const char *im = srv_header(q, "If-Match");
    if (im) {
        char etag[35];
        srv_etag(s, n, etag);
        if (strcmp(im, "*") != 0 && !strstr(im, etag)) {
            rn_free(s);
            srv_reply_error(q, 412, "precondition_failed",
                            "the record changed since you read it (If-Match)", NULL);
            return NULL;
        }
    }
    json_t *o = json_loadb(s, n, 0, NULL);
    rn_free(s);
    if (!o)
        srv_reply_rn(q, RN_ENOMEM, NULL);
    return o;
}

static int same_id(srv_req *q, json_t *j)
{
    json_t *id = json_object_get(j, "id");
    if (!id) {
        json_object_set_new(j, "id", json_string(q->params[1]));
        return 0;
    }
    if (!json_is_string(id) || strcmp(json_string_value(id), q->params[1]) != 0) {
        srv_reply_error(q, 422, "invalid", "\"id\" does not match the URL", "id");
        return -1;
    }
    return 0;
}

void api_replace(srv_req *q)
{
    rn_type t;
    if (type_param(q, &t) || !allowed(q, t))
        return;
    json_t *j = body_object(q);
    if (!j)
        return;
    json_t *old = NULL;
    if (fix_type(q, j, t) == 0 && same_id(q, j) == 0 && (old = current_object(q, t)) != NULL &&
        (t != RN_T_FINDING || finding_rules(q, old, j) == 0))
        write_record(q, j, RN_PUT_REPLACE);
    json_decref(old);
    json_decref(j);
}

void api_patch(srv_req *q)
{
    rn_type t;
    if (type_param(q, &t) || !allowed(q, t))
        return;
    json_t *p = body_object(q);
    if (!p)
        return;
    json_t *old = NULL, *nw = NULL;
    if (fix_type(q, p, t) || same_id(q, p) || !(old = current_object(q, t)))
        goto out;
    /* JSON merge patch (RFC 7396) at the top level: null removes a field */
    nw = json_deep_copy(old);
    const char *k;
    json_t *v;
    json_object_foreach(p, k, v) {
        if (json_is_null(v))
            json_object_del(nw, k);
        else
            json_object_set(nw, k, v);
    }
    if (t != RN_T_FINDING || finding_rules(q, old, nw) == 0)
        write_record(q, nw, RN_PUT_REPLACE);
out:
    json_decref(nw);
    json_decref(old);
    json_decref(p);
}

void api_delete(srv_req *q)
{
    rn_type t;
    if (type_param(q, &t) || !allowed(q, t))
        return;
    rn_record *r = load(q, t);
    if (!r)
        return;
    rn_record_free(r);
    if (t == RN_T_FINDING && q->role != SRV_ADMIN) {
        json_t *o = current_object(q, t);
        int draft = o && status_is(o, "draft");
        json_decref(o);
        if (!o)
            return;
        if (!draft) {
            srv_reply_error(q, 403, "forbidden", "only an admin deletes a reviewed or "
                            "published finding", NULL);
            return;
        }
    }
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_store_set_account(q->w->store, q->user);
    if (!rc)
        rc = rn_store_delete(q->w->store, q->params[1], &err);
    if (rc) {
        srv_reply_rn(q, rc, &err);
        return;
    }
    q->status = 204;
}

void api_get(srv_req *q)
{
    rn_type t;
    if (type_param(q, &t))
        return;
    rn_record *r = load(q, t);
    if (!r)
        return;
    reply_record(q, 200, r);
    rn_record_free(r);
}

/* ---- search ------------------------------------------------------------------- */

typedef struct search_ctx {
    json_t *hits;
} search_ctx;

static int on_hit(void *ctx, const rn_hit *h)
{
    search_ctx *c = ctx;
    json_array_append_new(c->hits, json_pack("{s:s, s:s, s:s, s:s}", "id", h->id, "type",
                                             rn_type_name(h->type), "field", h->field, "text",
                                             h->text));
    return 0;
}

/* A hit the public may see: in a public record, on a field shown to the
 * public exactly as logged (public.h F1-F4). */
static int public_hit(srv_req *q, json_t *h)
{
    const char *id = json_string_value(json_object_get(h, "id"));
    const char *field = json_string_value(json_object_get(h, "field"));
    const srv_public_set *view = srv_public_view(q->w);
    if (!id || !field || !view || !rn_public_has(view, id))
        return 0;
    rn_record *r = NULL;
    int ok = 0;
    if (rn_store_get(q->w->store, id, &r, NULL) == RN_OK) {
        int idx = rn_type_field_index(rn_record_type(r), field, strlen(field));
        ok = idx >= 0 && rn_public_field_of(view, r, idx) == RN_PUBLIC_DISCLOSED;
    }
    rn_record_free(r);
    return ok;
}

void api_search(srv_req *q)
{
    const char *text = srv_query(q, "q");
    long limit = SRV_LIMIT_DEFAULT;
    const char *ls = srv_query(q, "limit");
    if (!text || !*text) {
        srv_reply_error(q, 400, "bad_request", "give the search text as ?q=", "q");
        return;
    }
    if (strlen(text) > 200) {
        srv_reply_error(q, 413, "too_large", "search text is at most 200 bytes", "q");
        return;
    }
    if (ls && srv_parse_long(ls, 1, SRV_LIMIT_MAX, &limit)) {
        srv_reply_error(q, 400, "bad_request", "limit is 1 to 1000", "limit");
        return;
    }
    /* Anonymous searches: so many per minute per client address, and each
     * may do at most --search-work steps of database work (issue 15.17). */
    unsigned retry = 0;
    if (q->role == SRV_PUBLIC && srv_search_take(q->addr, &retry)) {
        char ra[16];
        snprintf(ra, sizeof ra, "%u", retry);
        srv_add_header(q, "Retry-After", ra);
        srv_reply_error(q, 429, "too_many_requests",
                        "too many anonymous searches from your address: wait, or log in", NULL);
        return;
    }
    rn_code rc = rn_store_set_search_limit(q->w->store,
                                           q->role == SRV_PUBLIC ? srv_cfg.search_work : 0);
    search_ctx c = {json_array()};
    rn_error err;
    rn_error_clear(&err);
    /* the public sees a filtered subset: look further, then cut */
    if (!rc)
        rc = rn_store_search(q->w->store, text, q->role == SRV_PUBLIC ? 20 * limit : limit,
                             on_hit, &c, &err);
    if (rc) {
        json_decref(c.hits);
        if (rc == RN_ELIMIT)
            srv_reply_error(q, 422, "too_broad", err.message, "q");
        else
            srv_reply_rn(q, rc, &err);
        return;
    }
    json_t *out = json_array();
    size_t i;
    json_t *h;
    json_array_foreach(c.hits, i, h) {
        if ((long)json_array_size(out) >= limit)
            break;
        if (q->role != SRV_PUBLIC || public_hit(q, h))
            json_array_append(out, h);
    }
    json_decref(c.hits);
    const char *ctx = srv_query(q, "context");
    if (ctx && strcmp(ctx, "1") == 0)
        srv_search_context(q, out); /* api_search_context.c: staff only */
    json_t *o = json_pack("{s:o}", "hits", out);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!s) {
        srv_reply_rn(q, RN_ENOMEM, NULL);
        return;
    }
    srv_reply_json(q, 200, s, strlen(s));
}
