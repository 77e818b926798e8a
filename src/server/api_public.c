/* SPDX-License-Identifier: Apache-2.0
 *
 * api_public.c — what the public portal reads: the published findings with
 * the places and weapons they cite, filtered, as JSON for the map and the
 * list and as downloads (GeoJSON RFC 7946, CSV RFC 4180, JSON Lines), one
 * finding with its cited records, the preview of a finding not yet
 * published (for staff), and the app's settings.
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
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "server.h"

#define PUB_OUT_MAX (256u << 20)

/* r as the public sees it (srv_public_json: the library's public view, which
 * withholds notes like every sensitive field); NULL when it is not public. */
static json_t *redacted(rn_record *r)
{
    char *s = NULL;
    size_t n = 0;
    json_t *o = NULL;
    if (srv_public_json(r, &s, &n) == RN_OK)
        o = json_loadb(s, n, 0, NULL);
    rn_free(s);
    return o;
}

static json_t *public_record(srv_worker *w, const char *id)
{
    if (!id || !srv_public_has(w, id))
        return NULL;
    rn_record *r = NULL;
    if (rn_store_get(w->store, id, &r, NULL) != RN_OK)
        return NULL;
    json_t *o = redacted(r);
    rn_record_free(r);
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

/* ---- the published set, built once per database version ------------------------------ */

/* One published finding as the portal shows it. */
typedef struct pub_entry {
    json_t *summary;  /* {"id","statement","places","countries","weapon_systems",
                       *  "producing_states","manufacturer_countries"} */
    char *json;       /* summary, serialized */
    char *features;   /* its GeoJSON Features, comma-separated ("" when it has no place) */
    char *csv;        /* its CSV rows */
    rn_date *when;    /* its places' dates (incident, else documented) */
    size_t nwhen;
} pub_entry;

typedef struct srv_portal srv_portal;

/* Every published finding, in id order, and the filters' choices over all
 * of them; built once and shared by the worker threads (counted
 * references), rebuilt after the database changed. */
struct srv_portal {
    pub_entry *v;
    size_t n, cap;
    json_t *facets;
    char *facets_json;
    int64_t version; /* `watch`'s data_version it was built at */
    int refs;      /* holders, the shared pointer included; under mu */
    /* the unfiltered list and downloads, gzipped, made by the first request
     * that wants each (the portal's first load asks for the whole list:
     * gzip of 10,000 findings is most of an answer's time); under gz_mu */
    struct {
        unsigned char *z;
        size_t n;
        char etag[40];
    } gz[3];
};

/* Staleness: one connection of its own (`watch`, used under mu) asks
 * PRAGMA data_version, which moves whenever any other connection commits;
 * a set built at another version is not used. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t build_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t gz_mu = PTHREAD_MUTEX_INITIALIZER;
static srv_portal *shared;
static struct sqlite3 *watch;

static void entries_free(srv_portal *p);

static void release(srv_portal *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&mu);
    int last = --p->refs == 0;
    pthread_mutex_unlock(&mu);
    if (last)
        entries_free(p);
}

void srv_portal_shutdown(void)
{
    pthread_mutex_lock(&mu);
    srv_portal *p = shared;
    shared = NULL;
    srv_accounts_close(watch);
    watch = NULL;
    pthread_mutex_unlock(&mu);
    release(p);
}

void srv_portal_release(void)
{
    pthread_mutex_lock(&mu);
    srv_accounts_close(watch);
    watch = NULL;
    pthread_mutex_unlock(&mu);
}

/* The database's version now, and the shared set if built at it (held). */
static int64_t current(srv_portal **held)
{
    int64_t v = -1;
    *held = NULL;
    pthread_mutex_lock(&mu);
    if (!watch && srv_accounts_open(srv_cfg.db_path, &watch, NULL) != RN_OK)
        watch = NULL;
    if (watch)
        v = srv_data_version(watch);
    if (v >= 0 && shared && shared->version == v) {
        shared->refs++;
        *held = shared;
    }
    pthread_mutex_unlock(&mu);
    return v;
}

static void entries_free(srv_portal *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        json_decref(p->v[i].summary);
        free(p->v[i].json);
        free(p->v[i].features);
        free(p->v[i].csv);
        free(p->v[i].when);
    }
    free(p->v);
    for (size_t i = 0; i < sizeof p->gz / sizeof p->gz[0]; i++)
        free(p->gz[i].z);
    json_decref(p->facets);
    free(p->facets_json);
    free(p);
}

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

/* The records a published finding shows: those it cites, then the events
 * of cited items (when public). A new array of public JSON objects. */
static json_t *shown_records(srv_worker *w, json_t *fj)
{
    json_t *cited = json_array(), *seen = json_object();
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(fj, "evidence"), i, v) {
        const char *rid = json_string_value(v);
        json_t *r = rid && !json_object_get(seen, rid) ? public_record(w, rid) : NULL;
        if (r) {
            json_object_set_new(seen, rid, json_true());
            json_array_append_new(cited, r);
        }
    }
    size_t n = json_array_size(cited);
    for (i = 0; i < n; i++) {
        const char *ev = str(json_array_get(cited, i), "event");
        json_t *e = ev && !json_object_get(seen, ev) ? public_record(w, ev) : NULL;
        if (e) {
            json_object_set_new(seen, ev, json_true());
            json_array_append_new(cited, e);
        }
    }
    json_decref(seen);
    return cited;
}

/* ---- the entry's three forms -------------------------------------------------------- */

static char *dump(json_t *o)
{
    return o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(10)) : NULL;
}

/* The list's form of a summary: of a place, its name only when it has no
 * place name, its documented date only when it has no incident date, no
 * precision (the public grid says it) and no id: the map and list need no
 * more, and ten thousand of them load faster. The downloads keep all. */
static char *dump_slim(json_t *s)
{
    json_t *c = json_deep_copy(s);
    size_t i;
    json_t *pl;
    json_array_foreach(json_object_get(c, "places"), i, pl) {
        if (json_object_get(pl, "place"))
            json_object_del(pl, "name");
        if (json_object_get(pl, "incident"))
            json_object_del(pl, "documented");
        json_object_del(pl, "precision_m");
        json_object_del(pl, "id");
    }
    char *out = dump(c);
    json_decref(c);
    return out;
}

static char *features_of(json_t *s)
{
    srv_buf b = {.max = PUB_OUT_MAX};
    size_t j;
    json_t *pl;
    json_array_foreach(json_object_get(s, "places"), j, pl) {
        json_t *lat = json_object_get(pl, "lat"), *lon = json_object_get(pl, "lon");
        json_t *geom = json_is_number(lat) && json_is_number(lon)
                           ? json_pack("{s:s, s:[O,O]}", "type", "Point", "coordinates", lon,
                                       lat)
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
        json_t *f = json_pack("{s:s, s:o, s:o}", "type", "Feature", "geometry", geom,
                              "properties", props);
        char *t = dump(f);
        json_decref(f);
        if (!t) {
            b.fail = 1;
            break;
        }
        if (j)
            srv_buf_adds(&b, ",");
        srv_buf_adds(&b, t);
        free(t);
    }
    return srv_buf_take(&b);
}

/* One text cell: quoted when it holds a comma, quote or line break; a cell
 * that a spreadsheet would read as a formula gets a leading '. */
static void csv_text(srv_buf *b, const char *s)
{
    if (!s)
        s = "";
    int quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        srv_buf_add(b, "\"", 1);
    if (*s == '=' || *s == '+' || *s == '-' || *s == '@')
        srv_buf_add(b, "'", 1);
    for (; *s; s++)
        srv_buf_add(b, *s == '"' ? "\"\"" : s, *s == '"' ? 2 : 1);
    if (quote)
        srv_buf_add(b, "\"", 1);
}

static void csv_value(srv_buf *b, json_t *v)
{
    if (json_is_string(v)) {
        csv_text(b, json_string_value(v));
    } else if (json_is_array(v)) {
        srv_buf t = {.max = PUB_OUT_MAX};
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            if (i)
                srv_buf_add(&t, ";", 1);
            if (json_is_string(x))
                srv_buf_adds(&t, json_string_value(x));
        }
        csv_text(b, t.p ? t.p : "");
        free(t.p);
    } else if (json_is_number(v)) {
        char num[64];
        int n = json_is_integer(v) ? snprintf(num, sizeof num, "%lld",
                                              (long long)json_integer_value(v))
                                   : snprintf(num, sizeof num, "%.6f", json_real_value(v));
        srv_buf_add(b, num, (size_t)n);
    }
}

static const char csv_head[] = "finding,statement,weapon_systems,producing_states,"
                               "manufacturer_countries,event,event_name,place,country,lat,"
                               "lon,precision_m,documented,incident\r\n";

static char *csv_of(json_t *s)
{
    static const char *const place_cols[] = {"id", "name", "place", "country", "lat", "lon",
                                             "precision_m", "documented", "incident"};
    static const char *const finding_cols[] = {"id", "statement", "weapon_systems",
                                               "producing_states", "manufacturer_countries"};
    srv_buf b = {.max = PUB_OUT_MAX};
    json_t *places = json_object_get(s, "places");
    size_t np = json_array_size(places);
    for (size_t j = 0; j < (np ? np : 1); j++) {
        json_t *pl = json_array_get(places, j);
        for (size_t k = 0; k < 5; k++) {
            if (k)
                srv_buf_add(&b, ",", 1);
            csv_value(&b, json_object_get(s, finding_cols[k]));
        }
        for (size_t k = 0; k < sizeof place_cols / sizeof *place_cols; k++) {
            srv_buf_add(&b, ",", 1);
            if (pl)
                csv_value(&b, json_object_get(pl, place_cols[k]));
        }
        srv_buf_add(&b, "\r\n", 2);
    }
    return srv_buf_take(&b);
}

/* ---- building the set ------------------------------------------------------------------- */

typedef struct build_ctx {
    srv_worker *w;
    srv_portal *p;
    int fail;
} build_ctx;

static int add_finding(void *ctx, const char *id)
{
    build_ctx *c = ctx;
    srv_portal *p = c->p;
    json_t *fj = public_record(c->w, id);
    if (!fj)
        return 0;
    json_t *cited = shown_records(c->w, fj);
    json_t *places = json_array(), *ws = json_array(), *ps = json_array(), *mc = json_array(),
           *countries = json_array();
    rn_date *when = calloc(json_array_size(cited) + 1, sizeof *when);
    size_t nwhen = 0, i;
    json_t *v;
    json_array_foreach(cited, i, v) {
        const char *t = str(v, "type");
        if (t && strcmp(t, "item") == 0) {
            set_add(ws, str(v, "weapon_system"));
            set_add(ps, str(v, "producing_state"));
            set_add(mc, str(v, "manufacturer_country"));
        } else if (t && strcmp(t, "event") == 0) {
            json_array_append_new(places, place_of(v));
            set_add(countries, str(v, "country"));
            json_t *d = json_object_get(v, "incident");
            if (when && date_from_json(d ? d : json_object_get(v, "documented"),
                                       &when[nwhen]) == 0)
                nwhen++;
        }
    }
    static const char *const fk[] = {"country", "weapon_system", "producing_state",
                                     "manufacturer_country"};
    json_t *fv[] = {countries, ws, ps, mc};
    for (size_t k = 0; k < 4; k++) {
        json_t *a = json_object_get(p->facets, fk[k]);
        json_array_foreach(fv[k], i, v) set_add(a, json_string_value(v));
    }
    json_t *s = json_pack("{s:s, s:s?, s:o, s:o, s:o, s:o, s:o}", "id", id, "statement",
                          str(fj, "statement"), "places", places, "countries", countries,
                          "weapon_systems", ws, "producing_states", ps,
                          "manufacturer_countries", mc);
    json_decref(fj);
    json_decref(cited);
    if (s && when && p->n == p->cap) {
        size_t nc = p->cap ? 2 * p->cap : 256;
        pub_entry *nv = realloc(p->v, nc * sizeof *nv);
        if (nv) {
            p->v = nv;
            p->cap = nc;
        }
    }
    if (!s || !when || p->n == p->cap) {
        json_decref(s);
        free(when);
        c->fail = 1;
        return 1;
    }
    pub_entry *e = &p->v[p->n++];
    memset(e, 0, sizeof *e);
    e->summary = s;
    e->when = when;
    e->nwhen = nwhen;
    e->json = dump_slim(s);
    e->features = features_of(s);
    e->csv = csv_of(s);
    if (!e->json || !e->features || !e->csv) {
        c->fail = 1;
        return 1;
    }
    return 0;
}

/* The current set, held for the caller (release() it); NULL on failure. */
static srv_portal *portal(srv_req *q)
{
    srv_portal *p;
    int64_t want = current(&p);
    if (p || want < 0)
        return p;
    /* one builder at a time; the others wait and take its result */
    pthread_mutex_lock(&build_mu);
    want = current(&p);
    if (p || want < 0) {
        pthread_mutex_unlock(&build_mu);
        return p;
    }
    p = calloc(1, sizeof *p);
    build_ctx c = {q->w, p, 0};
    if (p) {
        p->version = want;
        p->refs = 1;
        p->facets = json_pack("{s:[], s:[], s:[], s:[]}", "country", "weapon_system",
                              "producing_state", "manufacturer_country");
    }
    if (!p || !p->facets || srv_public_each(q->w, RN_T_FINDING, add_finding, &c) != RN_OK ||
        c.fail || !(p->facets_json = dump(p->facets))) {
        pthread_mutex_unlock(&build_mu);
        entries_free(p);
        return NULL;
    }
    /* built from what was there at `want` or later: a commit during the
     * build moves the version, and the next request builds again */
    pthread_mutex_lock(&mu);
    srv_portal *old = shared;
    shared = p;
    p->refs++;
    pthread_mutex_unlock(&mu);
    pthread_mutex_unlock(&build_mu);
    release(old);
    return p;
}

/* ---- filters ----------------------------------------------------------------------------- */

typedef struct pub_filter {
    const char *country, *weapon_system, *producing_state, *manufacturer_country;
    rn_date from, to;
    int has_from, has_to;
} pub_filter;

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

static int matches(const pub_filter *f, const pub_entry *e)
{
    json_t *s = e->summary;
    if ((f->country && !set_has(json_object_get(s, "countries"), f->country)) ||
        (f->weapon_system && !set_has(json_object_get(s, "weapon_systems"), f->weapon_system)) ||
        (f->producing_state &&
         !set_has(json_object_get(s, "producing_states"), f->producing_state)) ||
        (f->manufacturer_country &&
         !set_has(json_object_get(s, "manufacturer_countries"), f->manufacturer_country)))
        return 0;
    if (!f->has_from && !f->has_to)
        return 1;
    for (size_t i = 0; i < e->nwhen; i++) /* a place's date overlaps [from, to] */
        if ((!f->has_from || e->when[i].latest >= f->from.earliest) &&
            (!f->has_to || e->when[i].earliest <= f->to.latest))
            return 1;
    return 0;
}

/* ---- replies: ETag, and gzip where the client takes it ------------------------------------------ */

/* gzip of in[0..n) (zlib, level 6), or NULL. */
static unsigned char *gzip(const char *in, size_t n, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&z, (uLong)n);
    unsigned char *out = malloc(cap);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int rc = out ? deflate(&z, Z_FINISH) : Z_MEM_ERROR;
    *out_len = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

/* Send body (malloc'd, taken): ETag of the bytes, 304 when it matches,
 * gzip (its own ETag) when accepted and larger than 1 KiB. */
static void reply_body(srv_req *q, char *body, size_t n, const char *ctype)
{
    if (!body) {
        srv_reply_rn(q, RN_ENOMEM, NULL);
        return;
    }
    char etag[40];
    srv_etag(body, n, etag);
    int gz = n > 1024 && n < UINT32_MAX &&
             srv_accepts_gzip(srv_header(q, "Accept-Encoding"));
    if (gz)
        memcpy(etag + 33, "-gz\"", 5);
    if (n > 1024)
        srv_add_header(q, "Vary", "Accept-Encoding");
    if (srv_not_modified(q, etag)) {
        free(body);
        return;
    }
    if (gz) {
        size_t zn = 0;
        unsigned char *z = gzip(body, n, &zn);
        free(body);
        if (!z) {
            srv_reply_rn(q, RN_ENOMEM, NULL);
            return;
        }
        body = (char *)z;
        n = zn;
        srv_add_header(q, "Content-Encoding", "gzip");
    }
    srv_reply_json(q, 200, body, n);
    q->ctype = ctype;
}

static void reply_dump(srv_req *q, json_t *o, const char *ctype)
{
    char *s = dump(o);
    reply_body(q, s, s ? strlen(s) : 0, ctype);
}

/* ---- the list and its downloads --------------------------------------------------------------- */

typedef enum { FORM_JSON, FORM_GEOJSON, FORM_CSV } pub_form;

static const char *const form_types[] = {"application/json", "application/geo+json",
                                          "text/csv; charset=utf-8; header=present"};

/* The body of the set in `form`, filtered by f (malloc'd; NULL when out of
 * memory or over PUB_OUT_MAX). */
static char *set_body(const srv_portal *p, const pub_filter *f, pub_form form)
{
    srv_buf b = {.max = PUB_OUT_MAX};
    srv_buf_adds(&b, form == FORM_JSON ? "{\"findings\":["
                : form == FORM_GEOJSON ? "{\"type\":\"FeatureCollection\",\"features\":["
                                       : csv_head);
    size_t k = 0;
    for (size_t i = 0; i < p->n; i++) {
        const pub_entry *e = &p->v[i];
        if (!matches(f, e))
            continue;
        const char *part = form == FORM_JSON ? e->json : form == FORM_GEOJSON ? e->features
                                                                            : e->csv;
        if (!*part)
            continue;
        if (k++ && form != FORM_CSV)
            srv_buf_adds(&b, ",");
        srv_buf_adds(&b, part);
    }
    if (form == FORM_JSON) {
        char tail[64];
        srv_buf_adds(&b, "],\"facets\":");
        srv_buf_adds(&b, p->facets_json);
        snprintf(tail, sizeof tail, ",\"public_grid\":%.10g}", srv_cfg.public_grid);
        srv_buf_adds(&b, tail);
    } else if (form == FORM_GEOJSON) {
        srv_buf_adds(&b, "]}");
    }
    return srv_buf_take(&b);
}

/* The unfiltered set in `form`, gzipped, from p's cache (made on first
 * use): a copy of its bytes (malloc'd) and its ETag, or NULL. */
static unsigned char *set_gz(srv_portal *p, pub_form form, size_t *n, char etag[40])
{
    static const pub_filter none;
    unsigned char *out = NULL;
    pthread_mutex_lock(&gz_mu);
    if (!p->gz[form].z) {
        char *body = set_body(p, &none, form);
        size_t bn = body ? strlen(body) : 0;
        if (body && bn > 1024 && bn < UINT32_MAX) {
            p->gz[form].z = gzip(body, bn, &p->gz[form].n);
            srv_etag(body, bn, p->gz[form].etag);
            memcpy(p->gz[form].etag + 33, "-gz\"", 5);
        }
        free(body);
    }
    if (p->gz[form].z && (out = malloc(p->gz[form].n))) {
        memcpy(out, p->gz[form].z, p->gz[form].n);
        *n = p->gz[form].n;
        memcpy(etag, p->gz[form].etag, 40);
    }
    pthread_mutex_unlock(&gz_mu);
    return out;
}

static void reply_set(srv_req *q, pub_form form)
{
    pub_filter f;
    if (read_filter(q, &f))
        return;
    srv_portal *p = portal(q);
    if (!p) {
        srv_reply_rn(q, RN_EDB, NULL);
        return;
    }
    if (form == FORM_GEOJSON)
        srv_add_header(q, "Content-Disposition",
                       "attachment; filename=\"remnant-findings.geojson\"");
    if (form == FORM_CSV)
        srv_add_header(q, "Content-Disposition", "attachment; filename=\"remnant-findings.csv\"");
    int unfiltered = !f.country && !f.weapon_system && !f.producing_state &&
                     !f.manufacturer_country && !f.has_from && !f.has_to;
    if (unfiltered && srv_accepts_gzip(srv_header(q, "Accept-Encoding"))) {
        size_t zn = 0;
        char etag[40];
        unsigned char *z = set_gz(p, form, &zn, etag);
        if (z) {
            release(p);
            srv_add_header(q, "Vary", "Accept-Encoding");
            if (srv_not_modified(q, etag)) {
                free(z);
                return;
            }
            srv_add_header(q, "Content-Encoding", "gzip");
            srv_reply_json(q, 200, (char *)z, zn);
            q->ctype = form_types[form];
            return;
        }
        /* too small to gzip, or out of memory: the answer made anew */
    }
    char *body = set_body(p, &f, form);
    release(p);
    reply_body(q, body, body ? strlen(body) : 0, form_types[form]);
}

void api_public_findings(srv_req *q) { reply_set(q, FORM_JSON); }
void api_public_geojson(srv_req *q) { reply_set(q, FORM_GEOJSON); }
void api_public_csv(srv_req *q) { reply_set(q, FORM_CSV); }

/* JSON Lines: each matching finding, then every record it shows that was
 * not shown before, in the export form (keys sorted). */
void api_public_jsonl(srv_req *q)
{
    pub_filter f;
    if (read_filter(q, &f))
        return;
    srv_portal *p = portal(q);
    if (!p) {
        srv_reply_rn(q, RN_EDB, NULL);
        return;
    }
    srv_buf b = {.max = PUB_OUT_MAX};
    json_t *seen = json_object();
    for (size_t i = 0; i < p->n && !b.fail; i++) {
        if (!matches(&f, &p->v[i]))
            continue;
        json_t *fj = public_record(q->w, str(p->v[i].summary, "id"));
        json_t *recs = fj ? shown_records(q->w, fj) : NULL;
        if (fj)
            json_array_insert(recs, 0, fj);
        size_t j;
        json_t *r;
        json_array_foreach(recs, j, r) {
            const char *id = str(r, "id");
            if (!id || json_object_get(seen, id))
                continue;
            json_object_set_new(seen, id, json_true());
            char *s = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
            if (!s) {
                b.fail = 1;
                break;
            }
            srv_buf_adds(&b, s);
            srv_buf_adds(&b, "\n");
            free(s);
        }
        json_decref(recs);
        json_decref(fj);
    }
    json_decref(seen);
    release(p);
    char *body = srv_buf_take(&b);
    srv_add_header(q, "Content-Disposition", "attachment; filename=\"remnant-findings.jsonl\"");
    reply_body(q, body, body ? strlen(body) : 0, "application/jsonl");
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
    json_t *records = shown_records(q->w, fj);
    json_t *o = json_pack("{s:o, s:o, s:f}", "finding", fj, "records", records, "public_grid",
                          srv_cfg.public_grid);
    reply_dump(q, o, "application/json");
    json_decref(o);
}

/* ---- preview: a finding as the public will see it once published -------------------- */

/* For staff (router: any account). The records are chosen by the public
 * view's rule for a published finding (cited; no custody; a cited finding
 * only if published; the events of cited items when cited or public) and
 * each is shown through srv_public_json, as the public endpoints show
 * them: what this returns is what publishing would show. */
/* The record `id` as the preview view shows it (or NULL when it is not in
 * that view). */
static json_t *preview_record(const rn_public *view, rn_store *st, const char *id)
{
    char *s = NULL;
    size_t n = 0;
    json_t *o = NULL;
    if (id && rn_public_get_json(view, st, id, 0, &s, &n, NULL) == RN_OK)
        o = json_loadb(s, n, 0, NULL);
    rn_free(s);
    return o;
}

/* The preview is the library's public view as if this finding were
 * published (rn_public_opts.preview_finding): the same function that
 * renders the public API, so staff see exactly what would be shown. */
void api_public_preview(srv_req *q)
{
    const char *id = q->params[0];
    rn_record *r = NULL;
    if (!rn_id_valid(id, strlen(id)) || rn_store_get(q->w->store, id, &r, NULL) != RN_OK ||
        rn_record_type(r) != RN_T_FINDING) {
        rn_record_free(r);
        srv_reply_error(q, 404, "not_found", "no such finding", NULL);
        return;
    }
    rn_record_free(r);
    rn_public_opts po = {srv_cfg.public_grid, id};
    rn_public *view = NULL;
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_public_open(q->w->store, &po, &view, &err);
    if (rc) {
        srv_reply_rn(q, rc, &err);
        return;
    }
    json_t *fj = preview_record(view, q->w->store, id);
    json_t *records = json_array(), *seen = json_object();
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(fj, "evidence"), i, v) {
        const char *rid = json_string_value(v);
        json_t *x = rid && !json_object_get(seen, rid) ? preview_record(view, q->w->store, rid)
                                                       : NULL;
        if (x) {
            json_object_set_new(seen, rid, json_true());
            json_array_append_new(records, x);
        }
    }
    size_t n = json_array_size(records);
    for (i = 0; i < n; i++) {
        const char *ev = str(json_array_get(records, i), "event");
        json_t *e = ev && !json_object_get(seen, ev) ? preview_record(view, q->w->store, ev)
                                                     : NULL;
        if (e) {
            json_object_set_new(seen, ev, json_true());
            json_array_append_new(records, e);
        }
    }
    rn_public_free(view);
    json_decref(seen);
    json_t *o = json_pack("{s:o?, s:o, s:f, s:b}", "finding", fj, "records", records,
                          "public_grid", srv_cfg.public_grid, "preview", 1);
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
