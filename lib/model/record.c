/* SPDX-License-Identifier: Apache-2.0
 *
 * record.c — records: a type, an id and typed field values, each validated
 * and normalized to one text form when set, so that two records holding the
 * same facts hold the same bytes. Serialization to JSON (plain, canonical,
 * public) lives here too; parsing JSON is json_read.c.
 *
 * Field values live in one arena per record. Slots store offsets, not
 * pointers, because the arena moves when it grows; a value set twice leaves
 * its old bytes behind until rn_record_reset() (records are short-lived).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "model/record_int.h"

rn_record *rn_record_new(rn_type t)
{
    if ((unsigned)t >= RN_T_COUNT)
        return NULL;
    rn_record *r = rn__calloc(1, sizeof *r);
    if (r)
        r->type = t;
    return r;
}

void rn_record_free(rn_record *r)
{
    if (!r)
        return;
    free(r->arena);
    free(r);
}

rn_record *rn__record_clone(const rn_record *r)
{
    rn_record *c = rn__malloc(sizeof *c);
    if (!c)
        return NULL;
    *c = *r;
    c->arena = NULL;
    c->cap = r->used;
    if (r->used && !(c->arena = rn__malloc(r->used))) {
        free(c);
        return NULL;
    }
    if (r->used)
        memcpy(c->arena, r->arena, r->used);
    return c;
}

void rn_record_reset(rn_record *r)
{
    r->id[0] = '\0';
    memset(r->slot, 0, sizeof r->slot);
    memset(r->date, 0, sizeof r->date);
    r->used = 0;
}

rn_type rn_record_type(const rn_record *r) { return r->type; }

const char *rn_record_id(const rn_record *r) { return r->id; }

rn_code rn_record_set_id(rn_record *r, const char *id, size_t len, rn_error *err)
{
    char up[RN_ID_LEN + 1];
    if (len == RN_ID_LEN) {
        for (size_t i = 0; i < len; i++)
            up[i] = (char)toupper((unsigned char)id[i]);
        up[len] = '\0';
    }
    if (len != RN_ID_LEN || !rn_id_valid(up, len))
        return rn__err_field(err, RN_EINPUT, "id",
                             "'%.*s' is not a record id (26 characters of Crockford "
                             "base32, as `remnant add` prints)", (int)(len > 40 ? 40 : len), id);
    memcpy(r->id, up, RN_ID_LEN + 1);
    return RN_OK;
}

/* Append n bytes and a NUL to the arena (values are C strings too);
 * *off receives where. */
static rn_code arena_add(rn_record *r, const char *s, size_t n, uint32_t *off)
{
    if (r->used + n + 1 > RN__RECORD_MAX)
        return RN_ELIMIT;
    if (r->used + n + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 256;
        while (cap < r->used + n + 1)
            cap *= 2;
        char *p = rn__realloc(r->arena, cap);
        if (!p)
            return RN_ENOMEM;
        r->arena = p;
        r->cap = cap;
    }
    if (n)
        memcpy(r->arena + r->used, s, n);
    r->arena[r->used + n] = '\0';
    *off = (uint32_t)r->used;
    r->used += n + 1;
    return RN_OK;
}

/* 1 if s[0..n) is well-formed UTF-8 without NUL bytes. */
static int utf8_ok(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *e = p + n;
    while (p < e) {
        unsigned c = *p;
        if (c == 0)
            return 0;
        if (c < 0x80) {
            p++;
            continue;
        }
        int k;
        unsigned min;
        if ((c & 0xe0) == 0xc0) k = 1, min = 0x80, c &= 0x1f;
        else if ((c & 0xf0) == 0xe0) k = 2, min = 0x800, c &= 0x0f;
        else if ((c & 0xf8) == 0xf0) k = 3, min = 0x10000, c &= 0x07;
        else return 0;
        if (e - p <= k)
            return 0;
        for (int i = 1; i <= k; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return 0;
            c = (c << 6) | (p[i] & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
            return 0;
        p += k + 1;
    }
    return 1;
}

/* Control characters in text (decided per field kind; see
 * rn_record_set_at): the offset of the first one that `multiline` text may
 * not hold, or -1. Line breaks and tabs are allowed only in multi-line text;
 * every other C0 control, DEL and the C1 controls (U+0080..U+009F) never.
 * s is valid UTF-8. */
static long control_at(const char *s, size_t n, int multiline)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 && !(multiline && (c == '\n' || c == '\t' || c == '\r')))
            return (long)i;
        if (c == 0x7f || (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
                          (unsigned char)s[i + 1] <= 0x9f))
            return (long)i;
    }
    return -1;
}

/* Text fields that may span lines: the long ones (notes, context, a
 * marking's transcription, a finding's statement ...); names, places,
 * serials and the other short fields are one line. */
#define RN__MULTILINE_MIN 1000

/* Shortest decimal that reads back as the same double. */
static size_t format_real(double v, char *buf, size_t cap)
{
    /* the shortest of plain decimals and %g: %g alone writes 50 as 5e+01 */
    char fixed[64] = "";
    int nf = 0;
    if (fabs(v) < 1e15) {
        for (int dec = 0; dec <= 17 && !nf; dec++) {
            int n = snprintf(fixed, sizeof fixed, "%.*f", dec, v);
            if (strtod(fixed, NULL) == v)
                nf = n;
        }
    }
    int ng = 0;
    for (int prec = 1; prec <= 17 && !ng; prec++) {
        int n = snprintf(buf, cap, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            ng = n;
    }
    if (!ng)
        ng = snprintf(buf, cap, "%.17g", v);
    /* the shorter of the two; plain decimals on a tie */
    if (nf && nf <= ng && (size_t)nf < cap) {
        memcpy(buf, fixed, (size_t)nf + 1);
        return (size_t)nf;
    }
    return (size_t)ng;
}

/* Normalize a ';'-separated list (items trimmed, empty ones dropped) into a
 * JSON array of strings in b. */
static rn_code list_to_json(const rn_field *f, const char *s, size_t n, rn_buf *b,
                            rn_error *err)
{
    rn_code rc = rn__buf_addc(b, '[');
    int count = 0;
    size_t i = 0;
    while (rc == RN_OK && i <= n) {
        size_t j = i;
        while (j < n && s[j] != ';')
            j++;
        size_t a = i, z = j;
        while (a < z && isspace((unsigned char)s[a]))
            a++;
        while (z > a && isspace((unsigned char)s[z - 1]))
            z--;
        if (z > a) {
            if (f->kind == RN_F_REFLIST) {
                char up[RN_ID_LEN];
                if (z - a != RN_ID_LEN)
                    return rn__err_field(err, RN_EINPUT, f->name,
                                         "'%.*s' is not a record id", (int)(z - a > 40 ? 40 : z - a), s + a);
                for (size_t k = 0; k < RN_ID_LEN; k++)
                    up[k] = (char)toupper((unsigned char)s[a + k]);
                if (!rn_id_valid(up, RN_ID_LEN))
                    return rn__err_field(err, RN_EINPUT, f->name,
                                         "'%.*s' is not a record id", RN_ID_LEN, s + a);
                rc = (count ? rn__buf_addc(b, ',') : RN_OK);
                if (rc == RN_OK)
                    rc = rn__buf_json_str(b, up, RN_ID_LEN);
            } else {
                rc = (count ? rn__buf_addc(b, ',') : RN_OK);
                if (rc == RN_OK)
                    rc = rn__buf_json_str(b, s + a, z - a);
            }
            count++;
        }
        i = j + 1;
    }
    if (rc == RN_OK)
        rc = rn__buf_addc(b, ']');
    if (rc == RN_ELIMIT)
        return rn__err_field(err, RN_ELIMIT, f->name, "list longer than %zu bytes", f->max);
    return rc;
}

static rn_code bad(rn_error *err, const rn_field *f, const char *what,
                   const char *v, size_t n)
{
    return rn__err_field(err, RN_EINPUT, f->name, "'%.*s' is not %s", (int)(n > 60 ? 60 : n),
                         v, what);
}

rn_code rn_record_set_at(rn_record *r, int idx, const char *v, size_t n, rn_error *err)
{
    const struct rn__type_desc *td = &rn__types[r->type];
    if (idx < 0 || (size_t)idx >= td->nfields)
        return rn__err(err, RN_EINVAL, "no such field");
    const rn_field *f = &td->fields[idx];
    struct rn__slot *sl = &r->slot[idx];
    if (!v) {
        sl->set = 0;
        r->date[idx].precision = RN_PREC_NONE;
        return RN_OK;
    }
    if (!utf8_ok(v, n))
        return rn__err_field(err, RN_EINPUT, f->name,
                             "the value is not valid UTF-8 text (or holds a NUL byte)");
    char tmp[72];
    const char *out = v;
    size_t outn = n;
    rn_buf lb;
    rn__buf_init(&lb, f->max + 64);
    rn_code rc = RN_OK;

    if (f->kind == RN_F_TEXT || f->kind == RN_F_LIST) {
        int ml = f->kind == RN_F_TEXT && f->max >= RN__MULTILINE_MIN;
        long at = control_at(v, n, ml);
        if (at >= 0)
            return rn__err_field(err, RN_EINPUT, f->name,
                                 "control character 0x%02x at byte %ld: %s", (unsigned char)v[at],
                                 at + 1, ml ? "this text may hold line breaks and tabs, no "
                                              "other control characters"
                                            : "this field is one line of text without control "
                                              "characters");
    }
    switch (f->kind) {
    case RN_F_TEXT:
        if (n > f->max)
            return rn__err_field(err, RN_ELIMIT, f->name,
                                 "text of %zu bytes is longer than the %zu allowed", n, f->max);
        break;
    case RN_F_INT: {
        if (n == 0 || n >= sizeof tmp)
            return bad(err, f, "a whole number", v, n);
        memcpy(tmp, v, n);
        tmp[n] = '\0';
        char *end;
        errno = 0;
        long long x = strtoll(tmp, &end, 10);
        if (*end || !(isdigit((unsigned char)tmp[0]) || tmp[0] == '-') || x < 0)
            return bad(err, f, "a whole number of 0 or more", v, n);
        if (errno == ERANGE)
            return bad(err, f, "a whole number below 2^63", v, n);
        outn = (size_t)snprintf(tmp, sizeof tmp, "%lld", x);
        out = tmp;
        break;
    }
    case RN_F_REAL: {
        if (n == 0 || n >= sizeof tmp)
            return bad(err, f, "a number", v, n);
        memcpy(tmp, v, n);
        tmp[n] = '\0';
        char *end;
        double x = strtod(tmp, &end);
        if (*end || !isfinite(x) || isspace((unsigned char)tmp[0]))
            return bad(err, f, "a number", v, n);
        if (x < f->min_real || x > f->max_real)
            return rn__err_field(err, RN_EINPUT, f->name, "%s is outside %g to %g", tmp,
                                 f->min_real, f->max_real);
        if (x == 0)
            x = 0; /* -0 and 0 are one value */
        outn = format_real(x, tmp, sizeof tmp);
        out = tmp;
        break;
    }
    case RN_F_DATE: {
        rn_date d;
        rc = rn_date_parse(v, n, &d, err);
        if (rc) {
            if (err)
                snprintf(err->field, sizeof err->field, "%s", f->name);
            return rc;
        }
        if (d.precision == RN_PREC_NONE) {
            sl->set = 0;
            r->date[idx] = d;
            return RN_OK;
        }
        outn = rn_date_format(&d, tmp, sizeof tmp);
        out = tmp;
        r->date[idx] = d;
        break;
    }
    case RN_F_REF:
        if (n != RN_ID_LEN)
            return bad(err, f, "a record id (26 characters, as `remnant add` prints)", v, n);
        for (size_t i = 0; i < n; i++)
            tmp[i] = (char)toupper((unsigned char)v[i]);
        if (!rn_id_valid(tmp, n))
            return bad(err, f, "a record id (26 characters, as `remnant add` prints)", v, n);
        out = tmp;
        break;
    case RN_F_ENUM: {
        int ok = 0;
        for (const char *const *e = f->values; *e && !ok; e++)
            ok = strlen(*e) == n && memcmp(*e, v, n) == 0;
        if (!ok) {
            char list[256] = "";
            for (const char *const *e = f->values; *e; e++) {
                strncat(list, *e, sizeof list - strlen(list) - 1);
                if (e[1])
                    strncat(list, ", ", sizeof list - strlen(list) - 1);
            }
            return rn__err_field(err, RN_EINPUT, f->name, "'%.*s' is not one of: %s",
                                 (int)(n > 60 ? 60 : n), v, list);
        }
        break;
    }
    case RN_F_COUNTRY:
        if (n != 2 || !isalpha((unsigned char)v[0]) || !isalpha((unsigned char)v[1]))
            return bad(err, f, "an ISO 3166-1 alpha-2 country code (e.g. UA, KP)", v, n);
        tmp[0] = (char)toupper((unsigned char)v[0]);
        tmp[1] = (char)toupper((unsigned char)v[1]);
        out = tmp;
        break;
    case RN_F_SHA256:
        if (n != 64)
            return bad(err, f, "a SHA-256 digest (64 hex digits)", v, n);
        for (size_t i = 0; i < n; i++) {
            if (!isxdigit((unsigned char)v[i]))
                return bad(err, f, "a SHA-256 digest (64 hex digits)", v, n);
            tmp[i] = (char)tolower((unsigned char)v[i]);
        }
        out = tmp;
        break;
    case RN_F_LIST:
    case RN_F_REFLIST:
        if (n > f->max) {
            rc = rn__err_field(err, RN_ELIMIT, f->name, "list longer than %zu bytes", f->max);
            goto out;
        }
        rc = list_to_json(f, v, n, &lb, err);
        if (rc)
            goto out;
        if (lb.len == 2) { /* an empty list is no value */
            sl->set = 0;
            goto out;
        }
        out = lb.data;
        outn = lb.len;
        break;
    }
    rc = arena_add(r, out, outn, &sl->off);
    if (rc == RN_OK) {
        sl->len = (uint32_t)outn;
        sl->set = 1;
    } else {
        rn__err_field(err, rc, f->name, "record too large");
    }
out:
    rn__buf_free(&lb);
    return rc;
}

rn_code rn__record_set_raw(rn_record *r, int idx, const char *v, size_t n,
                           const rn_date *date)
{
    struct rn__slot *sl = &r->slot[idx];
    rn_code rc = arena_add(r, v, n, &sl->off);
    if (rc)
        return rc;
    sl->len = (uint32_t)n;
    sl->set = 1;
    if (date)
        r->date[idx] = *date;
    return RN_OK;
}

rn_code rn_record_set(rn_record *r, const char *name, const char *v, size_t n, rn_error *err)
{
    int idx = rn_type_field_index(r->type, name, strlen(name));
    if (idx < 0)
        return rn__err_field(err, RN_EINPUT, name,
                             "%s %s has no field '%s' (see `remnant fields %s`)",
                             rn__a(rn_type_name(r->type)), rn_type_name(r->type), name,
                             rn_type_name(r->type));
    return rn_record_set_at(r, idx, v, n, err);
}

const char *rn_record_get_at(const rn_record *r, int idx, size_t *len)
{
    if (idx < 0 || (size_t)idx >= rn__types[r->type].nfields || !r->slot[idx].set)
        return NULL;
    if (len)
        *len = r->slot[idx].len;
    return r->arena + r->slot[idx].off;
}

const char *rn_record_get(const rn_record *r, const char *name, size_t *len)
{
    return rn_record_get_at(r, rn_type_field_index(r->type, name, strlen(name)), len);
}

rn_date rn_record_date_at(const rn_record *r, int idx)
{
    rn_date none = {0, 0, RN_PREC_NONE};
    if (idx < 0 || (size_t)idx >= rn__types[r->type].nfields || !r->slot[idx].set)
        return none;
    return r->date[idx];
}

rn_code rn_record_check(const rn_record *r, rn_error *err)
{
    const struct rn__type_desc *td = &rn__types[r->type];
    for (size_t i = 0; i < td->nfields; i++) {
        int missing = !r->slot[i].set;
        if (!missing && td->fields[i].kind == RN_F_TEXT &&
            (td->fields[i].flags & RN_FIELD_REQUIRED)) { /* blank is missing too */
            const char *v = r->arena + r->slot[i].off;
            size_t k = 0;
            while (k < r->slot[i].len && isspace((unsigned char)v[k]))
                k++;
            missing = k == r->slot[i].len;
        }
        if ((td->fields[i].flags & RN_FIELD_REQUIRED) && missing)
            return rn__err_field(err, RN_EINPUT, td->fields[i].name,
                                 "%s %s needs '%s' (%s)", rn__a(td->name), td->name, td->fields[i].name,
                                 td->fields[i].help);
    }
    return RN_OK;
}

static rn_code day_json(rn_buf *b, int32_t day)
{
    if (day == RN_DAY_OPEN_LOW || day == RN_DAY_OPEN_HIGH)
        return rn__buf_adds(b, "null");
    char s[13];
    s[0] = '"';
    rn_day_format(day, s + 1);
    s[11] = '"';
    return rn__buf_add(b, s, 12);
}

static rn_code value_json(rn_buf *b, const rn_record *r, int i)
{
    const rn_field *f = &rn__types[r->type].fields[i];
    const char *v = r->arena + r->slot[i].off;
    size_t n = r->slot[i].len;
    rn_code rc;
    switch (f->kind) {
    case RN_F_INT:
    case RN_F_REAL:
    case RN_F_LIST:
    case RN_F_REFLIST:
        return rn__buf_add(b, v, n);
    case RN_F_DATE: {
        const rn_date *d = &r->date[i];
        rc = rn__buf_adds(b, "{\"earliest\":");
        if (!rc) rc = day_json(b, d->earliest);
        if (!rc) rc = rn__buf_adds(b, ",\"latest\":");
        if (!rc) rc = day_json(b, d->latest);
        if (!rc) rc = rn__buf_adds(b, ",\"precision\":\"");
        if (!rc) rc = rn__buf_adds(b, rn_precision_name(d->precision));
        if (!rc) rc = rn__buf_adds(b, "\"}");
        return rc;
    }
    default:
        return rn__buf_json_str(b, v, n);
    }
}

/* Keys of a record's JSON object: -2 "id", -1 "type", else a field index.
 * Canonical form sorts them by name (bytewise); otherwise id, type, fields
 * in their declared order. Returns the number of keys. */
static void sort_keys(rn_type t, int keys[RN__MAX_FIELDS + 2], size_t n)
{
    const struct rn__type_desc *td = &rn__types[t];
    for (size_t i = 1; i < n; i++) {
        for (size_t j = i; j > 0; j--) {
            const char *a = keys[j - 1] == -2 ? "id" : keys[j - 1] == -1 ? "type"
                                                     : td->fields[keys[j - 1]].name;
            const char *b = keys[j] == -2 ? "id" : keys[j] == -1 ? "type"
                                                 : td->fields[keys[j]].name;
            if (strcmp(a, b) <= 0)
                break;
            int x = keys[j];
            keys[j] = keys[j - 1];
            keys[j - 1] = x;
        }
    }
}

/* The canonical order of every type, sorted once (every log entry needs
 * one: sorting the names per record was a measurable part of an import). */
static int canon_keys[RN_T_COUNT][RN__MAX_FIELDS + 2];
static pthread_once_t canon_once = PTHREAD_ONCE_INIT;

static void canon_init(void)
{
    for (int t = 0; t < RN_T_COUNT; t++) {
        const struct rn__type_desc *td = &rn__types[t];
        size_t n = 0;
        canon_keys[t][n++] = -2;
        canon_keys[t][n++] = -1;
        for (size_t i = 0; i < td->nfields; i++)
            canon_keys[t][n++] = (int)i;
        sort_keys((rn_type)t, canon_keys[t], n);
    }
}

static size_t key_order(rn_type t, int canonical, int keys[RN__MAX_FIELDS + 2])
{
    const struct rn__type_desc *td = &rn__types[t];
    size_t n = td->nfields + 2;
    if (canonical) {
        pthread_once(&canon_once, canon_init);
        memcpy(keys, canon_keys[t], n * sizeof *keys);
        return n;
    }
    keys[0] = -2;
    keys[1] = -1;
    for (size_t i = 0; i < td->nfields; i++)
        keys[i + 2] = (int)i;
    return n;
}

rn_code rn__record_json(const rn_record *r, unsigned flags, rn_buf *b)
{
    const struct rn__type_desc *td = &rn__types[r->type];
    const char *sep = (flags & RN_JSON_PRETTY) ? ",\n  " : ",";
    const char *colon = (flags & RN_JSON_PRETTY) ? ": " : ":";
    int keys[RN__MAX_FIELDS + 2];
    size_t nk = key_order(r->type, (flags & RN_JSON_CANONICAL) != 0, keys);
    rn_code rc = rn__buf_adds(b, (flags & RN_JSON_PRETTY) ? "{\n  " : "{");
    int first = 1;
    for (size_t k = 0; k < nk && rc == RN_OK; k++) {
        int i = keys[k];
        const char *key;
        if (i == -2) {
            if (!r->id[0])
                continue;
            key = "id";
        } else if (i == -1) {
            key = "type";
        } else {
            if (!r->slot[i].set)
                continue;
            if ((flags & RN_JSON_PUBLIC) && (td->fields[i].flags & RN_FIELD_SENSITIVE))
                continue;
            key = td->fields[i].name;
        }
        /* keys are the model's own names: no escaping needed */
        if (!first)
            rc = rn__buf_adds(b, sep);
        if (!rc) rc = rn__buf_addc(b, '"');
        if (!rc) rc = rn__buf_adds(b, key);
        if (!rc) rc = rn__buf_addc(b, '"');
        if (!rc) rc = rn__buf_adds(b, colon);
        if (rc)
            break;
        if (i == -2)
            rc = rn__buf_json_str(b, r->id, strlen(r->id));
        else if (i == -1)
            rc = rn__buf_json_str(b, td->name, strlen(td->name));
        else
            rc = value_json(b, r, i);
        first = 0;
    }
    if (rc == RN_OK)
        rc = rn__buf_adds(b, (flags & RN_JSON_PRETTY) ? "\n}" : "}");
    return rc;
}

rn_code rn_record_to_json(const rn_record *r, unsigned flags, char **out, size_t *len)
{
    rn_buf b;
    rn__buf_init(&b, RN__RECORD_MAX * 8);
    rn_code rc = rn__record_json(r, flags, &b);
    if (rc == RN_OK)
        rc = rn__buf_cstr(&b);
    if (rc) {
        rn__buf_free(&b);
        return rc;
    }
    *out = b.data;
    if (len)
        *len = b.len;
    return RN_OK;
}
