/* SPDX-License-Identifier: Apache-2.0
 *
 * makers.c — manufacturers grouped by company for the origin tables: one
 * company is often written several ways ("NXP", "NXP Semiconductors",
 * "NXP Semiconductors N.V."), and counting each spelling apart splits its
 * share. Each spelling is kept and listed under its company, so the name
 * as marked (a brand) stays visible.
 *
 * Contracts:
 *  G1. Two spellings are one company when their keys are equal. The key
 *      (rn__maker_key) ignores case, punctuation and remarks in brackets
 *      ("(incl. Freescale)"), drops trailing legal
 *      forms (Inc., Corporation, Corp., Co., Ltd., Limited, GmbH, AG, S.A.,
 *      LLC, plc, N.V., B.V. ...), and drops trailing descriptor words
 *      (Semiconductor(s), Technology, Technologies, Electronics,
 *      Manufacturing), so that
 *      "NXP Semiconductors" is grouped with "NXP". A name is never reduced
 *      to nothing: its first word stays.
 *  G2. ENTITY LOOKUP — the place where the decoder's maker entities plug
 *      in (see entity_lookup below): when the decoder knows a spelling as
 *      an alias of a maker, or a maker as a brand of a parent company, that
 *      answer wins over G1 and the row says "grouped_by": "maker entity"
 *      (the decoder's makers and owners, rn_decoder_match_maker, owners as
 *      of today); other rows say "grouped_by": "normalized name".
 *  G3. A company row's name is its most frequent spelling (ties: the
 *      longest, then the first in byte order); its count, countries and
 *      items are the union of its spellings'. Components with a country but
 *      no manufacturer are one row, "manufacturer unknown" ("unknown":
 *      true), counted by their countries like any other.
 *  G4. A maker that is one of several tied candidates of an ambiguous
 *      decoding (effective.c M1) is counted in its row's "possible", never
 *      in "count" and so never in a share; a row seen only that way has
 *      count 0.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_int.h"
#include "remnant/decode.h"

#define MK_KEY_MAX 201

typedef struct mk_spelling {
    char text[201];       /* as written; "" = manufacturer unknown */
    char key[MK_KEY_MAX]; /* company key (G1/G2) */
    char brand[201];      /* G2: the brand a parent company owns, else "" */
    char countries[32];
    uint64_t count;
    uint64_t possible; /* G4 */
    json_t *items;
    json_t *possible_items;
} mk_spelling;

struct rn__maker_groups {
    mk_spelling *s;
    size_t n, cap;
    int by_entity; /* some key came from G2 */
    long limit;    /* items listed per spelling and per company */
};

/* ---- G1: the normalized key -------------------------------------------- */

static const char *const legal_forms[] = {
    "inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited", "gmbh",
    "ag", "sa", "llc", "plc", "nv", "bv", "kg", "kk", "spa", "srl", "sas", "ab", "oy",
    "pte", "pty", "lp", NULL};
static const char *const descriptors[] = {"semiconductor", "semiconductors", "technology",
                                          "technologies", "electronics", "manufacturing", NULL};

static int in_list(const char *w, size_t n, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strlen(list[i]) == n && !memcmp(list[i], w, n))
            return 1;
    return 0;
}

void rn__maker_key(const char *spelling, int strict, char *key, size_t cap)
{
    /* lower-case; dots vanish ("S.A." = "sa"); other punctuation separates;
     * a remark in brackets is not part of the name ("NXP Semiconductors
     * (incl. Freescale)") */
    char buf[MK_KEY_MAX];
    size_t n = 0;
    int depth = 0;
    for (const char *p = spelling; *p && n + 1 < sizeof buf; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '(' || c == '[') {
            depth++;
            continue;
        }
        if ((c == ')' || c == ']') && depth > 0) {
            depth--;
            continue;
        }
        if (depth > 0 || c == '.' || c == '\'')
            continue;
        if (isalnum(c) || c >= 0x80)
            buf[n++] = (char)tolower(c);
        else if (n && buf[n - 1] != ' ')
            buf[n++] = ' ';
    }
    while (n && buf[n - 1] == ' ')
        n--;
    buf[n] = '\0';
    /* drop trailing legal forms (and descriptors) while more than one word
     * is left */
    for (;;) {
        char *sp = strrchr(buf, ' ');
        if (!sp)
            break;
        const char *w = sp + 1;
        size_t wl = strlen(w);
        if (!in_list(w, wl, legal_forms) && (strict || !in_list(w, wl, descriptors)))
            break;
        *sp = '\0';
    }
    rn__cpy(key, cap, buf);
}

/* ---- G2: the decoder's maker entities ----------------------------------
 *
 * The decoder's makers (data/rules: a brand, its aliases and past names,
 * and its owners over time) answer first: *key = "entity:" + the company
 * that owns the brand today (the brand itself when independent), *brand =
 * the brand when a parent owns it. Returns 1 when the spelling names a
 * maker of the rules; otherwise G1 groups it. The built-in rules only: an
 * analysis is the same whichever database's rules folder is beside it. */
static rn_decoder *makers_dec; /* the built-in rules, loaded once; never freed */
static pthread_once_t makers_once = PTHREAD_ONCE_INIT;

static void load_makers(void)
{
    if (rn_decoder_load(NULL, 0, &makers_dec, NULL) != RN_OK)
        makers_dec = NULL; /* no rules: G1 alone */
}

static int entity_lookup(const char *spelling, char *key, size_t kcap, char *brand,
                         size_t bcap)
{
    pthread_once(&makers_once, load_makers);
    rn_maker_match m;
    if (!makers_dec)
        return 0;
    if (rn_decoder_match_maker(makers_dec, spelling, strlen(spelling), RN_DAY_OPEN_HIGH, &m,
                               NULL) != RN_OK) {
        /* then as G1 normalizes it ("NXP Semiconductors N.V." -> "nxp"):
         * the decoder ignores legal forms, but not every one G1 knows */
        char k[MK_KEY_MAX];
        rn__maker_key(spelling, 0, k, sizeof k);
        if (!k[0] || rn_decoder_match_maker(makers_dec, k, strlen(k), RN_DAY_OPEN_HIGH, &m,
                                            NULL) != RN_OK)
            return 0;
    }
    const char *company = m.company_id ? m.company_id : m.maker;
    if (!company)
        return 0;
    snprintf(key, kcap, "entity:%s", company);
    /* the brand stays visible when a parent company owns it */
    if (m.maker && strcmp(company, m.maker) != 0)
        snprintf(brand, bcap, "%s", m.brand ? m.brand : m.maker);
    else if (bcap)
        brand[0] = '\0';
    return 1;
}

int rn__maker_company_key(const char *spelling, char *key, size_t cap, char *brand,
                          size_t bcap)
{
    key[0] = '\0';
    if (brand && bcap)
        brand[0] = '\0';
    if (!spelling || !spelling[0])
        return 0;
    char b[201];
    if (entity_lookup(spelling, key, cap, brand ? brand : b, brand ? bcap : sizeof b))
        return 1;
    if (cap < 3)
        return 0;
    key[0] = 'n';
    key[1] = ':';
    rn__maker_key(spelling, 0, key + 2, cap - 2);
    return 0;
}

/* ---- the table ---------------------------------------------------------- */

rn_code rn__maker_groups_new(rn__maker_groups **out, rn_error *err)
{
    *out = rn__calloc(1, sizeof **out);
    return *out ? RN_OK : rn__err(err, RN_ENOMEM, "out of memory");
}

void rn__maker_groups_free(rn__maker_groups *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n; i++) {
        json_decref(g->s[i].items);
        json_decref(g->s[i].possible_items);
    }
    rn_free(g->s);
    rn_free(g);
}

static void add_country(char *list, size_t cap, const char *c)
{
    if (!c || strlen(c) != 2 || strstr(list, c))
        return;
    size_t n = strlen(list);
    if (n + 4 >= cap)
        return;
    if (n)
        list[n++] = ',';
    memcpy(list + n, c, 3);
}

static rn_code add(rn__maker_groups *g, const char *spelling, const char *country,
                   const char *item, long limit, int possible, rn_error *err)
{
    mk_spelling *s = NULL;
    for (size_t i = 0; i < g->n && !s; i++)
        if (!strcmp(g->s[i].text, spelling))
            s = &g->s[i];
    if (!s) {
        if (g->n == g->cap) {
            size_t nc = g->cap ? 2 * g->cap : 16;
            mk_spelling *ns = rn__realloc(g->s, nc * sizeof *ns);
            if (!ns)
                return rn__err(err, RN_ENOMEM, "out of memory");
            g->s = ns;
            g->cap = nc;
        }
        s = &g->s[g->n++];
        memset(s, 0, sizeof *s);
        rn__cpy(s->text, sizeof s->text, spelling);
        if (rn__maker_company_key(spelling, s->key, sizeof s->key, s->brand, sizeof s->brand))
            g->by_entity = 1;
        s->items = json_array();
        s->possible_items = json_array();
    }
    g->limit = limit;
    if (possible) {
        s->possible++;
        if ((long)json_array_size(s->possible_items) < limit)
            json_array_append_new(s->possible_items, json_string(item));
        return RN_OK;
    }
    s->count++;
    add_country(s->countries, sizeof s->countries, country);
    if ((long)json_array_size(s->items) < limit)
        json_array_append_new(s->items, json_string(item));
    return RN_OK;
}

rn_code rn__maker_groups_add(rn__maker_groups *g, const char *spelling, const char *country,
                             const char *item, long limit, rn_error *err)
{
    return add(g, spelling, country, item, limit, 0, err);
}

rn_code rn__maker_groups_add_possible(rn__maker_groups *g, const char *spelling,
                                      const char *item, long limit, rn_error *err)
{
    return add(g, spelling, NULL, item, limit, 1, err);
}

/* G3: the spelling that names a company, between two of the same key. */
static int better_name(const mk_spelling *a, const mk_spelling *b)
{
    if (a->count != b->count)
        return a->count > b->count;
    size_t la = strlen(a->text), lb = strlen(b->text);
    if (la != lb)
        return la > lb;
    return strcmp(a->text, b->text) < 0;
}

static int cmp_spelling(const void *x, const void *y)
{
    const mk_spelling *a = x, *b = y;
    int c = strcmp(a->key, b->key);
    if (c)
        return c;
    return better_name(a, b) ? -1 : better_name(b, a) ? 1 : 0;
}

static int cmp_row(const void *x, const void *y)
{
    json_int_t a = json_integer_value(json_object_get(*(json_t *const *)x, "count"));
    json_int_t b = json_integer_value(json_object_get(*(json_t *const *)y, "count"));
    if (a != b)
        return a > b ? -1 : 1;
    return strcmp(json_string_value(json_object_get(*(json_t *const *)x, "manufacturer")),
                  json_string_value(json_object_get(*(json_t *const *)y, "manufacturer")));
}

json_t *rn__maker_groups_json(rn__maker_groups *g, uint64_t denom)
{
    json_t *out = json_array();
    if (g->n)
        qsort(g->s, g->n, sizeof *g->s, cmp_spelling);
    size_t nrows = 0;
    json_t **rows = rn__calloc(g->n ? g->n : 1, sizeof *rows);
    if (!rows)
        return out;
    for (size_t a = 0; a < g->n;) {
        size_t b = a + 1;
        while (b < g->n && !strcmp(g->s[b].key, g->s[a].key))
            b++;
        /* s[a] names the company (sorted best name first within a key) */
        int unknown = !g->s[a].text[0];
        char countries[32] = "";
        uint64_t count = 0, possible = 0;
        json_t *row = json_object(), *items = json_array(), *sp = json_array();
        json_t *pitems = json_array();
        for (size_t i = a; i < b; i++) {
            mk_spelling *s = &g->s[i];
            count += s->count;
            possible += s->possible;
            for (size_t k = 0; k < json_array_size(s->possible_items) &&
                               (long)json_array_size(pitems) < g->limit;
                 k++)
                json_array_append(pitems, json_array_get(s->possible_items, k));
            for (size_t k = 0; k + 1 < sizeof s->countries && s->countries[k]; k += 3) {
                char c[3] = {s->countries[k], s->countries[k + 1], '\0'};
                add_country(countries, sizeof countries, c);
            }
            for (size_t k = 0; k < json_array_size(s->items) &&
                               (long)json_array_size(items) < g->limit;
                 k++)
                json_array_append(items, json_array_get(s->items, k));
            json_t *o = json_object();
            rn__jset(o, "spelling", unknown ? NULL : json_string(s->text));
            rn__jset(o, "brand", s->brand[0] ? json_string(s->brand) : NULL);
            rn__jset(o, "countries", json_string(s->countries));
            rn__jset(o, "count", json_integer((json_int_t)s->count));
            rn__jset(o, "possible", json_integer((json_int_t)s->possible));
            rn__jset(o, "items", s->items);
            s->items = NULL;
            json_array_append_new(sp, o);
        }
        rn__jset(row, "manufacturer",
                 json_string(unknown ? "manufacturer unknown" : g->s[a].text));
        rn__jset(row, "unknown", json_boolean(unknown));
        rn__jset(row, "company_key", json_string(g->s[a].key));
        rn__jset(row, "grouped_by",
                 unknown ? NULL
                         : json_string(!strncmp(g->s[a].key, "entity:", 7) ? "maker entity"
                                                                           : "normalized name"));
        rn__jset(row, "countries", json_string(countries));
        rn__jset(row, "count", json_integer((json_int_t)count));
        rn__jset(row, "share", denom ? json_real((double)count / (double)denom) : NULL);
        /* G4: tied candidates of ambiguous decodings, in no share */
        rn__jset(row, "possible", json_integer((json_int_t)possible));
        rn__jset(row, "possible_items", pitems);
        rn__jset(row, "items", items);
        rn__jset(row, "spellings", sp);
        rows[nrows++] = row;
        a = b;
    }
    if (nrows)
        qsort(rows, nrows, sizeof *rows, cmp_row);
    for (size_t i = 0; i < nrows; i++)
        json_array_append_new(out, rows[i]);
    rn_free(rows);
    return out;
}
