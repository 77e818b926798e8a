/* SPDX-License-Identifier: Apache-2.0
 *
 * content.c — what a report says, gathered into a document (doc.c):
 *
 *   title, date, statement, status, author, reviewer
 *   1. the weapons: system, producing state, where and when documented, map
 *   2. production to use: rn_timeline's items as bars, with their sentences
 *   3. component origin: rn_origin's by_country, by_manufacturer,
 *      date_codes_by_year and earliest_assembly
 *   4. sanctions leads: rn_sanctions_scan's flags, each marked a lead
 *   5. evidence: items, markings, decoded readings (rn_claims_explain) and
 *      photos
 *   6. how to verify: the signed checkpoint, log indexes, the bundle
 *
 * Every figure is read from an analysis JSON document, never recomputed.
 * Every record shown is read through the view (view.c): in the public view
 * only public records are described and sensitive fields are gone. */
#include <jansson.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "remnant/analysis.h"
#include "remnant/ledger.h"
#include "report/content.h"

#define BLUE_LIGHT 0xA9C4E8u
#define BLUE 0x2B5797u
#define ORANGE 0xD9822Bu
#define GREY 0x888888u
#define GREY_LIGHT 0xDDDDDDu
#define LAND 0xEDEAE2u
#define SEA 0xF4F8FCu

typedef struct wpn {
    char id[RN_ID_LEN + 1];
} wpn;

typedef struct ctx {
    rn_store *s;                  /* records and analyses: the store, or in the
                                     public view the store made of its public
                                     export (report.c) */
    rn_store *orig;               /* the store itself: blobs, and whether an id
                                     exists at all */
    int pub;                      /* the public view */
    const rn_report_opts *o;
    rp_view *v;
    rp_doc *d;
    const char *lang;
    rn_error *err;
    wpn w[RN_REPORT_WEAPONS_MAX];
    size_t nw;
    char (*shown)[RN_ID_LEN + 1]; /* records in the evidence table */
    size_t nshown, capshown;
    json_t *tl;                   /* timeline items gathered */
    json_t *sources;              /* the rules' sources cited in the evidence */
    char subject[RN_ID_LEN + 1];
    rp_content_out *out;
} ctx;

static const char *M(ctx *c, const char *id) { return rp_msg(c->lang, id); }

static const char *js(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}
static const char *jsd(json_t *o, const char *k, const char *dflt)
{
    const char *s = js(o, k);
    return s ? s : dflt;
}

static json_t *parse(char *text, size_t len)
{
    json_t *j = json_loadb(text, len, 0, NULL);
    rn_free(text);
    return j;
}

static rn_code oom(ctx *c) { return rn__err(c->err, RN_ENOMEM, "out of memory"); }

/* The origin analysis of the one weapon `id` (rn_origin): OUT *doc, the
 * caller's to json_decref. */
static rn_code origin_doc(ctx *c, const char *id, json_t **doc)
{
    rn_analysis_filter f = {0};
    char *t = NULL;
    size_t len = 0;
    f.item = id;
    rn_code rc = rn_origin(c->s, &f, &t, &len, c->err);
    *doc = rc ? NULL : parse(t, len);
    return rc;
}

/* ---- tables ---------------------------------------------------------------------- */

/* A table's columns, in order: the message of each header (lang.c) and its
 * share of the text width. Every table of the report is one such list. */
typedef struct column {
    const char *msg;
    double w;
} column;

static const column weapons_cols[] = {
    {"weapon", 0.28}, {"system", 0.14}, {"state", 0.14}, {"where", 0.28}, {"when", 0.16}};
static const column sanctions_cols[] = {
    {"lead", 0.16}, {"component", 0.28}, {"produced", 0.16}, {"measure", 0.26}, {"relation", 0.14}};
static const column evidence_cols[] = {
    {"record", 0.27}, {"marking", 0.19}, {"reading", 0.29}, {"source", 0.25}};
static const column checkpoint_cols[] = {{"origin.log", 0.4}, {"size", 0.15}, {"root", 0.45}};
static const column log_index_cols[] = {{"record", 0.6}, {"log_index", 0.4}};

#define COLUMNS_MAX 8
#define TABLE(c, cols) table(c, cols, sizeof cols / sizeof cols[0])

/* A new table with the header of `cols` in the report's language (n at
 * most COLUMNS_MAX); NULL when out of memory. */
static rp_block *table(ctx *c, const column *cols, size_t n)
{
    const char *hdr[COLUMNS_MAX];
    double cw[COLUMNS_MAX];
    for (size_t i = 0; i < n && i < COLUMNS_MAX; i++) {
        hdr[i] = M(c, cols[i].msg);
        cw[i] = cols[i].w;
    }
    return rp_table(c->d, n < COLUMNS_MAX ? n : COLUMNS_MAX, hdr, cw);
}

static int shown_add(ctx *c, const char *id)
{
    for (size_t i = 0; i < c->nshown; i++)
        if (strcmp(c->shown[i], id) == 0)
            return 0;
    if (c->nshown == c->capshown) {
        size_t nc = c->capshown ? c->capshown * 2 : 32;
        void *n = rn__realloc(c->shown, nc * sizeof *c->shown);
        if (!n)
            return -1;
        c->shown = n;
        c->capshown = nc;
    }
    snprintf(c->shown[c->nshown++], RN_ID_LEN + 1, "%s", id);
    return 0;
}

static int weapon_add(ctx *c, const char *id)
{
    for (size_t i = 0; i < c->nw; i++)
        if (strcmp(c->w[i].id, id) == 0)
            return 0;
    if (c->nw == RN_REPORT_WEAPONS_MAX)
        return 0;
    snprintf(c->w[c->nw++].id, RN_ID_LEN + 1, "%s", id);
    return 0;
}

/* The root of item id (following parents, not through the view: the root
 * is only used to ask the analyses). */
static rn_code root_of(ctx *c, const char *id, char out[RN_ID_LEN + 1])
{
    snprintf(out, RN_ID_LEN + 1, "%s", id);
    for (int depth = 0; depth < 64; depth++) {
        rn_record *r = NULL;
        rn_code rc = rn_store_get(c->s, out, &r, c->err);
        if (rc)
            return rc;
        const char *p = rn_record_get(r, "parent", NULL);
        if (!p) {
            rn_record_free(r);
            return RN_OK;
        }
        snprintf(out, RN_ID_LEN + 1, "%s", p);
        rn_record_free(r);
    }
    return RN_OK;
}

/* Add the root of item id as a weapon, unless it is a component (in the
 * public view a cited component whose parent is not public is a root). */
static rn_code root_weapon(ctx *c, const char *id)
{
    char root[RN_ID_LEN + 1];
    rn_code rc = root_of(c, id, root);
    if (rc)
        return rc;
    rn_record *r = NULL;
    if (rn_store_get(c->s, root, &r, NULL) == RN_OK) {
        const char *k = rn_record_get(r, "kind", NULL);
        if (!k || strcmp(k, "component") != 0)
            weapon_add(c, root);
    }
    rn_record_free(r);
    return RN_OK;
}

/* Top-level items of an event, kind weapon or munition. */
static rn_code event_weapons(ctx *c, const char *event)
{
    rn_filter f = {"event", event};
    rn_cursor *cur = NULL;
    const rn_record *r;
    rn_code rc = rn_store_list(c->s, RN_T_ITEM, &f, 1, -1, 0, &cur, c->err);
    while (rc == RN_OK && (rc = rn_cursor_next(cur, &r, c->err)) == RN_OK && r) {
        const char *k = rn_record_get(r, "kind", NULL);
        if (!rn_record_get(r, "parent", NULL) && k &&
            (strcmp(k, "weapon") == 0 || strcmp(k, "munition") == 0))
            weapon_add(c, rn_record_id(r));
    }
    rn_cursor_free(cur);
    return rc;
}

static const char *field(const rn_record *r, const char *name)
{
    const char *v = r ? rn_record_get(r, name, NULL) : NULL;
    return v ? v : "";
}

/* ---- title ----------------------------------------------------------------------- */

static rn_code subject(ctx *c)
{
    const rn_report_opts *o = c->o;
    rn_record *r = NULL;
    rn_code rc = RN_OK;
    char date[16];
    if (o->today) {
        snprintf(date, sizeof date, "%.10s", o->today);
    } else {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(date, sizeof date, "%Y-%m-%d", &tm);
    }
    if (o->finding) {
        rc = rp_view_get(c->v, o->finding, &r, NULL);
        if (rc == RN_ENOTFOUND || (!rc && rn_record_type(r) != RN_T_FINDING)) {
            rn_record_free(r);
            if (c->pub && rn_store_get(c->orig, o->finding, &r, NULL) == RN_OK) {
                rn_record_free(r);
                return rn__err_field(c->err, RN_EINPUT, "finding",
                                     "%s is not a published finding: a public report can only "
                                     "be made of a published finding", o->finding);
            }
            return rn__err_field(c->err, RN_ENOTFOUND, "finding", "no finding with id %s",
                                 o->finding);
        }
        if (rc)
            return rc;
        size_t el = 0;
        const char *ev = rn_record_get(r, "evidence", &el);
        char ids[256][RN_ID_LEN + 1];
        size_t n = 0;
        for (size_t i = 0; ev && i + RN_ID_LEN <= el && n < 256; i++)
            if (rn_id_valid(ev + i, RN_ID_LEN) && (i == 0 || ev[i - 1] == '"' || ev[i - 1] == ';')) {
                memcpy(ids[n], ev + i, RN_ID_LEN);
                ids[n++][RN_ID_LEN] = '\0';
                i += RN_ID_LEN - 1;
            }
        if (n == 0) {
            rn_record_free(r);
            return rn__err_field(c->err, RN_EINPUT, "finding",
                                 "finding %s cites no evidence: add evidence (remnant edit %s "
                                 "evidence=ID;ID) before making a report", o->finding, o->finding);
        }
        snprintf(c->subject, sizeof c->subject, "%s", o->finding);
        rp_heading(c->d, 1, M(c, "title.finding"));
        rp_para(c->d, RP_TITLE, field(r, "statement"));
        rp_paraf(c->d, RP_NORMAL, "%s: %s", M(c, "date"), date);
        rp_paraf(c->d, RP_NORMAL, "%s %s · %s: %s", "Finding", o->finding, M(c, "status"),
                 field(r, "status"));
        const char *a = rn_record_get(r, "author", NULL), *rv = rn_record_get(r, "reviewer", NULL);
        const char *wh = c->pub ? M(c, "withheld") : M(c, "none");
        rp_paraf(c->d, RP_NORMAL, "%s: %s · %s: %s", M(c, "author"), a ? a : wh, M(c, "reviewer"),
                 rv ? rv : wh);
        rn_record_free(r);
        for (size_t i = 0; i < n && !rc; i++) {
            rn_record *x = NULL;
            if (rn_store_get(c->s, ids[i], &x, NULL) != RN_OK)
                continue;
            rn_type t = rn_record_type(x);
            if (t == RN_T_ITEM) {
                rc = root_weapon(c, ids[i]);
                if (!rc && rp_view_has(c->v, ids[i]) && shown_add(c, ids[i]))
                    rc = oom(c);
            } else if (t == RN_T_MARKING) {
                rc = root_weapon(c, field(x, "item"));
                if (!rc && rp_view_has(c->v, ids[i]) && shown_add(c, ids[i]))
                    rc = oom(c);
            } else if (t == RN_T_EVENT) {
                rc = event_weapons(c, ids[i]);
            }
            rn_record_free(x);
        }
    } else if (o->nitems) {
        snprintf(c->subject, sizeof c->subject, "%s", o->items[0]);
        rp_heading(c->d, 1, M(c, "title.items"));
        for (size_t i = 0; i < o->nitems && !rc; i++) {
            rc = rp_view_get(c->v, o->items[i], &r, NULL);
            if (rc || rn_record_type(r) != RN_T_ITEM) {
                rn_record_free(r);
                return rn__err_field(c->err, RN_ENOTFOUND, "item", "no %sitem with id %s",
                                     c->pub ? "public " : "", o->items[i]);
            }
            rp_para(c->d, RP_TITLE, field(r, "name")[0] ? field(r, "name") : o->items[i]);
            rn_record_free(r);
            weapon_add(c, o->items[i]);
            if (shown_add(c, o->items[i]))
                return oom(c);
        }
        rp_paraf(c->d, RP_NORMAL, "%s: %s", M(c, "date"), date);
    } else {
        rc = rp_view_get(c->v, o->event, &r, NULL);
        if (rc || rn_record_type(r) != RN_T_EVENT) {
            rn_record_free(r);
            return rn__err_field(c->err, RN_ENOTFOUND, "event", "no %sevent with id %s",
                                 c->pub ? "public " : "", o->event);
        }
        snprintf(c->subject, sizeof c->subject, "%s", o->event);
        rp_heading(c->d, 1, M(c, "title.event"));
        rp_para(c->d, RP_TITLE, field(r, "name"));
        rp_paraf(c->d, RP_NORMAL, "%s: %s", M(c, "date"), date);
        rn_record_free(r);
        rc = event_weapons(c, o->event);
        if (!rc && c->nw == 0)
            return rn__err_field(c->err, RN_EINPUT, "event",
                                 "event %s has no weapon or munition (an item without a parent)",
                                 o->event);
        for (size_t i = 0; i < c->nw && !rc; i++)
            if (rp_view_has(c->v, c->w[i].id) && shown_add(c, c->w[i].id))
                rc = oom(c);
    }
    if (!rc && c->pub)
        rp_para(c->d, RP_NOTICE, M(c, "public.note"));
    if (!rc)
        rp_para(c->d, RP_SMALL, M(c, "basis"));
    return rc;
}

/* ---- 1. weapons and map -------------------------------------------------------------- */

typedef struct place {
    double lat, lon;
    char label[64];
} place;

static void map_inset(ctx *c, const place *pl, size_t np)
{
    if (np == 0) {
        rp_para(c->d, RP_SMALL, M(c, "map.none"));
        return;
    }
    double lat0 = 90, lat1 = -90, lon0 = 180, lon1 = -180;
    for (size_t i = 0; i < np; i++) {
        lat0 = fmin(lat0, pl[i].lat), lat1 = fmax(lat1, pl[i].lat);
        lon0 = fmin(lon0, pl[i].lon), lon1 = fmax(lon1, pl[i].lon);
    }
    double span = fmax(fmax(lat1 - lat0, (lon1 - lon0) * cos((lat0 + lat1) / 2 * M_PI / 180)), 6);
    double mid_lat = (lat0 + lat1) / 2, mid_lon = (lon0 + lon1) / 2;
    double k = cos(mid_lat * M_PI / 180);
    double W = RP_CONTENT_W, H = 230;
    double scale = fmin(W / (span * 1.6 / k), H / (span * 1.6)); /* points per degree of lat */
    #define PX(lon) (W / 2 + ((lon) - mid_lon) * k * scale)
    #define PY(lat) (H / 2 - ((lat) - mid_lat) * scale)
    rp_drawing *dr = rp_drawing_new(W, H, M(c, "map"));
    if (!dr)
        return;
    dr->clip = 1;
    rp_rect(dr, 0, 0, W, H, SEA, RP_NONE);
    char path[4096];
    rp_geo *g = NULL;
    int have_geo = rn_data_file("geo/countries-110m.txt", path, sizeof path) == RN_OK &&
                   rp_geo_load(path, &g, NULL) == RN_OK;
    double *buf = NULL;
    for (size_t r = 0; have_geo && r < rp_geo_rings(g); r++) {
        size_t n;
        const float *p = rp_geo_ring(g, r, &n);
        int near = 0;
        for (size_t i = 0; i < n && !near; i++)
            near = fabs(p[2 * i + 1] - mid_lat) < span * 3 && fabs(p[2 * i] - mid_lon) < span * 4 / k;
        if (!near)
            continue;
        double *nb = rn__realloc(buf, n * 2 * sizeof *nb);
        if (!nb)
            break;
        buf = nb;
        for (size_t i = 0; i < n; i++) {
            buf[2 * i] = PX(p[2 * i]);
            buf[2 * i + 1] = PY(p[2 * i + 1]);
        }
        rp_poly(dr, buf, n, LAND, 0xA09A8Cu, 0.5);
    }
    free(buf);
    rp_geo_free(g);
    for (size_t i = 0; i < np; i++) {
        double x = PX(pl[i].lon), y = PY(pl[i].lat);
        rp_circle(dr, x, y, 3.5, 0xC0392Bu, 0xFFFFFFu);
        rp_text(dr, x + 6, y + 3, 8, 0, 1, 0x222222u, pl[i].label);
    }
    rp_rect(dr, 0, 0, W, H, RP_NONE, GREY);
    #undef PX
    #undef PY
    rp_add_drawing(c->d, dr);
    rp_para(c->d, RP_SMALL, have_geo ? M(c, "map.source") : "Map shapes not installed "
                                                            "(data/geo/countries-110m.txt): "
                                                            "places drawn without a base map.");
}

static rn_code weapons(ctx *c)
{
    rp_heading(c->d, 1, M(c, "h.weapons"));
    rp_block *t = TABLE(c, weapons_cols);
    if (!t)
        return oom(c);
    place pl[RN_REPORT_WEAPONS_MAX];
    size_t np = 0;
    for (size_t i = 0; i < c->nw; i++) {
        /* the weapon's system and state as the origin analysis has them */
        json_t *doc;
        rn_code rc = origin_doc(c, c->w[i].id, &doc);
        if (rc)
            return rc;
        json_t *w = json_array_get(json_object_get(doc, "weapons"), 0);
        char name[300], where[600] = "", when[120] = "";
        snprintf(name, sizeof name, "%s\n%s", jsd(w, "name", ""), c->w[i].id);
        const char *ev = js(w, "event");
        rn_record *e = NULL;
        if (ev && rp_view_get(c->v, ev, &e, NULL) == RN_OK) {
            snprintf(where, sizeof where, "%s (%s)", field(e, "place"), field(e, "country"));
            const char *lat = rn_record_get(e, "lat", NULL), *lon = rn_record_get(e, "lon", NULL);
            if (lat && lon) {
                size_t l = strlen(where);
                snprintf(where + l, sizeof where - l, "\n%.4f, %.4f", strtod(lat, NULL),
                         strtod(lon, NULL));
                int dup = 0;
                for (size_t k = 0; k < np; k++)
                    dup |= pl[k].lat == strtod(lat, NULL) && pl[k].lon == strtod(lon, NULL);
                if (!dup && np < RN_REPORT_WEAPONS_MAX) {
                    pl[np].lat = strtod(lat, NULL);
                    pl[np].lon = strtod(lon, NULL);
                    snprintf(pl[np].label, sizeof pl[np].label, "%s", field(e, "place"));
                    np++;
                }
            }
            const char *inc = rn_record_get(e, "incident", NULL),
                       *doc_ = rn_record_get(e, "documented", NULL);
            snprintf(when, sizeof when, "%s%s%s%s", doc_ ? "documented " : "", doc_ ? doc_ : "",
                     inc ? "\nincident " : "", inc ? inc : "");
        } else if (ev) {
            snprintf(where, sizeof where, "%s", M(c, "withheld"));
        }
        const char *row[] = {name, jsd(w, "weapon_system", "-"), jsd(w, "producing_state", "-"),
                             where, when};
        rn_record_free(e);
        int bad = rp_row(t, row);
        json_decref(doc);
        if (bad)
            return oom(c);
    }
    map_inset(c, pl, np);
    return RN_OK;
}

/* ---- 2. production to use -------------------------------------------------------------- */

static int32_t day_of(json_t *date, const char *end)
{
    const char *s = js(date, end);
    int y, m, d;
    int32_t out;
    if (!s || sscanf(s, "%d-%d-%d", &y, &m, &d) != 3 || rn_day_from_ymd(y, m, d, &out))
        return end[0] == 'e' ? RN_DAY_OPEN_LOW : RN_DAY_OPEN_HIGH;
    return out;
}

static rn_code timeline(ctx *c)
{
    rp_heading(c->d, 1, M(c, "h.timeline"));
    json_t *items = json_array();
    if (!items)
        return oom(c);
    rn_code rc = RN_OK;
    for (size_t i = 0; i < c->nw && !rc; i++) {
        /* the weapon itself, then its non-component parts (sections dated by
           their own markings) */
        json_t *od;
        char *t = NULL;
        size_t len = 0;
        if ((rc = origin_doc(c, c->w[i].id, &od)))
            break;
        json_t *tree = json_object_get(json_array_get(json_object_get(od, "weapons"), 0), "tree");
        size_t nids = 1 + json_array_size(tree);
        for (size_t k = 0; k < nids && !rc; k++) {
            const char *id = c->w[i].id;
            const char *name = jsd(json_array_get(json_object_get(od, "weapons"), 0), "name", "");
            if (k > 0) {
                json_t *n = json_array_get(tree, k - 1);
                if (strcmp(jsd(n, "kind", ""), "component") == 0)
                    continue;
                id = jsd(n, "item", "");
                name = jsd(n, "name", "");
            }
            rn_analysis_filter tf = {0};
            tf.item = id;
            tf.all_kinds = 1;
            if ((rc = rn_timeline(c->s, &tf, &t, &len, c->err)))
                break;
            json_t *td = parse(t, len);
            json_t *it;
            size_t x;
            json_array_foreach(json_object_get(td, "items"), x, it) {
                /* the chart's label: the item's name as the origin tree has it */
                json_object_set_new(it, "rp_label", json_string(name));
                json_array_append(items, it);
            }
            json_decref(td);
        }
        json_decref(od);
    }
    if (rc) {
        json_decref(items);
        return rc;
    }
    size_t n = json_array_size(items);
    if (n == 0) {
        json_decref(items);
        rp_para(c->d, RP_NORMAL, M(c, "timeline.none"));
        return RN_OK;
    }
    /* the axis: whole years around every bound that is known */
    int32_t lo = RN_DAY_OPEN_HIGH, hi = RN_DAY_OPEN_LOW;
    json_t *it;
    size_t x;
    json_array_foreach(items, x, it) {
        int32_t v[4] = {day_of(json_object_get(it, "produced"), "earliest"),
                        day_of(json_object_get(it, "produced"), "latest"),
                        day_of(json_object_get(it, "used"), "earliest"),
                        day_of(json_object_get(it, "used"), "latest")};
        for (int k = 0; k < 4; k++)
            if (v[k] != RN_DAY_OPEN_LOW && v[k] != RN_DAY_OPEN_HIGH) {
                lo = v[k] < lo ? v[k] : lo;
                hi = v[k] > hi ? v[k] : hi;
            }
    }
    int y0, y1, mm, dd;
    rn_day_to_ymd(lo, &y0, &mm, &dd);
    rn_day_to_ymd(hi, &y1, &mm, &dd);
    int32_t a, b;
    if (rn_day_from_ymd(y0, 1, 1, &a) || rn_day_from_ymd(y1 + 1, 1, 1, &b)) {
        json_decref(items);
        return rn__err(c->err, RN_EINPUT, "timeline dates out of range");
    }
    /* one chart per 30 bars, so no chart is taller than a page */
    for (size_t s0 = 0; s0 < n; s0 += 30) {
        size_t s1 = s0 + 30 < n ? s0 + 30 : n;
        double left = 150, W = RP_CONTENT_W, row = 16, top = 8;
        double H = top + row * (double)(s1 - s0) + 24;
        rp_drawing *dr = rp_drawing_new(W, H, M(c, "h.timeline"));
        if (!dr) {
            json_decref(items);
            return oom(c);
        }
        double span = (double)(b - a);
        #define TX(day) (left + ((day) - a) * (W - left - 8) / span)
        for (int y = y0; y <= y1 + 1; y++) {
            int32_t dy;
            if (rn_day_from_ymd(y, 1, 1, &dy))
                continue;
            rp_line(dr, TX(dy), top - 4, TX(dy), H - 18, GREY_LIGHT, 0.5, 0);
            char lab[16];
            snprintf(lab, sizeof lab, "%d", y);
            if (y <= y1)
                rp_text(dr, TX(dy) + 2, H - 6, 7.5, 0, 0, 0x444444u, lab);
        }
        for (size_t k = s0; k < s1; k++) {
            it = json_array_get(items, k);
            double yy = top + row * (double)(k - s0);
            json_t *p = json_object_get(it, "produced"), *u = json_object_get(it, "used");
            int32_t pe = day_of(p, "earliest"), pla = day_of(p, "latest");
            int32_t ue = day_of(u, "earliest"), ul = day_of(u, "latest");
            json_t *iv = json_object_get(it, "interval_days");
            char lab[120], days[64];
            json_t *mn = json_array_get(iv, 0), *mx = json_array_get(iv, 1);
            snprintf(days, sizeof days, "[%s, %s] d",
                     json_is_integer(mn) ? "" : "..", json_is_integer(mx) ? "" : "..");
            if (json_is_integer(mn) && json_is_integer(mx))
                snprintf(days, sizeof days, "%lld-%lld d", (long long)json_integer_value(mn),
                         (long long)json_integer_value(mx));
            const char *nm = jsd(it, "rp_label", "");
            const char *iid = jsd(it, "item", "");
            size_t il = strlen(iid);
            int cut = (int)strlen(nm) > 22;
            int keep = 22;
            while (cut && keep > 0 && ((unsigned char)nm[keep] & 0xC0) == 0x80)
                keep--; /* not inside a character */
            snprintf(lab, sizeof lab, "%.*s%s ·%s %s", keep, nm, cut ? "…" : "",
                     il > 4 ? iid + il - 4 : iid, days);
            rp_text(dr, 2, yy + 10, 7, 0, 0, 0x222222u, lab);
            int32_t from = pe == RN_DAY_OPEN_LOW ? a : pe, to = ul == RN_DAY_OPEN_HIGH ? b : ul;
            rp_line(dr, TX(from), yy + 7, TX(to), yy + 7, GREY, 0.8, 0);
            if (pe != RN_DAY_OPEN_LOW || pla != RN_DAY_OPEN_HIGH)
                rp_rect(dr, TX(pe == RN_DAY_OPEN_LOW ? a : pe), yy + 2,
                        fmax(1.5, TX(pla == RN_DAY_OPEN_HIGH ? b : pla + 1) -
                                      TX(pe == RN_DAY_OPEN_LOW ? a : pe)),
                        10, BLUE_LIGHT, BLUE);
            if (ue != RN_DAY_OPEN_LOW || ul != RN_DAY_OPEN_HIGH)
                rp_rect(dr, TX(ue == RN_DAY_OPEN_LOW ? a : ue), yy + 2,
                        fmax(1.5, TX(ul == RN_DAY_OPEN_HIGH ? b : ul + 1) -
                                      TX(ue == RN_DAY_OPEN_LOW ? a : ue)),
                        10, ORANGE, RP_NONE);
        }
        #undef TX
        rp_add_drawing(c->d, dr);
    }
    rp_para(c->d, RP_SMALL, M(c, "timeline.legend"));
    json_array_foreach(items, x, it) {
        rp_paraf(c->d, RP_NORMAL, "%s: %s", jsd(it, "item", ""), jsd(it, "words", ""));
        rp_paraf(c->d, RP_SMALL, "  basis: %s; %s", jsd(it, "produced_basis", "-"),
                 jsd(it, "used_basis", "-"));
    }
    json_decref(items);
    return RN_OK;
}

/* ---- 3. component origin ---------------------------------------------------------------- */

/* A bar chart of rows {label key, count, share}, 30 bars a chart. */
static void bars(ctx *c, const char *title, json_t *rows, const char *key)
{
    size_t n = json_array_size(rows);
    if (n == 0)
        return;
    double maxc = 1;
    json_t *r;
    size_t i;
    json_array_foreach(rows, i, r) {
        double v = (double)json_integer_value(json_object_get(r, "count"));
        maxc = v > maxc ? v : maxc;
    }
    for (size_t s0 = 0; s0 < n; s0 += 30) {
        size_t s1 = s0 + 30 < n ? s0 + 30 : n;
        double W = RP_CONTENT_W, row = 14, left = 170, top = 18;
        rp_drawing *dr = rp_drawing_new(W, top + row * (double)(s1 - s0) + 4, title);
        if (!dr)
            return;
        rp_text(dr, 0, 11, 9, 0, 1, 0x142952u, title);
        for (size_t k = s0; k < s1; k++) {
            r = json_array_get(rows, k);
            double y = top + row * (double)(k - s0);
            json_int_t cnt = json_integer_value(json_object_get(r, "count"));
            double share = json_real_value(json_object_get(r, "share"));
            char lab[200], val[64];
            snprintf(lab, sizeof lab, "%s", jsd(r, key, "?"));
            if (strlen(lab) > 40)
                memcpy(lab + 37, "...", 4);
            snprintf(val, sizeof val, "%lld (%.1f%%)", (long long)cnt, share * 100);
            rp_text(dr, left - 6, y + 10, 7.5, 2, 0, 0x222222u, lab);
            double bw = (W - left - 80) * (double)cnt / maxc;
            rp_rect(dr, left, y + 2, fmax(bw, 0.5), 10, BLUE, RP_NONE);
            rp_text(dr, left + bw + 4, y + 10, 7.5, 0, 0, 0x222222u, val);
        }
        rp_add_drawing(c->d, dr);
    }
}

static rn_code origin(ctx *c)
{
    rp_heading(c->d, 1, M(c, "h.origin"));
    for (size_t i = 0; i < c->nw; i++) {
        json_t *doc;
        rn_code rc = origin_doc(c, c->w[i].id, &doc);
        if (rc)
            return rc;
        json_t *w = json_array_get(json_object_get(doc, "weapons"), 0);
        char h[400];
        snprintf(h, sizeof h, "%s (%s)", jsd(w, "name", c->w[i].id), c->w[i].id);
        rp_heading(c->d, 2, h);
        rp_para(c->d, RP_NORMAL, jsd(doc, "summary", ""));
        if (json_integer_value(json_object_get(json_object_get(doc, "totals"), "components")) == 0) {
            rp_para(c->d, RP_NORMAL, M(c, "origin.none"));
            json_decref(doc);
            continue;
        }
        bars(c, M(c, "by_country"), json_object_get(doc, "by_country"), "country");
        bars(c, M(c, "by_manufacturer"), json_object_get(doc, "by_manufacturer"), "manufacturer");
        bars(c, M(c, "date_codes"), json_object_get(doc, "date_codes_by_year"), "year");
        json_t *ea = json_object_get(w, "earliest_assembly");
        if (json_is_object(ea))
            rp_paraf(c->d, RP_NORMAL, "%s: %s", M(c, "assembly"), jsd(ea, "words", ""));
        json_decref(doc);
    }
    return RN_OK;
}

/* ---- 4. sanctions leads ------------------------------------------------------------------- */

static rn_code sanctions(ctx *c)
{
    rp_heading(c->d, 1, M(c, "h.sanctions"));
    int any = 0;
    for (size_t i = 0; i < c->nw; i++) {
        rn_analysis_filter f = {0};
        f.item = c->w[i].id;
        char *t = NULL;
        size_t len = 0;
        rn_code rc = rn_sanctions_scan(c->s, &f, 0, &t, &len, c->err);
        if (rc)
            return rc;
        json_t *doc = parse(t, len);
        json_t *flags = json_object_get(doc, "flags");
        if (json_array_size(flags) == 0) {
            json_decref(doc);
            continue;
        }
        if (!any)
            rp_para(c->d, RP_NOTICE, jsd(doc, "notice", ""));
        any = 1;
        rp_block *tb = TABLE(c, sanctions_cols);
        if (!tb) {
            json_decref(doc);
            return oom(c);
        }
        json_t *fl;
        size_t k;
        json_array_foreach(flags, k, fl) {
            json_t *m = json_object_get(fl, "measure");
            char comp[400], prod[300], meas[500];
            snprintf(comp, sizeof comp, "%s (%s)\n%s, %s\n%s", jsd(fl, "component_name", ""),
                     jsd(fl, "component", ""), jsd(fl, "manufacturer", "?"),
                     jsd(fl, "manufacturer_country", "?"), jsd(fl, "manufacturer_basis", ""));
            snprintf(prod, sizeof prod, "%s\n%s", jsd(json_object_get(fl, "produced"), "text", "?"),
                     jsd(fl, "produced_basis", ""));
            snprintf(meas, sizeof meas, "%s (%s)\n%s", jsd(m, "instrument", "?"),
                     jsd(json_object_get(m, "adopted"), "text", "?"), jsd(m, "source", ""));
            const char *row[] = {jsd(fl, "flag", ""), comp, prod, meas, jsd(m, "relation", "")};
            if (rp_row(tb, row)) {
                json_decref(doc);
                return oom(c);
            }
        }
        json_t *cn = json_object_get(doc, "counts");
        rp_paraf(c->d, RP_SMALL, "%lld open flags, %lld listed (rule: %s)",
                 (long long)json_integer_value(json_object_get(cn, "open_flags")),
                 (long long)json_integer_value(json_object_get(cn, "flags_listed")),
                 jsd(doc, "rule", ""));
        json_decref(doc);
    }
    if (!any)
        rp_para(c->d, RP_NORMAL, M(c, "sanctions.none"));
    return RN_OK;
}

/* ---- 5. evidence ------------------------------------------------------------------------ */

/* The number of a rule's source in the list under the evidence table
 * (1-based; 0 for none; -1 out of memory): each source is printed once. */
static long source_ref(ctx *c, const char *text)
{
    if (!text || !*text)
        return 0;
    json_t *v;
    size_t i;
    json_array_foreach(c->sources, i, v)
        if (strcmp(json_string_value(v), text) == 0)
            return (long)i + 1;
    if (json_array_append_new(c->sources, json_string(text)))
        return -1;
    return (long)json_array_size(c->sources);
}

static rn_code marking_rows(ctx *c, rp_block *t, const char *item, json_t *claims)
{
    rn_filter f = {"item", item};
    rn_cursor *cur = NULL;
    const rn_record *r;
    /* ids first: the cursor must finish before other reads */
    char (*ids)[RN_ID_LEN + 1] = NULL;
    size_t n = 0;
    rn_code rc = rn_store_list(c->s, RN_T_MARKING, &f, 1, -1, 0, &cur, c->err);
    while (rc == RN_OK && (rc = rn_cursor_next(cur, &r, c->err)) == RN_OK && r) {
        if (!rp_view_has(c->v, rn_record_id(r)))
            continue;
        void *ni = rn__realloc(ids, (n + 1) * sizeof *ids);
        if (!ni) {
            rc = oom(c);
            break;
        }
        ids = ni;
        snprintf(ids[n++], RN_ID_LEN + 1, "%s", rn_record_id(r));
    }
    rn_cursor_free(cur);
    for (size_t i = 0; i < n && !rc; i++) {
        rn_record *m = NULL;
        if (rp_view_get(c->v, ids[i], &m, NULL))
            continue;
        rn_buf rd, src;
        rn__buf_init(&rd, 1 << 16);
        rn__buf_init(&src, 1 << 16);
        json_t *cand;
        size_t k;
        const char *seen[8];
        size_t nseen = 0;
        json_array_foreach(json_object_get(claims, "decoder"), k, cand) {
            if (strcmp(jsd(cand, "marking", ""), ids[i]) != 0)
                continue;
            const char *fld = jsd(cand, "field", "");
            int dup = 0;
            for (size_t q = 0; q < nseen; q++)
                dup |= strcmp(seen[q], fld) == 0;
            if (dup || nseen == 8)
                continue;
            seen[nseen++] = fld;
            rc = rn__buf_printf(&rd, "%s%s: %s (rule %s, %.2f)", rd.len ? "\n" : "", fld,
                                jsd(cand, "value", "?"), jsd(cand, "rule", "?"),
                                json_real_value(json_object_get(cand, "confidence")));
            long ref = source_ref(c, jsd(cand, "source", ""));
            char rs[24];
            snprintf(rs, sizeof rs, "[%ld]", ref);
            if (ref < 0)
                rc = oom(c);
            else if (ref > 0 && !rc && !strstr(src.data ? src.data : "", rs))
                rc = rn__buf_printf(&src, "%s%s", src.len ? " " : "", rs);
            if (!rc)
                rc = rn__buf_cstr(&src);
        }
        if (!rc)
            rc = rn__buf_cstr(&rd);
        if (!rc)
            rc = rn__buf_cstr(&src);
        char rec[200], mk[700];
        snprintf(rec, sizeof rec, "marking %s\non %s", ids[i], item);
        snprintf(mk, sizeof mk, "%s\n(%s, %s)", field(m, "text"), field(m, "method"),
                 field(m, "location"));
        const char *row[] = {rec, mk, rd.len ? rd.data : "-", src.len ? src.data : "-"};
        if (!rc && rp_row(t, row))
            rc = oom(c);
        rn__buf_free(&rd);
        rn__buf_free(&src);
        rn_record_free(m);
    }
    free(ids);
    return rc;
}

static rn_code evidence(ctx *c)
{
    rp_heading(c->d, 1, M(c, "h.evidence"));
    /* the trees of the weapons shown (all of them in item and event reports,
       the cited ones in a finding's), as the origin analysis lists them */
    {
        size_t nshown0 = c->nshown;
        for (size_t i = 0; i < c->nw; i++) {
            int cited = !c->o->finding;
            for (size_t k = 0; k < nshown0 && !cited; k++)
                cited = strcmp(c->shown[k], c->w[i].id) == 0;
            if (!cited)
                continue;
            json_t *doc;
            rn_code rc = origin_doc(c, c->w[i].id, &doc);
            if (rc)
                return rc;
            json_t *n;
            size_t k;
            json_array_foreach(json_object_get(json_array_get(json_object_get(doc, "weapons"), 0),
                                               "tree"), k, n) {
                const char *id = jsd(n, "item", "");
                if (rp_view_has(c->v, id) && shown_add(c, id)) {
                    json_decref(doc);
                    return oom(c);
                }
            }
            json_decref(doc);
        }
    }
    rp_block *t = TABLE(c, evidence_cols);
    if (!t)
        return oom(c);
    rp_block ph = {0}; /* added to the document after the table */
    ph.kind = RP_PHOTOS;
    rn_code rc = RN_OK;
    /* the items whose markings are listed: a cited marking of an item also
       shown (or a second cited marking of one item) adds no rows again */
    json_t *marked = json_object();
    if (!marked)
        return oom(c);
    for (size_t i = 0; i < c->nshown && !rc; i++) {
        rn_record *r = NULL;
        if (rp_view_get(c->v, c->shown[i], &r, NULL))
            continue;
        rn_type ty = rn_record_type(r);
        const char *item = ty == RN_T_MARKING ? field(r, "item") : c->shown[i];
        char *t2 = NULL;
        size_t len = 0;
        json_t *claims = NULL;
        if (rn_claims_explain(c->s, item, &t2, &len, NULL) == RN_OK)
            claims = parse(t2, len);
        if (ty == RN_T_ITEM) {
            char rec[600], what[900];
            snprintf(rec, sizeof rec, "item %s\n%s", c->shown[i], field(r, "kind"));
            json_t *eff = json_object_get(claims, "effective");
            snprintf(what, sizeof what, "%s%s%s\nmanufacturer: %s (%s)\nproduced: %s (%s)",
                     field(r, "name"), field(r, "category")[0] ? ", " : "",
                     field(r, "category"),
                     jsd(json_object_get(eff, "manufacturer"), "value", "-"),
                     jsd(json_object_get(eff, "manufacturer"), "basis", "-"),
                     jsd(json_object_get(eff, "production_date"), "value", "-"),
                     jsd(json_object_get(eff, "production_date"), "basis", "-"));
            const char *row[] = {rec, field(r, "serial")[0] ? field(r, "serial") : "", what, ""};
            if (rp_row(t, row))
                rc = oom(c);
            if (!rc && !json_object_get(marked, c->shown[i])) {
                json_object_set_new(marked, c->shown[i], json_true());
                rc = marking_rows(c, t, c->shown[i], claims);
            }
            /* photos of the item */
            rn_filter f = {"item", c->shown[i]};
            rn_cursor *cur = NULL;
            const rn_record *a;
            char (*att)[2][80] = NULL; /* sha, id */
            size_t na = 0;
            rn_code lc = rn_store_list(c->s, RN_T_ATTACHMENT, &f, 1, -1, 0, &cur, NULL);
            while (!rc && lc == RN_OK && (lc = rn_cursor_next(cur, &a, NULL)) == RN_OK && a) {
                const char *mt = rn_record_get(a, "media_type", NULL);
                if (!mt || strncmp(mt, "image/", 6) != 0 || !rp_view_has(c->v, rn_record_id(a)))
                    continue;
                void *nn = rn__realloc(att, (na + 1) * sizeof *att);
                if (!nn) {
                    rc = oom(c);
                    break;
                }
                att = nn;
                snprintf(att[na][0], 80, "%s", field(a, "sha256"));
                snprintf(att[na][1], 80, "%s", rn_record_id(a));
                na++;
            }
            rn_cursor_free(cur);
            for (size_t k = 0; k < na && !rc; k++) {
                char path[4096], cap[300];
                if (rn_store_blob_path(c->orig, att[k][0], path, sizeof path) != RN_OK)
                    continue;
                const char *sid = c->shown[i];
                snprintf(cap, sizeof cap, "%s\nitem …%s · sha256 %.12s…", att[k][1],
                         sid + (strlen(sid) > 6 ? strlen(sid) - 6 : 0), att[k][0]);
                rp_photo_add(&ph, path, cap);
                if (shown_add(c, att[k][1]))
                    rc = oom(c);
            }
            free(att);
        } else if (ty == RN_T_MARKING && !json_object_get(marked, field(r, "item"))) {
            json_object_set_new(marked, field(r, "item"), json_true());
            rc = marking_rows(c, t, field(r, "item"), claims);
        }
        json_decref(claims);
        rn_record_free(r);
    }
    json_decref(marked);
    if (!rc && json_array_size(c->sources) > 0) {
        rp_heading(c->d, 2, M(c, "sources"));
        json_t *sv;
        size_t k;
        json_array_foreach(c->sources, k, sv)
            rp_paraf(c->d, RP_SMALL, "[%zu] %s", k + 1, json_string_value(sv));
    }
    if (!rc) {
        rp_heading(c->d, 2, M(c, "photos"));
        if (ph.nphotos == 0)
            rp_para(c->d, RP_SMALL, M(c, "photos.none"));
    }
    if (!rc && ph.nphotos > 0 && rp_take_block(c->d, &ph))
        rc = oom(c);
    rp_block_clear(&ph);
    return rc;
}

/* ---- 6. how to verify ------------------------------------------------------------------- */

static rn_code verify(ctx *c)
{
    rp_heading(c->d, 1, M(c, "h.verify"));
    rn_ledger *l = NULL;
    char *note = NULL;
    size_t nlen = 0;
    rn_code rc = rn_ledger_open(c->o->db_path, RN_LEDGER_READONLY, &l, c->err);
    if (!rc)
        rc = rn_ledger_checkpoint(l, 0, &note, &nlen, c->err);
    if (rc) {
        rn_ledger_close(l);
        return rc;
    }
    /* the checkpoint text: origin, size, root (C2SP tlog-checkpoint) */
    char origin_[300] = "", size[40] = "", root[100] = "";
    const char *p = note, *e = note + nlen;
    char *lines[3] = {origin_, size, root};
    size_t caps[3] = {sizeof origin_, sizeof size, sizeof root};
    for (int k = 0; k < 3 && p < e; k++) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(e - p);
        snprintf(lines[k], caps[k], "%.*s", (int)n, p);
        p = nl ? nl + 1 : e;
    }
    int is_signed = strstr(note, "\n\n\xe2\x80\x94 ") != NULL; /* "— " signature line */
    rp_heading(c->d, 2, M(c, "checkpoint"));
    rp_block *t = TABLE(c, checkpoint_cols);
    const char *row[] = {origin_, size, root};
    if (!t || rp_row(t, row)) {
        rc = oom(c);
        goto out;
    }
    rp_para(c->d, RP_MONOSPACE, note);
    /* log indexes */
    rp_block *t2 = TABLE(c, log_index_cols);
    if (!t2) {
        rc = oom(c);
        goto out;
    }
    size_t nrec = c->nshown + 1;
    for (size_t i = 0; i < nrec && !rc; i++) {
        const char *id = i == 0 ? c->subject : c->shown[i - 1];
        if (i > 0 && strcmp(id, c->subject) == 0)
            continue;
        rn_ledger_proof pr;
        char idx[64];
        if (rn_ledger_inclusion(l, id, 0, &pr, NULL, NULL, NULL) == RN_OK)
            snprintf(idx, sizeof idx, "%llu", (unsigned long long)pr.index);
        else
            snprintf(idx, sizeof idx, "-");
        const char *r2[] = {id, idx};
        if (rp_row(t2, r2))
            rc = oom(c);
    }
    /* the bundle */
    rp_heading(c->d, 2, M(c, "bundle"));
    c->out->bundle_sha[0] = '\0';
    if (!is_signed) {
        rp_para(c->d, RP_NOTICE, M(c, "unsigned"));
        goto out;
    }
    {
        FILE *bf = tmpfile();
        if (!bf) {
            rc = rn__err(c->err, RN_EIO, "cannot create a temporary file for the bundle");
            goto out;
        }
        const char *ids[RN_REPORT_ITEMS_MAX];
        size_t nids = 0;
        if (c->o->finding)
            ids[nids++] = c->o->finding;
        else
            for (size_t i = 0; i < c->nw && nids < RN_REPORT_ITEMS_MAX; i++)
                ids[nids++] = c->w[i].id;
        rn_error be;
        rn_error_clear(&be);
        /* the public bundle: public records only, each with the disclosures
           of just the fields the public sees as logged (ledger.h) */
        rc = c->pub ? rn_ledger_bundle_write_public(c->orig, c->o->db_path, c->o->public_grid,
                                                    ids, nids, 0, bf, &be)
                    : rn_ledger_bundle_write(c->orig, c->o->db_path, ids, nids, 0, bf, &be);
        if (rc) {
            fclose(bf);
            rp_paraf(c->d, RP_NOTICE, "No evidence bundle: %s", be.message);
            rc = RN_OK;
            goto out;
        }
        crypto_hash_sha256_state hs;
        crypto_hash_sha256_init(&hs);
        rewind(bf);
        unsigned char buf[65536];
        size_t n;
        FILE *copy = NULL;
        char tmp[4200];
        if (c->o->bundle_path) {
            snprintf(tmp, sizeof tmp, "%s.tmp", c->o->bundle_path);
            copy = fopen(tmp, "wb");
            if (!copy) {
                fclose(bf);
                rc = rn__err_field(c->err, RN_EIO, "bundle", "cannot write %s", tmp);
                goto out;
            }
        }
        int bad = 0;
        while ((n = fread(buf, 1, sizeof buf, bf)) > 0) {
            crypto_hash_sha256_update(&hs, buf, n);
            if (copy && fwrite(buf, 1, n, copy) != n)
                bad = 1;
        }
        bad |= ferror(bf);
        fclose(bf);
        if (copy) {
            bad |= fflush(copy) != 0 || fsync(fileno(copy)) != 0;
            bad |= fclose(copy) != 0;
            /* renamed into place by rn_report_write, after the report */
            if (!bad)
                snprintf(c->out->bundle_tmp, sizeof c->out->bundle_tmp, "%s", tmp);
            if (bad) {
                unlink(tmp);
                rc = rn__err_field(c->err, RN_EIO, "bundle", "cannot write %s",
                                   c->o->bundle_path);
                goto out;
            }
        }
        unsigned char h[32];
        crypto_hash_sha256_final(&hs, h);
        sodium_bin2hex(c->out->bundle_sha, sizeof c->out->bundle_sha, h, sizeof h);
        const char *bn = c->o->bundle_name;
        char def[80];
        if (!bn && c->o->bundle_path) {
            bn = strrchr(c->o->bundle_path, '/');
            bn = bn ? bn + 1 : c->o->bundle_path;
        }
        if (!bn) {
            snprintf(def, sizeof def, "report-%s.bundle", c->subject);
            bn = def;
        }
        rp_paraf(c->d, RP_NORMAL, "%s%s: %s%s%s", M(c, "bundle"),
                 c->pub ? M(c, "bundle.pub") : "", bn, c->o->bundle_from ? " — " : "",
                 c->o->bundle_from ? c->o->bundle_from : "");
        rp_paraf(c->d, RP_NORMAL, "%s:", M(c, "bundle.sha"));
        rp_para(c->d, RP_MONOSPACE, c->out->bundle_sha);
        rp_para(c->d, RP_NORMAL, M(c, "verify.cmd"));
        rp_paraf(c->d, RP_MONOSPACE, "remnant-verify --key \"$(remnant key show)\" %s", bn);
    }
out:
    rn_free(note);
    rn_ledger_close(l);
    return rc;
}

rn_code rp_content_build(rn_store *s, rn_store *orig, const rn_report_opts *o,
                         rp_doc **out_doc, rp_content_out *out, rn_error *err)
{
    ctx c = {0};
    c.s = s;
    c.orig = orig;
    c.pub = o->public_view;
    c.sources = json_array();
    if (!c.sources)
        return oom(&c);
    c.o = o;
    c.err = err;
    c.out = out;
    c.lang = o->lang && strcmp(o->lang, "uk") == 0 ? "uk" : "en";
    rn_code rc = rp_view_open(s, 0, o->public_grid, &c.v, err);
    if (rc)
        return rc;
    c.d = rp_doc_new("Remnant briefing report", c.lang);
    if (!c.d) {
        rp_view_free(c.v);
        return oom(&c);
    }
    rc = subject(&c);
    if (!rc) {
        char foot[200];
        snprintf(foot, sizeof foot, "%s · %s%s", M(&c, "page"), c.subject,
                 o->public_view ? " · public" : "");
        c.d->footer = rn__strndup(foot, strlen(foot));
        free(c.d->title);
        c.d->title = rn__strndup(foot, strlen(foot));
        if (!c.d->footer || !c.d->title)
            rc = oom(&c);
    }
    if (!rc)
        rc = weapons(&c);
    if (!rc)
        rc = timeline(&c);
    if (!rc)
        rc = origin(&c);
    if (!rc)
        rc = sanctions(&c);
    if (!rc)
        rc = evidence(&c);
    if (!rc)
        rc = verify(&c);
    rp_view_free(c.v);
    free(c.shown);
    json_decref(c.sources);
    if (rc) {
        rp_doc_free(c.d);
        return rc;
    }
    snprintf(out->subject, sizeof out->subject, "%s", c.subject);
    *out_doc = c.d;
    return RN_OK;
}
