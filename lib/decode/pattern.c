/* SPDX-License-Identifier: Apache-2.0
 *
 * pattern.c — the small purpose-built matcher behind format and headstamp
 * rules. A pattern is a short list of elements (docs/DECODE.md, "Patterns"):
 *
 *   Y M W D      one digit of the year, month, ISO week, day
 *   N A X        a digit, a letter, a letter or digit   (N+ A+ X+: one or more)
 *   C            a code: one or more letters and digits (a headstamp's factory)
 *   <TEXT>       literal text;  other punctuation and non-ASCII: literal
 *   ' ' / '~'    a space (the next token) / an optional space
 *
 * A match is anchored at both ends of the text it is given. In the text, a
 * `?` (an illegible character) matches any element that is not literal.
 * Matching is a backtracking walk over at most RN__PAT_ELEMS elements with
 * at most two repeated elements, so it is bounded by O(n^2) steps for a
 * text of n <= RN_DECODE_MARKING_MAX bytes; in practice one pass.
 */
#include <stdio.h>
#include <string.h>

#include "decode/decode_int.h"

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }

static int class_ok(unsigned kind, unsigned char c)
{
    if (c == '?')
        return 1;
    switch (kind) {
    case RN__E_Y: case RN__E_M: case RN__E_W: case RN__E_D: case RN__E_N:
        return is_digit(c);
    case RN__E_A:
        return is_upper(c);
    default:
        return is_digit(c) || is_upper(c);
    }
}

static void set_bit(uint8_t *set, unsigned char c) { set[c >> 3] |= (uint8_t)(1u << (c & 7)); }

static rn_code fail(char *why, size_t cap, const char *msg, char c)
{
    if (c)
        snprintf(why, cap, msg, c);
    else
        snprintf(why, cap, "%s", msg);
    return RN_EINPUT;
}

/* Append literal bytes, merging with a literal element before them. */
static int add_lit(rn__pattern *p, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        rn__elem *last = p->n ? &p->e[p->n - 1] : NULL;
        if (!last || last->kind != RN__E_LIT || last->len >= sizeof last->lit) {
            if (p->n >= RN__PAT_ELEMS)
                return -1;
            last = &p->e[p->n++];
            memset(last, 0, sizeof *last);
            last->kind = RN__E_LIT;
        }
        last->lit[last->len++] = s[i];
    }
    return 0;
}

rn_code rn__pattern_compile(const char *src, size_t n, rn__pattern *p, char *why, size_t cap)
{
    memset(p, 0, sizeof *p);
    int plus = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)src[i];
        if (c == '<') {
            const char *end = memchr(src + i + 1, '>', n - i - 1);
            if (!end || end == src + i + 1)
                return fail(why, cap, "'<' without a closing '>' (or empty literal)", 0);
            size_t ln = (size_t)(end - (src + i + 1));
            char buf[64];
            if (ln >= sizeof buf)
                return fail(why, cap, "literal text longer than 63 bytes", 0);
            if (memchr(src + i + 1, ' ', ln))
                return fail(why, cap, "a literal may not hold a space; write the space outside <...>", 0);
            long m = rn__norm(src + i + 1, ln, buf, NULL);
            if (m <= 0)
                return fail(why, cap, "literal text is not UTF-8", 0);
            if (add_lit(p, buf, (size_t)m))
                return fail(why, cap, "pattern has too many elements", 0);
            i += ln + 2;
            continue;
        }
        if (c >= 0x80) {
            size_t len = 1;
            while (i + len < n && ((unsigned char)src[i + len] & 0xC0) == 0x80)
                len++;
            char buf[8];
            long m = rn__norm(src + i, len, buf, NULL);
            if (m <= 0 || add_lit(p, buf, (size_t)m))
                return fail(why, cap, "bad UTF-8 or too many elements in pattern", 0);
            i += len;
            continue;
        }
        i++;
        if (c == '+') {
            rn__elem *last = p->n ? &p->e[p->n - 1] : NULL;
            if (!last || (last->kind != RN__E_N && last->kind != RN__E_A &&
                          last->kind != RN__E_X) || last->plus)
                return fail(why, cap, "'+' may only follow N, A or X (C is always a run)", 0);
            if (++plus > 2)
                return fail(why, cap, "at most two repeated elements in a pattern", 0);
            last->plus = 1;
            continue;
        }
        unsigned kind;
        switch (c) {
        case 'Y': kind = RN__E_Y; break;
        case 'M': kind = RN__E_M; break;
        case 'W': kind = RN__E_W; break;
        case 'D': kind = RN__E_D; break;
        case 'N': kind = RN__E_N; break;
        case 'A': kind = RN__E_A; break;
        case 'X': kind = RN__E_X; break;
        case 'C': kind = RN__E_C; break;
        case ' ': kind = RN__E_SPACE; break;
        case '~': kind = RN__E_OPTSPACE; break;
        default:
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
                return fail(why, cap, "letter '%c' is not an element; write literal text as <TEXT>",
                            (char)c);
            if (c < 0x21 || c == '>')
                return fail(why, cap, "character '%c' cannot appear in a pattern",
                            (char)(c < 0x21 ? '?' : c));
            {
                char lc = (char)c;
                if (add_lit(p, &lc, 1))
                    return fail(why, cap, "pattern has too many elements", 0);
            }
            continue;
        }
        if (p->n >= RN__PAT_ELEMS)
            return fail(why, cap, "pattern has too many elements", 0);
        rn__elem *e = &p->e[p->n++];
        memset(e, 0, sizeof *e);
        e->kind = (uint8_t)kind;
        if (kind == RN__E_C) { /* a code is always a run */
            if (++plus > 2)
                return fail(why, cap, "at most two repeated elements in a pattern", 0);
            e->plus = 1;
        }
    }
    if (p->n == 0)
        return fail(why, cap, "empty pattern", 0);
    if (p->e[0].kind == RN__E_SPACE || p->e[0].kind == RN__E_OPTSPACE ||
        p->e[p->n - 1].kind == RN__E_SPACE || p->e[p->n - 1].kind == RN__E_OPTSPACE)
        return fail(why, cap, "a pattern may not begin or end with a space", 0);
    unsigned min = 0, max = 0, spaces = 0, opt = 0;
    int unbounded = 0;
    for (unsigned k = 0; k < p->n; k++) {
        const rn__elem *e = &p->e[k];
        if (k && (e->kind == RN__E_SPACE || e->kind == RN__E_OPTSPACE) &&
            (p->e[k - 1].kind == RN__E_SPACE || p->e[k - 1].kind == RN__E_OPTSPACE))
            return fail(why, cap, "two spaces in a row in a pattern", 0);
        switch (e->kind) {
        case RN__E_LIT: min += e->len; max += e->len; break;
        case RN__E_SPACE: min++; max++; spaces++; break;
        case RN__E_OPTSPACE: max++; opt++; break;
        case RN__E_Y: p->ny++; min++; max++; break;
        case RN__E_M: p->nm++; min++; max++; break;
        case RN__E_W: p->nw++; min++; max++; break;
        case RN__E_D: p->nd++; min++; max++; break;
        default:
            min++;
            max++;
            if (e->plus)
                unbounded = 1;
        }
    }
    if (p->ny > 4 || p->nm > 2 || p->nw > 2 || p->nd > 2)
        return fail(why, cap, "too many Y (max 4), M, W or D (max 2) digits", 0);
    p->min_len = (uint16_t)min;
    p->max_len = (uint16_t)(unbounded ? RN_DECODE_MARKING_MAX : max);
    p->min_tok = (uint8_t)(1 + spaces);
    p->max_tok = (uint8_t)(1 + spaces + opt);
    if (p->max_tok > RN__WINDOW_MAX)
        return fail(why, cap, "a pattern may span at most 4 tokens", 0);
    /* the bytes a match can begin with */
    const rn__elem *f = &p->e[0];
    if (f->kind == RN__E_LIT) {
        set_bit(p->first, (unsigned char)f->lit[0]);
    } else {
        set_bit(p->first, '?');
        for (unsigned c = 0; c < 256; c++)
            if (c != '?' && class_ok(f->kind, (unsigned char)c))
                set_bit(p->first, (unsigned char)c);
    }
    return RN_OK;
}

static int match_from(const rn__pattern *p, unsigned ei, const unsigned char *s, size_t si,
                      size_t n, rn__match *m)
{
    if (ei == p->n)
        return si == n;
    const rn__elem *e = &p->e[ei];
    m->off[ei] = (uint16_t)si;
    switch (e->kind) {
    case RN__E_LIT:
        if (si + e->len > n || memcmp(s + si, e->lit, e->len) != 0)
            return 0;
        m->len[ei] = e->len;
        return match_from(p, ei + 1, s, si + e->len, n, m);
    case RN__E_SPACE:
        m->len[ei] = 1;
        return si < n && s[si] == ' ' && match_from(p, ei + 1, s, si + 1, n, m);
    case RN__E_OPTSPACE:
        if (si < n && s[si] == ' ') {
            m->len[ei] = 1;
            if (match_from(p, ei + 1, s, si + 1, n, m))
                return 1;
        }
        m->off[ei] = (uint16_t)si;
        m->len[ei] = 0;
        return match_from(p, ei + 1, s, si, n, m);
    default:
        if (!e->plus) {
            m->len[ei] = 1;
            return si < n && class_ok(e->kind, s[si]) && match_from(p, ei + 1, s, si + 1, n, m);
        }
        size_t k = si;
        while (k < n && class_ok(e->kind, s[k]))
            k++;
        for (size_t end = k; end > si; end--) {
            if (match_from(p, ei + 1, s, end, n, m)) {
                m->off[ei] = (uint16_t)si;
                m->len[ei] = (uint16_t)(end - si);
                return 1;
            }
        }
        return 0;
    }
}

int rn__pattern_match(const rn__pattern *p, const char *s, size_t n, rn__match *m)
{
    if (n < p->min_len || n > p->max_len || n == 0)
        return 0;
    unsigned char c0 = (unsigned char)s[0];
    if (!(p->first[c0 >> 3] & (1u << (c0 & 7))))
        return 0;
    return match_from(p, 0, (const unsigned char *)s, 0, n, m);
}
