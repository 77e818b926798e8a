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
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_int.h"

struct rn__eff {
    sqlite3 *db;
    sqlite3_stmt *claim; /* newest claim for (item, field) */
    sqlite3_stmt *cand;  /* candidates for (item, field), best first */
};

static const char claim_sql[] =
    "SELECT id, value, date_earliest, date_latest, date_precision, country "
    "FROM claim WHERE item = ?1 AND field = ?2 ORDER BY id DESC LIMIT 1";
static const char cand_sql[] =
    "SELECT c.marking, c.value, c.earliest, c.latest, c.precision, c.country, c.confidence, "
    "c.rule FROM marking m JOIN candidate c ON c.marking = m.id "
    "WHERE m.item = ?1 AND c.field = ?2 ORDER BY c.confidence DESC, c.marking, c.rank "
    "LIMIT 8";

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
    *out = e;
    return RN_OK;
}

void rn__eff_close(rn__eff *e)
{
    if (!e)
        return;
    sqlite3_finalize(e->claim);
    sqlite3_finalize(e->cand);
    rn_free(e);
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

rn_code rn__eff_get(rn__eff *e, const char *id, const char *field, const char *own_text,
                    const char *own_country, const rn_date *own_date, rn__eff_val *v,
                    rn_error *err)
{
    int is_date = strcmp(field, "production_date") == 0;
    memset(v, 0, sizeof *v);
    v->date.precision = RN_PREC_NONE;

    /* (1) the item's own field */
    if (is_date ? (own_date && own_date->precision != RN_PREC_NONE) : (own_text && *own_text)) {
        v->set = 1;
        if (is_date)
            v->date = *own_date;
        else
            rn__cpy(v->text, sizeof v->text, own_text);
        copy_country(v->country, own_country);
        snprintf(v->basis, sizeof v->basis, "item.%s",
                 is_date ? "produced" : field);
        return RN_OK;
    }

    /* (2) the newest analyst claim */
    sqlite3_stmt *st = e->claim;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, field, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        rn_date d = rn__col_date(st, 2);
        const char *val = rn__col_text(st, 1);
        const char *ctry = rn__col_text(st, 5);
        if (is_date ? d.precision != RN_PREC_NONE : ((val && *val) || (ctry && *ctry))) {
            v->set = 1;
            v->date = d;
            rn__cpy(v->text, sizeof v->text, val ? val : ctry);
            copy_country(v->country, ctry);
            snprintf(v->basis, sizeof v->basis, "claim %s", rn__col_text(st, 0));
            sqlite3_reset(st);
            return RN_OK;
        }
    } else if (r != SQLITE_DONE) {
        return rn__sql_err(e->db, err, "reading claims");
    }
    sqlite3_reset(st);

    /* (3) the decoder's best candidate; ties that disagree widen the date */
    st = e->cand;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, field, -1, SQLITE_STATIC);
    double best = 0;
    int n = 0, readings = 0;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        double conf = sqlite3_column_double(st, 6);
        rn_date d = rn__col_date(st, 2);
        if (n == 0) {
            best = conf;
            v->set = 1;
            v->date = d;
            rn__cpy(v->text, sizeof v->text, rn__col_text(st, 1));
            copy_country(v->country, rn__col_text(st, 5));
            snprintf(v->basis, sizeof v->basis, "marking %s rule %s", rn__col_text(st, 0),
                     rn__col_text(st, 7));
            readings = 1;
        } else if (is_date && d.precision != RN_PREC_NONE && conf >= best - RN_AMBIGUOUS_DELTA &&
                   !same_date(&d, &v->date)) {
            v->date = rn_date_hull(&v->date, &d);
            v->ambiguous = 1;
            readings++;
        }
        n++;
    }
    sqlite3_reset(st);
    if (r != SQLITE_DONE)
        return rn__sql_err(e->db, err, "reading decoder candidates");
    if (v->ambiguous) {
        size_t bl = strlen(v->basis);
        snprintf(v->basis + bl, sizeof v->basis - bl,
                 " (ambiguous: %d readings of similar confidence; their hull is used)",
                 readings);
    }
    return RN_OK;
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
