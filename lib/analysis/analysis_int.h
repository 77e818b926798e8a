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
#include "store/decoded.h"
#include "store/store_int.h"

/* One decoder reading kept beside an effective date: the effective date is
 * the hull of the readings taken (effective.c, rule D1-D3), and each one is
 * listed so that no analysis shows a hull as if it were one reading. */
#define RN__READINGS_MAX 8
typedef struct rn__reading {
    rn_date date;
    double confidence;
    char marking[RN_ID_LEN + 1];
    char rule[64];
    char text[80];            /* the marking as transcribed, e.g. "2?15" */
} rn__reading;

/* One of the decoder's tied manufacturers behind an ambiguous effective
 * manufacturer (effective.c M1): listed so that no analysis counts a tie as
 * a decided maker. */
#define RN__TIES_MAX 4
typedef struct rn__tie {
    char text[201];
    char country[3];
    double confidence;
} rn__tie;

/* One effective value and where it came from (see analysis.h). */
#define RN__BASIS_MAX 200
typedef struct rn__eff_val {
    int set;                  /* 0: no value from any source */
    char text[512];           /* manufacturer, system, state ... ("" for dates, and for a
                                 manufacturer known only by its country) */
    char country[3];          /* country, when the source gives one */
    rn_date date;             /* production date (field "production_date") */
    int ambiguous;            /* dates: more than one distinct decoder reading taken: hull;
                                 manufacturer: two or more decoder makers tied (ties[]) */
    int nreadings;            /* decoder readings taken (dates), listed up to
                                 RN__READINGS_MAX in readings[] */
    rn__reading readings[RN__READINGS_MAX];
    int nties;                /* manufacturer: tied makers, best first, in ties[] */
    rn__tie ties[RN__TIES_MAX];
    char basis[RN__BASIS_MAX];/* "item.produced", "claim <id>", "marking <id> rule <r>" */
} rn__eff_val;

typedef struct rn__eff rn__eff;

/* Prepared lookups on db; the caller keeps db open longer than *out. */
rn_code rn__eff_open(sqlite3 *db, rn__eff **out, rn_error *err);
void rn__eff_close(rn__eff *e);
sqlite3 *rn__eff_db(rn__eff *e); /* the connection e reads */
/* A statement for `sql` (a string with static storage: it is the cache
 * key) prepared once on e's connection and kept until rn__eff_close, reset
 * and unbound. NULL when it does not prepare or the cache is full. */
#define RN__EFF_STMTS 4
sqlite3_stmt *rn__eff_stmt(rn__eff *e, const char *sql);
/* A memo of one day number per item id for the life of e (assembly.c keeps
 * each component's earliest production day, so a part met again under
 * another ancestor is not looked up again). get: 1 and *day when known. */
int rn__eff_memo_get(rn__eff *e, const char *id, int32_t *day);
void rn__eff_memo_put(rn__eff *e, const char *id, int32_t day);

/* The effective value of `field` (production_date, manufacturer,
 * producing_state, weapon_system) of item `id`. own_text / own_country /
 * own_date: the item's own field (NULL / NULL / precision NONE if unset),
 * which wins when set. OUT: *v. */
rn_code rn__eff_get(rn__eff *e, const char *id, const char *field, const char *own_text,
                    const char *own_country, const rn_date *own_date, rn__eff_val *v,
                    rn_error *err);

/* The readings behind an ambiguous effective date as a JSON array of
 * {"date", "confidence", "marking", "marking_text", "rule"}; NULL (JSON null)
 * when the date rests on one reading or is not the decoder's. */
json_t *rn__json_readings(const rn__eff_val *v);
/* The tied makers behind an ambiguous manufacturer as a JSON array of
 * {manufacturer, country, confidence}; NULL when it is not ambiguous. */
json_t *rn__json_ties(const rn__eff_val *v);

/* decoded_notes.c: the decoder's plausibility flags and export category
 * stored with an item's markings. prepare once per analysis (finalize the
 * statement); rn__decoded_notes sets "plausibility" (an array, empty when
 * nothing is flagged) and "export_category" (an object, or null) on o, and
 * when cap > 0 copies the first flag's rule into flagged and the category's
 * value into category (each cap bytes; "" when none). */
rn_code rn__decoded_notes_prepare(sqlite3 *db, sqlite3_stmt **st, rn_error *err);
/* Set "explanation" on o for the stored candidate whose RN__DECODED_COLS
 * are st's from column `col` on (rn__decoded_explain): its text, or null;
 * when it should have one and the decoder cannot give it, also
 * "explanation_unavailable": why. */
void rn__set_explanation(json_t *o, rn__decoded *dd, sqlite3_stmt *st, int col);
rn_code rn__decoded_notes(rn_store *s, sqlite3_stmt *st, const char *item, json_t *o,
                          char *flagged, char *category, size_t cap, rn_error *err);

/* SQL: the value of column `col` on the item aliased `a` or, when it has
 * none, on its nearest ancestor that has one (parent chain, at most 64
 * levels). `a` must be a table alias of `item` in the enclosing query.
 * Evaluated only for items without their own value (coalesce is lazy). */
#define RN__SQL_INHERIT(a, col)                                                              \
    "coalesce(" a "." col ", (WITH RECURSIVE up(id, v, par, d) AS (SELECT " a ".id, NULL, " \
    a ".parent, 0 UNION ALL SELECT p.id, p." col ", p.parent, up.d + 1 FROM up JOIN item p " \
    "ON p.id = up.par WHERE up.v IS NULL AND up.d < 64) SELECT v FROM up WHERE v IS NOT "    \
    "NULL LIMIT 1))"
/* SQL: the id of the ancestor whose `col` RN__SQL_INHERIT took, NULL when
 * the item has its own value (or none is found). */
#define RN__SQL_INHERITED_FROM(a, col)                                                       \
    "CASE WHEN " a "." col " IS NULL THEN (WITH RECURSIVE up(id, v, par, d) AS (SELECT " a  \
    ".id, NULL, " a ".parent, 0 UNION ALL SELECT p.id, p." col ", p.parent, up.d + 1 FROM "  \
    "up JOIN item p ON p.id = up.par WHERE up.v IS NULL AND up.d < 64) SELECT id FROM up "   \
    "WHERE v IS NOT NULL LIMIT 1) END"

/* The earliest possible assembly of item `id`: the largest `earliest` over
 * the effective production dates of its descendants of kind `component` (no
 * item is assembled before its parts are made). OUT: *found (0: no dated
 * component), *day, the component's id, its production date and basis. */
typedef struct rn__assembly {
    int found;
    int32_t day;
    char component[RN_ID_LEN + 1];
    rn_date produced;
    int ambiguous;
    char basis[RN__BASIS_MAX];
} rn__assembly;
/* Fold one component's effective production date into *a. */
void rn__assembly_add(rn__assembly *a, const char *component, const rn__eff_val *pd);
/* *a for item `id` from its component descendants (one recursive query). */
rn_code rn__assembly_of(rn__eff *e, const char *id, rn__assembly *a, rn_error *err);
/* {"date", "component", "component_produced", "basis", "words"}; NULL when
 * !a->found. */
json_t *rn__json_assembly(const rn__assembly *a);

/* Manufacturer grouping (makers.c): the company a spelling belongs to. */
typedef struct rn__maker_groups rn__maker_groups;
rn_code rn__maker_groups_new(rn__maker_groups **out, rn_error *err);
void rn__maker_groups_free(rn__maker_groups *g);
/* Count one component made by `spelling` (country may be ""). */
rn_code rn__maker_groups_add(rn__maker_groups *g, const char *spelling, const char *country,
                             const char *item, long limit, rn_error *err);
/* The by_manufacturer table: one row per company, its spellings under it,
 * sorted by count; share over `denom` (0: null). */
json_t *rn__maker_groups_json(rn__maker_groups *g, uint64_t denom);
/* A maker that is only one of the tied candidates of an ambiguous decoding
 * (makers.c G4): counted as "possible", never in a share. */
rn_code rn__maker_groups_add_possible(rn__maker_groups *g, const char *spelling,
                                      const char *item, long limit, rn_error *err);
/* The company key of a spelling: "entity:<id>" from the decoder's maker
 * entities (makers.c G2; brand[bcap] gets the brand a parent owns, may be
 * NULL) else "n:" + the normalized key (G1); "" for an empty spelling.
 * Returns 1 when the decoder's entities answered. OUT: key[cap]. */
int rn__maker_company_key(const char *spelling, char *key, size_t cap, char *brand,
                          size_t bcap);
/* The normalized key of a spelling, ignoring case, punctuation and legal
 * suffixes (Inc., Corp., Ltd., GmbH, AG, S.A., LLC, plc ...). strict: keep
 * the descriptor words (Semiconductor(s), Technology, Electronics ...);
 * else drop them too. OUT: key[cap]. */
void rn__maker_key(const char *spelling, int strict, char *key, size_t cap);

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
