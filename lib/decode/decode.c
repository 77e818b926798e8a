/* SPDX-License-Identifier: Apache-2.0
 *
 * decode.c — one marking in, ranked candidates out: the decode loop, the
 * confidence model and the explanations.
 *
 * The loop (docs/DECODE.md, "How a marking is read"):
 *  1. normalize the marking (normalize.c) and split it into tokens at
 *     spaces;
 *  2. for each token, walk its prefixes through the prefix index: maker
 *     prefixes give a manufacturer and a part number, prefix marks give a
 *     weapon system or a factory;
 *  3. for each window of 1..RN__WINDOW_MAX tokens, look the whole window up
 *     in the exact index (logos, exact marks) and try the patterns that can
 *     span that many tokens (date formats, headstamps, serials and lots);
 *  4. a date pattern yields one candidate per consistent reading: each
 *     filling of `?` digits, each century or decade a truncated year allows
 *     (newest first, up to the rule's `alternatives`), dropping impossible
 *     weeks, months and days and everything after the documentation date;
 *  5. equal readings merge (the higher confidence stays); the list is
 *     ranked by confidence and cut at RN_DECODE_CANDIDATES_MAX;
 *  6. values and explanations are written only for the candidates kept.
 *
 * Confidence model: a rule's base confidence is its confidence in a neutral
 * context. Context that fits a rule's `category`/`state` lists moves it
 * halfway to 1; context that contradicts them multiplies it by 0.5
 * (category) or 0.3 (state); a stated manufacturer does the same for maker
 * candidates (fits: halfway to 1; others: x0.6). A longer maker prefix is
 * more specific: +(1 - c) * min(len - 1, 5) / 10. The readings of one match
 * share its confidence: weight 1 for each filling of `?`, and 1/2^k for
 * the k-th older reading of a truncated year.
 *
 * Thread safety: the decoder is only read; all state lives on the stack or
 * in the result.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decode/decode_int.h"

#define WORK_MAX (RN_DECODE_CANDIDATES_MAX * 2)
#define READINGS_MAX 32 /* readings of one match */

enum {
    CTX_CAT_FIT = 1, CTX_CAT_MISS = 2, CTX_STATE_FIT = 4, CTX_STATE_MISS = 8,
    CTX_MAKER_FIT = 16, CTX_MAKER_MISS = 32, CTX_PERSIAN = 64
};

typedef struct cand {
    double conf;
    rn_date date;
    const rn__factory *fac;
    int rule;
    int maker;
    int also;          /* another rule with the same reading, or -1 */
    int fmt;           /* plausibility from a datecodes rule: the format read */
    rn__field field;
    uint16_t off, len; /* what was read, in the normalized text */
    uint16_t pre;      /* prefix length, prefix rules */
    int16_t pat;       /* pattern, format rules */
    int year;          /* the year as written (calendar year or last digits) */
    int greg, month, week, day;
    uint8_t ydigits;
    uint8_t alt, nalt; /* which reading of a truncated year, of how many */
    uint8_t unknown;   /* `?` digits filled in */
    uint8_t nread;     /* readings of the match */
    uint8_t ctx;       /* CTX_* */
    uint8_t tie;       /* within RN_DECODE_TIE_MARGIN of its field's best, another value */
    uint16_t voff, vlen; /* value span (part numbers, serials, lots) */
} cand;

typedef struct work {
    const rn_decoder *d;
    const rn_decode_ctx *ctx;
    const char *s;     /* normalized marking */
    size_t n;
    unsigned nflags;
    int32_t doc;       /* documentation day */
    int doc_year;
    cand c[WORK_MAX];
    size_t nc;
    struct late {      /* a calendar date read only after the documentation date */
        int rule;
        int16_t pat;
        uint16_t off, len;
        rn_date date;
        double conf;
    } late[8];
    size_t nlate;
} work;

struct rn_candidates {
    size_t n;
    rn_candidate *v;
    char *arena;
};

/* ---- context ---------------------------------------------------------------- */

/* 1 if the ','-list holds item (for categories, "missile" also covers
 * "missile-section"). */
static int list_has(const char *list, const char *item, int prefix_ok)
{
    size_t il = strlen(item);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l <= il && strncasecmp(p, item, l) == 0 && (l == il || (prefix_ok && item[l] == '-')))
            return 1;
        p = e ? e + 1 : p + l;
    }
    return 0;
}

static double fit(const rn__rule *r, const rn_decode_ctx *ctx, double c, uint8_t *bits)
{
    if (!ctx)
        return c;
    if (ctx->category && ctx->category[0] && r->category) {
        if (list_has(r->category, ctx->category, 1))
            c += (1 - c) / 2, *bits |= CTX_CAT_FIT;
        else
            c *= 0.5, *bits |= CTX_CAT_MISS;
    }
    if (ctx->state && ctx->state[0] && r->state) {
        if (list_has(r->state, ctx->state, 0))
            c += (1 - c) / 2, *bits |= CTX_STATE_FIT;
        else
            c *= 0.3, *bits |= CTX_STATE_MISS;
    }
    return c;
}

static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0)
        return 0;
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    return 0;
}

/* Does the stated manufacturer name this maker? By id, by a name that
 * contains or is contained in the maker's name, or by an aka. */
static int maker_is(const rn__maker *m, const char *who)
{
    if (strcasecmp(who, m->id) == 0 || contains_ci(m->name, who) || contains_ci(who, m->name))
        return 1;
    if (m->aka) {
        for (const char *p = m->aka; *p;) {
            const char *e = strchr(p, ';');
            size_t l = e ? (size_t)(e - p) : strlen(p);
            if (l && strlen(who) == l && strncasecmp(who, p, l) == 0)
                return 1;
            p = e ? e + 1 : p + l;
        }
    }
    return 0;
}

static double maker_fit(const work *w, int maker, double c, uint8_t *bits)
{
    const char *who = w->ctx ? w->ctx->manufacturer : NULL;
    if (!who || !who[0] || maker < 0)
        return c;
    if (maker_is(&w->d->makers[maker], who))
        return *bits |= CTX_MAKER_FIT, c + (1 - c) / 2;
    *bits |= CTX_MAKER_MISS;
    return c * 0.6;
}

/* ---- collecting candidates ----------------------------------------------------- */

static int same(const work *w, const cand *a, const cand *b)
{
    if (a->field != b->field)
        return 0;
    switch (a->field) {
    case RN__F_DATE:
        return a->date.earliest == b->date.earliest && a->date.latest == b->date.latest &&
               a->date.precision == b->date.precision;
    case RN__F_MAKER:
        return a->maker == b->maker;
    case RN__F_FACTORY:
        if (a->fac || b->fac)
            return a->fac == b->fac;
        return strcmp(w->d->rules[a->rule].value, w->d->rules[b->rule].value) == 0;
    case RN__F_SYSTEM:
        return strcmp(w->d->rules[a->rule].value, w->d->rules[b->rule].value) == 0;
    case RN__F_PLAUSIBILITY: /* one flag a rule and token: two rules' flags both show */
    case RN__F_EXPORT:
        return a->rule == b->rule && a->vlen == b->vlen &&
               memcmp(w->s + a->voff, w->s + b->voff, a->vlen) == 0;
    default:
        return a->vlen == b->vlen && memcmp(w->s + a->voff, w->s + b->voff, a->vlen) == 0;
    }
}

static void add(work *w, const cand *c)
{
    if (!(c->conf > 0))
        return;
    for (size_t i = 0; i < w->nc; i++) {
        cand *o = &w->c[i];
        if (!same(w, o, c))
            continue;
        if (c->conf > o->conf) {
            int also = o->rule != c->rule ? o->rule : o->also;
            *o = *c;
            o->also = also;
        } else if (o->rule != c->rule && o->also < 0) {
            o->also = c->rule;
        }
        return;
    }
    if (w->nc < WORK_MAX) {
        w->c[w->nc++] = *c;
        return;
    }
    size_t lo = 0; /* full: replace the weakest if this one is stronger */
    for (size_t i = 1; i < w->nc; i++)
        if (w->c[i].conf < w->c[lo].conf)
            lo = i;
    if (c->conf > w->c[lo].conf)
        w->c[lo] = *c;
}

static void init_cand(cand *c, int rule, rn__field f, size_t off, size_t len)
{
    memset(c, 0, sizeof *c);
    c->rule = rule;
    c->maker = -1;
    c->also = -1;
    c->pat = -1;
    c->field = f;
    c->off = (uint16_t)off;
    c->len = (uint16_t)len;
}

/* ---- prefixes and exact texts ----------------------------------------------------- */

static int then_ok(rn__then t, char c)
{
    if (t == RN__THEN_ANY || c == '?')
        return 1;
    if (t == RN__THEN_DIGIT)
        return c >= '0' && c <= '9';
    return (c >= 'A' && c <= 'Z');
}

static void scan_prefixes(work *w, size_t off, size_t n)
{
    const rn_decoder *d = w->d;
    const char *s = w->s + off;
    size_t max = n < d->prefix_max ? n : d->prefix_max;
    uint32_t h = RN__HASH_SEED;
    double best = 0;
    int best_rule = -1;
    uint16_t best_pre = 0;
    for (size_t L = 1; L <= max; L++) {
        if (s[L - 1] == '?')
            break; /* an illegible character ends what a prefix can claim */
        h = rn__hash_step(h, (unsigned char)s[L - 1]);
        for (int k = rn__index_find(&d->prefix, h, s, L); k >= 0; k = d->prefix.hits[k].next) {
            int ri = d->prefix.hits[k].rule;
            const rn__rule *r = &d->rules[ri];
            if (L < n ? !then_ok(r->then, s[L]) : (r->kind == RN__R_PREFIX || r->then != RN__THEN_ANY))
                continue; /* a maker prefix needs something after it */
            cand c;
            init_cand(&c, ri, r->field, off, n);
            c.pre = (uint16_t)L;
            double base = r->conf;
            if (r->kind == RN__R_PREFIX) {
                size_t extra = L - 1 < 5 ? L - 1 : 5;
                base += (1 - base) * (double)extra / 10;
                c.maker = r->maker;
            }
            c.conf = fit(r, w->ctx, base, &c.ctx);
            if (r->kind == RN__R_PREFIX) {
                c.conf = maker_fit(w, r->maker, c.conf, &c.ctx);
                if (c.conf > best)
                    best = c.conf, best_rule = ri, best_pre = (uint16_t)L;
            }
            add(w, &c);
        }
    }
    if (best_rule >= 0 && n <= 64) {
        cand c;
        init_cand(&c, best_rule, RN__F_PART, off, n);
        c.pre = best_pre;
        c.maker = d->rules[best_rule].maker;
        c.voff = (uint16_t)off;
        c.vlen = (uint16_t)n;
        c.conf = best * 0.9;
        add(w, &c);
    }
}

/* Suffix rules: the token's last 1..suffix_max bytes (leaving at least one
 * byte before them) looked up whole; a hit whose then= fits the byte before
 * the suffix and whose base= (if any) begins the token gives a maker and,
 * when no prefix claimed the token, a part number. */
static void scan_suffixes(work *w, size_t off, size_t n)
{
    const rn_decoder *d = w->d;
    const char *s = w->s + off;
    size_t max = n - 1 < d->suffix_max ? n - 1 : d->suffix_max;
    int best_rule = -1;
    double best = 0;
    for (size_t L = 1; L <= max && n > 1; L++) {
        const char *t = s + n - L;
        if (memchr(t, '?', L))
            break; /* an illegible character ends what a suffix can claim */
        uint32_t h = RN__HASH_SEED;
        for (size_t i = 0; i < L; i++)
            h = rn__hash_step(h, (unsigned char)t[i]);
        for (int k = rn__index_find(&d->suffix, h, t, L); k >= 0; k = d->suffix.hits[k].next) {
            int ri = d->suffix.hits[k].rule;
            const rn__rule *r = &d->rules[ri];
            char before = s[n - L - 1];
            if (before != '?' && !then_ok(r->then, before))
                continue;
            int based = r->nbases == 0;
            for (int b = 0; b < r->nbases && !based; b++) {
                size_t bl = strlen(r->bases[b]);
                based = bl < n - L && memcmp(s, r->bases[b], bl) == 0;
            }
            if (!based)
                continue;
            cand c;
            init_cand(&c, ri, RN__F_MAKER, off, n);
            c.pre = (uint16_t)L;
            c.maker = r->maker;
            double base = r->conf;
            size_t extra = L - 1 < 5 ? L - 1 : 5;
            base += (1 - base) * (double)extra / 10;
            c.conf = maker_fit(w, r->maker, fit(r, w->ctx, base, &c.ctx), &c.ctx);
            if (c.conf > best)
                best = c.conf, best_rule = ri;
            add(w, &c);
        }
    }
    if (best_rule >= 0 && n <= 64) {
        cand c;
        init_cand(&c, best_rule, RN__F_PART, off, n);
        c.maker = d->rules[best_rule].maker;
        c.voff = (uint16_t)off;
        c.vlen = (uint16_t)n;
        c.conf = best * 0.9;
        add(w, &c); /* merges with a prefix's part number of the same text */
    }
}

static void lookup_exact(work *w, size_t off, size_t n)
{
    const rn_decoder *d = w->d;
    if (n > RN__PREFIX_MAX || !d->exact.cap)
        return;
    uint32_t h = RN__HASH_SEED;
    for (size_t i = 0; i < n; i++)
        h = rn__hash_step(h, (unsigned char)w->s[off + i]);
    for (int k = rn__index_find(&d->exact, h, w->s + off, n); k >= 0; k = d->exact.hits[k].next) {
        int ri = d->exact.hits[k].rule;
        const rn__rule *r = &d->rules[ri];
        cand c;
        init_cand(&c, ri, r->field, off, n);
        c.pre = (uint16_t)n;
        c.conf = fit(r, w->ctx, r->conf, &c.ctx);
        if (r->kind == RN__R_LOGO) {
            c.maker = r->maker;
            c.conf = maker_fit(w, r->maker, c.conf, &c.ctx);
        }
        add(w, &c);
    }
}

/* ---- patterns -------------------------------------------------------------------- */

typedef struct reading {
    rn_date date;
    int year, greg, month, week, day, alt, nalt;
    double weight;
} reading;

static int pow10i(int n)
{
    int p = 1;
    while (n-- > 0)
        p *= 10;
    return p;
}

/* Every reading of one filling of the date digits. */
static size_t readings_of(const work *w, const rn__rule *r, const rn__pattern *p, int y, int m,
                          int wk, int dd, reading *out, size_t cap, rn_date *late, int *nlate)
{
    const rn__calendar *cal = &w->d->cals[r->calendar];
    size_t n = 0;
    int years[5], ny = 0;
    if (r->year_last) {
        int mod = pow10i(p->ny);
        int y0 = w->doc_year - (((w->doc_year - y) % mod) + mod) % mod;
        for (int a = 0; a < r->alternatives && y0 - a * mod >= r->min_year; a++)
            years[ny++] = y0 - a * mod;
    } else {
        years[ny++] = y;
    }
    for (int a = 0; a < ny && n < cap; a++) {
        reading rd;
        memset(&rd, 0, sizeof rd);
        rd.year = y;
        rd.month = m;
        rd.week = wk;
        rd.day = dd;
        rd.alt = a;
        rd.nalt = ny;
        rn_code rc = p->nw ? rn_date_isoweek(years[a], wk, &rd.date)
                           : rn__calendar_date(cal, years[a], m, dd, &rd.date);
        if (rc)
            continue; /* an impossible week, month, day or era year */
        int gy, gm, gd;
        rn_day_to_ymd(rd.date.earliest, &gy, &gm, &gd);
        rd.greg = r->year_last ? years[a] : y + cal->offset;
        if (gy < r->min_year && rd.greg < r->min_year)
            continue;
        if (rd.date.earliest > w->doc) { /* made after it was documented: impossible */
            if (!(*nlate)++)
                *late = rd.date;
            continue;
        }
        rd.weight = 1.0 / (double)(1 << a);
        out[n++] = rd;
    }
    return n;
}

static void try_pattern(work *w, int ri, int pi, size_t off, size_t n)
{
    const rn__rule *r = &w->d->rules[ri];
    const rn__pattern *p = &r->pats[pi];
    rn__match m;
    const char *s = w->s + off;
    if (!rn__pattern_match(p, s, n, &m))
        return;
    uint8_t bits = 0;
    double conf = fit(r, w->ctx, r->conf, &bits);
    if (r->persian && (w->nflags & RN__NORM_PERSIAN))
        conf += (1 - conf) / 2, bits |= CTX_PERSIAN;
    if (r->field != RN__F_DATE) { /* serial, lot, part number: the class elements' span */
        int first = -1, last = -1;
        for (int k = 0; k < p->n; k++)
            if (p->e[k].kind == RN__E_N || p->e[k].kind == RN__E_A || p->e[k].kind == RN__E_X)
                last = k, first = first < 0 ? k : first;
        cand c;
        init_cand(&c, ri, r->field, off, n);
        c.pat = (int16_t)pi;
        c.voff = (uint16_t)(off + m.off[first]);
        c.vlen = (uint16_t)(m.off[last] + m.len[last] - m.off[first]);
        c.conf = conf;
        c.ctx = bits;
        add(w, &c);
        return;
    }
    const rn__factory *fac = NULL;
    if (r->kind == RN__R_HEADSTAMP) {
        for (int k = 0; k < p->n; k++)
            if (p->e[k].kind == RN__E_C)
                fac = rn__factory_find(w->d, r->group, s + m.off[k], m.len[k]);
        if (!fac)
            return; /* not a factory code we know: no headstamp reading */
    }
    /* the date digits, and where the illegible ones are */
    char dig[4][4];
    int nd[4] = {0, 0, 0, 0};
    int unk[RN__UNKNOWN_MAX];
    int nunk = 0;
    for (int k = 0; k < p->n; k++) {
        int part = p->e[k].kind == RN__E_Y ? 0 : p->e[k].kind == RN__E_M ? 1
                 : p->e[k].kind == RN__E_W ? 2 : p->e[k].kind == RN__E_D ? 3 : -1;
        if (part < 0)
            continue;
        char ch = s[m.off[k]];
        if (ch == '?') {
            if (nunk == RN__UNKNOWN_MAX)
                return; /* too illegible to enumerate */
            unk[nunk++] = part * 4 + nd[part];
        }
        dig[part][nd[part]++] = ch;
    }
    reading rd[READINGS_MAX];
    size_t nr = 0;
    rn_date late = {0, 0, RN_PREC_NONE};
    int nlate = 0;
    int combos = pow10i(nunk);
    for (int combo = 0; combo < combos && nr < READINGS_MAX; combo++) {
        int x = combo;
        for (int u = 0; u < nunk; u++, x /= 10)
            dig[unk[u] / 4][unk[u] % 4] = (char)('0' + x % 10);
        int v[4] = {0, 0, 0, 0};
        for (int part = 0; part < 4; part++)
            for (int i = 0; i < nd[part]; i++)
                v[part] = v[part] * 10 + (dig[part][i] - '0');
        if ((nd[1] && (v[1] < 1 || v[1] > 12)) || (nd[2] && v[2] < 1) || (nd[3] && v[3] < 1))
            continue;
        nr += readings_of(w, r, p, v[0], v[1], v[2], v[3], rd + nr, READINGS_MAX - nr, &late,
                          &nlate);
    }
    if (nr == 0) {
        /* a calendar date (12.05.2027) that reads only after the documentation
         * date: kept for the plausibility check */
        if (nlate && r->kind == RN__R_FORMAT && p->calendar_like &&
            w->nlate < sizeof w->late / sizeof w->late[0])
            w->late[w->nlate++] = (struct late){ri, (int16_t)pi, (uint16_t)off, (uint16_t)n,
                                                late, conf};
        return;
    }
    double total = 0;
    for (size_t i = 0; i < nr; i++)
        total += rd[i].weight;
    for (size_t i = 0; i < nr; i++) {
        cand c;
        init_cand(&c, ri, RN__F_DATE, off, n);
        c.pat = (int16_t)pi;
        c.date = rd[i].date;
        c.year = rd[i].year;
        c.greg = rd[i].greg;
        c.month = rd[i].month;
        c.week = rd[i].week;
        c.day = rd[i].day;
        c.ydigits = p->ny;
        c.alt = (uint8_t)rd[i].alt;
        c.nalt = (uint8_t)rd[i].nalt;
        c.unknown = (uint8_t)nunk;
        c.nread = (uint8_t)nr;
        c.ctx = bits;
        c.conf = conf * rd[i].weight / total;
        add(w, &c);
    }
    if (fac) {
        cand c;
        init_cand(&c, ri, RN__F_FACTORY, off, n);
        c.pat = (int16_t)pi;
        c.fac = fac;
        c.ctx = bits;
        c.conf = conf;
        add(w, &c);
    }
}

/* ---- plausibility ------------------------------------------------------------------ */

/* 1 if some token of the marking begins with pre. */
static int token_begins(const work *w, const char *pre)
{
    size_t pl = strlen(pre);
    for (size_t i = 0; i + pl <= w->n; i++)
        if ((i == 0 || w->s[i - 1] == ' ') && memcmp(w->s + i, pre, pl) == 0)
            return 1;
    return 0;
}

static double shown(double c);

/* The date readings of one token (off, len): the latest day any of them
 * allows, the index of that reading and the best confidence among them. */
typedef struct token_dates {
    int32_t latest;
    size_t newest;
    double conf;
} token_dates;

static void dates_of(const work *w, size_t n0, uint16_t off, uint16_t len, token_dates *t)
{
    t->latest = RN_DAY_OPEN_LOW;
    t->newest = 0;
    t->conf = 0;
    for (size_t j = 0; j < n0; j++) {
        const cand *o = &w->c[j];
        if (o->field != RN__F_DATE || o->off != off || o->len != len)
            continue;
        if (o->date.latest > t->latest || t->conf == 0)
            t->latest = o->date.latest, t->newest = j;
        if (o->conf > t->conf)
            t->conf = o->conf;
    }
}

/* 1 if w->c[i] is the first date reading of its token among the first i. */
static int first_of_token(const work *w, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (w->c[j].field == RN__F_DATE && w->c[j].off == w->c[i].off &&
            w->c[j].len == w->c[i].len)
            return 0;
    return 1;
}

/* An `introduced` rule whose maker is a candidate and whose part family is
 * on the marking flags each date token whose every reading ends before the
 * family existed (a token with one reading after it is plausible: nothing
 * is claimed): one plausibility candidate per token and rule, at the
 * confidence of the weaker of the maker and the token's best reading. */
static void check_introduced(work *w, size_t n0)
{
    const rn_decoder *d = w->d;
    for (size_t k = 0; k < d->nintroduced; k++) {
        int ri = d->introduced[k];
        const rn__rule *r = &d->rules[ri];
        double maker_conf = 0;
        for (size_t i = 0; i < n0; i++)
            if ((w->c[i].field == RN__F_MAKER || w->c[i].field == RN__F_PART) &&
                w->c[i].maker == r->maker && w->c[i].conf > maker_conf)
                maker_conf = w->c[i].conf;
        if (!(maker_conf > 0) || !token_begins(w, r->bases[0]))
            continue;
        for (size_t i = 0; i < n0; i++) {
            const cand *dc = &w->c[i];
            if (dc->field != RN__F_DATE || !first_of_token(w, i))
                continue;
            token_dates t;
            dates_of(w, n0, dc->off, dc->len, &t);
            if (t.latest >= r->since)
                continue;
            cand c;
            init_cand(&c, ri, RN__F_PLAUSIBILITY, dc->off, dc->len);
            c.date = w->c[t.newest].date; /* the newest reading, for the explanation */
            c.voff = dc->off;
            c.vlen = dc->len;
            c.conf = t.conf < maker_conf ? t.conf : maker_conf;
            add(w, &c);
        }
    }
}

/* The decided maker among the first n0 candidates: the best manufacturer
 * when no other maker ties with it; -1 otherwise. OUT: *conf. */
static int decided_maker(const work *w, size_t n0, double *conf)
{
    int best = -1;
    double bc = 0;
    for (size_t i = 0; i < n0; i++)
        if (w->c[i].field == RN__F_MAKER && w->c[i].conf > bc)
            bc = w->c[i].conf, best = w->c[i].maker;
    for (size_t i = 0; i < n0 && best >= 0; i++)
        if (w->c[i].field == RN__F_MAKER && w->c[i].maker != best &&
            shown(bc) - shown(w->c[i].conf) <= RN_DECODE_TIE_MARGIN + 1e-9)
            return -1; /* a tie: the maker is not decided */
    *conf = bc;
    return best;
}

/* A `datecodes` rule of the decided maker flags each date token that reads
 * only as calendar dates (12.05.2023, 2023-05: calendar_like patterns) of
 * formats the maker's own codes do not use. A token with any reading in a
 * listed format, or any reading of a date-code form (YYWW, YWW...), is
 * not flagged: only what cannot be the maker's own code is. */
static void check_datecodes(work *w, size_t n0)
{
    const rn_decoder *d = w->d;
    double maker_conf = 0;
    int maker = decided_maker(w, n0, &maker_conf);
    if (maker < 0)
        return;
    for (size_t k = 0; k < d->ndatecodes; k++) {
        int ri = d->datecodes[k];
        const rn__rule *r = &d->rules[ri];
        if (r->maker != maker)
            continue;
        if (w->ctx && w->ctx->category && w->ctx->category[0] && r->category &&
            !list_has(r->category, w->ctx->category, 1))
            continue; /* not an item whose marking the maker's conventions cover */
        for (size_t i = 0; i < n0; i++) {
            const cand *dc = &w->c[i];
            if (dc->field != RN__F_DATE || !first_of_token(w, i))
                continue;
            int foreign = 1;
            double conf = 0;
            for (size_t j = i; j < n0 && foreign; j++) {
                const cand *o = &w->c[j];
                if (o->field != RN__F_DATE || o->off != dc->off || o->len != dc->len)
                    continue;
                const rn__rule *f = &d->rules[o->rule];
                if (f->kind != RN__R_FORMAT || !f->pats[o->pat].calendar_like)
                    foreign = 0;
                for (int u = 0; u < r->nuses && foreign; u++)
                    foreign = r->uses[u] != o->rule;
                if (o->conf > conf)
                    conf = o->conf;
            }
            if (!foreign)
                continue;
            cand c;
            init_cand(&c, ri, RN__F_PLAUSIBILITY, dc->off, dc->len);
            c.date = dc->date;
            c.fmt = dc->rule;
            c.pat = dc->pat;
            c.voff = dc->off;
            c.vlen = dc->len;
            c.conf = conf < maker_conf ? conf : maker_conf;
            add(w, &c);
        }
    }
}

/* A `class` rule whose maker's part number (the token a maker prefix or
 * suffix claimed) begins with one of its prefixes gives the part's usual
 * export-control category, at the part number's confidence. */
static void check_classes(work *w, size_t n0)
{
    const rn_decoder *d = w->d;
    for (size_t i = 0; i < n0; i++) {
        const cand *p = &w->c[i];
        if (p->field != RN__F_PART || p->maker < 0)
            continue;
        for (size_t k = 0; k < d->nclasses; k++) {
            int ri = d->classes[k];
            const rn__rule *r = &d->rules[ri];
            if (r->maker != p->maker)
                continue;
            int hit = 0;
            for (int b = 0; b < r->nbases && !hit; b++) {
                size_t bl = strlen(r->bases[b]);
                hit = bl <= p->vlen && memcmp(w->s + p->voff, r->bases[b], bl) == 0;
            }
            if (!hit)
                continue;
            cand c;
            init_cand(&c, ri, RN__F_EXPORT, p->off, p->len);
            c.maker = p->maker;
            c.voff = p->voff;
            c.vlen = p->vlen;
            c.conf = p->conf;
            add(w, &c);
            break; /* one class a part number: the first rule that fits */
        }
    }
}

/* A calendar date that reads only after the documentation date (and as
 * nothing else on its token): nothing is made after it was documented, so
 * the marking, the reading or the documentation date is wrong. Flagged at
 * half the format's confidence; the rule is the format's. */
static void check_late(work *w, size_t n0)
{
    for (size_t k = 0; k < w->nlate; k++) {
        const struct late *l = &w->late[k];
        int read = 0;
        for (size_t i = 0; i < n0 && !read; i++)
            read = w->c[i].field == RN__F_DATE && w->c[i].off == l->off && w->c[i].len == l->len;
        if (read)
            continue;
        cand c;
        init_cand(&c, l->rule, RN__F_PLAUSIBILITY, l->off, l->len);
        c.date = l->date;
        c.pat = l->pat;
        c.voff = l->off;
        c.vlen = l->len;
        c.conf = l->conf * 0.5;
        add(w, &c);
    }
}

/* A `layout` rule of the decided maker: a token with the maker's layout
 * whose date-code digits are no week (00, 54-99) or month (00, 13-99). */
static void check_layouts(work *w, size_t n0)
{
    const rn_decoder *d = w->d;
    double maker_conf = 0;
    int maker = decided_maker(w, n0, &maker_conf);
    if (maker < 0)
        return;
    for (size_t k = 0; k < d->nlayouts; k++) {
        int ri = d->layouts[k];
        const rn__rule *r = &d->rules[ri];
        if (r->maker != maker)
            continue;
        if (w->ctx && w->ctx->category && w->ctx->category[0] && r->category &&
            !list_has(r->category, w->ctx->category, 1))
            continue;
        const rn__pattern *p = &r->pats[0];
        for (size_t i = 0; i < w->n;) {
            size_t j = i;
            while (j < w->n && w->s[j] != ' ')
                j++;
            rn__match m;
            if (rn__pattern_match(p, w->s + i, j - i, &m)) {
                int y = 0, v = 0, legible = 1;
                for (unsigned e = 0; e < p->n; e++) {
                    unsigned kind = p->e[e].kind;
                    if (kind != RN__E_Y && kind != RN__E_W && kind != RN__E_M)
                        continue;
                    char ch = w->s[i + m.off[e]];
                    legible &= ch != '?';
                    if (kind == RN__E_Y)
                        y = y * 10 + (ch - '0');
                    else
                        v = v * 10 + (ch - '0');
                }
                if (legible && (v < 1 || v > (p->nw ? 53 : 12))) {
                    cand c;
                    init_cand(&c, ri, RN__F_PLAUSIBILITY, i, j - i);
                    c.pat = 0;
                    c.year = y;
                    c.week = p->nw ? v : 0;
                    c.month = p->nw ? 0 : v;
                    c.nalt = p->nw ? 0 : 1; /* 1: the layout's code is a month */
                    c.voff = (uint16_t)i;
                    c.vlen = (uint16_t)(j - i);
                    c.conf = maker_conf * 0.9;
                    add(w, &c);
                }
            }
            i = j + 1;
        }
    }
}

static void check_plausibility(work *w)
{
    size_t n0 = w->nc;
    if (w->nlate)
        check_late(w, n0);
    if (w->d->nlayouts)
        check_layouts(w, n0);
    if (w->d->nintroduced)
        check_introduced(w, n0);
    if (w->d->ndatecodes)
        check_datecodes(w, n0);
    if (w->d->nclasses)
        check_classes(w, n0);
}

/* ---- ranking --------------------------------------------------------------------- */

static int by_rank(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->conf != y->conf)
        return x->conf > y->conf ? -1 : 1;
    if (x->field != y->field)
        return x->field < y->field ? -1 : 1;
    if (x->rule != y->rule)
        return x->rule < y->rule ? -1 : 1;
    if (x->off != y->off)
        return x->off < y->off ? -1 : 1;
    return x->date.earliest < y->date.earliest ? 1 : x->date.earliest > y->date.earliest ? -1 : 0;
}

/* ---- explanations ---------------------------------------------------------------- */

/* A small printf for explanations: %s, %.*s, %d with flags '0' and '+',
 * width digits or '*'. glibc's vfprintf dominated the decoder's profile;
 * this writes straight into the buffer. Output past the buffer's maximum is
 * dropped (the maximum is far above RN_DECODE_CANDIDATES_MAX explanations). */
static void ap(rn_buf *b, const char *fmt, ...) RN_PRINTF(2, 3);
static void ap(rn_buf *b, const char *fmt, ...)
{
    va_list va;
    va_start(va, fmt);
    for (const char *p = fmt; *p;) {
        const char *q = strchr(p, '%');
        size_t lit = q ? (size_t)(q - p) : strlen(p);
        if (lit && rn__buf_add(b, p, lit))
            break;
        if (!q)
            break;
        p = q + 1;
        int zero = 0, plus = 0, width = 0, prec = -1;
        for (;; p++) {
            if (*p == '0')
                zero = 1;
            else if (*p == '+')
                plus = 1;
            else
                break;
        }
        if (*p == '*')
            width = va_arg(va, int), p++;
        while (*p >= '0' && *p <= '9')
            width = width * 10 + (*p++ - '0');
        if (*p == '.' && p[1] == '*')
            prec = va_arg(va, int), p += 2;
        char num[24];
        const char *out;
        size_t n;
        if (*p == 's') {
            out = va_arg(va, const char *);
            n = strlen(out);
            if (prec >= 0 && (size_t)prec < n)
                n = (size_t)prec;
        } else if (*p == 'd') {
            long v = va_arg(va, int);
            unsigned long u = v < 0 ? (unsigned long)(-v) : (unsigned long)v;
            char *e = num + sizeof num, *o = e;
            do
                *--o = (char)('0' + u % 10);
            while ((u /= 10) && o > num + 2);
            while (zero && e - o < width && o > num + 1)
                *--o = '0';
            if (v < 0)
                *--o = '-';
            else if (plus)
                *--o = '+';
            out = o;
            n = (size_t)(e - o);
        } else {
            out = p[0] == '%' ? "%" : "";
            n = p[0] == '%';
        }
        if (n && rn__buf_add(b, out, n))
            break;
        if (*p)
            p++;
    }
    va_end(va);
}

static const char *ordinal(int n)
{
    return n == 1 ? "st" : n == 2 ? "nd" : n == 3 ? "rd" : "th";
}

static void ctx_notes(const work *w, const cand *c, rn_buf *b)
{
    const rn__rule *r = &w->d->rules[c->rule];
    const rn_decode_ctx *x = w->ctx;
    if (c->ctx & CTX_CAT_FIT)
        ap(b, " Ranked up: the item's category '%s' is one this rule fits (%s).",
                       x->category, r->category);
    if (c->ctx & CTX_CAT_MISS)
        ap(b, " Ranked down: the item's category '%s' is not one this rule fits (%s).",
                       x->category, r->category);
    if (c->ctx & CTX_STATE_FIT)
        ap(b, " Ranked up: the producing state %s is one this rule applies to.",
                       x->state);
    if (c->ctx & CTX_STATE_MISS)
        ap(b, " Ranked down: this rule applies to %s, not to the producing state %s.",
                       r->state, x->state);
    if (c->ctx & CTX_PERSIAN)
        ap(b, "%s", " Ranked up: the marking is written in Persian digits.");
    if (c->ctx & CTX_MAKER_FIT)
        ap(b, " Ranked up: the item is attributed to this manufacturer ('%s').",
                       x->manufacturer);
    if (c->ctx & CTX_MAKER_MISS)
        ap(b, " Ranked down: the item is attributed to another manufacturer ('%s').",
                       x->manufacturer);
    if (c->also >= 0)
        ap(b, " Rule %s gives the same reading.", w->d->rules[c->also].id);
}

static void explain_date(const work *w, const cand *c, rn_buf *b)
{
    const rn_decoder *d = w->d;
    const rn__rule *r = &d->rules[c->rule];
    const rn__pattern *p = &r->pats[c->pat];
    const rn__calendar *cal = &d->cals[r->calendar];
    char e[11], l[11], doc[11];
    rn_day_format(c->date.earliest, e);
    rn_day_format(c->date.latest, l);
    rn_day_format(w->doc, doc);
    if (r->kind == RN__R_HEADSTAMP)
        ap(b, "'%.*s' read as a headstamp, pattern %s (%s): ", (int)c->len,
                       w->s + c->off, p->text, r->note);
    else
        ap(b, "'%.*s' read with pattern %s (%s): ", (int)c->len, w->s + c->off,
                       p->text, r->note);
    if (r->year_last) {
        ap(b, "year digits '%0*d' give %d", (int)c->ydigits, c->year, c->greg);
        if (c->alt == 0)
            ap(b, ", the latest year ending in %0*d not after the documentation date %s",
                           (int)c->ydigits, c->year, doc);
        else
            ap(b, ", the %d%s latest year ending in %0*d not after the documentation "
                              "date %s (an older reading, ranked lower)",
                           c->alt + 1, ordinal(c->alt + 1), (int)c->ydigits, c->year, doc);
    } else if (rn__calendar_is_gregorian(cal)) {
        ap(b, "year %d", c->greg);
    } else {
        ap(b, "%s year %d", cal->name, c->year);
        if (cal->start_m)
            ap(b, " (its year begins on %02d-%02d%s, so it spans two Gregorian years)",
                           cal->start_m, cal->start_d,
                           cal->late_m != cal->start_m || cal->late_d != cal->start_d
                               ? " or a day later" : "");
        else
            ap(b, " = Gregorian %d (offset %+d)", c->greg, cal->offset);
    }
    if (c->week)
        ap(b, ", ISO-8601 week %d (Monday %s to Sunday %s)", c->week, e, l);
    else if (c->day)
        ap(b, ", month %d, day %d", c->month, c->day);
    else if (c->month)
        ap(b, ", month %d", c->month);
    if (c->date.precision == RN_PREC_DAY && c->date.earliest != c->date.latest && !c->week)
        ap(b, "; that is %s to %s", e, l);
    ap(b, "%s", ".");
    if (c->unknown)
        ap(b, " The illegible character%s (?) %s filled in; %d reading%s of this "
                          "pattern %s consistent, each ranked equally.",
                       c->unknown > 1 ? "s" : "", c->unknown > 1 ? "were" : "was", c->nread,
                       c->nread > 1 ? "s" : "", c->nread > 1 ? "are" : "is");
    if (w->nflags & RN__NORM_PERSIAN)
        ap(b, "%s", " Persian (Eastern Arabic) digits were read as 0-9.");
    if (p->nw && c->week == 53)
        ap(b, " %d has 53 ISO weeks, so week 53 is possible.", c->greg);
}

static void explain(const work *w, const cand *c, rn_buf *b)
{
    const rn_decoder *d = w->d;
    const rn__rule *r = &d->rules[c->rule];
    const char *tok = w->s + c->off;
    int tl = (int)c->len;
    switch (c->field == RN__F_PART && c->maker < 0 ? RN__F_SERIAL : c->field) {
    case RN__F_DATE:
        explain_date(w, c, b);
        break;
    case RN__F_MAKER: {
        const rn__maker *m = &d->makers[c->maker];
        if (r->kind == RN__R_LOGO) {
            ap(b, "'%.*s' is a name or logo marking of %s, headquartered in %s.", tl,
                           tok, m->name, m->country);
        } else if (r->kind == RN__R_SUFFIX) {
            ap(b, "'%.*s' ends in '%.*s', a suffix of %s's part numbers (headquarters: %s)",
               tl, tok, (int)c->pre, tok + tl - c->pre, m->name, m->country);
            if (r->nbases)
                ap(b, "%s", " after a part number of the family it names");
            ap(b, "%s", "; other makers may copy the code, so it ranks, it does not prove.");
        } else {
            ap(b, "'%.*s' begins with '%.*s', a part-number prefix of %s "
                              "(headquarters: %s)",
                           tl, tok, (int)c->pre, tok, m->name, m->country);
            if (r->then != RN__THEN_ANY)
                ap(b, ", followed by a %s as that maker's numbering has it",
                               r->then == RN__THEN_DIGIT ? "digit" : "letter");
            ap(b, "%s", ".");
            int others = 0;
            for (size_t i = 0; i < w->nc; i++)
                others += w->c[i].field == RN__F_MAKER && w->c[i].off == c->off &&
                          w->c[i].maker != c->maker;
            if (others)
                ap(b, " %d other maker%s use%s a prefix of this part number too; "
                                  "a longer prefix ranks higher.",
                               others, others > 1 ? "s" : "", others > 1 ? "" : "s");
        }
        break;
    }
    case RN__F_PART: {
        const rn__maker *m = &d->makers[c->maker];
        if (r->kind == RN__R_SUFFIX)
            ap(b, "'%.*s' reads as a part number: it ends in a suffix of %s parts.", tl, tok,
               m->name);
        else
            ap(b, "'%.*s' reads as a part number: it begins with '%.*s', a prefix of %s "
                  "parts.",
               tl, tok, (int)c->pre, tok, m->name);
        break;
    }
    case RN__F_PLAUSIBILITY: {
        char when[RN_DATE_TEXT_MAX], since[11];
        rn_date_format(&c->date, when, sizeof when);
        if (r->kind == RN__R_FORMAT) {
            char doc[11];
            rn_day_format(w->doc, doc);
            ap(b, "'%.*s' reads as a production date (%s, pattern %s: %s) only after the "
                  "documentation date %s, and nothing is made after it was documented: possible "
                  "re-marking or counterfeit, or a wrong documentation date, or not a date.",
               tl, tok, when, r->pats[c->pat].text, r->note, doc);
            break;
        }
        if (r->kind == RN__R_LAYOUT) {
            ap(b, "'%.*s' has the layout of %s's marking (pattern %s: %s), which puts a "
                  "two-digit year and %s there, but '%02d' is no %s: possible re-marking or "
                  "counterfeit, or a misread marking.",
               tl, tok, d->makers[r->maker].name, r->pats[0].text, r->note,
               c->nalt ? "month" : "week", c->nalt ? c->month : c->week,
               c->nalt ? "month" : "ISO week");
            break;
        }
        if (r->kind == RN__R_DATECODES) {
            const rn__rule *f = &d->rules[c->fmt];
            ap(b, "'%.*s' reads as a production date (%s) only as a calendar date, pattern %s "
                  "(%s); %s's own date codes use other formats (",
               tl, tok, when, f->pats[c->pat].text, f->note, d->makers[r->maker].name);
            for (int u = 0; u < r->nuses; u++)
                ap(b, "%s%s", u ? ", " : "", d->rules[r->uses[u]].pats[0].text);
            ap(b, "%s", ", per the source): possible re-marking or counterfeit, or the text is "
                        "not the maker's date code (a label, a lot or another maker's mark).");
            break;
        }
        rn_day_format(r->since, since);
        ap(b, "'%.*s' reads as a production date only before %s parts beginning '%s' existed "
              "(introduced %s, per the source; the latest reading is %s): possible re-marking "
              "or counterfeit, or another reading of the date code.",
           tl, tok, d->makers[r->maker].name, r->bases[0], since, when);
        break;
    }
    case RN__F_EXPORT:
        ap(b, "'%.*s' is of %s's family '%.*s': a %s. Such parts usually fall under HS "
              "%.*s.%.*s (%s)",
           tl, tok, d->makers[r->maker].name, (int)strlen(r->bases[0]), r->bases[0], r->value,
           4, r->hs, 2, r->hs + 4, r->heading);
        if (r->tier[0])
            ap(b, ", listed in tier %s of the Common High Priority List", r->tier);
        else
            ap(b, "%s", ", not on the Common High Priority List");
        ap(b, "%s", ". This is the category the part class usually falls under, not a customs "
                    "ruling on this part.");
        break;
    case RN__F_FACTORY:
        if (c->fac) {
            ap(b, "'%.*s' read as a headstamp, pattern %s (%s): factory code %s = "
                              "%s (%s).",
                           tl, tok, r->pats[c->pat].text, r->note, c->fac->code, c->fac->name,
                           c->fac->country);
            break;
        }
        __attribute__((fallthrough)); /* a factory mark reads like a system mark */
    case RN__F_SYSTEM:
        if (r->exact)
            ap(b, "'%.*s' is a known %s mark: %s.", tl, tok,
                           c->field == RN__F_SYSTEM ? "designation" : "factory", r->value);
        else
            ap(b, "'%.*s' begins with the designation '%.*s': %s.", tl, tok,
                           (int)c->pre, tok, r->value);
        if (r->country[0] && c->field == RN__F_SYSTEM)
            ap(b, " Produced by %s.", r->country);
        if (r->note)
            ap(b, " %s", r->note);
        break;
    default:
        ap(b, "'%.*s' read with pattern %s (%s): %s %.*s.", tl, tok,
                       r->pats[c->pat].text, r->note, rn__field_names[c->field], (int)c->vlen,
                       w->s + c->voff);
        break;
    }
    ctx_notes(w, c, b);
}

/* ---- ties ---------------------------------------------------------------------------- */

/* Confidence as reported (three decimals), so that ties are judged on the
 * figures people see. */
static double shown(double c)
{
    return floor(c * 1000 + 0.5) / 1000;
}

/* Mark the manufacturers and production dates among the first n (ranked)
 * candidates that lie within RN_DECODE_TIE_MARGIN of their field's best:
 * when two or more such candidates exist, each gets tie = 1. Candidates of
 * one field are distinct values (add() merged equal ones). */
static void mark_ties(work *w, size_t n)
{
    static const rn__field tied[] = {RN__F_MAKER, RN__F_DATE};
    for (size_t f = 0; f < sizeof tied / sizeof tied[0]; f++) {
        double best = -1;
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (w->c[i].field != tied[f])
                continue;
            if (best < 0)
                best = shown(w->c[i].conf);
            if (best - shown(w->c[i].conf) <= RN_DECODE_TIE_MARGIN + 1e-9)
                k++;
        }
        if (k < 2)
            continue;
        for (size_t i = 0; i < n; i++)
            if (w->c[i].field == tied[f] && best - shown(w->c[i].conf) <= RN_DECODE_TIE_MARGIN + 1e-9)
                w->c[i].tie = 1;
    }
}

/* The explanation's last sentence for a tied candidate: which other values
 * tie with it (at most three named). */
static void explain_tie(const work *w, const cand *c, size_t n, rn_buf *b)
{
    int named = 0, more = 0;
    for (size_t i = 0; i < n; i++) {
        const cand *o = &w->c[i];
        if (o == c || !o->tie || o->field != c->field)
            continue;
        if (named == 3) {
            more++;
            continue;
        }
        char date[RN_DATE_TEXT_MAX];
        const char *v = date;
        if (c->field == RN__F_MAKER)
            v = w->d->makers[o->maker].name;
        else
            rn_date_format(&o->date, date, sizeof date);
        ap(b, "%s%s", named ? ", " : " Ambiguous: as likely as ", v);
        named++;
    }
    if (named) {
        if (more)
            ap(b, " and %d more", more);
        ap(b, "%s", " (confidences within 0.02); the marking alone does not decide.");
    }
}

/* ---- the result ---------------------------------------------------------------------- */

static rn_code build(work *w, rn_candidates **out)
{
    const rn_decoder *d = w->d;
    size_t n = w->nc < RN_DECODE_CANDIDATES_MAX ? w->nc : RN_DECODE_CANDIDATES_MAX;
    rn_buf b;
    rn__buf_init(&b, (size_t)1 << 20);
    size_t (*offs)[2] = n ? rn__malloc(n * sizeof *offs) : NULL;
    rn_candidates *res = rn__calloc(1, sizeof *res);
    rn_code rc = (!res || (n && !offs)) ? RN_ENOMEM : RN_OK;
    if (rc == RN_OK && n && !(res->v = rn__calloc(n, sizeof *res->v)))
        rc = RN_ENOMEM;
    /* room for a usual value and explanation each at once, rather than
     * growing there by doubling */
    if (rc == RN_OK && n)
        rc = rn__buf_reserve(&b, n * 384);
    for (size_t i = 0; i < n && rc == RN_OK; i++) {
        const cand *c = &w->c[i];
        offs[i][0] = b.len;
        char date[RN_DATE_TEXT_MAX];
        switch (c->field) {
        case RN__F_DATE:
            rn_date_format(&c->date, date, sizeof date);
            rc = rn__buf_adds(&b, date);
            break;
        case RN__F_MAKER:
            rc = rn__buf_adds(&b, d->makers[c->maker].name);
            break;
        case RN__F_FACTORY:
            rc = rn__buf_adds(&b, c->fac ? c->fac->name : d->rules[c->rule].value);
            break;
        case RN__F_SYSTEM:
            rc = rn__buf_adds(&b, d->rules[c->rule].value);
            break;
        case RN__F_PLAUSIBILITY:
            rc = rn__buf_adds(&b, "possible re-marking or counterfeit");
            break;
        case RN__F_EXPORT: {
            const rn__rule *r = &d->rules[c->rule];
            char v[48];
            if (r->tier[0])
                snprintf(v, sizeof v, "HS %.4s.%.2s (CHPL tier %s)", r->hs, r->hs + 4, r->tier);
            else
                snprintf(v, sizeof v, "HS %.4s.%.2s", r->hs, r->hs + 4);
            rc = rn__buf_adds(&b, v);
            break;
        }
        default:
            rc = rn__buf_add(&b, w->s + c->voff, c->vlen);
        }
        if (rc == RN_OK)
            rc = rn__buf_addc(&b, '\0');
        offs[i][1] = b.len;
        if (rc == RN_OK && !(w->ctx && (w->ctx->flags & RN_DECODE_NO_EXPLANATION))) {
            explain(w, c, &b);
            if (c->tie)
                explain_tie(w, c, n, &b);
        }
        if (rc == RN_OK)
            rc = rn__buf_addc(&b, '\0');
    }
    if (rc == RN_OK)
        rc = rn__buf_cstr(&b);
    if (rc) {
        rn__buf_free(&b);
        free(offs);
        rn_candidates_free(res);
        return rc;
    }
    res->arena = b.data; /* owned by the list from here */
    res->n = n;
    for (size_t i = 0; i < n; i++) {
        const cand *c = &w->c[i];
        const rn__rule *r = &d->rules[c->rule];
        rn_candidate *k = &res->v[i];
        k->field = rn__field_names[c->field];
        k->value = res->arena + offs[i][0];
        k->explanation = res->arena + offs[i][1];
        k->date = c->field == RN__F_DATE ? c->date : (rn_date){0, 0, RN_PREC_NONE};
        if (c->field == RN__F_MAKER)
            k->country = d->makers[c->maker].country;
        else if (c->field == RN__F_FACTORY)
            k->country = c->fac ? c->fac->country : r->country;
        k->confidence = shown(c->conf);
        k->ambiguous = c->tie;
        k->rule = r->id;
        k->source = d->sources[r->src].text;
    }
    free(offs);
    *out = res;
    return RN_OK;
}

rn_code rn_decode_marking(const rn_decoder *d, const char *text, size_t len,
                          const rn_decode_ctx *ctx, rn_candidates **out, rn_error *err)
{
    if (!out)
        return rn__err(err, RN_EINVAL, "no place for the result");
    *out = NULL;
    if (!d || (!text && len))
        return rn__err(err, RN_EINVAL, "no decoder or no text");
    if (len > RN_DECODE_MARKING_MAX)
        return rn__err(err, RN_ELIMIT, "a marking holds at most %d bytes; this one has %zu",
                       RN_DECODE_MARKING_MAX, len);
    work wk; /* about 12 KiB: the stack is cheaper than the allocator here */
    work *w = &wk;
    char norm[RN_DECODE_MARKING_MAX + 1];
    long nl = rn__norm(text ? text : "", len, norm, &w->nflags);
    if (nl < 0)
        return rn__err(err, RN_EINPUT, "the marking is not UTF-8 text");
    w->d = d;
    w->ctx = ctx;
    w->s = norm;
    w->n = (size_t)nl;
    w->nc = 0;
    w->nlate = 0;
    w->doc = ctx && ctx->documented != RN_DAY_OPEN_HIGH && ctx->documented != RN_DAY_OPEN_LOW
                 ? ctx->documented : rn_day_today();
    int mo, dy;
    rn_day_to_ymd(w->doc, &w->doc_year, &mo, &dy);
    uint16_t toff[RN__TOKENS_MAX], tlen[RN__TOKENS_MAX];
    size_t nt = 0;
    for (size_t i = 0; i < w->n && nt < RN__TOKENS_MAX;) {
        size_t j = i;
        while (j < w->n && norm[j] != ' ')
            j++;
        toff[nt] = (uint16_t)i;
        tlen[nt++] = (uint16_t)(j - i);
        i = j + 1;
    }
    for (size_t t = 0; t < nt; t++) {
        scan_prefixes(w, toff[t], tlen[t]);
        if (d->suffix_max)
            scan_suffixes(w, toff[t], tlen[t]);
        for (size_t win = 1; win <= RN__WINDOW_MAX && t + win <= nt; win++) {
            size_t off = toff[t];
            size_t n = (size_t)(toff[t + win - 1] + tlen[t + win - 1]) - off;
            lookup_exact(w, off, n);
            const rn__patref *pr = d->bywin[win];
            unsigned char c0 = (unsigned char)norm[off];
            for (size_t k = 0; k < d->nbywin[win]; k++)
                if (n >= pr[k].min_len && n <= pr[k].max_len &&
                    (pr[k].first[c0 >> 3] & (1u << (c0 & 7))))
                    try_pattern(w, pr[k].rule, pr[k].pat, off, n);
        }
    }
    if (d->nintroduced || d->ndatecodes || d->nclasses || d->nlayouts || w->nlate)
        check_plausibility(w);
    qsort(w->c, w->nc, sizeof w->c[0], by_rank);
    mark_ties(w, w->nc < RN_DECODE_CANDIDATES_MAX ? w->nc : RN_DECODE_CANDIDATES_MAX);
    rn_code rc = build(w, out);
    if (rc)
        return rn__err(err, rc, "out of memory decoding a marking");
    return RN_OK;
}

size_t rn_candidates_count(const rn_candidates *c)
{
    return c ? c->n : 0;
}

const rn_candidate *rn_candidates_at(const rn_candidates *c, size_t i)
{
    return c && i < c->n ? &c->v[i] : NULL;
}

void rn_candidates_free(rn_candidates *c)
{
    if (!c)
        return;
    free(c->v);
    free(c->arena);
    free(c);
}
