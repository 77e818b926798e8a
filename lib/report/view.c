/* SPDX-License-Identifier: Apache-2.0
 *
 * view.c — the one door through which the report reads the records it
 * shows, so that `--public` has exactly one place to be right: the
 * library's public view (include/remnant/public.h, docs/PUBLIC.md). Not
 * public: every record as stored. Public: only records in the public set,
 * each as rn_public_record shows it (sensitive fields withheld, coordinates
 * on the grid, people unnamed). */
#include <stdlib.h>
#include <string.h>

#include "remnant/public.h"
#include "report/report_int.h"

struct rp_view {
    rn_store *s;
    rn_public *pub; /* NULL: not the public view */
};

rn_code rp_view_open(rn_store *s, int public_view, double grid, rp_view **out, rn_error *err)
{
    rp_view *v = rn__calloc(1, sizeof *v);
    if (!v)
        return rn__err(err, RN_ENOMEM, "out of memory");
    v->s = s;
    if (public_view) {
        rn_public_opts o = {grid > 0 ? grid : RN_PUBLIC_GRID_DEFAULT, NULL};
        rn_code rc = rn_public_open(s, &o, &v->pub, err);
        if (rc) {
            free(v);
            return rc;
        }
    }
    *out = v;
    return RN_OK;
}

void rp_view_free(rp_view *v)
{
    if (v) {
        rn_public_free(v->pub);
        free(v);
    }
}

int rp_view_public(const rp_view *v) { return v->pub != NULL; }

int rp_view_has(const rp_view *v, const char *id)
{
    return !v->pub || rn_public_has(v->pub, id);
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
    rc = rn_public_record(v->pub, r, out, err);
    rn_record_free(r);
    return rc;
}
