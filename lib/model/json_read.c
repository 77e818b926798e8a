/* SPDX-License-Identifier: Apache-2.0
 *
 * json_read.c — reads one record from one JSON object: the hot path of
 * `remnant import`, so it is a small purpose-built reader rather than a
 * general JSON tree (jansson builds a tree per line and is several times
 * slower at bulk-import scale).
 *
 * Accepted: an object whose keys are "type", "id" and field names; values
 * are strings, numbers, true/false (rejected with a clear error: no field is
 * boolean), null (field left unset), arrays of strings (list fields), and
 * for dates either the text form or {"earliest","latest","precision"}.
 * Anything else is an error that names the field and the byte offset.
 *
 * Phase 1 tokenizes the object into (key, value) spans, unescaping strings
 * into a scratch buffer; phase 2 finds the type and sets each field, so
 * "type" may come anywhere in the object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "model/record_int.h"

#define MAX_KEYS 40
#define SCRATCH_MAX (4u << 20)

enum vkind { V_STR, V_NUM, V_NULL, V_BOOL, V_ARRAY, V_DATEOBJ };

struct kv {
    size_t koff, klen; /* key in scratch */
    size_t voff, vlen; /* value text in scratch (strings, joined arrays, dates) */
    enum vkind kind;
    size_t at;         /* byte offset of the value in the input */
    char name[64];     /* the key, cut short, for error messages: a pointer
                        * into scratch would dangle when scratch grows */
};

struct rn__jreader {
    rn_buf scratch;
    struct kv kv[MAX_KEYS];
    size_t nkv;
    rn_record *rec[RN_T_COUNT];
};

rn__jreader *rn__jreader_new(void)
{
    rn__jreader *jr = rn__calloc(1, sizeof *jr);
    if (jr)
        rn__buf_init(&jr->scratch, SCRATCH_MAX);
    return jr;
}

void rn__jreader_free(rn__jreader *jr)
{
    if (!jr)
        return;
    rn__buf_free(&jr->scratch);
    for (int t = 0; t < RN_T_COUNT; t++)
        rn_record_free(jr->rec[t]);
    free(jr);
}

typedef struct cur {
    const char *s, *p, *e;
    rn_error *err;
} cur;

static void ws(cur *c)
{
    while (c->p < c->e && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static rn_code fail(cur *c, const char *field, const char *what)
{
    return rn__err_field(c->err, RN_EINPUT, field ? field : "",
                         "malformed JSON at byte %ld: %s", (long)(c->p - c->s) + 1, what);
}

/* A buffer refused to grow: out of memory, or past its stated maximum. */
static rn_code grow_fail(cur *c, const char *field, rn_code rc, const char *what)
{
    if (rc == RN_ENOMEM)
        return rn__err_field(c->err, RN_ENOMEM, field ? field : "", "out of memory");
    return rn__err_field(c->err, RN_ELIMIT, field ? field : "", "%s", what);
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(p[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

static rn_code put_utf8(rn_buf *b, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) u[0] = (char)cp, n = 1;
    else if (cp < 0x800) u[0] = (char)(0xc0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
    else if (cp < 0x10000)
        u[0] = (char)(0xe0 | cp >> 12), u[1] = (char)(0x80 | ((cp >> 6) & 0x3f)),
        u[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
    else
        u[0] = (char)(0xf0 | cp >> 18), u[1] = (char)(0x80 | ((cp >> 12) & 0x3f)),
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), u[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
    return rn__buf_add(b, u, n);
}

/* A string at c->p (which is at the opening quote), unescaped onto b. */
static rn_code string(cur *c, rn_buf *b, const char *field)
{
    c->p++;
    for (;;) {
        const char *q = c->p;
        while (q < c->e && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
            q++;
        rn_code grc = q > c->p ? rn__buf_add(b, c->p, (size_t)(q - c->p)) : RN_OK;
        if (grc)
            return grow_fail(c, field, grc, "string too long");
        c->p = q;
        if (c->p >= c->e)
            return fail(c, field, "unterminated string");
        char ch = *c->p;
        if (ch == '"') {
            c->p++;
            return RN_OK;
        }
        if ((unsigned char)ch < 0x20)
            return fail(c, field, "control character inside a string (escape it)");
        /* backslash */
        if (c->e - c->p < 2)
            return fail(c, field, "unterminated escape");
        char esc = c->p[1];
        c->p += 2;
        const char *simple = NULL;
        switch (esc) {
        case '"': simple = "\""; break;
        case '\\': simple = "\\"; break;
        case '/': simple = "/"; break;
        case 'b': simple = "\b"; break;
        case 'f': simple = "\f"; break;
        case 'n': simple = "\n"; break;
        case 'r': simple = "\r"; break;
        case 't': simple = "\t"; break;
        case 'u': break;
        default: return fail(c, field, "unknown escape in a string");
        }
        if (simple) {
            grc = rn__buf_addc(b, simple[0]);
            if (grc)
                return grow_fail(c, field, grc, "string too long");
            continue;
        }
        int cp = c->e - c->p >= 4 ? hex4(c->p) : -1;
        if (cp < 0)
            return fail(c, field, "\\u needs four hex digits");
        c->p += 4;
        if (cp >= 0xd800 && cp <= 0xdbff) {
            int lo = (c->e - c->p >= 6 && c->p[0] == '\\' && c->p[1] == 'u') ? hex4(c->p + 2) : -1;
            if (lo < 0xdc00 || lo > 0xdfff)
                return fail(c, field, "unpaired UTF-16 surrogate in \\u escape");
            c->p += 6;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        } else if (cp >= 0xdc00 && cp <= 0xdfff) {
            return fail(c, field, "unpaired UTF-16 surrogate in \\u escape");
        }
        grc = put_utf8(b, (unsigned)cp);
        if (grc)
            return grow_fail(c, field, grc, "string too long");
    }
}

static rn_code number(cur *c, rn_buf *b, const char *field)
{
    const char *q = c->p;
    if (q < c->e && *q == '-')
        q++;
    const char *d = q;
    while (q < c->e && *q >= '0' && *q <= '9')
        q++;
    if (q == d || (*d == '0' && q - d > 1))
        return fail(c, field, "malformed number");
    if (q < c->e && *q == '.') {
        d = ++q;
        while (q < c->e && *q >= '0' && *q <= '9')
            q++;
        if (q == d)
            return fail(c, field, "malformed number");
    }
    if (q < c->e && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < c->e && (*q == '+' || *q == '-'))
            q++;
        d = q;
        while (q < c->e && *q >= '0' && *q <= '9')
            q++;
        if (q == d)
            return fail(c, field, "malformed number");
    }
    rn_code grc = rn__buf_add(b, c->p, (size_t)(q - c->p));
    if (grc)
        return grow_fail(c, field, grc, "number too long");
    c->p = q;
    return RN_OK;
}

static int literal(cur *c, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(c->e - c->p) >= n && memcmp(c->p, w, n) == 0) {
        c->p += n;
        return 1;
    }
    return 0;
}

/* An array of strings, joined with ';' onto b. */
static rn_code array(cur *c, rn_buf *b, const char *field)
{
    c->p++;
    ws(c);
    if (c->p < c->e && *c->p == ']') {
        c->p++;
        return RN_OK;
    }
    for (int first = 1;; first = 0) {
        ws(c);
        if (c->p >= c->e || *c->p != '"')
            return fail(c, field, "a list holds only strings");
        rn_code grc = first ? RN_OK : rn__buf_addc(b, ';');
        if (grc)
            return grow_fail(c, field, grc, "list too long");
        size_t at = b->len;
        rn_code rc = string(c, b, field);
        if (rc)
            return rc;
        if (memchr(b->data + at, ';', b->len - at))
            return fail(c, field, "a list item may not contain ';'");
        ws(c);
        if (c->p < c->e && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->e && *c->p == ']') {
            c->p++;
            return RN_OK;
        }
        return fail(c, field, "expected ',' or ']' in a list");
    }
}

/* {"earliest": D|null, "latest": D|null, "precision": P} onto b in text
 * form, after checking the interval is aligned to its precision. */
static rn_code date_object(cur *c, rn_buf *b, const char *field)
{
    char vals[3][24];
    int have[3] = {0, 0, 0}, isnull[3] = {0, 0, 0};
    static const char *const names[3] = {"earliest", "latest", "precision"};
    c->p++;
    ws(c);
    for (;;) {
        if (c->p >= c->e || *c->p != '"')
            return fail(c, field, "a date object has keys earliest, latest, precision");
        rn_buf k;
        rn__buf_init(&k, 64);
        rn_code rc = string(c, &k, field);
        int which = -1;
        for (int i = 0; i < 3 && rc == RN_OK; i++)
            if (k.len == strlen(names[i]) && memcmp(k.data, names[i], k.len) == 0)
                which = i;
        rn__buf_free(&k);
        if (rc)
            return rc;
        if (which < 0 || have[which])
            return fail(c, field, "a date object has keys earliest, latest, precision, once each");
        ws(c);
        if (c->p >= c->e || *c->p != ':')
            return fail(c, field, "expected ':'");
        c->p++;
        ws(c);
        if (literal(c, "null")) {
            isnull[which] = 1;
        } else if (c->p < c->e && *c->p == '"') {
            rn_buf v;
            rn__buf_init(&v, sizeof vals[0]);
            rc = string(c, &v, field);
            if (rc == RN_OK) {
                if (v.len)
                    memcpy(vals[which], v.data, v.len);
                vals[which][v.len] = '\0';
            }
            rn__buf_free(&v);
            if (rc)
                return rc;
        } else {
            return fail(c, field, "date object values are strings or null");
        }
        have[which] = 1;
        ws(c);
        if (c->p < c->e && *c->p == ',') {
            c->p++;
            ws(c);
            continue;
        }
        if (c->p < c->e && *c->p == '}') {
            c->p++;
            break;
        }
        return fail(c, field, "expected ',' or '}' in a date object");
    }
    if (!have[2] || isnull[2] || !have[0] || !have[1])
        return fail(c, field, "a date object needs earliest, latest and precision");
    rn_date d;
    if (rn_precision_from_name(vals[2], strlen(vals[2]), &d.precision))
        return rn__err_field(c->err, RN_EINPUT, field,
                             "precision '%s' is not day, week, month or year", vals[2]);
    for (int i = 0; i < 2; i++) {
        int32_t *dst = i ? &d.latest : &d.earliest;
        if (isnull[i]) {
            *dst = i ? RN_DAY_OPEN_HIGH : RN_DAY_OPEN_LOW;
            continue;
        }
        rn_date one;
        if (strlen(vals[i]) != 10 || rn_date_parse(vals[i], 10, &one, NULL) ||
            one.precision != RN_PREC_DAY)
            return rn__err_field(c->err, RN_EINPUT, field,
                                 "'%s' is not a date as YYYY-MM-DD", vals[i]);
        *dst = one.earliest;
    }
    if (rn_date_check(&d))
        return rn__err_field(c->err, RN_EINPUT, field,
                             "%s to %s is not a whole number of %ss (earliest must "
                             "start one, latest end one)",
                             isnull[0] ? ".." : vals[0], isnull[1] ? ".." : vals[1], vals[2]);
    char text[RN_DATE_TEXT_MAX];
    size_t n = rn_date_format(&d, text, sizeof text);
    return rn__buf_add(b, text, n);
}

static rn_code tokenize(rn__jreader *jr, cur *c)
{
    rn_buf *b = &jr->scratch;
    b->len = 0;
    jr->nkv = 0;
    ws(c);
    if (c->p >= c->e || *c->p != '{')
        return fail(c, NULL, "a record is one JSON object {...} per line");
    c->p++;
    ws(c);
    if (c->p < c->e && *c->p == '}') {
        c->p++;
        goto end;
    }
    for (;;) {
        ws(c);
        if (c->p >= c->e || *c->p != '"')
            return fail(c, NULL, "expected a field name in quotes");
        if (jr->nkv == MAX_KEYS)
            return fail(c, NULL, "too many fields in one object");
        struct kv *kv = &jr->kv[jr->nkv];
        kv->koff = b->len;
        rn_code rc = string(c, b, NULL);
        if (rc)
            return rc;
        kv->klen = b->len - kv->koff;
        rc = rn__buf_addc(b, '\0');
        if (rc)
            return grow_fail(c, NULL, rc, "record too long");
        /* the key up to its first NUL, cut to fit (as "%s" would) */
        size_t kn = 0;
        const char *kd = b->data + kv->koff;
        while (kn + 1 < sizeof kv->name && kd[kn])
            kn++;
        memcpy(kv->name, kd, kn);
        kv->name[kn] = '\0';
        const char *key = kv->name;
        ws(c);
        if (c->p >= c->e || *c->p != ':')
            return fail(c, key, "expected ':' after the field name");
        c->p++;
        ws(c);
        kv->at = (size_t)(c->p - c->s);
        kv->voff = b->len;
        if (c->p >= c->e)
            return fail(c, key, "missing value");
        /* key may move when b grows: re-derive it after each call */
        char ch = *c->p;
        if (ch == '"') {
            kv->kind = V_STR;
            rc = string(c, b, kv->name);
        } else if (ch == '[') {
            kv->kind = V_ARRAY;
            rc = array(c, b, kv->name);
        } else if (ch == '{') {
            kv->kind = V_DATEOBJ;
            rc = date_object(c, b, kv->name);
        } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
            kv->kind = V_NUM;
            rc = number(c, b, kv->name);
        } else if (literal(c, "null")) {
            kv->kind = V_NULL;
        } else if (literal(c, "true") || literal(c, "false")) {
            kv->kind = V_BOOL;
        } else {
            return fail(c, kv->name, "expected a value");
        }
        if (rc)
            return rc;
        kv->vlen = b->len - kv->voff;
        jr->nkv++;
        ws(c);
        if (c->p < c->e && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->e && *c->p == '}') {
            c->p++;
            break;
        }
        return fail(c, kv->name, "expected ',' or '}' after a value");
    }
end:
    ws(c);
    if (c->p != c->e)
        return fail(c, NULL, "text after the end of the object");
    return RN_OK;
}

static int key_is(const rn__jreader *jr, const struct kv *kv, const char *k)
{
    return kv->klen == strlen(k) && memcmp(jr->scratch.data + kv->koff, k, kv->klen) == 0;
}

rn_code rn__jreader_read(rn__jreader *jr, const char *s, size_t len, int default_type,
                         rn_record **out, rn_error *err)
{
    cur c = {s, s, s + len, err};
    rn_code rc = tokenize(jr, &c);
    if (rc)
        return rc;
    const char *sd = jr->scratch.data;
    int type = default_type;
    for (size_t i = 0; i < jr->nkv; i++) {
        const struct kv *kv = &jr->kv[i];
        for (size_t j = 0; j < i; j++)
            if (jr->kv[j].klen == kv->klen &&
                memcmp(sd + jr->kv[j].koff, sd + kv->koff, kv->klen) == 0)
                return rn__err_field(err, RN_EINPUT, sd + kv->koff,
                                     "field '%s' appears twice", sd + kv->koff);
        if (key_is(jr, kv, "type")) {
            rn_type t;
            char name[32];
            if (kv->kind != V_STR || kv->vlen >= sizeof name)
                return rn__err_field(err, RN_EINPUT, "type", "\"type\" must be a string");
            memcpy(name, sd + kv->voff, kv->vlen);
            name[kv->vlen] = '\0';
            if (rn_type_from_name(name, &t))
                return rn__err_field(err, RN_EINPUT, "type",
                                     "unknown record type '%s' (one of event, item, marking, "
                                     "attachment, entity, transfer, trace, finding, sanction, "
                                     "custody, claim)", name);
            if (default_type >= 0 && (int)t != default_type)
                return rn__err_field(err, RN_EINPUT, "type", "type '%s' where '%s' was expected",
                                     name, rn_type_name((rn_type)default_type));
            type = (int)t;
        }
    }
    if (type < 0)
        return rn__err_field(err, RN_EINPUT, "type",
                             "the object has no \"type\" (e.g. \"type\":\"item\")");
    rn_record *r = jr->rec[type];
    if (!r) {
        r = jr->rec[type] = rn_record_new((rn_type)type);
        if (!r)
            return rn__err(err, RN_ENOMEM, "out of memory");
    } else {
        rn_record_reset(r);
    }
    for (size_t i = 0; i < jr->nkv; i++) {
        const struct kv *kv = &jr->kv[i];
        const char *key = sd + kv->koff;
        if (key_is(jr, kv, "type"))
            continue;
        if (key_is(jr, kv, "id")) {
            if (kv->kind != V_STR)
                return rn__err_field(err, RN_EINPUT, "id", "\"id\" must be a string");
            rc = rn_record_set_id(r, sd + kv->voff, kv->vlen, err);
            if (rc)
                return rc;
            continue;
        }
        int idx = rn_type_field_index((rn_type)type, key, kv->klen);
        if (idx < 0)
            return rn__err_field(err, RN_EINPUT, key,
                                 "unknown field '%s' for %s %s (see `remnant fields %s`)", key,
                                 rn__a(rn_type_name((rn_type)type)),
                                 rn_type_name((rn_type)type), rn_type_name((rn_type)type));
        const rn_field *f = &rn__types[type].fields[idx];
        if (kv->kind == V_NULL)
            continue;
        if (kv->kind == V_BOOL)
            return rn__err_field(err, RN_EINPUT, key, "'%s' cannot be true or false", key);
        if (kv->kind == V_ARRAY && f->kind != RN_F_LIST && f->kind != RN_F_REFLIST)
            return rn__err_field(err, RN_EINPUT, key, "'%s' is not a list field", key);
        if (kv->kind == V_DATEOBJ && f->kind != RN_F_DATE)
            return rn__err_field(err, RN_EINPUT, key, "'%s' is not a date field", key);
        if (kv->kind == V_NUM && f->kind != RN_F_INT && f->kind != RN_F_REAL)
            return rn__err_field(err, RN_EINPUT, key, "'%s' takes a string, not a number", key);
        rc = rn_record_set_at(r, idx, sd + kv->voff, kv->vlen, err);
        if (rc)
            return rc;
    }
    *out = r;
    return RN_OK;
}

rn_code rn_record_from_json(const char *s, size_t len, rn_record **out, rn_error *err)
{
    rn__jreader *jr = rn__jreader_new();
    if (!jr)
        return rn__err(err, RN_ENOMEM, "out of memory");
    rn_record *r = NULL;
    rn_code rc = rn__jreader_read(jr, s, len, -1, &r, err);
    if (rc == RN_OK) {
        /* hand the record over: detach it from the reader */
        for (int t = 0; t < RN_T_COUNT; t++)
            if (jr->rec[t] == r)
                jr->rec[t] = NULL;
        *out = r;
    }
    rn__jreader_free(jr);
    return rc;
}
