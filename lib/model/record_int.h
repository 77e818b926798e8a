/* SPDX-License-Identifier: Apache-2.0
 *
 * record_int.h — the inside of rn_record and the type table, for the model
 * and the store. Not part of the public API. */
#ifndef REMNANT_RECORD_INT_H
#define REMNANT_RECORD_INT_H

#include "internal.h"
#include "remnant/model.h"

#define RN__MAX_FIELDS 16
#define RN__RECORD_MAX (1u << 20) /* bytes of field text in one record */

struct rn__type_desc {
    const char *name;
    const rn_field *fields;
    size_t nfields;
    const char *help;
};
extern const struct rn__type_desc rn__types[RN_T_COUNT];

/* A field's value lives in the record's arena at [off, off+len). */
struct rn__slot {
    uint32_t off, len;
    uint8_t set;
};

struct rn_record {
    rn_type type;
    char id[RN_ID_LEN + 1];
    struct rn__slot slot[RN__MAX_FIELDS];
    rn_date date[RN__MAX_FIELDS];
    char *arena;
    size_t used, cap;
};

/* A copy of r with its own arena (slots are offsets, so they carry over);
 * NULL when out of memory. */
rn_record *rn__record_clone(const rn_record *r);

/* Append r's JSON form (flags as rn_record_to_json) to b. */
rn_code rn__record_json(const rn_record *r, unsigned flags, rn_buf *b);

/* Store an already-normalized value (read back from the store) without
 * validating it again. For RN_F_DATE, `date` is the parsed interval and
 * value its text form. */
rn_code rn__record_set_raw(rn_record *r, int idx, const char *value, size_t len,
                           const rn_date *date);

/* A reusable JSON record reader for hot loops (import): holds a scratch
 * buffer and one record per type, reset on each call. */
typedef struct rn__jreader rn__jreader;
rn__jreader *rn__jreader_new(void);
void rn__jreader_free(rn__jreader *jr);
/* Parse one JSON object into a record owned by the reader (valid until the
 * next call). `default_type` < 0: the object must say its "type". */
rn_code rn__jreader_read(rn__jreader *jr, const char *s, size_t len, int default_type,
                         rn_record **out, rn_error *err);

#endif
