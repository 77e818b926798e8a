/* SPDX-License-Identifier: Apache-2.0
 *
 * effective.c — an item's effective production date, manufacturer,
 * producing state and weapon system, with the basis of each: the one place
 * that applies the precedence stated in analysis.h (item field, then the
 * newest analyst claim, then the decoder's best candidate), plus the SQL
 * and JSON helpers the analysis modules share.
 *
 * Contract: the candidate order is the `machine_claim` view's (confidence
 * DESC, marking, rank), read per item through indexes (marking_item, the
 * candidate primary key) rather than through the view's window over every
 * candidate, so one item costs two index probes.
 *
 * A manufacturer is a (name, country) pair: a source that gives only the
 * country ("a US-made chip": manufacturer_country without manufacturer, a
 * claim with a country and no value) is a value with an empty name.
 *
 * Decoder dates (the shared mechanism every analysis reads through):
 *  D1. The decoder spreads its confidence over the readings of a marking:
 *      an illegible digit ("2?15") or an ambiguous code ("0412": YYWW or
 *      YYMM) gives several readings, each with a share. So a reading is
 *      never taken alone because it ranks first: readings are taken best
 *      first until they hold at least RN_READING_MASS of the confidence of
 *      all the item's date readings; a reading within RN_AMBIGUOUS_DELTA of
 *      the best, or tied with the last one taken, is taken too.
 *  D2. The effective date is the hull of the readings taken; when they
 *      disagree it is "ambiguous", the basis says so and how many readings
 *      there were, and the readings are kept (rn__eff_val.readings) for the
 *      analyses to list. The uncertainty widens; it is never resolved
 *      silently.
 *  D3. An analyst's date (the item's field, a claim) is taken as given.
 *
 * Decoder manufacturers:
 *  M1. When the decoder's best manufacturers for an item (over all its
 *      markings) tie by the decoder's rule (rn__decoded_ties: within
 *      RN_DECODE_TIE_MARGIN) and name two or more distinct makers, the
 *      effective manufacturer is "ambiguous": the value is the first of
 *      them, but `ambiguous` is set, each tied maker is listed (ties[], up
 *      to RN__TIES_MAX, with its country) and the basis says so. Analyses
 *      must count such an item under each tied maker's country only as
 *      "possible", never in a share as certain. An analyst's value (the
 *      item's field, a claim) is taken as given.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_int.h"
#include "remnant/decode.h"
#include "store/decoded.h"

/* Readings held in memory per item for D1 (a marking yields at most
 * RN_DECODE_CANDIDATES_MAX; beyond this many, the rest still count in the
 * total confidence, and the hull is then left open: see take_readings). */
#define EFF_READINGS_MAX 256

typedef struct eff_reading {
    rn_date date;
    double conf;
    char marking[RN_ID_LEN + 1];
    char rule[64];
    char text[80];
} eff_reading;

/* A memo of day numbers by item id (open addressing, grows at half full). */
typedef struct eff_memo_slot {
    char id[RN_ID_LEN + 1];
    int32_t day;
} eff_memo_slot;

struct rn__eff {
    sqlite3 *db;
    sqlite3_stmt *claim; /* newest claim for (item, field) */
    sqlite3_stmt *cand;  /* candidates for (item, field), best first */
    const char *more_sql[RN__EFF_STMTS];
    sqlite3_stmt *more[RN__EFF_STMTS]; /* rn__eff_stmt's cache */
    eff_reading *rbuf;                 /* EFF_READINGS_MAX, allocated on first use */
    int no_claims;                     /* the claim table was empty at open */
    eff_memo_slot *memo;
    size_t memo_n, memo_cap;
};

static const char claim_sql[] =
    "SELECT id, value, date_earliest, date_latest, date_precision, country "
    "FROM claim WHERE item = ?1 AND field = ?2 ORDER BY id DESC LIMIT 1";
/* every reading: D1 needs the confidence of all of them */
static const char cand_sql[] =
    "SELECT c.marking, c.value, c.earliest, c.latest, c.precision, c.country, c.confidence, "
    "c.rule, m.text FROM marking m JOIN candidate c ON c.marking = m.id "
    "WHERE m.item = ?1 AND c.field = ?2 ORDER BY c.confidence DESC, c.marking, c.rank";



rn_code rn__sql_err(sqlite3 *db, rn_error *err, const char *what)
{
    return rn__err(err, RN_EDB, "%s: %s", what, db ? sqlite3_errmsg(db) : "no database");
}

rn_code rn__analysis_db(rn_store *s, sqlite3 **out, rn_error *err)
{
    *out = rn__store_db(s);
    if (!*out)
        return rn__err(err, RN_EINVAL, "analysis needs the SQLite store");
    return RN_OK;
}

rn_code rn__eff_open(sqlite3 *db, rn__eff **out, rn_error *err)
{
    rn__eff *e = rn__calloc(1, sizeof *e);
    if (!e)
        return rn__err(err, RN_ENOMEM, "out of memory");
    e->db = db;
    if (sqlite3_prepare_v2(db, claim_sql, -1, &e->claim, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, cand_sql, -1, &e->cand, NULL) != SQLITE_OK) {
        rn_code rc = rn__sql_err(db, err, "preparing effective-value lookups");
        rn__eff_close(e);
        return rc;
    }
    /* most databases have few or no claims: skip the probe when there are
     * none (an analysis is one read of the store) */
    sqlite3_stmt *any = NULL;
    if (sqlite3_prepare_v2(db, "SELECT NOT EXISTS (SELECT 1 FROM claim)", -1, &any, NULL) ==
            SQLITE_OK &&
        sqlite3_step(any) == SQLITE_ROW)
        e->no_claims = sqlite3_column_int(any, 0);
    sqlite3_finalize(any);
    *out = e;
    return RN_OK;
}

void rn__eff_close(rn__eff *e)
{
    if (!e)
        return;
    sqlite3_finalize(e->claim);
    sqlite3_finalize(e->cand);
    for (int i = 0; i < RN__EFF_STMTS; i++)
        sqlite3_finalize(e->more[i]);
    rn_free(e->rbuf);
    rn_free(e->memo);
    rn_free(e);
}

sqlite3 *rn__eff_db(rn__eff *e)
{
    return e->db;
}

sqlite3_stmt *rn__eff_stmt(rn__eff *e, const char *sql)
{
    for (int i = 0; i < RN__EFF_STMTS; i++) {
        if (e->more_sql[i] == sql) {
            sqlite3_reset(e->more[i]);
            sqlite3_clear_bindings(e->more[i]);
            return e->more[i];
        }
        if (!e->more_sql[i]) {
            if (sqlite3_prepare_v2(e->db, sql, -1, &e->more[i], NULL) != SQLITE_OK)
                return NULL;
            e->more_sql[i] = sql;
            return e->more[i];
        }
    }
    return NULL;
}

static size_t memo_slot(const eff_memo_slot *m, size_t cap, const char *id)
{
    uint32_t h = 2166136261u;
    for (const char *p = id; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    size_t i = h & (cap - 1);
    while (m[i].id[0] && strcmp(m[i].id, id))
        i = (i + 1) & (cap - 1);
    return i;
}

int rn__eff_memo_get(rn__eff *e, const char *id, int32_t *day)
{
    if (!e->memo)
        return 0;
    const eff_memo_slot *s = &e->memo[memo_slot(e->memo, e->memo_cap, id)];
    if (!s->id[0])
        return 0;
    *day = s->day;
    return 1;
}

void rn__eff_memo_put(rn__eff *e, const char *id, int32_t day)
{
    if (strlen(id) > RN_ID_LEN)
        return;
    if (2 * (e->memo_n + 1) > e->memo_cap) {
        size_t nc = e->memo_cap ? 2 * e->memo_cap : 1024;
        eff_memo_slot *nm = rn__calloc(nc, sizeof *nm);
        if (!nm)
            return; /* a memo that cannot grow only costs lookups again */
        for (size_t i = 0; i < e->memo_cap; i++)
            if (e->memo[i].id[0])
                nm[memo_slot(nm, nc, e->memo[i].id)] = e->memo[i];
        rn_free(e->memo);
        e->memo = nm;
        e->memo_cap = nc;
    }
    eff_memo_slot *s = &e->memo[memo_slot(e->memo, e->memo_cap, id)];
    if (!s->id[0]) {
        rn__cpy(s->id, sizeof s->id, id);
        e->memo_n++;
    }
    s->day = day;
}

const char *rn__col_text(sqlite3_stmt *st, int c)
{
    return (const char *)sqlite3_column_text(st, c);
}

rn_date rn__col_date(sqlite3_stmt *st, int c0)
{
    rn_date d = {RN_DAY_OPEN_LOW, RN_DAY_OPEN_HIGH, RN_PREC_NONE};
    const char *p = rn__col_text(st, c0 + 2);
    if (!p || rn_precision_from_name(p, strlen(p), &d.precision) != RN_OK) {
        d.precision = RN_PREC_NONE;
        return d;
    }
    if (sqlite3_column_type(st, c0) != SQLITE_NULL)
        d.earliest = (int32_t)sqlite3_column_int64(st, c0);
    if (sqlite3_column_type(st, c0 + 1) != SQLITE_NULL)
        d.latest = (int32_t)sqlite3_column_int64(st, c0 + 1);
    return d;
}

void rn__cpy(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

static void copy_country(char dst[3], const char *src)
{
    dst[0] = '\0';
    if (src && strlen(src) == 2) {
        dst[0] = src[0];
        dst[1] = src[1];
        dst[2] = '\0';
    }
}


static int same_date(const rn_date *a, const rn_date *b)
{
    return a->earliest == b->earliest && a->latest == b->latest;
}

/* D1-D2 over the item's date readings r[0..n) (best first; `total` is the
 * confidence of every reading, `more` the readings not held in r). */
static void take_readings(const eff_reading *r, size_t n, double total, int more,
                          rn__eff_val *v)
{
    double mass = 0, last = 0;
    size_t k = 0, distinct = 0;
    for (; k < n; k++) {
        int needed = k == 0 || mass < RN_READING_MASS * total - 1e-9;
        int tied = k > 0 && (r[k].conf >= last - 1e-9 ||
                             r[k].conf >= r[0].conf - RN_AMBIGUOUS_DELTA);
        if (!needed && !tied)
            break;
        mass += r[k].conf;
        last = r[k].conf;
        if (k == 0) {
            v->date = r[0].date;
            distinct = 1;
        } else {
            int seen = 0;
            for (size_t j = 0; j < k && !seen; j++)
                seen = same_date(&r[j].date, &r[k].date);
            if (!seen) {
                distinct++;
                v->date = rn_date_hull(&v->date, &r[k].date);
            }
        }
        if (v->nreadings < RN__READINGS_MAX) {
            rn__reading *o = &v->readings[v->nreadings];
            o->date = r[k].date;
            o->confidence = r[k].conf;
            rn__cpy(o->marking, sizeof o->marking, r[k].marking);
            rn__cpy(o->rule, sizeof o->rule, r[k].rule);
            rn__cpy(o->text, sizeof o->text, r[k].text);
        }
        v->nreadings++;
    }
    if (k == n && more && mass < RN_READING_MASS * total - 1e-9) {
        /* the mass is not reached within the readings held: say so by
         * leaving the hull open rather than narrowing it */
        v->date.earliest = RN_DAY_OPEN_LOW;
        v->date.latest = RN_DAY_OPEN_HIGH;
        distinct = 2;
    }
    v->ambiguous = distinct > 1;
}

rn_code rn__eff_get(rn__eff *e, const char *id, const char *field, const char *own_text,
                    const char *own_country, const rn_date *own_date, rn__eff_val *v,
                    rn_error *err)
{
    int is_date = strcmp(field, "production_date") == 0;
    int is_maker = strcmp(field, "manufacturer") == 0;
    memset(v, 0, sizeof *v);
    v->date.precision = RN_PREC_NONE;

    /* (1) the item's own field; a manufacturer known only by its country
     * counts (its name stays empty) */
    int own = is_date ? (own_date && own_date->precision != RN_PREC_NONE)
                      : ((own_text && *own_text) ||
                         (is_maker && own_country && strlen(own_country) == 2));
    if (own) {
        v->set = 1;
        if (is_date)
            v->date = *own_date;
        else
            rn__cpy(v->text, sizeof v->text, own_text);
        copy_country(v->country, own_country);
        snprintf(v->basis, sizeof v->basis, "item.%s",
                 is_date ? "produced"
                         : (is_maker && !(own_text && *own_text)) ? "manufacturer_country"
                                                                  : field);
        return RN_OK;
    }

    /* (2) the newest analyst claim */
    sqlite3_stmt *st = e->claim;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, field, -1, SQLITE_STATIC);
    int r = e->no_claims ? SQLITE_DONE : sqlite3_step(st);
    if (r == SQLITE_ROW) {
        rn_date d = rn__col_date(st, 2);
        const char *val = rn__col_text(st, 1);
        const char *ctry = rn__col_text(st, 5);
        if (is_date ? d.precision != RN_PREC_NONE : ((val && *val) || (ctry && *ctry))) {
            v->set = 1;
            v->date = d;
            /* a manufacturer claimed by country only has no name; other
             * fields (producing_state) may be given as a country */
            rn__cpy(v->text, sizeof v->text, (val && *val) ? val : is_maker ? "" : ctry);
            copy_country(v->country, ctry);
            snprintf(v->basis, sizeof v->basis, "claim %s", rn__col_text(st, 0));
            sqlite3_reset(st);
            return RN_OK;
        }
    } else if (r != SQLITE_DONE) {
        return rn__sql_err(e->db, err, "reading claims");
    }
    sqlite3_reset(st);

    /* (3) the decoder: the best candidate; for dates, D1-D2 */
    st = e->cand;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, field, -1, SQLITE_STATIC);
    eff_reading *rd = e->rbuf;
    size_t n = 0;
    int more = 0;
    double total = 0;
    rn_code rc = RN_OK;
    double best = 0;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (is_maker && v->set) {
            /* M1: the makers tied with the best one */
            double conf = sqlite3_column_double(st, 6);
            if (!rn__decoded_ties(best, conf))
                break;
            const char *val = rn__col_text(st, 1);
            int seen = 0;
            for (int k = 0; k < v->nties && !seen; k++)
                seen = !strcmp(v->ties[k].text, val ? val : "");
            if (!seen && v->nties < RN__TIES_MAX) {
                rn__tie *t = &v->ties[v->nties++];
                rn__cpy(t->text, sizeof t->text, val);
                copy_country(t->country, rn__col_text(st, 5));
                t->confidence = conf;
            }
            continue;
        }
        if (n == 0 && !v->set) {
            v->set = 1;
            rn__cpy(v->text, sizeof v->text, rn__col_text(st, 1));
            copy_country(v->country, rn__col_text(st, 5));
            snprintf(v->basis, sizeof v->basis, "marking %s rule %s", rn__col_text(st, 0),
                     rn__col_text(st, 7));
            if (is_maker) {
                best = sqlite3_column_double(st, 6);
                rn__tie *t = &v->ties[v->nties++];
                rn__cpy(t->text, sizeof t->text, v->text);
                copy_country(t->country, v->country);
                t->confidence = best;
                continue;
            }
            if (!is_date)
                break; /* the best candidate is the value */
        }
        rn_date d = rn__col_date(st, 2);
        if (d.precision == RN_PREC_NONE)
            continue;
        double conf = sqlite3_column_double(st, 6);
        total += conf > 0 ? conf : 0;
        if (n == EFF_READINGS_MAX) {
            more = 1;
            continue;
        }
        if (!rd && !(rd = e->rbuf = rn__malloc(EFF_READINGS_MAX * sizeof *rd))) {
            rc = rn__err(err, RN_ENOMEM, "out of memory");
            goto out;
        }
        eff_reading *x = &rd[n++];
        x->date = d;
        x->conf = conf > 0 ? conf : 0;
        rn__cpy(x->marking, sizeof x->marking, rn__col_text(st, 0));
        rn__cpy(x->rule, sizeof x->rule, rn__col_text(st, 7));
        rn__cpy(x->text, sizeof x->text, rn__col_text(st, 8));
    }
    if (r != SQLITE_DONE && r != SQLITE_ROW) {
        rc = rn__sql_err(e->db, err, "reading decoder candidates");
        goto out;
    }
    if (is_maker) {
        if (v->nties > 1) {
            v->ambiguous = 1;
            size_t bl = strlen(v->basis);
            snprintf(v->basis + bl, sizeof v->basis - bl,
                     " (ambiguous: %d makers tied within %.2f)", v->nties, RN_DECODE_TIE_MARGIN);
        } else {
            v->nties = 0;
        }
    } else if (is_date && n) {
        take_readings(rd, n, total, more, v);
        if (v->ambiguous) {
            size_t bl = strlen(v->basis);
            snprintf(v->basis + bl, sizeof v->basis - bl,
                     " (ambiguous: %d readings taken; their hull is used)", v->nreadings);
        }
    } else if (is_date) {
        v->set = 0; /* date candidates without a date: none */
        v->basis[0] = '\0';
    }
out:
    sqlite3_reset(st);
    return rc;
}

json_t *rn__json_readings(const rn__eff_val *v)
{
    if (!v->ambiguous || !v->nreadings)
        return NULL;
    json_t *a = json_array();
    int n = v->nreadings < RN__READINGS_MAX ? v->nreadings : RN__READINGS_MAX;
    for (int i = 0; i < n; i++) {
        const rn__reading *x = &v->readings[i];
        json_t *o = json_object();
        rn__jset(o, "date", rn__json_date(&x->date));
        rn__jset(o, "confidence", json_real(x->confidence));
        rn__jset(o, "marking", json_string(x->marking));
        rn__jset(o, "marking_text", rn__jstr(x->text));
        rn__jset(o, "rule", json_string(x->rule));
        json_array_append_new(a, o);
    }
    return a;
}

json_t *rn__json_ties(const rn__eff_val *v)
{
    if (!v->ambiguous || v->nties < 2)
        return NULL;
    json_t *a = json_array();
    for (int i = 0; i < v->nties; i++) {
        json_t *o = json_object();
        rn__jset(o, "manufacturer", json_string(v->ties[i].text));
        rn__jset(o, "country", v->ties[i].country[0] ? json_string(v->ties[i].country) : NULL);
        rn__jset(o, "confidence", json_real(v->ties[i].confidence));
        json_array_append_new(a, o);
    }
    return a;
}

/* ---- JSON helpers ------------------------------------------------------- */

json_t *rn__jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

void rn__jset(json_t *o, const char *k, json_t *v)
{
    json_object_set_new(o, k, v ? v : json_null());
}

static json_t *json_day(int32_t day)
{
    if (day == RN_DAY_OPEN_LOW || day == RN_DAY_OPEN_HIGH)
        return json_null();
    char b[11];
    rn_day_format(day, b);
    return json_string(b);
}

json_t *rn__json_date(const rn_date *d)
{
    if (d->precision == RN_PREC_NONE)
        return json_null();
    char t[RN_DATE_TEXT_MAX];
    rn_date_format(d, t, sizeof t);
    json_t *o = json_object();
    rn__jset(o, "text", json_string(t));
    rn__jset(o, "earliest", json_day(d->earliest));
    rn__jset(o, "latest", json_day(d->latest));
    rn__jset(o, "precision", json_string(rn_precision_name(d->precision)));
    return o;
}

json_t *rn__json_span(int64_t min, int64_t max)
{
    json_t *a = json_array();
    json_array_append_new(a, min == INT64_MIN ? json_null() : json_integer(min));
    json_array_append_new(a, max == INT64_MAX ? json_null() : json_integer(max));
    return a;
}

rn_code rn__json_finish(json_t *root, char **out, size_t *len, rn_error *err)
{
    char *s = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (!s)
        return rn__err(err, RN_ENOMEM, "out of memory while writing the result");
    size_t n = strlen(s);
    char *c = rn__strndup(s, n);
    free(s);
    if (!c)
        return rn__err(err, RN_ENOMEM, "out of memory while writing the result");
    *out = c;
    if (len)
        *len = n;
    return RN_OK;
}

void rn__bind_opt(sqlite3_stmt *st, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}
