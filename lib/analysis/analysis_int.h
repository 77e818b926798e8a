/* SPDX-License-Identifier: Apache-2.0
 *
 * analysis_int.h — what the analysis modules share: effective values of an
 * item (effective.c), dates read from SQL columns, and JSON building.
 * Private to lib/analysis. */
#ifndef REMNANT_ANALYSIS_INT_H
#define REMNANT_ANALYSIS_INT_H

#include <jansson.h>
#include <sqlite3.h>

#include "remnant/analysis.h"
#include "store/store_int.h"

/* One effective value and where it came from (see analysis.h). */
#define RN__BASIS_MAX 200
typedef struct rn__eff_val {
    int set;                  /* 0: no value from any source */
    char text[512];           /* manufacturer, system, state ... ("" for dates) */
    char country[3];          /* country, when the source gives one */
    rn_date date;             /* production date (field "production_date") */
    int ambiguous;            /* decoder readings tied and disagreed: hull */
    char basis[RN__BASIS_MAX];/* "item.produced", "claim <id>", "marking <id> rule <r>" */
} rn__eff_val;

typedef struct rn__eff rn__eff;

/* Prepared lookups on db; the caller keeps db open longer than *out. */
rn_code rn__eff_open(sqlite3 *db, rn__eff **out, rn_error *err);
void rn__eff_close(rn__eff *e);

/* The effective value of `field` (production_date, manufacturer,
 * producing_state, weapon_system) of item `id`. own_text / own_country /
 * own_date: the item's own field (NULL / NULL / precision NONE if unset),
 * which wins when set. OUT: *v. */
rn_code rn__eff_get(rn__eff *e, const char *id, const char *field, const char *own_text,
                    const char *own_country, const rn_date *own_date, rn__eff_val *v,
                    rn_error *err);

/* The date in columns c0 (earliest), c0+1 (latest), c0+2 (precision). */
rn_date rn__col_date(sqlite3_stmt *st, int c0);
/* Text column or NULL. */
const char *rn__col_text(sqlite3_stmt *st, int c);
/* Bind v as text to parameter i, or NULL when v is NULL or empty (an
 * unset filter). */
void rn__bind_opt(sqlite3_stmt *st, int i, const char *v);

/* An rn_code for a SQLite failure, with its message. */
rn_code rn__sql_err(sqlite3 *db, rn_error *err, const char *what);

/* The store's SQLite connection, or RN_EINVAL for other backends. */
rn_code rn__analysis_db(rn_store *s, sqlite3 **out, rn_error *err);

/* JSON helpers: a date as {"text","earliest","latest","precision"}
 * (ISO days; null for open ends); a [min,max] span (null = open). */
json_t *rn__json_date(const rn_date *d);
json_t *rn__json_span(int64_t min, int64_t max);
/* Serialize root (consumed) into out and len. */
rn_code rn__json_finish(json_t *root, char **out, size_t *len, rn_error *err);
/* json_object_set_new that tolerates a NULL value (becomes null). */
void rn__jset(json_t *o, const char *k, json_t *v);
json_t *rn__jstr(const char *s); /* NULL -> null */
/* Copy src into dst[cap], truncated, NUL-terminated. */
void rn__cpy(char *dst, size_t cap, const char *src);

#endif
