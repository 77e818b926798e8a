/* SPDX-License-Identifier: Apache-2.0
 *
 * timeline.c — production-to-use intervals (rn_timeline): for each item
 * with an effective production date and a date of use, the interval in days
 * as [min, max] carried through from both dates' uncertainty, and summaries
 * per (weapon system, producing state, country of use).
 *
 * Contracts:
 *  1. The date of use is the item's event's incident date, else its
 *     documented date (a documentation date bounds use from above); the
 *     result says which ("used_basis").
 *  2. [min, max] = rn_date_span(produced, used). A negative min is clamped
 *     to 0 — an item is not used before it is made — and the item says so
 *     ("clamped": true), so the reader sees why min differs from the raw
 *     subtraction. An open end stays open (JSON null).
 *  3. "Shortest proven" ranks by the upper bound: an item whose max is 120
 *     proves "used within 120 days of production" whatever the uncertainty.
 *  4. Buckets count items by that upper bound; each bucket lists its items.
 *  5. Memory is O(items with an interval): ~60 bytes each; details (basis
 *     texts) are looked up again only for the items printed.
 *  6. An item without its own event belongs to the event of its nearest
 *     ancestor that has one ("event_from" names that ancestor); likewise
 *     its weapon system and producing state.
 *  7. Use cannot precede assembly: the item's earliest possible assembly
 *     (assembly.c: the latest `earliest` of its components' production
 *     dates) bounds its production date from below. An item without a
 *     production date of its own gets [assembly, open); one whose date
 *     starts earlier is raised to start there; one whose date ends before
 *     it conflicts with its parts and is left as recorded, flagged
 *     ("production_bound": "conflict") for an analyst. The basis says which.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_int.h"

#define TL_DEFAULT_LIMIT 20

typedef struct tl_item {
    char id[RN_ID_LEN + 1];
    int64_t min, max;
    int clamped;
    int ambiguous; /* the production date is the hull of disagreeing readings */
    uint32_t group;
} tl_item;

typedef struct tl_group {
    char ws[201], ps[3], country[3];
    uint64_t count;
} tl_group;

typedef struct tl {
    tl_item *it;
    size_t n, cap;
    tl_group *g;
    size_t ng, gcap;
} tl;

#define TL_COLUMNS                                                                          \
    "SELECT i.id, i.kind, " RN__SQL_INHERIT("i", "weapon_system") ", "                       \
    RN__SQL_INHERIT("i", "producing_state") ", i.produced_earliest, "                       \
    "i.produced_latest, i.produced_precision, e.id, e.country, e.incident_earliest, "       \
    "e.incident_latest, e.incident_precision, e.documented_earliest, e.documented_latest, " \
    "e.documented_precision, e.place, e.lat, e.lon, "                                       \
    RN__SQL_INHERITED_FROM("i", "event") " FROM item i "                                    \
    "JOIN event e ON e.id = " RN__SQL_INHERIT("i", "event") " "
static const char item_sql[] =
    TL_COLUMNS "WHERE (?1 IS NULL OR i.id = ?1) AND (?2 IS NULL OR e.id = ?2) "
    "AND (?3 IS NULL OR e.country = ?3) AND (?4 OR i.kind IN ('weapon', 'munition', 'remnant'))";
/* One item by its key: a primary-key probe (the OR above is a scan). */
static const char one_sql[] = TL_COLUMNS "WHERE i.id = ?1";

static int cmp_item(const void *a, const void *b)
{
    const tl_item *x = a, *y = b;
    if (x->max != y->max)
        return x->max < y->max ? -1 : 1;
    if (x->min != y->min)
        return x->min < y->min ? -1 : 1;
    return strcmp(x->id, y->id);
}

static rn_code find_group(tl *t, const char *ws, const char *ps, const char *ctry, uint32_t *out,
                          rn_error *err)
{
    for (size_t i = 0; i < t->ng; i++) {
        if (!strcmp(t->g[i].ws, ws) && !strcmp(t->g[i].ps, ps) && !strcmp(t->g[i].country, ctry)) {
            *out = (uint32_t)i;
            return RN_OK;
        }
    }
    if (t->ng == t->gcap) {
        size_t nc = t->gcap ? 2 * t->gcap : 8;
        tl_group *g = rn__realloc(t->g, nc * sizeof *g);
        if (!g)
            return rn__err(err, RN_ENOMEM, "out of memory");
        t->g = g;
        t->gcap = nc;
    }
    tl_group *g = &t->g[t->ng];
    memset(g, 0, sizeof *g);
    rn__cpy(g->ws, sizeof g->ws, ws);
    rn__cpy(g->ps, sizeof g->ps, ps);
    rn__cpy(g->country, sizeof g->country, ctry);
    *out = (uint32_t)t->ng++;
    return RN_OK;
}

typedef enum tl_bound {
    TL_BOUND_NONE = 0, /* no dated component, or it is earlier than the date */
    TL_BOUND_FROM,     /* no date of its own: [assembly, open) */
    TL_BOUND_RAISED,   /* its date starts before assembly: raised to start there */
    TL_BOUND_CONFLICT  /* its date ends before a part was made: left, flagged */
} tl_bound;

static const char *const bound_names[] = {"none", "from assembly", "raised to assembly",
                                          "conflict"};

/* The production date of item `id` for the timeline (contract 7). OUT:
 * *pv (date and basis as bounded), *a, *bound. */
static rn_code production_of(rn__eff *e, const char *id, const rn_date *own, rn__eff_val *pv,
                             rn__assembly *a, tl_bound *bound, rn_error *err)
{
    rn_code rc;
    *bound = TL_BOUND_NONE;
    if ((rc = rn__eff_get(e, id, "production_date", NULL, NULL, own, pv, err)) ||
        (rc = rn__assembly_of(e, id, a, err)))
        return rc;
    if (!a->found)
        return RN_OK;
    int has = pv->set && pv->date.precision != RN_PREC_NONE;
    char day[11];
    rn_day_format(a->day, day);
    size_t bl = strlen(pv->basis);
    if (!has) {
        pv->set = 1;
        pv->date.earliest = a->day;
        pv->date.latest = RN_DAY_OPEN_HIGH;
        pv->date.precision = RN_PREC_DAY;
        snprintf(pv->basis, sizeof pv->basis, "earliest assembly %s: component %s", day,
                 a->component);
        *bound = TL_BOUND_FROM;
    } else if (pv->date.latest != RN_DAY_OPEN_HIGH && a->day > pv->date.latest) {
        snprintf(pv->basis + bl, sizeof pv->basis - bl,
                 "; CONFLICT: component %s was made from %s, after this date", a->component,
                 day);
        *bound = TL_BOUND_CONFLICT;
    } else if (pv->date.earliest == RN_DAY_OPEN_LOW || a->day > pv->date.earliest) {
        pv->date.earliest = a->day;
        pv->date.precision = RN_PREC_DAY;
        snprintf(pv->basis + bl, sizeof pv->basis - bl,
                 "; not before the earliest assembly %s (component %s)", day, a->component);
        *bound = TL_BOUND_RAISED;
    }
    return RN_OK;
}

/* The details of one item for output: dates, bases, place. */
static json_t *item_json(sqlite3 *db, rn__eff *e, const tl_item *ti, rn_error *err)
{
    sqlite3_stmt *st = NULL;
    json_t *o = NULL;
    if (sqlite3_prepare_v2(db, one_sql, -1, &st, NULL) != SQLITE_OK) {
        rn__sql_err(db, err, "timeline item");
        return NULL;
    }
    sqlite3_bind_text(st, 1, ti->id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW)
        goto out;
    rn_date own = rn__col_date(st, 4);
    rn__eff_val pv, ws, ps;
    rn__assembly asm_;
    tl_bound bound;
    if (production_of(e, ti->id, &own, &pv, &asm_, &bound, err) ||
        rn__eff_get(e, ti->id, "weapon_system", rn__col_text(st, 2), NULL, NULL, &ws, err) ||
        rn__eff_get(e, ti->id, "producing_state", rn__col_text(st, 3), rn__col_text(st, 3), NULL,
                    &ps, err))
        goto out;
    rn_date inc = rn__col_date(st, 9), doc = rn__col_date(st, 12);
    int use_inc = inc.precision != RN_PREC_NONE;
    const char *ev = rn__col_text(st, 7);
    const char *ev_from = rn__col_text(st, 18);
    char ubasis[80];
    snprintf(ubasis, sizeof ubasis, "event %s %s", ev, use_inc ? "incident" : "documented");
    o = json_object();
    rn__jset(o, "item", json_string(ti->id));
    rn__jset(o, "kind", rn__jstr(rn__col_text(st, 1)));
    rn__jset(o, "weapon_system", ws.set ? json_string(ws.text) : NULL);
    rn__jset(o, "weapon_system_basis", ws.set ? json_string(ws.basis) : NULL);
    rn__jset(o, "producing_state", ps.set ? json_string(ps.country[0] ? ps.country : ps.text) : NULL);
    rn__jset(o, "producing_state_basis", ps.set ? json_string(ps.basis) : NULL);
    rn__jset(o, "produced", rn__json_date(&pv.date));
    rn__jset(o, "produced_basis", json_string(pv.basis));
    rn__jset(o, "produced_ambiguous", json_boolean(pv.ambiguous));
    rn__jset(o, "produced_readings", rn__json_readings(&pv));
    rn__jset(o, "production_bound", json_string(bound_names[bound]));
    rn__jset(o, "earliest_assembly", rn__json_assembly(&asm_));
    rn__jset(o, "used", rn__json_date(use_inc ? &inc : &doc));
    rn__jset(o, "used_basis", json_string(ubasis));
    rn__jset(o, "event", json_string(ev));
    rn__jset(o, "event_from", rn__jstr(rn__col_text(st, 18)));
    rn__jset(o, "country", rn__jstr(rn__col_text(st, 8)));
    rn__jset(o, "place", rn__jstr(rn__col_text(st, 15)));
    rn__jset(o, "interval_days", rn__json_span(ti->min, ti->max));
    rn__jset(o, "clamped", json_boolean(ti->clamped));
    char words[700], pt[RN_DATE_TEXT_MAX], ut[RN_DATE_TEXT_MAX], a[24], b[24];
    rn_date_format(&pv.date, pt, sizeof pt);
    rn_date_format(use_inc ? &inc : &doc, ut, sizeof ut);
    if (ti->min == INT64_MIN)
        snprintf(a, sizeof a, "an unknown number of");
    else
        snprintf(a, sizeof a, "%" PRId64, ti->min);
    if (ti->max == INT64_MAX)
        snprintf(b, sizeof b, "an unbounded number of");
    else
        snprintf(b, sizeof b, "%" PRId64, ti->max);
    snprintf(words, sizeof words,
             "produced %s (%s%s%s), %s %s: between %s and %s days after production%s%s", pt,
             rn_precision_name(pv.date.precision),
             pv.ambiguous ? ", ambiguous: the hull of several readings" : "",
             bound == TL_BOUND_NONE ? "" : bound == TL_BOUND_CONFLICT
                                               ? ", conflicts with a part's date"
                                               : ", not before its earliest assembly",
             use_inc ? "used" : "documented", ut, a, b,
             ti->clamped ? " (lower bound clamped at 0: an item is not used before it is made)"
                         : "",
             ev_from && *ev_from ? " (event of the item it is part of)" : "");
    rn__jset(o, "words", json_string(words));
out:
    sqlite3_finalize(st);
    return o;
}

static json_t *bucket(const char *label, int64_t lo, int64_t hi, const tl *t, uint32_t gi,
                      long limit)
{
    json_t *o = json_object(), *items = json_array();
    uint64_t n = 0;
    for (size_t i = 0; i < t->n; i++) {
        const tl_item *x = &t->it[i];
        if (x->group != gi || x->max < lo || x->max > hi)
            continue;
        if ((long)n < limit)
            json_array_append_new(items, json_string(x->id));
        n++;
    }
    rn__jset(o, "label", json_string(label));
    rn__jset(o, "count", json_integer((json_int_t)n));
    rn__jset(o, "items", items);
    return o;
}

rn_code rn_timeline(rn_store *s, const rn_analysis_filter *f, char **json, size_t *len,
                    rn_error *err)
{
    static const rn_analysis_filter none;
    if (!f)
        f = &none;
    long limit = f->limit > 0 ? f->limit : TL_DEFAULT_LIMIT;
    if (limit > RN_ANALYSIS_LIMIT_MAX)
        limit = RN_ANALYSIS_LIMIT_MAX;
    *json = NULL;
    sqlite3 *db;
    rn_code rc = rn__analysis_db(s, &db, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = NULL;
    rn__eff *e = NULL;
    tl t = {0};
    json_t *root = NULL;
    uint64_t considered = 0, no_prod = 0, no_use = 0, filtered = 0;
    if ((rc = rn__eff_open(db, &e, err)))
        goto out;
    if (sqlite3_prepare_v2(db, item_sql, -1, &st, NULL) != SQLITE_OK) {
        rc = rn__sql_err(db, err, "timeline query");
        goto out;
    }
    rn__bind_opt(st, 1, f->item);
    rn__bind_opt(st, 2, f->event);
    rn__bind_opt(st, 3, f->country);
    sqlite3_bind_int(st, 4, f->all_kinds || f->item);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = rn__col_text(st, 0);
        rn__eff_val ws, ps, pv;
        considered++;
        if ((rc = rn__eff_get(e, id, "weapon_system", rn__col_text(st, 2), NULL, NULL, &ws, err)) ||
            (rc = rn__eff_get(e, id, "producing_state", rn__col_text(st, 3), rn__col_text(st, 3),
                              NULL, &ps, err)))
            goto out;
        const char *psv = ps.country[0] ? ps.country : ps.text;
        if ((f->weapon_system && *f->weapon_system && strcmp(ws.text, f->weapon_system)) ||
            (f->producing_state && *f->producing_state && strcmp(psv, f->producing_state))) {
            filtered++;
            continue;
        }
        rn_date own = rn__col_date(st, 4);
        rn__assembly asm_;
        tl_bound bound;
        if ((rc = production_of(e, id, &own, &pv, &asm_, &bound, err)))
            goto out;
        if (!pv.set || pv.date.precision == RN_PREC_NONE) {
            no_prod++;
            continue;
        }
        rn_date use = rn__col_date(st, 9);
        if (use.precision == RN_PREC_NONE)
            use = rn__col_date(st, 12);
        int64_t mn, mx;
        if (use.precision == RN_PREC_NONE || rn_date_span(&pv.date, &use, &mn, &mx) != RN_OK) {
            no_use++;
            continue;
        }
        int clamped = 0;
        if (mn != INT64_MIN && mn < 0) {
            mn = 0;
            clamped = 1;
        }
        if (mn == INT64_MIN) /* open production start: still >= 0 */
            mn = 0, clamped = 1;
        const char *ctry = rn__col_text(st, 8);
        uint32_t gi = 0;
        if ((rc = find_group(&t, ws.set ? ws.text : "", psv, ctry ? ctry : "", &gi, err)))
            goto out;
        if (t.n == t.cap) {
            size_t nc = t.cap ? 2 * t.cap : 256;
            tl_item *ni = rn__realloc(t.it, nc * sizeof *ni);
            if (!ni) {
                rc = rn__err(err, RN_ENOMEM, "out of memory");
                goto out;
            }
            t.it = ni;
            t.cap = nc;
        }
        tl_item *x = &t.it[t.n++];
        rn__cpy(x->id, sizeof x->id, id);
        x->min = mn;
        x->max = mx;
        x->clamped = clamped;
        x->ambiguous = pv.ambiguous;
        x->group = gi;
        t.g[gi].count++;
    }
    if (r != SQLITE_DONE) {
        rc = rn__sql_err(db, err, "timeline query");
        goto out;
    }
    if (t.n)
        qsort(t.it, t.n, sizeof *t.it, cmp_item);

    root = json_object();
    rn__jset(root, "analysis", json_string("timeline"));
    rn__jset(root, "precedence",
             json_string("production date: item.produced, else the newest claim, else the "
                         "decoder's readings (their hull when they disagree), never before the "
                         "item's earliest assembly; use: event incident, else documented; an "
                         "item without an event takes its nearest ancestor's"));
    json_t *counts = json_object();
    rn__jset(counts, "considered", json_integer((json_int_t)considered));
    rn__jset(counts, "with_interval", json_integer((json_int_t)t.n));
    rn__jset(counts, "no_production_date", json_integer((json_int_t)no_prod));
    rn__jset(counts, "no_use_date", json_integer((json_int_t)no_use));
    rn__jset(counts, "filtered_out", json_integer((json_int_t)filtered));
    rn__jset(root, "counts", counts);
    json_t *groups = json_array();
    for (uint32_t gi = 0; gi < t.ng; gi++) {
        json_t *g = json_object(), *shortest = json_array();
        rn__jset(g, "weapon_system", t.g[gi].ws[0] ? json_string(t.g[gi].ws) : NULL);
        rn__jset(g, "producing_state", t.g[gi].ps[0] ? json_string(t.g[gi].ps) : NULL);
        rn__jset(g, "country", t.g[gi].country[0] ? json_string(t.g[gi].country) : NULL);
        rn__jset(g, "count", json_integer((json_int_t)t.g[gi].count));
        int64_t lo = INT64_MAX, hi = INT64_MIN;
        size_t k = 0, nin = 0, namb = 0;
        int64_t *maxes = rn__malloc((t.g[gi].count ? t.g[gi].count : 1) * sizeof *maxes);
        if (!maxes) {
            json_decref(g);
            json_decref(shortest);
            json_decref(groups);
            rc = rn__err(err, RN_ENOMEM, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < t.n; i++) {
            const tl_item *x = &t.it[i];
            if (x->group != gi)
                continue;
            if (x->min < lo)
                lo = x->min;
            if (x->max > hi)
                hi = x->max;
            maxes[nin++] = x->max; /* sorted: items are sorted by max */
            namb += x->ambiguous != 0;
            if ((long)k < limit && x->max != INT64_MAX) {
                json_t *si = json_object();
                rn__jset(si, "item", json_string(x->id));
                rn__jset(si, "interval_days", rn__json_span(x->min, x->max));
                rn__jset(si, "produced_ambiguous", json_boolean(x->ambiguous));
                json_array_append_new(shortest, si);
                k++;
            }
        }
        rn__jset(g, "interval_days_hull", rn__json_span(lo, hi));
        rn__jset(g, "ambiguous_dates", json_integer((json_int_t)namb));
        json_t *q = json_array();
        for (int qi = 1; qi <= 3; qi++) {
            int64_t v = maxes[(nin - 1) * (size_t)qi / 4];
            json_array_append_new(q, v == INT64_MAX ? json_null() : json_integer(v));
        }
        rn_free(maxes);
        rn__jset(g, "max_bound_quartiles", q);
        rn__jset(g, "shortest_proven", shortest);
        json_t *b = json_array();
        json_array_append_new(b, bucket("within 90 days", INT64_MIN, 90, &t, gi, limit));
        json_array_append_new(b, bucket("91-180 days", 91, 180, &t, gi, limit));
        json_array_append_new(b, bucket("181-365 days", 181, 365, &t, gi, limit));
        json_array_append_new(b, bucket("366-730 days", 366, 730, &t, gi, limit));
        json_array_append_new(b, bucket("over 730 days", 731, INT64_MAX - 1, &t, gi, limit));
        json_array_append_new(b, bucket("no upper bound", INT64_MAX, INT64_MAX, &t, gi, limit));
        rn__jset(g, "buckets_by_max_bound", b);
        json_array_append_new(groups, g);
    }
    rn__jset(root, "groups", groups);
    json_t *items = json_array();
    for (size_t i = 0; i < t.n && (long)i < limit; i++) {
        json_t *o = item_json(db, e, &t.it[i], err);
        if (!o) {
            json_decref(items);
            rc = err && err->code ? err->code : RN_EDB;
            goto out;
        }
        json_array_append_new(items, o);
    }
    rn__jset(root, "items", items);
    rn__jset(root, "items_listed", json_integer((json_int_t)json_array_size(items)));
    rc = rn__json_finish(root, json, len, err);
    root = NULL;
out:
    json_decref(root);
    sqlite3_finalize(st);
    rn__eff_close(e);
    rn_free(t.it);
    rn_free(t.g);
    return rc;
}
