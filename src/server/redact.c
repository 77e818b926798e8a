/* SPDX-License-Identifier: Apache-2.0
 *
 * redact.c — the server's face of the public view. What is public and how
 * each record is shown is decided in the library (include/remnant/public.h,
 * lib/public/view.c) and nowhere else; this file keeps one snapshot of it
 * per worker thread, rebuilt when the database changed (PRAGMA
 * data_version on the worker's accounts connection moves whenever another
 * connection commits), so a lookup costs a binary search.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

void srv_public_free(srv_public_set *p)
{
    rn_public_free(p);
}

const srv_public_set *srv_public_view(srv_worker *w)
{
    if (!w)
        return NULL;
    int64_t v = srv_data_version(w->adb);
    if (w->pub && v == w->pub_version)
        return w->pub;
    rn_public_opts o = {srv_cfg.public_grid, NULL};
    rn_public *p = NULL;
    if (rn_public_open(w->store, &o, &p, NULL) != RN_OK)
        return NULL; /* fail closed: nothing is public */
    rn_public_free(w->pub);
    w->pub = p;
    w->pub_version = v;
    return p;
}

int srv_public_has(srv_worker *w, const char *id)
{
    return rn_public_has(srv_public_view(w), id);
}

typedef struct each_ctx {
    int (*fn)(void *, const char *);
    void *ctx;
} each_ctx;

static int each_one(void *vctx, const char *id, rn_type t)
{
    (void)t;
    each_ctx *c = vctx;
    return c->fn(c->ctx, id);
}

rn_code srv_public_each(srv_worker *w, rn_type t, int (*fn)(void *, const char *), void *ctx)
{
    const srv_public_set *p = srv_public_view(w);
    if (!p)
        return RN_EDB;
    each_ctx c = {fn, ctx};
    rn_public_each(p, t, each_one, &c);
    return RN_OK;
}

rn_code srv_public_json(const rn_record *r, char **out, size_t *len)
{
    const srv_public_set *p = srv_public_view(srv_worker_get());
    if (!p)
        return RN_EDB;
    return rn_public_json(p, r, 0, out, len, NULL);
}
