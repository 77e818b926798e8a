/* SPDX-License-Identifier: Apache-2.0
 *
 * entry.c — the strict parser of a log entry's canonical bytes (the form is
 * given in tlog.h and docs/LEDGER.md; log.c writes it). Strict means: the
 * keys in exactly the canonical order, no whitespace, no duplicate or extra
 * keys, nothing after the closing brace. A second encoding of the same entry
 * would be a second leaf hash for the same change, so anything else fails.
 *
 * Two versions (tlog.h): v1 carries the record, v2 salted digests of its
 * fields (selective disclosure; disclose.c opens it).
 *
 * Pure: no dependencies beyond the C library (see tlog.h).
 */
#include <string.h>

#include "ledger/tlog.h"

const char *rn__entry_op_word(char op)
{
    switch (op) {
    case 'c': return "create";
    case 'u': return "update";
    case 'd': return "delete";
    default: return NULL;
    }
}

static int name_chars_ok(const char *s, size_t n)
{
    if (n == 0 || n > RN_ENTRY_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

size_t rn__entry_format_v2(const rn_hash *digests, size_t ndigests, const char *id,
                           size_t id_len, char op, const uint8_t *prev, uint64_t seq,
                           const char time[24], const char *type, size_t type_len, char *out,
                           size_t cap)
{
    const char *opw = rn__entry_op_word(op);
    if (!opw || ndigests > RN_ENTRY_MAX_DIGESTS || !name_chars_ok(id, id_len) ||
        !name_chars_ok(type, type_len) || cap < RN_ENTRY_V2_MAX)
        return 0;
    for (size_t i = 0; i < 24; i++)
        if ((unsigned char)time[i] < 0x20 || time[i] == '"' || time[i] == '\\' ||
            (unsigned char)time[i] >= 0x80)
            return 0;
    size_t p = 0;
#define PUT(lit) (memcpy(out + p, lit, sizeof lit - 1), p += sizeof lit - 1)
    PUT("{\"digests\":[");
    for (size_t i = 0; i < ndigests; i++) {
        if (i)
            out[p++] = ',';
        out[p++] = '"';
        rn__hex_digits(digests[i], RN_HASH_LEN, out + p);
        p += 2 * RN_HASH_LEN;
        out[p++] = '"';
    }
    PUT("],\"id\":\"");
    memcpy(out + p, id, id_len);
    p += id_len;
    PUT("\",\"op\":\"");
    memcpy(out + p, opw, 6);
    p += 6;
    PUT("\",\"prev\":");
    if (prev) {
        out[p++] = '"';
        rn__hex_digits(prev, RN_HASH_LEN, out + p);
        p += 2 * RN_HASH_LEN;
        out[p++] = '"';
    } else {
        PUT("null");
    }
    PUT(",\"seq\":");
    p += rn__u64_digits(seq, out + p);
    PUT(",\"time\":\"");
    memcpy(out + p, time, 24);
    p += 24;
    PUT("\",\"type\":\"");
    memcpy(out + p, type, type_len);
    p += type_len;
    PUT("\",\"v\":2}");
#undef PUT
    return p;
}

typedef struct cur {
    const char *s;
    size_t len, pos;
} cur;

static int lit(cur *c, const char *l)
{
    size_t n = strlen(l);
    if (c->len - c->pos < n || memcmp(c->s + c->pos, l, n) != 0)
        return 0;
    c->pos += n;
    return 1;
}

static int ishex(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
           (ch >= 'A' && ch <= 'F');
}

/* A JSON string at the cursor; OUT the contents' slice (still escaped). */
static int str(cur *c, const char **p, size_t *n)
{
    if (c->pos >= c->len || c->s[c->pos] != '"')
        return 0;
    size_t start = ++c->pos;
    while (c->pos < c->len) {
        unsigned char ch = (unsigned char)c->s[c->pos];
        if (ch == '"') {
            *p = c->s + start;
            *n = c->pos - start;
            c->pos++;
            return 1;
        }
        if (ch < 0x20)
            return 0;
        if (ch == '\\') {
            if (c->pos + 1 >= c->len)
                return 0;
            char e = c->s[c->pos + 1];
            if (e == 'u') {
                if (c->len - c->pos < 6)
                    return 0;
                for (int i = 2; i < 6; i++)
                    if (!ishex(c->s[c->pos + (size_t)i]))
                        return 0;
                c->pos += 6;
                continue;
            }
            if (!strchr("\"\\/bfnrt", e) || e == '\0')
                return 0;
            c->pos += 2;
            continue;
        }
        c->pos++;
    }
    return 0;
}

/* Skip one JSON object at the cursor, strings and nesting aware. */
static int object(cur *c)
{
    if (c->pos >= c->len || c->s[c->pos] != '{')
        return 0;
    int depth = 0;
    while (c->pos < c->len) {
        char ch = c->s[c->pos];
        if (ch == '"') {
            const char *p;
            size_t n;
            if (!str(c, &p, &n))
                return 0;
            continue;
        }
        if (ch == '{' || ch == '[') {
            if (++depth > 64)
                return 0;
        } else if (ch == '}' || ch == ']') {
            if (--depth < 0)
                return 0;
            if (depth == 0) {
                c->pos++;
                return ch == '}';
            }
        } else if ((unsigned char)ch < 0x20 || ch == ' ') {
            return 0; /* canonical form has no whitespace */
        }
        c->pos++;
    }
    return 0;
}

/* One JSON value at the cursor in canonical form (no whitespace): string,
 * object, array, number, true, false or null. */
static int value(cur *c)
{
    if (c->pos >= c->len)
        return 0;
    char ch = c->s[c->pos];
    const char *p;
    size_t n;
    if (ch == '"')
        return str(c, &p, &n);
    if (ch == '{')
        return object(c);
    if (ch == '[') {
        /* object() tracks both brackets; an array ends on ']' */
        size_t start = c->pos;
        int depth = 0;
        while (c->pos < c->len) {
            char x = c->s[c->pos];
            if (x == '"') {
                if (!str(c, &p, &n))
                    return 0;
                continue;
            }
            if (x == '{' || x == '[') {
                if (++depth > 64)
                    return 0;
            } else if (x == '}' || x == ']') {
                if (--depth < 0)
                    return 0;
                if (depth == 0) {
                    c->pos++;
                    return x == ']' && c->pos > start;
                }
            } else if ((unsigned char)x < 0x20 || x == ' ') {
                return 0;
            }
            c->pos++;
        }
        return 0;
    }
    if (lit(c, "true") || lit(c, "false") || lit(c, "null"))
        return 1;
    size_t d0 = c->pos;
    while (c->pos < c->len && strchr("0123456789+-.eE", c->s[c->pos]) && c->s[c->pos])
        c->pos++;
    return c->pos > d0;
}

int rn__json_value_end(const char *s, size_t len, size_t pos, size_t *end)
{
    cur c = {s, len, pos};
    if (!value(&c))
        return 0;
    *end = c.pos;
    return 1;
}

rn_code rn__json_members(const char *s, size_t len, rn_member *out, size_t max, size_t *n)
{
    cur c = {s, len, 0};
    *n = 0;
    if (!lit(&c, "{"))
        return RN_EINPUT;
    if (lit(&c, "}"))
        return c.pos == len ? RN_OK : RN_EINPUT;
    for (;;) {
        if (*n == max)
            return RN_ELIMIT;
        rn_member *m = &out[(*n)++];
        if (!str(&c, &m->name, &m->name_len) || !lit(&c, ":"))
            return RN_EINPUT;
        size_t v0 = c.pos;
        if (!value(&c))
            return RN_EINPUT;
        m->value = s + v0;
        m->value_len = c.pos - v0;
        if (lit(&c, ","))
            continue;
        if (!lit(&c, "}") || c.pos != len)
            return RN_EINPUT;
        return RN_OK;
    }
}

/* v2: {"digests":[...],"id":..,"op":..,"prev":..,"seq":..,"time":..,
 * "type":..,"v":2}. The digests strictly increase (sorted, no repeats). */
static rn_code parse_v2(cur *c, rn_entry *out)
{
    if (!lit(c, "{\"digests\":["))
        return RN_EINPUT;
    out->version = 2;
    if (!lit(c, "]")) {
        for (;;) {
            /* "<64 lower-case hex digits>": what str() would accept with
             * those contents, checked in one pass (a sync import parses
             * every entry it receives) */
            const size_t n = 2 * RN_HASH_LEN;
            const char *p = c->s + c->pos + 1;
            if (out->ndigests == RN_ENTRY_MAX_DIGESTS || c->len - c->pos < n + 2 ||
                c->s[c->pos] != '"' || p[n] != '"' || !rn__hex_lower(p, n))
                return RN_EINPUT;
            c->pos += n + 2;
            if (out->ndigests &&
                memcmp(out->digest[out->ndigests - 1], p, 2 * RN_HASH_LEN) >= 0)
                return RN_EINPUT;
            out->digest[out->ndigests++] = p;
            if (lit(c, ","))
                continue;
            if (!lit(c, "]"))
                return RN_EINPUT;
            break;
        }
    }
    return lit(c, ",") ? RN_OK : RN_EINPUT;
}

rn_code rn__entry_parse(const char *s, size_t len, rn_entry *out)
{
    memset(out, 0, sizeof *out);
    if (len > RN_ENTRY_MAX)
        return RN_ELIMIT;
    cur c = {s, len, 0};
    const char *p;
    size_t n;
    if (c.len > 11 && memcmp(s, "{\"digests\":", 11) == 0) {
        if (parse_v2(&c, out) != RN_OK)
            return RN_EINPUT;
        if (!lit(&c, "\"id\":"))
            return RN_EINPUT;
    } else {
        out->version = 1;
        if (!lit(&c, "{\"author\":") || !str(&c, &out->author, &out->author_len) ||
            !lit(&c, ",\"id\":"))
            return RN_EINPUT;
    }
    if (!str(&c, &out->id, &out->id_len) || out->id_len == 0)
        return RN_EINPUT;
    if (!lit(&c, ",\"op\":") || !str(&c, &p, &n))
        return RN_EINPUT;
    if (n == 6 && memcmp(p, "create", 6) == 0)
        out->op = 'c';
    else if (n == 6 && memcmp(p, "update", 6) == 0)
        out->op = 'u';
    else if (n == 6 && memcmp(p, "delete", 6) == 0)
        out->op = 'd';
    else
        return RN_EINPUT;
    if (!lit(&c, ",\"prev\":"))
        return RN_EINPUT;
    if (lit(&c, "null")) {
        out->has_prev = 0;
    } else {
        if (!str(&c, &p, &n) || rn__hex_decode(p, n, out->prev, RN_HASH_LEN))
            return RN_EINPUT;
        out->has_prev = 1;
    }
    if (out->version == 1) {
        if (!lit(&c, ",\"record\":"))
            return RN_EINPUT;
        if (lit(&c, "null")) {
            out->record = NULL;
        } else {
            size_t start = c.pos;
            if (!object(&c))
                return RN_EINPUT;
            out->record = s + start;
            out->record_len = c.pos - start;
        }
        /* A delete carries no record; a create or update carries one. */
        if ((out->op == 'd') != (out->record == NULL))
            return RN_EINPUT;
    }
    if (!lit(&c, ",\"seq\":"))
        return RN_EINPUT;
    size_t d0 = c.pos;
    uint64_t v = 0;
    while (c.pos < c.len && s[c.pos] >= '0' && s[c.pos] <= '9') {
        uint64_t dig = (uint64_t)(s[c.pos] - '0');
        if (v > (UINT64_MAX - dig) / 10)
            return RN_EINPUT;
        v = v * 10 + dig;
        c.pos++;
    }
    if (c.pos == d0 || (c.pos - d0 > 1 && s[d0] == '0'))
        return RN_EINPUT;
    out->seq = v;
    if (!lit(&c, ",\"time\":") || !str(&c, &out->time, &out->time_len) ||
        out->time_len != 24)
        return RN_EINPUT;
    if (!lit(&c, ",\"type\":") || !str(&c, &out->type, &out->type_len) ||
        out->type_len == 0)
        return RN_EINPUT;
    if (out->version == 2 && !lit(&c, ",\"v\":2"))
        return RN_EINPUT;
    if (!lit(&c, "}") || c.pos != c.len)
        return RN_EINPUT;
    return RN_OK;
}
