/* SPDX-License-Identifier: Apache-2.0
 *
 * api_public.c — what the public portal reads: the published findings with
 * the places and weapons they cite, filtered, as JSON for the map and the
 * list and as downloads (GeoJSON RFC 7946, CSV RFC 4180, JSON Lines), one
 * finding with its cited records, and the app's settings.
 *
 * Contract: every record these endpoints show comes out of the public view
 * (srv_public_has, srv_public_each, srv_public_json in redact.c), whoever
 * asks, so a download is exactly what the public sees; `notes` is dropped
 * besides (free text the portal does not show). A finding's places are the
 * events it cites and the events of the items it cites, when those events
 * are public themselves.
 *
 * Filters (all optional, ANDed): country (of the place), weapon_system,
 * producing_state, manufacturer_country (of any cited item), from / to
 * (dates: a place's incident, else its documented date, must overlap
 * [from, to]). A finding matches when one of its places or items does.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server.h"

#define PUB_OUT_MAX (256u << 20)

/* The public JSON of one record, or NULL when it is not public. */
static json_t *public_record(srv_worker *w, const char *id)
{
    if (!id || !srv_public_has(w, id))
        return NULL;
    rn_record *r = NULL;
    if (rn_store_get(w->store, id, &r, NULL) != RN_OK)
        return NULL;
    char *s = NULL;
    size_t n = 0;
    json_t *o = NULL;
    if (srv_public_json(r, &s, &n) == RN_OK)
        o = json_loadb(s, n, 0, NULL);
    rn_free(s);
    rn_record_free(r);
    if (o)
        json_object_del(o, "notes");
    return o;
}

static const char *str(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* Append s to the sorted set array a (no duplicates). */
static void set_add(json_t *a, const char *s)
{
    if (!s || !*s)
        return;
    size_t i, n = json_array_size(a);
    for (i = 0; i < n; i++) {
        int c = strcmp(json_string_value(json_array_get(a, i)), s);
        if (c == 0)
            return;
        if (c > 0)
            break;
    }
    json_array_insert_new(a, i, json_string(s));
}

static int set_has(json_t *a, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) if (strcmp(json_string_value(v), s) == 0) return 1;
    return 0;
}

/* ---- the filtered set ----------------------------------------------------------- */

typedef struct pub_filter {
    const char *country, *weapon_system, *producing_state, *manufacturer_country;
    rn_date from, to;
    int has_from, has_to;
} pub_filter;

/* One finding as the portal lists it (owned by the caller). `records` gets
 * the finding and every record it shows, for the JSON Lines download. */
typedef struct pub_set {
    srv_worker *w;
    const pub_filter *f;
    json_t *findings;  /* summaries that match */
    json_t *facets;    /* over every published finding */
    json_t *records;   /* when not NULL: id -> record, of the matching findings */
    json_t *order;     /* ids in the order first shown */
} pub_set;

/* A date as a record's JSON shows it ({"earliest","latest","precision"},
 * ".." for an open end) back into an interval; 0, or -1 when v is none. */
static int date_from_json(json_t *v, rn_date *d)
{
    const char *e = str(v, "earliest"), *l = str(v, "latest"), *p = str(v, "precision");
    rn_date a, b;
    if (!e || !l || !p || rn_precision_from_name(p, strlen(p), &d->precision) != RN_OK ||
        d->precision == RN_PREC_NONE)
        return -1;
    if (strcmp(e, "..") == 0)
        d->earliest = RN_DAY_OPEN_LOW;
    else if (rn_date_parse(e, strlen(e), &a, NULL) == RN_OK && a.precision == RN_PREC_DAY)
        d->earliest = a.earliest;
    else
        return -1;
    if (strcmp(l, "..") == 0)
        d->latest = RN_DAY_OPEN_HIGH;
    else if (rn_date_parse(l, strlen(l), &b, NULL) == RN_OK && b.precision == RN_PREC_DAY)
        d->latest = b.latest;
    else
        return -1;
    return 0;
}

/* The text form ("2024-07", "2024-07/2024-08") of a record's date, or NULL. */
static json_t *date_text(json_t *v)
{
    rn_date d;
    char buf[RN_DATE_TEXT_MAX];
    if (date_from_json(v, &d) || rn_date_format(&d, buf, sizeof buf) == 0)
        return NULL;
    return json_string(buf);
}

static int date_overlaps(const pub_filter *f, json_t *when)
{
    if (!f->has_from && !f->has_to)
        return 1;
    rn_date d;
    if (date_from_json(when, &d))
        return 0;
    if (f->has_from && d.latest < f->from.earliest)
        return 0;
    if (f->has_to && d.earliest > f->to.latest)
        return 0;
    return 1;
}

static void keep(pub_set *p, json_t *rec)
{
    const char *id = str(rec, "id");
    if (!p->records || !id || json_object_get(p->records, id))
        return;
    json_object_set(p->records, id, rec);
    json_array_append_new(p->order, json_string(id));
}

static json_t *place_of(json_t *ev)
{
    json_t *o = json_object();
    static const char *const keys[] = {"id", "name", "place", "country", "lat", "lon",
                                       "precision_m", "documented", "incident"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        json_t *v = json_object_get(ev, keys[i]);
        if (v && json_is_object(v)) /* a date: its text form */
            json_object_set_new(o, keys[i], date_text(v));
        else if (v)
            json_object_set(o, keys[i], v);
    }
    return o;
}

static int one_finding(void *ctx, const char *id)
{
    pub_set *p = ctx;
    json_t *fj = public_record(p->w, id);
    if (!fj)
        return 0;
    json_t *places = json_array(), *ws = json_array(), *ps = json_array(), *mc = json_array(),
           *countries = json_array(), *cited = json_array(), *event_ids = json_array();
    /* the cited records; then the events of cited items */
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(fj, "evidence"), i, v) {
        json_t *r = public_record(p->w, json_string_value(v));
        if (r)
            json_array_append_new(cited, r);
    }
    json_array_foreach(cited, i, v) {
        const char *t = str(v, "type");
        if (t && strcmp(t, "event") == 0)
            set_add(event_ids, str(v, "id"));
    }
    size_t ncited = json_array_size(cited);
    for (i = 0; i < ncited; i++) {
        json_t *r = json_array_get(cited, i);
        const char *t = str(r, "type"), *ev = str(r, "event");
        if (t && strcmp(t, "item") == 0) {
            set_add(ws, str(r, "weapon_system"));
            set_add(ps, str(r, "producing_state"));
            set_add(mc, str(r, "manufacturer_country"));
            if (ev && !set_has(event_ids, ev)) {
                json_t *e = public_record(p->w, ev);
                if (e) {
                    set_add(event_ids, ev);
                    json_array_append_new(cited, e);
                }
            }
        }
    }
    int date_ok = !p->f->has_from && !p->f->has_to;
    json_array_foreach(cited, i, v) {
        const char *t = str(v, "type");
        if (!t || strcmp(t, "event") != 0)
            continue;
        json_array_append_new(places, place_of(v));
        set_add(countries, str(v, "country"));
        json_t *when = json_object_get(v, "incident");
        date_ok |= date_overlaps(p->f, when ? when : json_object_get(v, "documented"));
    }
    /* facets: every published finding counts, matching or not */
    static const char *const fk[] = {"country", "weapon_system", "producing_state",
                                     "manufacturer_country"};
    json_t *fv[] = {countries, ws, ps, mc};
    for (size_t k = 0; k < 4; k++) {
        json_t *a = json_object_get(p->facets, fk[k]);
        json_array_foreach(fv[k], i, v) set_add(a, json_string_value(v));
    }
    const pub_filter *f = p->f;
    int match = date_ok && (!f->country || set_has(countries, f->country)) &&
                (!f->weapon_system || set_has(ws, f->weapon_system)) &&
                (!f->producing_state || set_has(ps, f->producing_state)) &&
                (!f->manufacturer_country || set_has(mc, f->manufacturer_country));
    if (match) {
        json_t *s = json_pack("{s:s, s:s?, s:O, s:O, s:O, s:O, s:O}", "id", id, "statement",
                              str(fj, "statement"), "places", places, "countries", countries,
                              "weapon_systems", ws, "producing_states", ps,
                              "manufacturer_countries", mc);
        if (s)
            json_array_append_new(p->findings, s);
        keep(p, fj);
        json_array_foreach(cited, i, v) keep(p, v);
    }
    json_decref(fj);
    json_decref(places);
    json_decref(ws);
    json_decref(ps);
    json_decref(mc);
    json_decref(countries);
    json_decref(cited);
    json_decref(event_ids);
    return 0;
}

/* Parse the filters; on a bad one an error reply is set and -1 returned. */
static int read_filter(srv_req *q, pub_filter *f)
{
    memset(f, 0, sizeof *f);
    static const char *const known[] = {"country", "weapon_system", "producing_state",
                                        "manufacturer_country", "from", "to"};
    for (size_t i = 0; i < q->nquery; i++) {
        size_t k = 0;
        while (k < 6 && strcmp(q->query[i].key, known[k]) != 0)
            k++;
        if (k == 6) {
            srv_reply_error(q, 400, "bad_request", "filters are country, weapon_system, "
                            "producing_state, manufacturer_country, from, to",
                            q->query[i].key);
            return -1;
        }
    }
    const char *v;
#define TAKE(name) f->name = (v = srv_query(q, #name)) && *v ? v : NULL
    TAKE(country);
    TAKE(weapon_system);
    TAKE(producing_state);
    TAKE(manufacturer_country);
#undef TAKE
    const char *names[2] = {"from", "to"};
    rn_date *d[2] = {&f->from, &f->to};
    int *has[2] = {&f->has_from, &f->has_to};
    for (int k = 0; k < 2; k++) {
        v = srv_query(q, names[k]);
        if (!v || !*v)
            continue;
        if (rn_date_parse(v, strlen(v), d[k], NULL) != RN_OK ||
            d[k]->precision == RN_PREC_NONE) {
            srv_reply_error(q, 400, "bad_request", "a date: 2024, 2024-07 or 2024-07-02",
                            names[k]);
            return -1;
        }
        *has[k] = 1;
    }
    return 0;
}

static int build_set(srv_req *q, pub_set *p, pub_filter *f, int with_records)
{
    if (read_filter(q, f))
        return -1;
    memset(p, 0, sizeof *p);
    p->w = q->w;
    p->f = f;
    p->findings = json_array();
    p->facets = json_pack("{s:[], s:[], s:[], s:[]}", "country", "weapon_system",
                          "producing_state", "manufacturer_country");
    if (with_records) {
        p->records = json_object();
        p->order = json_array();
    }
    rn_code rc = srv_public_each(q->w, RN_T_FINDING, one_finding, p);
    if (rc) {
        srv_reply_rn(q, rc, NULL);
        return -1;
    }
    return 0;
}

static void free_set(pub_set *p)
{
    json_decref(p->findings);
    json_decref(p->facets);
    json_decref(p->records);
    json_decref(p->order);
}

static void reply_dump(srv_req *q, json_t *o, const char *ctype)
{
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(10)) : NULL;
    if (!s) {
        srv_reply_rn(q, RN_ENOMEM, NULL);
        return;
    }
    size_t n = strlen(s);
    char etag[35];
    srv_etag(s, n, etag);
    if (srv_not_modified(q, etag)) {
        free(s);
        return;
    }
    srv_reply_json(q, 200, s, n);
    q->ctype = ctype;
}

void api_public_findings(srv_req *q)
{
    pub_set p;
    pub_filter f;
    if (build_set(q, &p, &f, 0))
        return;
    json_t *o = json_pack("{s:O, s:O, s:f}", "findings", p.findings, "facets", p.facets,
                          "public_grid", srv_cfg.public_grid);
    reply_dump(q, o, "application/json");
    json_decref(o);
    free_set(&p);
}

void api_public_geojson(srv_req *q)
{
    pub_set p;
    pub_filter f;
    if (build_set(q, &p, &f, 0))
        return;
    json_t *features = json_array();
    size_t i, j;
    json_t *s, *pl;
    json_array_foreach(p.findings, i, s) {
        json_array_foreach(json_object_get(s, "places"), j, pl) {
            json_t *lat = json_object_get(pl, "lat"), *lon = json_object_get(pl, "lon");
            json_t *geom = json_is_number(lat) && json_is_number(lon)
                               ? json_pack("{s:s, s:[O,O]}", "type", "Point", "coordinates",
                                           lon, lat)
                               : json_null();
            json_t *props = json_deep_copy(pl);
            json_object_set(props, "event", json_object_get(pl, "id"));
            json_object_del(props, "id");
            json_object_del(props, "lat");
            json_object_del(props, "lon");
            json_object_set(props, "finding", json_object_get(s, "id"));
            json_object_set(props, "statement", json_object_get(s, "statement"));
            json_object_set(props, "weapon_systems", json_object_get(s, "weapon_systems"));
            json_object_set(props, "producing_states", json_object_get(s, "producing_states"));
            json_object_set(props, "manufacturer_countries",
                            json_object_get(s, "manufacturer_countries"));
            json_array_append_new(features, json_pack("{s:s, s:o, s:o}", "type", "Feature",
                                                      "geometry", geom, "properties", props));
        }
    }
    json_t *o = json_pack("{s:s, s:o}", "type", "FeatureCollection", "features", features);
    srv_add_header(q, "Content-Disposition", "attachment; filename=\"remnant-findings.geojson\"");
    reply_dump(q, o, "application/geo+json");
    json_decref(o);
    free_set(&p);
}

/* ---- CSV (RFC 4180) ----------------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
    int fail;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->fail)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 4096;
        while (nc < b->n + n + 1)
            nc *= 2;
        char *np = nc <= PUB_OUT_MAX ? realloc(b->p, nc) : NULL;
        if (!np) {
            b->fail = 1;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

/* One text cell: quoted when it holds a comma, quote or line break; a cell
 * that a spreadsheet would read as a formula gets a leading '. */
static void csv_text(sbuf *b, const char *s)
{
    if (!s)
        s = "";
    int quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        sb_add(b, "\"", 1);
    if (*s == '=' || *s == '+' || *s == '-' || *s == '@')
        sb_add(b, "'", 1);
    for (; *s; s++)
        sb_add(b, *s == '"' ? "\"\"" : s, *s == '"' ? 2 : 1);
    if (quote)
        sb_add(b, "\"", 1);
}

static void csv_value(sbuf *b, json_t *v)
{
    if (json_is_string(v)) {
        csv_text(b, json_string_value(v));
    } else if (json_is_array(v)) {
        sbuf t = {0};
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            if (i)
                sb_add(&t, ";", 1);
            if (json_is_string(x))
                sb_add(&t, json_string_value(x), strlen(json_string_value(x)));
        }
        csv_text(b, t.p ? t.p : "");
        free(t.p);
    } else if (json_is_number(v)) {
        char num[64];
        int n = json_is_integer(v) ? snprintf(num, sizeof num, "%lld",
                                              (long long)json_integer_value(v))
                                   : snprintf(num, sizeof num, "%.6f", json_real_value(v));
        sb_add(b, num, (size_t)n);
    }
}

void api_public_csv(srv_req *q)
{
    pub_set p;
    pub_filter f;
    if (build_set(q, &p, &f, 0))
        return;
    static const char *const place_cols[] = {"id", "name", "place", "country", "lat", "lon",
                                             "precision_m", "documented", "incident"};
    sbuf b = {0};
    const char *head = "finding,statement,weapon_systems,producing_states,"
                       "manufacturer_countries,event,event_name,place,country,lat,lon,"
                       "precision_m,documented,incident\r\n";
    sb_add(&b, head, strlen(head));
    size_t i, j;
    json_t *s, *pl;
    json_array_foreach(p.findings, i, s) {
        json_t *places = json_object_get(s, "places");
        size_t np = json_array_size(places);
        for (j = 0; j < (np ? np : 1); j++) {
            pl = json_array_get(places, j);
            csv_value(&b, json_object_get(s, "id"));
            sb_add(&b, ",", 1);
            csv_value(&b, json_object_get(s, "statement"));
            sb_add(&b, ",", 1);
            csv_value(&b, json_object_get(s, "weapon_systems"));
            sb_add(&b, ",", 1);
            csv_value(&b, json_object_get(s, "producing_states"));
            sb_add(&b, ",", 1);
            csv_value(&b, json_object_get(s, "manufacturer_countries"));
            for (size_t k = 0; k < sizeof place_cols / sizeof *place_cols; k++) {
                sb_add(&b, ",", 1);
                if (pl)
                    csv_value(&b, json_object_get(pl, place_cols[k]));
            }
            sb_add(&b, "\r\n", 2);
        }
    }
    free_set(&p);
    if (b.fail) {
        free(b.p);
        srv_reply_rn(q, RN_ENOMEM, NULL);
        return;
    }
    srv_add_header(q, "Content-Disposition", "attachment; filename=\"remnant-findings.csv\"");
    srv_reply_json(q, 200, b.p, b.n);
    q->ctype = "text/csv; charset=utf-8; header=present";
}

void api_public_jsonl(srv_req *q)
{
    pub_set p;
    pub_filter f;
    if (build_set(q, &p, &f, 1))
        return;
    sbuf b = {0};
    size_t i;
    json_t *id;
    json_array_foreach(p.order, i, id) {
        char *s = json_dumps(json_object_get(p.records, json_string_value(id)),
                             JSON_COMPACT | JSON_SORT_KEYS);
        if (!s) {
            b.fail = 1;
            break;
        }
        sb_add(&b, s, strlen(s));
        sb_add(&b, "\n", 1);
        free(s);
    }
    free_set(&p);
    if (b.fail) {
        free(b.p);
        srv_reply_rn(q, RN_ENOMEM, NULL);
        return;
    }
    srv_add_header(q, "Content-Disposition", "attachment; filename=\"remnant-findings.jsonl\"");
    if (!b.p) { /* nothing published */
        srv_reply_text(q, 200, "application/jsonl", "", 0);
        return;
    }
    srv_reply_json(q, 200, b.p, b.n);
    q->ctype = "application/jsonl";
}

/* ---- one finding -------------------------------------------------------------- */

void api_public_finding(srv_req *q)
{
    const char *id = q->params[0];
    json_t *fj = public_record(q->w, id);
    const char *t = fj ? str(fj, "type") : NULL;
    if (!t || strcmp(t, "finding") != 0) {
        json_decref(fj);
        srv_reply_error(q, 404, "not_found", "no such published finding", NULL);
        return;
    }
    json_t *records = json_array(), *seen = json_object();
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(fj, "evidence"), i, v) {
        const char *rid = json_string_value(v);
        json_t *r = rid && !json_object_get(seen, rid) ? public_record(q->w, rid) : NULL;
        if (r) {
            json_object_set_new(seen, rid, json_true());
            json_array_append_new(records, r);
        }
    }
    /* the places of cited items, when public */
    size_t n = json_array_size(records);
    for (i = 0; i < n; i++) {
        const char *ev = str(json_array_get(records, i), "event");
        json_t *e = ev && !json_object_get(seen, ev) ? public_record(q->w, ev) : NULL;
        if (e) {
            json_object_set_new(seen, ev, json_true());
            json_array_append_new(records, e);
        }
    }
    json_t *o = json_pack("{s:o, s:o, s:f}", "finding", fj, "records", records, "public_grid",
                          srv_cfg.public_grid);
    json_decref(seen);
    reply_dump(q, o, "application/json");
    json_decref(o);
}

/* ---- settings ------------------------------------------------------------------- */

void api_config(srv_req *q)
{
    json_t *o = json_pack("{s:s?, s:f}", "tiles", srv_cfg.tile_url, "public_grid",
                          srv_cfg.public_grid);
    reply_dump(q, o, "application/json");
    json_decref(o);
}
