/* SPDX-License-Identifier: Apache-2.0
 *
 * disclose.c — selective disclosure of a v2 log entry's fields (tlog.h,
 * docs/LEDGER.md): parsing one disclosure, checking disclosures against the
 * digests an entry commits to, and rebuilding the record's canonical JSON
 * from the disclosed fields.
 *
 * Invariants the checks keep (bundle_check.c and verify.c cite them):
 *   D1. every disclosure's SHA-256 is one of the entry's digests, and no two
 *       disclosures use the same digest;
 *   D2. disclosures come in strictly increasing name order, so a name is
 *       disclosed at most once and one set has one encoding;
 *   D3. "_author" is a JSON string; other names are field names (lower-case
 *       letters, digits, '_', not starting with '_'), never "id" or "type";
 *   D4. the rebuilt record is {"id":..,"type":..} plus the disclosed fields,
 *       keys sorted bytewise: exactly rn_record_to_json's canonical form when
 *       every field is disclosed.
 *
 * Pure: SHA-256 (sha256.c) and the C library only.
 */
#include <string.h>

#include "ledger/tlog.h"

static int name_ok(const char *n, size_t len)
{
    if (len == sizeof RN_AUTHOR_NAME - 1 && memcmp(n, RN_AUTHOR_NAME, len) == 0)
        return 1;
    if (len == 0 || len > 64 || n[0] == '_')
        return 0;
    if ((len == 2 && memcmp(n, "id", 2) == 0) || (len == 4 && memcmp(n, "type", 4) == 0))
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= '0' && n[i] <= '9') || n[i] == '_'))
            return 0;
    return 1;
}

rn_code rn__disclosure_parse(const char *s, size_t len, rn_disclosure *out)
{
    memset(out, 0, sizeof *out);
    /* ["<32 hex>","<name>",<value>] */
    size_t p = 0;
    if (len < 2 + RN_SALT_HEX + 2 + 2 + 2 + 1 + 1 || s[0] != '[' || s[1] != '"')
        return RN_EINPUT;
    p = 2;
    if (!rn__hex_lower(s + p, RN_SALT_HEX))
        return RN_EINPUT;
    p += RN_SALT_HEX;
    if (memcmp(s + p, "\",\"", 3) != 0)
        return RN_EINPUT;
    p += 3;
    size_t n0 = p;
    while (p < len && s[p] != '"')
        p++;
    if (p + 2 >= len || s[p + 1] != ',' || !name_ok(s + n0, p - n0))
        return RN_EINPUT;
    out->name = s + n0;
    out->name_len = p - n0;
    p += 2;
    size_t end;
    if (!rn__json_value_end(s, len, p, &end) || end + 1 != len || s[end] != ']')
        return RN_EINPUT;
    out->value = s + p;
    out->value_len = end - p;
    if (out->name_len == sizeof RN_AUTHOR_NAME - 1 &&
        memcmp(out->name, RN_AUTHOR_NAME, out->name_len) == 0 && out->value[0] != '"')
        return RN_EINPUT; /* D3 */
    rn__sha256(s, len, out->digest);
    return RN_OK;
}

size_t rn__disclosure_format(const char salt[RN_SALT_HEX], const char *name, size_t name_len,
                             const char *value, size_t value_len, char *out, size_t cap)
{
    size_t need = 2 + RN_SALT_HEX + 3 + name_len + 2 + value_len + 1;
    if (need > cap)
        return 0;
    size_t p = 0;
    out[p++] = '[';
    out[p++] = '"';
    memcpy(out + p, salt, RN_SALT_HEX);
    p += RN_SALT_HEX;
    memcpy(out + p, "\",\"", 3);
    p += 3;
    memcpy(out + p, name, name_len);
    p += name_len;
    out[p++] = '"';
    out[p++] = ',';
    memcpy(out + p, value, value_len);
    p += value_len;
    out[p++] = ']';
    return p;
}

/* Append to buf at *p: `"name":value`, with a comma before all but the
 * first member. 0 when it does not fit. */
static int member(char *buf, size_t cap, size_t *p, int *first, const char *name, size_t nl,
                  const char *val, size_t vl, int quote_val)
{
    size_t need = (*first ? 0 : 1) + nl + 3 + vl + (quote_val ? 2 : 0);
    if (*p + need > cap)
        return 0;
    if (!*first)
        buf[(*p)++] = ',';
    *first = 0;
    buf[(*p)++] = '"';
    memcpy(buf + *p, name, nl);
    *p += nl;
    buf[(*p)++] = '"';
    buf[(*p)++] = ':';
    if (quote_val)
        buf[(*p)++] = '"';
    memcpy(buf + *p, val, vl);
    *p += vl;
    if (quote_val)
        buf[(*p)++] = '"';
    return 1;
}

static int name_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    return c ? c : (al < bl ? -1 : al > bl);
}

rn_code rn__entry_disclose(rn_entry *e, const char *disc, size_t len, int all, char *buf,
                           size_t cap)
{
    e->disclosed = 0;
    if (e->version == 1)
        return len == 0 ? RN_OK : RN_EINPUT;
    if (e->version != 2)
        return RN_EINPUT;
    e->author = NULL;
    e->author_len = 0;
    e->record = NULL;
    e->record_len = 0;
    uint64_t used = 0; /* bit i: digest i disclosed (D1) */
    rn_disclosure d[RN_ENTRY_MAX_DIGESTS];
    size_t nd = 0;
    for (size_t pos = 0; len > 0 && pos <= len;) {
        const char *nl = memchr(disc + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - disc) : len;
        if (nd == RN_ENTRY_MAX_DIGESTS)
            return RN_EINPUT;
        if (rn__disclosure_parse(disc + pos, end - pos, &d[nd]) != RN_OK)
            return RN_EINPUT;
        if (nd && name_cmp(d[nd - 1].name, d[nd - 1].name_len, d[nd].name, d[nd].name_len) >= 0)
            return RN_EINPUT; /* D2 */
        char hex[2 * RN_HASH_LEN + 1];
        rn__hex_encode(d[nd].digest, RN_HASH_LEN, hex);
        /* the entry's digests strictly increase (entry.c checks it), so a
         * binary search finds the one equal, if any */
        size_t lo = 0, hi = e->ndigests, k = e->ndigests;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int c = memcmp(e->digest[mid], hex, 2 * RN_HASH_LEN);
            if (c == 0) {
                k = mid;
                break;
            }
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (k == e->ndigests || (used & (UINT64_C(1) << k)))
            return RN_ECRYPTO; /* D1 */
        used |= UINT64_C(1) << k;
        nd++;
        if (!nl)
            break;
        pos = end + 1;
        if (pos == len)
            return RN_EINPUT; /* a newline after the last */
    }
    if (all && nd != e->ndigests)
        return RN_ECRYPTO;
    e->disclosed = nd;
    for (size_t i = 0; i < nd; i++)
        if (d[i].name_len == sizeof RN_AUTHOR_NAME - 1 &&
            memcmp(d[i].name, RN_AUTHOR_NAME, d[i].name_len) == 0) {
            e->author = d[i].value + 1;
            e->author_len = d[i].value_len - 2;
        }
    if (e->op == 'd')
        return RN_OK;
    /* D4: merge "id" and "type" into the sorted field names. */
    size_t p = 0;
    int first = 1, id_done = 0, type_done = 0;
    if (cap < 2)
        return RN_ELIMIT;
    buf[p++] = '{';
    for (size_t i = 0; i <= nd; i++) {
        const char *nm = i < nd ? d[i].name : NULL;
        size_t nml = i < nd ? d[i].name_len : 0;
        if (nm && nm[0] == '_')
            continue;
        if (!id_done && (!nm || name_cmp("id", 2, nm, nml) < 0)) {
            if (!member(buf, cap, &p, &first, "id", 2, e->id, e->id_len, 1))
                return RN_ELIMIT;
            id_done = 1;
        }
        if (!type_done && (!nm || name_cmp("type", 4, nm, nml) < 0)) {
            if (!member(buf, cap, &p, &first, "type", 4, e->type, e->type_len, 1))
                return RN_ELIMIT;
            type_done = 1;
        }
        if (nm && !member(buf, cap, &p, &first, nm, nml, d[i].value, d[i].value_len, 0))
            return RN_ELIMIT;
    }
    if (p + 1 > cap)
        return RN_ELIMIT;
    buf[p++] = '}';
    e->record = buf;
    e->record_len = p;
    return RN_OK;
}
