/* SPDX-License-Identifier: Apache-2.0
 *
 * redact.c — the public view: which records the anonymous public may see,
 * and how each is shown.
 *
 * What is public (docs/API.md "Redaction"):
 *  1. a finding whose status is `published`;
 *  2. every record listed in the `evidence` of such a finding, except
 *     custody records (never public) and findings that are not published
 *     themselves. Nothing else: not the event of a cited item, not its
 *     parent, not its markings. To show a place, cite the event.
 * How it is shown:
 *  3. fields flagged RN_FIELD_SENSITIVE are omitted (RN_JSON_PUBLIC):
 *     investigators, custody holders, sources, authors, reviewers, answers;
 *  4. lat/lon are rounded to the --public-grid (degrees) and precision_m
 *     raised to at least the grid's size;
 *  5. an entity of kind `person` shows no name, aliases or identifiers.
 *
 * The set of public ids is rebuilt per worker thread when the database
 * changed (PRAGMA data_version on the worker's accounts connection moves
 * whenever another connection commits), so reads cost a binary search.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

struct srv_public_set {
    struct pub_id {
        char id[RN_ID_LEN + 1];
        rn_type type;
    } *v;
    size_t n, cap;
};

void srv_public_free(srv_public_set *p)
{
    if (p) {
        free(p->v);
        free(p);
    }
}

static int add(srv_public_set *p, const char *id, rn_type t)
{
    if (p->n == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 64;
        void *nv = realloc(p->v, nc * sizeof *p->v);
        if (!nv)
            return -1;
        p->v = nv;
        p->cap = nc;
    }
    memcpy(p->v[p->n].id, id, RN_ID_LEN + 1);
    p->v[p->n].type = t;
    p->n++;
    return 0;
}

static int cmp_id(const void *a, const void *b)
{
    return strcmp(((const struct pub_id *)a)->id, ((const struct pub_id *)b)->id);
}

/* The ids in a REFLIST's canonical text form ["ID","ID",...]. */
static size_t ids_in(const char *s, size_t len, char (*out)[RN_ID_LEN + 1], size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i + RN_ID_LEN + 1 < len && n < max; i++) {
        if (s[i] == '"' && s[i + RN_ID_LEN + 1] == '"' && rn_id_valid(s + i + 1, RN_ID_LEN)) {
            memcpy(out[n], s + i + 1, RN_ID_LEN);
            out[n][RN_ID_LEN] = '\0';
            n++;
            i += RN_ID_LEN + 1;
        }
    }
    return n;
}

static rn_code build(rn_store *s, srv_public_set **out)
{
    srv_public_set *p = calloc(1, sizeof *p);
    if (!p)
        return RN_ENOMEM;
    /* cited ids gathered first: the cursor must be finished before gets */
    size_t ncited = 0, capcited = 0;
    char (*cited)[RN_ID_LEN + 1] = NULL;
    rn_filter f = {"status", "published"};
    rn_cursor *c = NULL;
    rn_code rc = rn_store_list(s, RN_T_FINDING, &f, 1, -1, 0, &c, NULL);
    const rn_record *r;
    while (rc == RN_OK && (rc = rn_cursor_next(c, &r, NULL)) == RN_OK && r) {
        if (add(p, rn_record_id(r), RN_T_FINDING)) {
            rc = RN_ENOMEM;
            break;
        }
        size_t el;
        const char *ev = rn_record_get(r, "evidence", &el);
        if (!ev)
            continue;
        size_t room = el / (RN_ID_LEN + 3) + 1;
        if (ncited + room > capcited) {
            size_t nc = (ncited + room) * 2;
            void *nv = realloc(cited, nc * sizeof *cited);
            if (!nv) {
                rc = RN_ENOMEM;
                break;
            }
            cited = nv;
            capcited = nc;
        }
        ncited += ids_in(ev, el, cited + ncited, capcited - ncited);
    }
    rn_cursor_free(c);
    for (size_t i = 0; rc == RN_OK && i < ncited; i++) {
        rn_record *x = NULL;
        rn_code g = rn_store_get(s, cited[i], &x, NULL);
        if (g == RN_ENOTFOUND)
            continue;
        if (g) {
            rc = g;
            break;
        }
        rn_type t = rn_record_type(x);
        const char *st = rn_record_get(x, "status", NULL);
        int ok = t != RN_T_CUSTODY &&
                 (t != RN_T_FINDING || (st && strcmp(st, "published") == 0));
        if (ok && add(p, cited[i], t))
            rc = RN_ENOMEM;
        rn_record_free(x);
    }
    free(cited);
    if (rc) {
        srv_public_free(p);
        return rc;
    }
    if (p->n > 1)
        qsort(p->v, p->n, sizeof *p->v, cmp_id);
    size_t o = 0;
    for (size_t i = 0; i < p->n; i++)
        if (o == 0 || strcmp(p->v[o - 1].id, p->v[i].id) != 0)
            p->v[o++] = p->v[i];
    p->n = o;
    *out = p;
    return RN_OK;
}

/* The worker's set, rebuilt if the database changed since. */
static srv_public_set *current(srv_worker *w)
{
    int64_t v = srv_data_version(w->adb);
    if (w->pub && v == w->pub_version)
        return w->pub;
    srv_public_set *p = NULL;
    if (build(w->store, &p) != RN_OK)
        return NULL; /* fail closed: nothing is public */
    srv_public_free(w->pub);
    w->pub = p;
    w->pub_version = v;
    return p;
}

int srv_public_has(srv_worker *w, const char *id)
{
    srv_public_set *p = current(w);
    if (!p || p->n == 0 || strlen(id) != RN_ID_LEN)
        return 0;
    struct pub_id key;
    memcpy(key.id, id, RN_ID_LEN + 1);
    return bsearch(&key, p->v, p->n, sizeof *p->v, cmp_id) != NULL;
}

rn_code srv_public_each(srv_worker *w, rn_type t, int (*fn)(void *, const char *), void *ctx)
{
    srv_public_set *p = current(w);
    if (!p)
        return RN_EDB;
    for (size_t i = 0; i < p->n; i++)
        if (p->v[i].type == t && fn(ctx, p->v[i].id))
            break;
    return RN_OK;
}

static rn_code coarsen(rn_record *r, const char *name, double grid)
{
    const char *v = rn_record_get(r, name, NULL);
    if (!v)
        return RN_OK;
    double d = strtod(v, NULL);
    if (grid > 0)
        d = round(d / grid) * grid;
    char buf[48];
    int n = snprintf(buf, sizeof buf, "%.6f", d);
    return rn_record_set(r, name, buf, (size_t)n, NULL);
}

rn_code srv_public_json(rn_record *r, char **out, size_t *len)
{
    rn_type t = rn_record_type(r);
    rn_code rc = RN_OK;
    if (rn_type_field_index(t, "lat", 3) >= 0) {
        double g = srv_cfg.public_grid;
        rc = coarsen(r, "lat", g);
        if (!rc)
            rc = coarsen(r, "lon", g);
        if (!rc && g > 0 && rn_type_field_index(t, "precision_m", 11) >= 0 &&
            (rn_record_get(r, "lat", NULL) || rn_record_get(r, "lon", NULL))) {
            long m = (long)(g * 111320.0);
            const char *pm = rn_record_get(r, "precision_m", NULL);
            if (!pm || strtol(pm, NULL, 10) < m) {
                char buf[32];
                int n = snprintf(buf, sizeof buf, "%ld", m);
                rc = rn_record_set(r, "precision_m", buf, (size_t)n, NULL);
            }
        }
    }
    if (!rc && t == RN_T_ENTITY) {
        const char *k = rn_record_get(r, "kind", NULL);
        if (k && strcmp(k, "person") == 0) {
            static const char *const withheld[] = {"name", "aliases", "identifiers", "notes"};
            for (size_t i = 0; !rc && i < sizeof withheld / sizeof *withheld; i++)
                rc = rn_record_set(r, withheld[i], NULL, 0, NULL);
        }
    }
    if (rc)
        return rc;
    return rn_record_to_json(r, RN_JSON_PUBLIC, out, len);
}
