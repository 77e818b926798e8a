/* SPDX-License-Identifier: Apache-2.0
 *
 * model.h — the concepts of Remnant: date intervals, record ids, record types
 * and their fields, and records themselves.
 *
 * Date intervals. Every date is {earliest, latest, precision}: the whole days
 * from `earliest` to `latest` inclusive, counted as days since 1970-01-01
 * (proleptic Gregorian). `precision` says the unit the interval is made of;
 * earliest is always the first day of a unit and latest the last day of one
 * (a week runs Monday to Sunday, ISO 8601). An open end is RN_DAY_OPEN_LOW or
 * RN_DAY_OPEN_HIGH. The text form, used in CSV and on the command line:
 *   2024            a year            2024-07     a month
 *   2024-W12        an ISO week       2024-07-02  a day
 *   2024-07/2024-08 a range of units (both ends the same precision)
 *   ../2024         open start        2024/..     open end
 *
 * Ownership: rn_record_* functions never take ownership of their inputs;
 * strings returned by rn_record_get() belong to the record and live until the
 * field is set again or the record is freed.
 */
#ifndef REMNANT_MODEL_H
#define REMNANT_MODEL_H

#include "remnant.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- date intervals ---------------------------------------------------- */

typedef enum rn_precision {
    RN_PREC_NONE = 0, /* no date */
    RN_PREC_DAY,
    RN_PREC_WEEK,
    RN_PREC_MONTH,
    RN_PREC_YEAR
} rn_precision;

#define RN_DAY_OPEN_LOW INT32_MIN
#define RN_DAY_OPEN_HIGH INT32_MAX
#define RN_DATE_TEXT_MAX 40 /* longest text form, with its NUL */
#define RN_YEAR_MIN 1000
#define RN_YEAR_MAX 2999

typedef struct rn_date {
    int32_t earliest;       /* day number, or RN_DAY_OPEN_LOW */
    int32_t latest;         /* day number, or RN_DAY_OPEN_HIGH */
    rn_precision precision; /* RN_PREC_NONE: no date at all */
} rn_date;

/* Day numbers. rn_day_from_ymd fails with RN_EINPUT on an impossible date. */
RN_NODISCARD rn_code rn_day_from_ymd(int y, int m, int d, int32_t *out);
void rn_day_to_ymd(int32_t day, int *y, int *m, int *d);
/* ISO weekday, 1 = Monday .. 7 = Sunday. */
int rn_day_weekday(int32_t day);
/* "YYYY-MM-DD" into buf (at least 11 bytes); open ends print "..". */
void rn_day_format(int32_t day, char buf[11]);

/* Number of ISO weeks (52 or 53) in ISO week-year y. */
int rn_isoweek_count(int y);

/* Constructors; each validates and fails with RN_EINPUT on an impossible
 * year, month, week (e.g. week 53 of a 52-week year) or day. */
RN_NODISCARD rn_code rn_date_year(int y, rn_date *out);
RN_NODISCARD rn_code rn_date_month(int y, int m, rn_date *out);
RN_NODISCARD rn_code rn_date_isoweek(int y, int w, rn_date *out);
RN_NODISCARD rn_code rn_date_day(int y, int m, int d, rn_date *out);
/* The smallest interval of precision `p` covering both a and b. */
rn_date rn_date_hull(const rn_date *a, const rn_date *b);

/* Parse the text form (len bytes, not NUL-terminated). Empty text gives
 * precision RN_PREC_NONE. On failure err->message says what was expected. */
RN_NODISCARD rn_code rn_date_parse(const char *s, size_t len, rn_date *out,
                                   rn_error *err);
/* Format the text form into buf (RN_DATE_TEXT_MAX bytes). Returns length. */
size_t rn_date_format(const rn_date *d, char *buf, size_t cap);
/* Check that earliest/latest are aligned to the precision's units. */
RN_NODISCARD rn_code rn_date_check(const rn_date *d);
/* Precision names: "day", "week", "month", "year" ("" for none). */
const char *rn_precision_name(rn_precision p);
RN_NODISCARD rn_code rn_precision_from_name(const char *s, size_t len,
                                            rn_precision *out);

/* The span in days from a to b, as a [min, max] that keeps both intervals'
 * uncertainty: min = b.earliest - a.latest, max = b.latest - a.earliest.
 * Returns RN_EINPUT if either date is missing; an open end makes the
 * corresponding bound INT64_MIN / INT64_MAX. */
RN_NODISCARD rn_code rn_date_span(const rn_date *a, const rn_date *b,
                                  int64_t *min, int64_t *max);

/* Today (UTC) as a day number. */
int32_t rn_day_today(void);

/* ---- record ids -------------------------------------------------------- */

/* Ids are ULIDs: 26 characters of Crockford base32, sortable by creation
 * time, globally unique without coordination, so field databases merge. */
#define RN_ID_LEN 26
RN_NODISCARD rn_code rn_id_new(char out[RN_ID_LEN + 1]);
/* Deterministic form for generators and tests: 48-bit milliseconds and 80
 * bits of caller-chosen randomness. */
void rn_id_make(uint64_t ms, const uint8_t rnd[10], char out[RN_ID_LEN + 1]);
/* 1 if s[0..len) is a well-formed id (upper-case canonical form). */
int rn_id_valid(const char *s, size_t len);

/* ---- record types and fields -------------------------------------------- */

typedef enum rn_type {
    RN_T_EVENT = 0,  /* documentation event */
    RN_T_ITEM,       /* weapon, section, board, component, ... */
    RN_T_MARKING,    /* a marking as transcribed */
    RN_T_ATTACHMENT, /* a content-addressed blob's metadata */
    RN_T_ENTITY,     /* state, company, other actor */
    RN_T_TRANSFER,   /* supplier -> recipient */
    RN_T_TRACE,      /* trace request */
    RN_T_FINDING,    /* a statement with evidence */
    RN_T_SANCTION,   /* sanctions measure */
    RN_T_CUSTODY,    /* chain-of-custody event */
    RN_T_CLAIM,      /* an analyst's reading that overrides the decoder's */
    RN_T_COUNT
} rn_type;

typedef enum rn_kind {
    RN_F_TEXT = 0, /* free text, up to `max` bytes */
    RN_F_INT,      /* 64-bit integer */
    RN_F_REAL,     /* finite double within [min, max] */
    RN_F_DATE,     /* date interval (text form or object in JSON) */
    RN_F_REF,      /* id of a record of type `ref` */
    RN_F_REFLIST,  /* list of ids of records of any type */
    RN_F_ENUM,     /* one of `values` */
    RN_F_LIST,     /* list of short texts */
    RN_F_COUNTRY,  /* ISO 3166-1 alpha-2, upper case */
    RN_F_SHA256    /* 64 lower-case hex digits */
} rn_kind;

#define RN_FIELD_REQUIRED 1u  /* must be present on create */
#define RN_FIELD_SENSITIVE 2u /* never shown to the public */
#define RN_FIELD_SEARCH 4u    /* indexed for `remnant search` */
#define RN_FIELD_IMMUTABLE 8u /* cannot change after create */
#define RN_FIELD_COARSE 16u   /* public only coarsened (lat/lon to the public grid) */

typedef struct rn_field {
    const char *name;
    rn_kind kind;
    unsigned flags;
    rn_type ref;                /* RN_F_REF: the referenced type */
    const char *const *values;  /* RN_F_ENUM: NULL-terminated list */
    size_t max;                 /* RN_F_TEXT / RN_F_LIST: max bytes */
    double min_real, max_real;  /* RN_F_REAL bounds */
    const char *help;           /* one line for --help and docs */
} rn_field;

const char *rn_type_name(rn_type t);  /* "event", "item", ... */
const char *rn_type_help(rn_type t);
RN_NODISCARD rn_code rn_type_from_name(const char *s, rn_type *out);
/* The fields of a type, not counting the id, in canonical order. */
const rn_field *rn_type_fields(rn_type t, size_t *n);
/* Index of field `name` in rn_type_fields(t), or -1. */
int rn_type_field_index(rn_type t, const char *name, size_t len);

/* ---- records ----------------------------------------------------------- */

typedef struct rn_record rn_record;

RN_NODISCARD rn_record *rn_record_new(rn_type t);
void rn_record_free(rn_record *r);
/* Clear every field and the id, keep the type (reuse in hot loops). */
void rn_record_reset(rn_record *r);
rn_type rn_record_type(const rn_record *r);
/* The id, or "" when none is set yet. */
const char *rn_record_id(const rn_record *r);
RN_NODISCARD rn_code rn_record_set_id(rn_record *r, const char *id, size_t len,
                                      rn_error *err);

/* Set field `name` from its text form (dates in text form, lists as
 * ';'-separated items, numbers as decimal). The value is validated and
 * normalized; on failure err names the field and says what is expected.
 * value NULL clears the field. */
RN_NODISCARD rn_code rn_record_set(rn_record *r, const char *name,
                                   const char *value, size_t len, rn_error *err);
/* Same, by field index. */
RN_NODISCARD rn_code rn_record_set_at(rn_record *r, int idx, const char *value,
                                      size_t len, rn_error *err);
/* The normalized text form of a field (NUL-terminated; *len, if len is not
 * NULL, gets its length), or NULL when unset. For RN_F_LIST and RN_F_REFLIST
 * the text form is the canonical JSON array. */
const char *rn_record_get(const rn_record *r, const char *name, size_t *len);
const char *rn_record_get_at(const rn_record *r, int idx, size_t *len);
/* The parsed date of a RN_F_DATE field (precision NONE when unset). */
rn_date rn_record_date_at(const rn_record *r, int idx);
/* Check the required fields are present. */
RN_NODISCARD rn_code rn_record_check(const rn_record *r, rn_error *err);

#define RN_JSON_CANONICAL 1u /* sorted keys, no spaces: the logged bytes */
#define RN_JSON_PUBLIC 2u    /* omit RN_FIELD_SENSITIVE fields */
#define RN_JSON_PRETTY 4u    /* indented, for people */
/* Serialize as one JSON object {"type":..,"id":..,fields...}; unset fields
 * are omitted. Dates become {"earliest","latest","precision"}. *out is
 * NUL-terminated and owned by the caller (rn_free). */
RN_NODISCARD rn_code rn_record_to_json(const rn_record *r, unsigned flags,
                                       char **out, size_t *len);
/* Parse one JSON object (the form rn_record_to_json writes, with dates as
 * objects or text) into a new record. Unknown fields are an error. */
RN_NODISCARD rn_code rn_record_from_json(const char *s, size_t len,
                                         rn_record **out, rn_error *err);

#ifdef __cplusplus
}
#endif
#endif
