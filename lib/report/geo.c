/* SPDX-License-Identifier: Apache-2.0
 *
 * geo.c — the Natural Earth country shapes for map insets, read from
 * data/geo/countries-110m.txt (see data/geo/README.md for its source):
 *   # comment            C <numeric id> <name>          R lon lat lon lat ...
 * A ring has at least 3 points; coordinates must lie in [-180, 180] x
 * [-90, 90]; at most RP_GEO_POINTS_MAX points in all. Any other line is an
 * error naming its line number. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

#define RP_GEO_FILE_MAX (16u << 20)
#define RP_GEO_POINTS_MAX (4u << 20)
#define RP_GEO_RINGS_MAX 100000

struct rp_geo {
    float *pt;        /* lon, lat pairs */
    size_t npt, cappt;
    size_t *start;    /* ring i: points [start[i], start[i+1]) */
    size_t nring, capring;
};

void rp_geo_free(rp_geo *g)
{
    if (g) {
        free(g->pt);
        free(g->start);
        free(g);
    }
}

size_t rp_geo_rings(const rp_geo *g) { return g->nring; }

const float *rp_geo_ring(const rp_geo *g, size_t i, size_t *npts)
{
    size_t end = i + 1 < g->nring ? g->start[i + 1] : g->npt;
    *npts = end - g->start[i];
    return g->pt + 2 * g->start[i];
}

/* One number from [p, e): OUT *v; returns the position after it, or NULL. */
static const char *num(const char *p, const char *e, double *v)
{
    char buf[32];
    size_t n = 0;
    while (p < e && *p == ' ')
        p++;
    while (p < e && *p != ' ' && n < sizeof buf - 1)
        buf[n++] = *p++;
    if (n == 0 || (p < e && *p != ' '))
        return NULL;
    buf[n] = '\0';
    char *end;
    errno = 0;
    *v = strtod(buf, &end);
    if (*end || errno)
        return NULL;
    return p;
}

rn_code rp_geo_parse(const char *data, size_t len, rp_geo **out, rn_error *err)
{
    rp_geo *g = rn__calloc(1, sizeof *g);
    if (!g)
        return rn__err(err, RN_ENOMEM, "out of memory");
    rn_code rc = RN_OK;
    long line = 0;
    const char *p = data, *end = data + len;
    while (p < end && !rc) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        if (!e)
            e = end;
        line++;
        if (e == p || *p == '#' || *p == 'C') {
            if (*p == 'C' && (e - p < 2 || p[1] != ' '))
                rc = rn__err(err, RN_EINPUT, "geo line %ld: expected 'C <id> <name>'", line);
        } else if (*p == 'R' && e - p > 1 && p[1] == ' ') {
            if (g->nring == RP_GEO_RINGS_MAX) {
                rc = rn__err(err, RN_ELIMIT, "geo line %ld: more than %u rings", line,
                             (unsigned)RP_GEO_RINGS_MAX);
                break;
            }
            if (g->nring == g->capring) {
                size_t nc = g->capring ? g->capring * 2 : 256;
                size_t *ns = rn__realloc(g->start, nc * sizeof *ns);
                if (!ns) {
                    rc = rn__err(err, RN_ENOMEM, "out of memory");
                    break;
                }
                g->start = ns;
                g->capring = nc;
            }
            size_t first = g->npt;
            const char *q = p + 1;
            while (q < e && !rc) {
                while (q < e && *q == ' ')
                    q++;
                if (q == e)
                    break;
                double lon, lat;
                if (!(q = num(q, e, &lon)) || !(q = num(q, e, &lat)) || lon < -180 ||
                    lon > 180 || lat < -90 || lat > 90) {
                    rc = rn__err(err, RN_EINPUT, "geo line %ld: expected pairs of lon lat in "
                                                 "degrees", line);
                    break;
                }
                if (g->npt == RP_GEO_POINTS_MAX) {
                    rc = rn__err(err, RN_ELIMIT, "geo line %ld: more than %u points", line,
                                 (unsigned)RP_GEO_POINTS_MAX);
                    break;
                }
                if (g->npt == g->cappt) {
                    size_t nc = g->cappt ? g->cappt * 2 : 4096;
                    float *np = rn__realloc(g->pt, nc * 2 * sizeof *np);
                    if (!np) {
                        rc = rn__err(err, RN_ENOMEM, "out of memory");
                        break;
                    }
                    g->pt = np;
                    g->cappt = nc;
                }
                g->pt[2 * g->npt] = (float)lon;
                g->pt[2 * g->npt + 1] = (float)lat;
                g->npt++;
            }
            if (!rc && g->npt - first < 3)
                rc = rn__err(err, RN_EINPUT, "geo line %ld: a ring needs 3 points", line);
            if (!rc)
                g->start[g->nring++] = first;
        } else {
            rc = rn__err(err, RN_EINPUT, "geo line %ld: expected '#', 'C' or 'R'", line);
        }
        p = e + 1;
    }
    if (rc) {
        rp_geo_free(g);
        return rc;
    }
    *out = g;
    return RN_OK;
}

rn_code rp_geo_load(const char *path, rp_geo **out, rn_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return rn__err(err, RN_ENOTFOUND, "%s: %s", path, strerror(errno));
    char *buf = rn__malloc(RP_GEO_FILE_MAX);
    size_t n = buf ? fread(buf, 1, RP_GEO_FILE_MAX, f) : 0;
    int big = buf && n == RP_GEO_FILE_MAX;
    int bad = ferror(f);
    fclose(f);
    rn_code rc;
    if (!buf)
        rc = rn__err(err, RN_ENOMEM, "out of memory");
    else if (bad)
        rc = rn__err(err, RN_EIO, "%s: read error", path);
    else if (big)
        rc = rn__err(err, RN_ELIMIT, "%s: larger than %u bytes", path, RP_GEO_FILE_MAX);
    else {
        rc = rp_geo_parse(buf, n, out, err);
        if (rc && err)
            snprintf(err->file, sizeof err->file, "%s", path);
    }
    free(buf);
    return rc;
}
