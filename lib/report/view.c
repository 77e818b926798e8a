/* SPDX-License-Identifier: Apache-2.0
 *
 * view.c — the one door through which the report reads records that it
 * shows, so that `--public` has exactly one place to be right.
 *
 * Not public: every record, as stored. Public: the rules of the server's
 * public view (docs/API.md "Redaction"; src/server/redact.c):
 *  1. a finding whose status is `published`, and
 *  2. the records its `evidence` lists, except custody records and
 *     findings that are not published themselves; nothing else;
 *  3. fields flagged RN_FIELD_SENSITIVE in lib/model/types.c are cleared;
 *  4. lat/lon are rounded to the public grid, precision_m raised to it;
 *  5. an entity of kind `person` shows no name, aliases, identifiers, notes.
 * TODO(public.h): when the library's rn_public_* (include/remnant/public.h)
 * lands, rp_view_* become thin calls to it and these rules live there only. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

struct rp_view {
    rn_store *s;
    int pub;
    double grid;
    char (*ids)[RN_ID_LEN + 1];
    size_t n, cap;
};

static int add(rp_view *v, const char *id)
{
    if (strlen(id) != RN_ID_LEN)
        return 0;
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 64;
        void *ni = rn__realloc(v->ids, nc * sizeof *v->ids);
        if (!ni)
            return -1;
        v->ids = ni;
        v->cap = nc;
    }
    memcpy(v->ids[v->n++], id, RN_ID_LEN + 1);
    return 0;
}

static int cmp(const void *a, const void *b) { return strcmp(a, b); }

/* The ids in a REFLIST's text form ["ID",...] (or ID;ID). */
static int add_refs(rp_view *v, const char *s, size_t len)
{
    for (size_t i = 0; i + RN_ID_LEN <= len; i++) {
        if (rn_id_valid(s + i, RN_ID_LEN) && (i == 0 || s[i - 1] == '"' || s[i - 1] == ';')) {
            char id[RN_ID_LEN + 1];
            memcpy(id, s + i, RN_ID_LEN);
            id[RN_ID_LEN] = '\0';
            if (add(v, id))
                return -1;
            i += RN_ID_LEN - 1;
        }
    }
    return 0;
}

rn_code rp_view_open(rn_store *s, int public_view, double grid, rp_view **out, rn_error *err)
{
    rp_view *v = rn__calloc(1, sizeof *v);
    if (!v)
        return rn__err(err, RN_ENOMEM, "out of memory");
    v->s = s;
    v->pub = public_view;
    v->grid = grid > 0 ? grid : 0.1;
    rn_code rc = RN_OK;
    char (*cited)[RN_ID_LEN + 1] = NULL;
    if (public_view) {
        rn_filter f = {"status", "published"};
        rn_cursor *c = NULL;
        const rn_record *r;
        rp_view tmp = {0};
        rc = rn_store_list(s, RN_T_FINDING, &f, 1, -1, 0, &c, err);
        while (rc == RN_OK && (rc = rn_cursor_next(c, &r, err)) == RN_OK && r) {
            size_t el;
            const char *ev = rn_record_get(r, "evidence", &el);
            if (add(v, rn_record_id(r)) || (ev && add_refs(&tmp, ev, el)))
                rc = RN_ENOMEM;
        }
        rn_cursor_free(c);
        for (size_t i = 0; rc == RN_OK && i < tmp.n; i++) {
            rn_record *x = NULL;
            rn_code g = rn_store_get(s, tmp.ids[i], &x, NULL);
            if (g == RN_ENOTFOUND)
                continue;
            if (g) {
                rc = g;
                break;
            }
            rn_type t = rn_record_type(x);
            const char *st = rn_record_get(x, "status", NULL);
            if (t != RN_T_CUSTODY && (t != RN_T_FINDING || (st && strcmp(st, "published") == 0)) &&
                add(v, tmp.ids[i]))
                rc = RN_ENOMEM;
            rn_record_free(x);
        }
        cited = tmp.ids;
        if (v->n > 1)
            qsort(v->ids, v->n, sizeof *v->ids, cmp);
    }
    free(cited);
    if (rc) {
        rp_view_free(v);
        return rc == RN_ENOMEM ? rn__err(err, rc, "out of memory") : rc;
    }
    *out = v;
    return RN_OK;
}

void rp_view_free(rp_view *v)
{
    if (v) {
        free(v->ids);
        free(v);
    }
}

int rp_view_public(const rp_view *v) { return v->pub; }

int rp_view_has(const rp_view *v, const char *id)
{
    if (!v->pub)
        return 1;
    if (strlen(id) != RN_ID_LEN || v->n == 0)
        return 0;
    return bsearch(id, v->ids, v->n, sizeof *v->ids, cmp) != NULL;
}

static rn_code coarsen(rn_record *r, const char *name, double grid)
{
    const char *val = rn_record_get(r, name, NULL);
    if (!val)
        return RN_OK;
    double d = round(strtod(val, NULL) / grid) * grid;
    char buf[48];
    int n = snprintf(buf, sizeof buf, "%.6f", d);
    return rn_record_set(r, name, buf, (size_t)n, NULL);
}

rn_code rp_view_get(rp_view *v, const char *id, rn_record **out, rn_error *err)
{
    if (!rp_view_has(v, id))
        return rn__err(err, RN_ENOTFOUND, "%s is not in the public view", id);
    rn_record *r = NULL;
    rn_code rc = rn_store_get(v->s, id, &r, err);
    if (rc || !v->pub) {
        *out = r;
        return rc;
    }
    rn_type t = rn_record_type(r);
    size_t nf;
    const rn_field *fs = rn_type_fields(t, &nf);
    for (size_t i = 0; i < nf && !rc; i++)
        if (fs[i].flags & RN_FIELD_SENSITIVE)
            rc = rn_record_set(r, fs[i].name, NULL, 0, NULL);
    if (!rc && rn_type_field_index(t, "lat", 3) >= 0) {
        rc = coarsen(r, "lat", v->grid);
        if (!rc)
            rc = coarsen(r, "lon", v->grid);
        if (!rc && rn_type_field_index(t, "precision_m", 11) >= 0 &&
            (rn_record_get(r, "lat", NULL) || rn_record_get(r, "lon", NULL))) {
            long m = (long)(v->grid * 111320.0);
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
            for (size_t i = 0; !rc && i < RN_ARRAY_LEN(withheld); i++)
                rc = rn_record_set(r, withheld[i], NULL, 0, NULL);
        }
    }
    if (rc) {
        rn_record_free(r);
        return rn__err(err, rc, "public view of %s: %s", id, rn_strerror(rc));
    }
    *out = r;
    return RN_OK;
}
