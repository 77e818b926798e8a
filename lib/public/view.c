/* SPDX-License-Identifier: Apache-2.0
 *
 * view.c — the public view (include/remnant/public.h): which records the
 * public may see (P1-P4) and how each field of each is shown (F1-F4). The
 * rules are stated once, in public.h; this file is their only
 * implementation, and the server, export, bundles and reports call it.
 *
 * The set is built once per snapshot: published findings first, then what
 * they cite, then what the cited records need (P3), then the public
 * derivatives of public attachments (P4); kept sorted by id, so a lookup is
 * a binary search.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "model/record_int.h"
#include "store/store_int.h"
#include "remnant/public.h"

struct pub_id {
    char id[RN_ID_LEN + 1];
    rn_type type;
};

/* A public attachment's public copy (P4): what the public sees of the
 * original's content fields is the copy's. */
struct pub_copy {
    char orig[RN_ID_LEN + 1];
    char copy[RN_ID_LEN + 1];
    char sha256[65];
    char size[24];
    char media_type[128];
};

struct rn_public {
    struct pub_id *v;
    size_t n, cap;
    size_t sorted; /* v[0..sorted) is sorted and unique */
    double grid;
    struct pub_copy *copies;
    size_t ncopies, capcopies;
};

void rn_public_free(rn_public *p)
{
    if (p) {
        free(p->v);
        free(p->copies);
        free(p);
    }
}

static int cmp_copy(const void *a, const void *b)
{
    return strcmp(((const struct pub_copy *)a)->orig, ((const struct pub_copy *)b)->orig);
}

/* The public copy of attachment `orig` (copies are sorted by then). */
static const struct pub_copy *copy_of(const rn_public *p, const char *orig)
{
    if (!p || !p->ncopies || strlen(orig) != RN_ID_LEN)
        return NULL;
    struct pub_copy key;
    memcpy(key.orig, orig, RN_ID_LEN + 1);
    return bsearch(&key, p->copies, p->ncopies, sizeof *p->copies, cmp_copy);
}

static rn_code add_copy(rn_public *p, const char *orig, const rn_record *c)
{
    if (p->ncopies == p->capcopies) {
        size_t nc = p->capcopies ? 2 * p->capcopies : 16;
        void *nv = rn__realloc(p->copies, nc * sizeof *p->copies);
        if (!nv)
            return RN_ENOMEM;
        p->copies = nv;
        p->capcopies = nc;
    }
    struct pub_copy *x = &p->copies[p->ncopies++];
    memset(x, 0, sizeof *x);
    snprintf(x->orig, sizeof x->orig, "%s", orig);
    snprintf(x->copy, sizeof x->copy, "%s", rn_record_id(c));
    const char *v;
    if ((v = rn_record_get(c, "sha256", NULL)))
        snprintf(x->sha256, sizeof x->sha256, "%s", v);
    if ((v = rn_record_get(c, "size", NULL)))
        snprintf(x->size, sizeof x->size, "%s", v);
    if ((v = rn_record_get(c, "media_type", NULL)))
        snprintf(x->media_type, sizeof x->media_type, "%s", v);
    return RN_OK;
}

static int cmp_id(const void *a, const void *b)
{
    return strcmp(((const struct pub_id *)a)->id, ((const struct pub_id *)b)->id);
}

static void normalize(rn_public *p)
{
    if (p->n > 1)
        qsort(p->v, p->n, sizeof *p->v, cmp_id);
    size_t o = 0;
    for (size_t i = 0; i < p->n; i++)
        if (o == 0 || strcmp(p->v[o - 1].id, p->v[i].id) != 0)
            p->v[o++] = p->v[i];
    p->n = o;
    p->sorted = o;
}

static int has_sorted(const rn_public *p, const char *id)
{
    if (!p || p->sorted == 0 || strlen(id) != RN_ID_LEN)
        return 0;
    struct pub_id key;
    memcpy(key.id, id, RN_ID_LEN + 1);
    return bsearch(&key, p->v, p->sorted, sizeof *p->v, cmp_id) != NULL;
}

static rn_code add(rn_public *p, const char *id, rn_type t)
{
    if (p->n == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 64;
        void *nv = rn__realloc(p->v, nc * sizeof *p->v);
        if (!nv)
            return RN_ENOMEM;
        p->v = nv;
        p->cap = nc;
    }
    memcpy(p->v[p->n].id, id, RN_ID_LEN + 1);
    p->v[p->n].type = t;
    p->n++;
    return RN_OK;
}

/* Calls fn for each id in a REFLIST's canonical text ["ID","ID",...]. */
static rn_code each_ref(const char *s, size_t len, rn_code (*fn)(void *, const char *),
                        void *ctx)
{
    for (size_t i = 0; i + RN_ID_LEN + 1 < len; i++) {
        if (s[i] == '"' && s[i + RN_ID_LEN + 1] == '"' && rn_id_valid(s + i + 1, RN_ID_LEN)) {
            char one[RN_ID_LEN + 1];
            memcpy(one, s + i + 1, RN_ID_LEN);
            one[RN_ID_LEN] = '\0';
            rn_code rc = fn(ctx, one);
            if (rc)
                return rc;
            i += RN_ID_LEN + 1;
        }
    }
    return RN_OK;
}

typedef struct build_ctx {
    rn_public *p;
    rn_store *s;
    rn_error *err;
} build_ctx;

/* P2: a cited record, unless it is of a type that is never public or an
 * unpublished finding. A dangling citation is ignored (verify reports it). */
static rn_code add_cited(void *vctx, const char *id)
{
    build_ctx *b = vctx;
    rn_record *x = NULL;
    rn_code rc = rn_store_get(b->s, id, &x, NULL);
    if (rc == RN_ENOTFOUND)
        return RN_OK;
    if (rc)
        return rn__err(b->err, rc, "public view: cannot read %s", id);
    rn_type t = rn_record_type(x);
    const char *st = rn_record_get(x, "status", NULL);
    int ok = t != RN_T_CUSTODY && t != RN_T_TRACE &&
             (t != RN_T_FINDING || (st && strcmp(st, "published") == 0));
    rn_record_free(x);
    return ok ? add(b->p, id, t) : RN_OK;
}

/* P3: the records a public record needs to be read: the required REFs. */
static rn_code add_needed(build_ctx *b, const char *id)
{
    rn_record *x = NULL;
    rn_code rc = rn_store_get(b->s, id, &x, NULL);
    if (rc == RN_ENOTFOUND)
        return RN_OK;
    if (rc)
        return rn__err(b->err, rc, "public view: cannot read %s", id);
    size_t nf;
    const rn_field *f = rn_type_fields(rn_record_type(x), &nf);
    for (size_t i = 0; i < nf && rc == RN_OK; i++) {
        if (f[i].kind != RN_F_REF || !(f[i].flags & RN_FIELD_REQUIRED))
            continue;
        const char *v = rn_record_get_at(x, (int)i, NULL);
        if (v && f[i].ref != RN_T_CUSTODY && f[i].ref != RN_T_TRACE)
            rc = add_cited(b, v);
    }
    rn_record_free(x);
    return rc;
}

/* P4: the public derivatives of a public attachment. */
static rn_code add_derived(build_ctx *b, const char *id)
{
    if (rn_type_field_index(RN_T_ATTACHMENT, "derived_from", 12) < 0)
        return RN_OK;
    rn_filter f = {"derived_from", id};
    rn_cursor *c = NULL;
    rn_code rc = rn_store_list(b->s, RN_T_ATTACHMENT, &f, 1, -1, 0, &c, b->err);
    const rn_record *r;
    while (rc == RN_OK && (rc = rn_cursor_next(c, &r, b->err)) == RN_OK && r) {
        rc = add(b->p, rn_record_id(r), RN_T_ATTACHMENT);
        if (rc == RN_OK)
            rc = add_copy(b->p, id, r);
    }
    rn_cursor_free(c);
    return rc;
}

/* P4, the other side: an attachment is public only as a file the public can
 * receive: a public copy, or an original that has one. Any other cited file
 * (a PDF, a photo whose metadata could not be removed) leaves the set, so
 * that no public record names a file the public cannot download and the
 * public export imports with its files (`export --public --blobs`). */
static rn_code drop_uncopied(build_ctx *b)
{
    rn_public *p = b->p;
    size_t o = 0;
    for (size_t i = 0; i < p->n; i++) {
        int keep = p->v[i].type != RN_T_ATTACHMENT || copy_of(p, p->v[i].id);
        if (!keep) {
            rn_record *x = NULL;
            rn_code rc = rn_store_get(b->s, p->v[i].id, &x, NULL);
            if (rc && rc != RN_ENOTFOUND)
                return rn__err(b->err, rc, "public view: cannot read %s", p->v[i].id);
            keep = x && rn_record_get(x, "derivation", NULL) != NULL;
            rn_record_free(x);
        }
        if (keep)
            p->v[o++] = p->v[i];
    }
    p->n = p->sorted = o;
    return RN_OK;
}

static rn_code collect_findings(build_ctx *b, const char *preview, char **cited,
                                size_t *clen)
{
    rn_buf refs;
    rn__buf_init(&refs, (size_t)1 << 30);
    rn_filter f = {"status", "published"};
    rn_cursor *c = NULL;
    rn_code rc = rn_store_list(b->s, RN_T_FINDING, &f, 1, -1, 0, &c, b->err);
    const rn_record *r;
    while (rc == RN_OK && (rc = rn_cursor_next(c, &r, b->err)) == RN_OK && r) {
        size_t el;
        const char *ev = rn_record_get(r, "evidence", &el);
        rc = add(b->p, rn_record_id(r), RN_T_FINDING);
        if (!rc && ev)
            rc = rn__buf_add(&refs, ev, el);
    }
    rn_cursor_free(c);
    if (rc == RN_OK && preview) {
        rn_record *x = NULL;
        rc = rn_store_get(b->s, preview, &x, b->err);
        if (rc == RN_OK && rn_record_type(x) != RN_T_FINDING)
            rc = rn__err(b->err, RN_ENOTFOUND, "%s is not a finding", preview);
        if (rc == RN_OK) {
            size_t el;
            const char *ev = rn_record_get(x, "evidence", &el);
            rc = add(b->p, preview, RN_T_FINDING);
            if (!rc && ev)
                rc = rn__buf_add(&refs, ev, el);
        }
        rn_record_free(x);
    }
    if (rc == RN_OK)
        rc = rn__buf_cstr(&refs);
    if (rc) {
        rn__buf_free(&refs);
        return rc == RN_ENOMEM ? rn__err(b->err, rc, "public view: out of memory") : rc;
    }
    *cited = refs.data;
    *clen = refs.len;
    return RN_OK;
}

rn_code rn_public_open(rn_store *s, const rn_public_opts *opts, rn_public **out,
                       rn_error *err)
{
    *out = NULL;
    double grid = opts && opts->grid > 0 ? opts->grid : RN_PUBLIC_GRID_DEFAULT;
    if (!(grid > 0 && grid <= RN_PUBLIC_GRID_MAX))
        return rn__err(err, RN_EINVAL, "the public grid is more than 0 and at most %g degrees",
                       RN_PUBLIC_GRID_MAX);
    rn_public *p = rn__calloc(1, sizeof *p);
    if (!p)
        return rn__err(err, RN_ENOMEM, "out of memory");
    p->grid = grid;
    build_ctx b = {p, s, err};
    char *cited = NULL;
    size_t clen = 0;
    rn_code rc = collect_findings(&b, opts ? opts->preview_finding : NULL, &cited, &clen);
    if (rc)
        goto out;
    /* The cursor is finished before the gets: SQLite readers nest, but the
     * store's cursor reuses its record. */
    if ((rc = each_ref(cited ? cited : "", clen, add_cited, &b)))
        goto out;
    size_t direct = p->n;
    for (size_t i = 0; i < direct && rc == RN_OK; i++)
        if (p->v[i].type != RN_T_FINDING)
            rc = add_needed(&b, p->v[i].id);
    size_t now = p->n;
    for (size_t i = 0; i < now && rc == RN_OK; i++)
        if (p->v[i].type == RN_T_ATTACHMENT)
            rc = add_derived(&b, p->v[i].id);
    if (rc == RN_OK) {
        normalize(p);
        /* one copy per original (an original cited twice was asked twice) */
        if (p->ncopies > 1)
            qsort(p->copies, p->ncopies, sizeof *p->copies, cmp_copy);
        size_t o = 0;
        for (size_t i = 0; i < p->ncopies; i++)
            if (o == 0 || strcmp(p->copies[o - 1].orig, p->copies[i].orig) != 0)
                p->copies[o++] = p->copies[i];
        p->ncopies = o;
        rc = drop_uncopied(&b);
    }
out:
    free(cited);
    if (rc) {
        rn_public_free(p);
        return rc;
    }
    *out = p;
    return RN_OK;
}

int rn_public_has(const rn_public *p, const char *id)
{
    return id && has_sorted(p, id);
}

size_t rn_public_count(const rn_public *p, rn_type t)
{
    size_t n = 0;
    for (size_t i = 0; p && i < p->n; i++)
        n += t == RN_T_COUNT || p->v[i].type == t;
    return n;
}

void rn_public_each(const rn_public *p, rn_type t,
                    int (*fn)(void *ctx, const char *id, rn_type t), void *ctx)
{
    for (size_t i = 0; p && i < p->n; i++)
        if ((t == RN_T_COUNT || p->v[i].type == t) && fn(ctx, p->v[i].id, p->v[i].type))
            break;
}

double rn_public_grid(const rn_public *p)
{
    return p ? p->grid : RN_PUBLIC_GRID_DEFAULT;
}

static int is_person(const rn_record *r)
{
    if (rn_record_type(r) != RN_T_ENTITY)
        return 0;
    const char *k = rn_record_get(r, "kind", NULL);
    return k && strcmp(k, "person") == 0;
}

/* 1 when every id of a REFLIST value is public. */
static int all_public(const rn_public *p, const char *v, size_t len)
{
    for (size_t i = 0; i + RN_ID_LEN + 1 < len; i++)
        if (v[i] == '"' && v[i + RN_ID_LEN + 1] == '"' && rn_id_valid(v + i + 1, RN_ID_LEN)) {
            char one[RN_ID_LEN + 1];
            memcpy(one, v + i + 1, RN_ID_LEN);
            one[RN_ID_LEN] = '\0';
            if (!has_sorted(p, one))
                return 0;
            i += RN_ID_LEN + 1;
        }
    return 1;
}

rn_public_field rn_public_field_of(const rn_public *p, const rn_record *r, int idx)
{
    size_t nf;
    const rn_field *f = rn_type_fields(rn_record_type(r), &nf);
    if (idx < 0 || (size_t)idx >= nf)
        return RN_PUBLIC_WITHHELD;
    const rn_field *fd = &f[idx];
    if (fd->flags & RN_FIELD_SENSITIVE) /* F1 */
        return RN_PUBLIC_WITHHELD;
    if (is_person(r) && (strcmp(fd->name, "name") == 0 || strcmp(fd->name, "aliases") == 0 ||
                         strcmp(fd->name, "identifiers") == 0)) /* F4 */
        return RN_PUBLIC_WITHHELD;
    size_t len;
    const char *v = rn_record_get_at(r, idx, &len);
    if (rn_record_type(r) == RN_T_ATTACHMENT && copy_of(p, rn_record_id(r)) &&
        (strcmp(fd->name, "sha256") == 0 || strcmp(fd->name, "size") == 0 ||
         strcmp(fd->name, "media_type") == 0)) /* P4: the public copy's content */
        return RN_PUBLIC_DERIVED;
    if (fd->flags & RN_FIELD_COARSE) /* F2 */
        return v ? RN_PUBLIC_DERIVED : RN_PUBLIC_DISCLOSED;
    if (v && fd->kind == RN_F_REF && !has_sorted(p, v)) /* F3 */
        return RN_PUBLIC_WITHHELD;
    if (v && fd->kind == RN_F_REFLIST && !all_public(p, v, len))
        return RN_PUBLIC_DERIVED;
    return RN_PUBLIC_DISCLOSED;
}

static rn_code set_real(rn_record *r, const char *name, double d, rn_error *err)
{
    char buf[48];
    int n = snprintf(buf, sizeof buf, "%.6f", d);
    return rn_record_set(r, name, buf, (size_t)n, err);
}

/* F2: coordinates rounded to the grid, their precision raised to it. */
static rn_code coarsen(const rn_public *p, rn_record *r, rn_error *err)
{
    rn_code rc = RN_OK;
    const char *lat = rn_record_get(r, "lat", NULL);
    const char *lon = rn_record_get(r, "lon", NULL);
    double g = p->grid;
    if (lat)
        rc = set_real(r, "lat", fmin(90, fmax(-90, round(strtod(lat, NULL) / g) * g)), err);
    if (!rc && lon) {
        double d = round(strtod(lon, NULL) / g) * g;
        if (d > 180)
            d -= 360;
        if (d < -180)
            d += 360;
        rc = set_real(r, "lon", d, err);
    }
    if (!rc && (lat || lon) && rn_type_field_index(rn_record_type(r), "precision_m", 11) >= 0) {
        long m = (long)ceil(g * 111320.0);
        const char *pm = rn_record_get(r, "precision_m", NULL);
        if (!pm || strtol(pm, NULL, 10) < m) {
            char buf[32];
            int n = snprintf(buf, sizeof buf, "%ld", m);
            rc = rn_record_set(r, "precision_m", buf, (size_t)n, err);
        }
    } else if (!rc && !lat && !lon && rn_type_field_index(rn_record_type(r), "precision_m", 11) >= 0) {
        rc = rn_record_set(r, "precision_m", NULL, 0, err);
    }
    return rc;
}

/* F3 for a REFLIST: keep the public ids only. */
static rn_code filter_refs(const rn_public *p, rn_record *r, int idx, rn_error *err)
{
    size_t len;
    const char *v = rn_record_get_at(r, idx, &len);
    rn_buf b;
    rn__buf_init(&b, len + 1);
    rn_code rc = RN_OK;
    int any = 0;
    for (size_t i = 0; i + RN_ID_LEN + 1 < len && !rc; i++)
        if (v[i] == '"' && v[i + RN_ID_LEN + 1] == '"' && rn_id_valid(v + i + 1, RN_ID_LEN)) {
            char one[RN_ID_LEN + 1];
            memcpy(one, v + i + 1, RN_ID_LEN);
            one[RN_ID_LEN] = '\0';
            if (has_sorted(p, one)) {
                if (any)
                    rc = rn__buf_addc(&b, ';');
                if (!rc)
                    rc = rn__buf_add(&b, one, RN_ID_LEN);
                any = 1;
            }
            i += RN_ID_LEN + 1;
        }
    if (!rc)
        rc = rn_record_set_at(r, idx, any ? b.data : NULL, any ? b.len : 0, err);
    rn__buf_free(&b);
    return rc;
}

rn_code rn_public_record(const rn_public *p, const rn_record *r, rn_record **out,
                         rn_error *err)
{
    *out = NULL;
    const char *id = rn_record_id(r);
    if (!has_sorted(p, id))
        return rn__err(err, RN_ENOTFOUND, "no such record: %s", id);
    /* A copy, then fields withheld or derived through the record API. */
    rn_record *c = rn__record_clone(r);
    if (!c)
        return rn__err(err, RN_ENOMEM, "out of memory");
    rn_code rc = RN_OK;
    size_t nf;
    const rn_field *f = rn_type_fields(rn_record_type(r), &nf);
    for (size_t i = 0; i < nf && rc == RN_OK; i++) {
        if (!rn_record_get_at(r, (int)i, NULL))
            continue;
        rn_public_field how = rn_public_field_of(p, r, (int)i);
        if (how == RN_PUBLIC_WITHHELD) {
            if ((f[i].flags & RN_FIELD_REQUIRED) && f[i].kind == RN_F_TEXT)
                rc = rn_record_set_at(c, (int)i, RN_PUBLIC_WITHHELD_TEXT,
                                      sizeof RN_PUBLIC_WITHHELD_TEXT - 1, err);
            else
                rc = rn_record_set_at(c, (int)i, NULL, 0, err);
        } else if (how == RN_PUBLIC_DERIVED && f[i].kind == RN_F_REFLIST) {
            rc = filter_refs(p, c, (int)i, err);
        }
    }
    /* F4 for the lifecycle's required names: a reviewed, published or
     * withdrawn finding has an author and a reviewer (lib/store/lifecycle.c),
     * withheld from the public as "[withheld]" so the output still imports. */
    const char *st = rn_record_type(r) == RN_T_FINDING ? rn_record_get(r, "status", NULL) : NULL;
    if (st && strcmp(st, "draft") != 0) {
        /* two different texts: the lifecycle refuses a reviewer who is
         * the author */
        static const char *const names[] = {"author", "reviewer"};
        static const char *const shown[] = {"[withheld author]", "[withheld reviewer]"};
        for (size_t i = 0; i < 2 && rc == RN_OK; i++)
            if (rn_record_get(r, names[i], NULL))
                rc = rn_record_set(c, names[i], shown[i], strlen(shown[i]), err);
    }
    const struct pub_copy *cp = rn_record_type(r) == RN_T_ATTACHMENT ? copy_of(p, id) : NULL;
    if (rc == RN_OK && cp && cp->sha256[0])
        rc = rn_record_set(c, "sha256", cp->sha256, strlen(cp->sha256), err);
    if (rc == RN_OK && cp && cp->size[0])
        rc = rn_record_set(c, "size", cp->size, strlen(cp->size), err);
    if (rc == RN_OK && cp && cp->media_type[0])
        rc = rn_record_set(c, "media_type", cp->media_type, strlen(cp->media_type), err);
    if (rc == RN_OK)
        rc = coarsen(p, c, err);
    if (rc) {
        rn_record_free(c);
        return rc;
    }
    *out = c;
    return RN_OK;
}

rn_code rn_public_json(const rn_public *p, const rn_record *r, unsigned flags, char **out,
                       size_t *len, rn_error *err)
{
    rn_record *c = NULL;
    rn_code rc = rn_public_record(p, r, &c, err);
    if (rc)
        return rc;
    /* c is already the public copy: every field the public may not see is
     * gone or reads "[withheld]" (F4), so no further filter applies. */
    rc = rn_record_to_json(c, flags & ~RN_JSON_PUBLIC, out, len);
    rn_record_free(c);
    if (rc)
        return rn__err(err, rc, "cannot encode record %s", rn_record_id(r));
    return RN_OK;
}

rn_code rn_public_get_json(const rn_public *p, rn_store *s, const char *id, unsigned flags,
                           char **out, size_t *len, rn_error *err)
{
    if (!has_sorted(p, id))
        return rn__err(err, RN_ENOTFOUND, "no such record: %s", id);
    rn_record *r = NULL;
    rn_code rc = rn_store_get(s, id, &r, err);
    if (rc == RN_OK)
        rc = rn_public_json(p, r, flags, out, len, err);
    rn_record_free(r);
    return rc;
}

/* ---- export ---------------------------------------------------------------- */

/* Referenced before referring, as lib/store/export.c orders the full export. */
static const rn_type export_order[] = {
    RN_T_ENTITY, RN_T_SANCTION, RN_T_EVENT, RN_T_ITEM, RN_T_ATTACHMENT,
    RN_T_MARKING, RN_T_CLAIM, RN_T_TRANSFER, RN_T_FINDING,
};

typedef struct export_ctx {
    const rn_public *p;
    rn_store *s;
    FILE *out;
    uint64_t n;
    rn_error *err;
    rn_code rc;
    /* items: written once their public parent is written */
    char (*done)[RN_ID_LEN + 1];
    size_t ndone, capdone;
    int pass_wrote;
} export_ctx;

static int done_has(const export_ctx *x, const char *id)
{
    for (size_t i = 0; i < x->ndone; i++)
        if (strcmp(x->done[i], id) == 0)
            return 1;
    return 0;
}

static rn_code write_one(export_ctx *x, const rn_record *r)
{
    char *js = NULL;
    size_t jl = 0;
    rn_code rc = rn_public_json(x->p, r, RN_JSON_CANONICAL, &js, &jl, x->err);
    if (rc)
        return rc;
    if (fwrite(js, 1, jl, x->out) != jl || fputc('\n', x->out) == EOF)
        rc = rn__err(x->err, RN_EIO, "cannot write the export");
    free(js);
    x->n += rc == RN_OK;
    return rc;
}

static int export_one(void *ctx, const char *id, rn_type t)
{
    export_ctx *x = ctx;
    rn_record *r = NULL;
    x->rc = rn_store_get(x->s, id, &r, x->err);
    if (x->rc)
        return 1;
    if (t == RN_T_ITEM) {
        if (done_has(x, id)) {
            rn_record_free(r);
            return 0;
        }
        const char *parent = rn_record_get(r, "parent", NULL);
        if (parent && rn_public_has(x->p, parent) && !done_has(x, parent)) {
            rn_record_free(r);
            return 0; /* a later pass, after its parent */
        }
        if (x->ndone == x->capdone) {
            size_t nc = x->capdone ? x->capdone * 2 : 64;
            void *nv = rn__realloc(x->done, nc * sizeof *x->done);
            if (!nv) {
                rn_record_free(r);
                x->rc = rn__err(x->err, RN_ENOMEM, "out of memory");
                return 1;
            }
            x->done = nv;
            x->capdone = nc;
        }
        memcpy(x->done[x->ndone++], id, RN_ID_LEN + 1);
        x->pass_wrote = 1;
    }
    x->rc = write_one(x, r);
    rn_record_free(r);
    return x->rc != RN_OK;
}

rn_code rn_public_export(const rn_public *p, rn_store *s, FILE *out, uint64_t *count,
                         rn_error *err)
{
    export_ctx x = {p, s, out, 0, err, RN_OK, NULL, 0, 0, 0};
    for (size_t k = 0; k < RN_ARRAY_LEN(export_order) && x.rc == RN_OK; k++) {
        rn_type t = export_order[k];
        if (t != RN_T_ITEM) {
            rn_public_each(p, t, export_one, &x);
            continue;
        }
        /* Items parents first: a pass writes those whose public parent is
         * written; the public parent chain is finite, so passes end. */
        do {
            x.pass_wrote = 0;
            rn_public_each(p, t, export_one, &x);
        } while (x.rc == RN_OK && x.pass_wrote);
    }
    free(x.done);
    if (x.rc == RN_OK && fflush(out) != 0)
        x.rc = rn__err(err, RN_EIO, "cannot write the export");
    if (count)
        *count = x.n;
    return x.rc;
}

typedef struct blobs_ctx {
    const rn_public *p;
    rn_store *s;
    const char *dir;
    uint64_t n;
    rn_error *err;
    rn_code rc;
} blobs_ctx;

static int blob_one(void *ctx, const char *id, rn_type t)
{
    (void)t;
    blobs_ctx *x = ctx;
    rn_record *r = NULL, *pub = NULL;
    x->rc = rn_store_get(x->s, id, &r, x->err);
    if (!x->rc)
        x->rc = rn_public_record(x->p, r, &pub, x->err);
    const char *sha = pub ? rn_record_get(pub, "sha256", NULL) : NULL;
    if (!x->rc && sha && !(x->rc = rn__blob_copy_out(x->s, sha, x->dir, x->err)))
        x->n++;
    rn_record_free(pub);
    rn_record_free(r);
    return x->rc != RN_OK;
}

rn_code rn_public_export_blobs(const rn_public *p, rn_store *s, const char *dir,
                               uint64_t *count, rn_error *err)
{
    blobs_ctx x = {p, s, dir, 0, err, RN_OK};
    x.rc = rn__blob_dir_make(dir, err);
    if (!x.rc)
        rn_public_each(p, RN_T_ATTACHMENT, blob_one, &x);
    if (count)
        *count = x.n;
    return x.rc;
}
