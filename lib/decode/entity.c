/* SPDX-License-Identifier: Apache-2.0
 *
 * entity.c — makers as companies: the comparison key of a typed-in
 * manufacturer name, and rn_decoder_match_maker(), which finds the maker
 * (the brand on the part) a name denotes and the company that owned the
 * brand on a given day (rules `maker` and `owner`, docs/DECODE.md).
 *
 * Matching is by key equality only: no edit distance, no guessing. A key is
 * the name with case, punctuation, white space, parenthesized asides,
 * legal-form words and Latin/Cyrillic look-alike letters taken out, so
 * "Texas Instruments Inc.", "TEXAS INSTRUMENTS INCORPORATED" and
 * "Техаs Instruments" (Cyrillic Т, е, х) all key to TEXASINSTRUMENTS. A key
 * that two makers share is reported as ambiguous, never resolved by order.
 */
#include <string.h>

#include "decode/decode_int.h"

/* Legal-form words dropped from keys, after rn__norm (upper case; Cyrillic
 * letters with a Latin look-alike already Latin: ООО is OOO, АО is AO). */
static const char *const legal[] = {
    "INC", "INCORPORATED", "CORP", "CORPORATION", "CO", "COMPANY", "LTD", "LIMITED", "LLC",
    "LLP", "LP", "GMBH", "AG", "KG", "SA", "SAS", "SARL", "SE", "NV", "BV", "PLC", "KK", "JSC",
    "PJSC", "OJSC", "CJSC", "OAO", "OOO", "AO", "PAO", "PTE", "PTY", "SPA", "SRL", "AB", "AS",
    "ASA", "OY", "OYJ", "BHD", "SDN",
    "\xd0\x97" "AO",       /* ЗАО */
    "\xd0\x9f" "AO",       /* ПАО */
    "HAO",                 /* НАО: Н reads as Latin H */
};

/* Legal forms written without spaces in Japanese and Chinese names. */
static const char *const legal_cjk[] = {
    "\xe6\xa0\xaa\xe5\xbc\x8f\xe4\xbc\x9a\xe7\xa4\xbe",                         /* 株式会社 */
    "\xe8\x82\xa1\xe4\xbb\xbd\xe6\x9c\x89\xe9\x99\x90\xe5\x85\xac\xe5\x8f\xb8", /* 股份有限公司 */
    "\xe6\x9c\x89\xe9\x99\x90\xe8\xb4\xa3\xe4\xbb\xbb\xe5\x85\xac\xe5\x8f\xb8", /* 有限责任公司 */
    "\xe6\x9c\x89\xe9\x99\x90\xe5\x85\xac\xe5\x8f\xb8",                         /* 有限公司 */
};

/* The code point at s[0..n), its length in *len; -1 on a bad sequence
 * (rn__norm already checked UTF-8, so this is belt and braces). */
static long cp_at(const unsigned char *s, size_t n, size_t *len)
{
    if (s[0] < 0x80)
        return *len = 1, s[0];
    int k = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
    if (!k || (size_t)k > n)
        return -1;
    long c = s[0] & (0x7f >> k);
    for (int i = 1; i < k; i++)
        c = (c << 6) | (s[i] & 0x3f);
    *len = (size_t)k;
    return c;
}

/* 1 if code point c is part of a word: ASCII letters and digits, Latin
 * letters with diacritics, Greek, Cyrillic, kana and CJK ideographs, Hangul. */
static int wordy(long c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= 0xc0 && c <= 0x24f && c != 0xd7 && c != 0xf7) || (c >= 0x370 && c <= 0x52f) ||
           (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x9fff) ||
           (c >= 0xac00 && c <= 0xd7af);
}

static int is_legal(const char *w, size_t n)
{
    for (size_t i = 0; i < sizeof legal / sizeof legal[0]; i++)
        if (strlen(legal[i]) == n && memcmp(legal[i], w, n) == 0)
            return 1;
    return 0;
}

long rn__name_key(const char *s, size_t n, char *out, size_t cap)
{
    char norm[RN_DECODE_MARKING_MAX + 1];
    if (!cap || n > RN_DECODE_MARKING_MAX)
        return -1;
    long nl = rn__norm(s, n, norm, NULL);
    if (nl < 0)
        return -1;
    /* words: runs of wordy code points, outside parentheses */
    size_t woff[RN_DECODE_MARKING_MAX], wlen[RN_DECODE_MARKING_MAX], nw = 0;
    int depth = 0;
    for (size_t i = 0; i < (size_t)nl;) {
        size_t len;
        long c = cp_at((const unsigned char *)norm + i, (size_t)nl - i, &len);
        if (c < 0)
            return -1;
        if (c == '(' || c == '[')
            depth++;
        else if ((c == ')' || c == ']') && depth > 0)
            depth--;
        if (!depth && wordy(c)) {
            if (nw == 0 || woff[nw - 1] + wlen[nw - 1] != i)
                woff[nw] = i, wlen[nw++] = 0;
            wlen[nw - 1] += len;
        }
        i += len;
    }
    /* drop legal forms unless nothing else would remain */
    size_t keep_n = 0;
    for (size_t k = 0; k < nw; k++)
        keep_n += !is_legal(norm + woff[k], wlen[k]);
    size_t o = 0;
    for (size_t k = 0; k < nw; k++) {
        if (keep_n && is_legal(norm + woff[k], wlen[k]))
            continue;
        if (o + wlen[k] >= cap)
            return -1;
        memcpy(out + o, norm + woff[k], wlen[k]);
        o += wlen[k];
    }
    out[o] = '\0';
    /* CJK legal forms, written inside the name */
    for (size_t i = 0; i < sizeof legal_cjk / sizeof legal_cjk[0]; i++) {
        size_t ln = strlen(legal_cjk[i]);
        char *p = strstr(out, legal_cjk[i]);
        if (p && o > ln) {
            memmove(p, p + ln, (size_t)(out + o - (p + ln)) + 1);
            o -= ln;
        }
    }
    return (long)o;
}

/* The owner rule of maker m on day, or NULL when independent that day. */
static const rn__owner *owner_on(const rn_decoder *d, int m, int32_t day)
{
    for (size_t i = 0; i < d->nowners; i++) {
        const rn__owner *o = &d->owners[i];
        if (o->maker == m && o->from <= day && day <= o->until)
            return o;
    }
    return NULL;
}

/* The brand m and its owner on day (RN_DAY_OPEN_*: today) into *out;
 * matched is left to the caller. */
static void fill(const rn_decoder *d, int m, int32_t day, rn_maker_match *out)
{
    if (day == RN_DAY_OPEN_HIGH || day == RN_DAY_OPEN_LOW)
        day = rn_day_today();
    const rn__maker *mk = &d->makers[m];
    out->maker = mk->id;
    out->brand = mk->name;
    out->country = mk->country;
    /* up the ownership chain as it stood on day (rules forbid cycles) */
    int at = m;
    for (int depth = 0; depth < 16; depth++) {
        const rn__owner *o = owner_on(d, at, day);
        if (!o)
            break;
        if (!out->owner_source)
            out->owner_source = d->sources[o->src].text;
        at = o->parent;
    }
    out->company_id = d->makers[at].id;
    out->company = d->makers[at].name;
    out->company_country = d->makers[at].country;
}

rn_code rn_decoder_match_maker(const rn_decoder *d, const char *name, size_t len, int32_t day,
                               rn_maker_match *out, rn_error *err)
{
    if (!out)
        return rn__err(err, RN_EINVAL, "no place for the match");
    memset(out, 0, sizeof *out);
    if (!d || (!name && len))
        return rn__err(err, RN_EINVAL, "no decoder or no name");
    if (len > RN_DECODE_MARKING_MAX)
        return rn__err(err, RN_ELIMIT, "a manufacturer name holds at most %d bytes",
                       RN_DECODE_MARKING_MAX);
    char key[RN_DECODE_MARKING_MAX + 1];
    long kl = rn__name_key(name ? name : "", len, key, sizeof key);
    if (kl < 0)
        return rn__err(err, RN_EINPUT, "the manufacturer name is not UTF-8 text");
    if (kl == 0)
        return rn__err(err, RN_ENOTFOUND, "the manufacturer name has no letters or digits");
    const rn__name *hit = NULL;
    for (size_t i = 0; i < d->nnames; i++) {
        const rn__name *nm = &d->names[i];
        if (strcmp(nm->key, key) != 0)
            continue;
        if (hit && hit->maker != nm->maker)
            return rn__err(err, RN_EINPUT,
                           "'%.*s' is a name of two makers, %s and %s: type the full name",
                           (int)(len > 80 ? 80 : len), name, d->makers[hit->maker].name,
                           d->makers[nm->maker].name);
        if (!hit)
            hit = nm;
    }
    if (!hit)
        return rn__err(err, RN_ENOTFOUND, "no maker in the rules is named '%.*s'",
                       (int)(len > 80 ? 80 : len), name);
    fill(d, hit->maker, day, out);
    out->matched = hit->text;
    return RN_OK;
}

size_t rn_decoder_maker_count(const rn_decoder *d)
{
    return d ? d->nmakers : 0;
}

rn_code rn_decoder_maker_at(const rn_decoder *d, size_t i, int32_t day, rn_maker_match *out)
{
    if (!out)
        return RN_EINVAL;
    memset(out, 0, sizeof *out);
    if (!d || i >= d->nmakers)
        return RN_ENOTFOUND;
    fill(d, (int)i, day, out);
    out->matched = d->makers[i].name;
    return RN_OK;
}
