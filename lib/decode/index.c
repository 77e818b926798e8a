/* SPDX-License-Identifier: Apache-2.0
 *
 * index.c — the string index that makes prefix rules cheap: one open-
 * addressing hash table from a normalized text (a part-number prefix, a
 * logo, a designation) to the chain of rules that use it. The decoder walks
 * a token once, extending the hash a byte at a time (rn__hash_step), and
 * probes the table at every length up to the longest prefix: a marking
 * costs a handful of probes whatever the number of rules, and texts shared
 * by several makers ("MC", "LM") come back as one chain of hits.
 *
 * Built once at load (rules.c); read-only afterwards.
 */
#include <stdlib.h>
#include <string.h>

#include "decode/decode_int.h"

static uint32_t hash_of(const char *s, size_t n)
{
    uint32_t h = RN__HASH_SEED;
    for (size_t i = 0; i < n; i++)
        h = rn__hash_step(h, (unsigned char)s[i]);
    return h;
}

static rn_code grow(rn__index *ix)
{
    size_t cap = ix->cap ? ix->cap * 2 : 1024;
    rn__slot *ns = rn__calloc(cap, sizeof *ns);
    if (!ns)
        return RN_ENOMEM;
    for (size_t i = 0; i < cap; i++)
        ns[i].first = -1;
    for (size_t i = 0; i < ix->cap; i++) {
        if (ix->slots[i].first < 0)
            continue;
        size_t j = ix->slots[i].hash & (cap - 1);
        while (ns[j].first >= 0)
            j = (j + 1) & (cap - 1);
        ns[j] = ix->slots[i];
    }
    free(ix->slots);
    ix->slots = ns;
    ix->cap = cap;
    return RN_OK;
}

rn_code rn__index_add(rn__index *ix, const char *text, size_t len, int rule)
{
    if ((ix->used + 1) * 2 > ix->cap && grow(ix))
        return RN_ENOMEM;
    if (ix->nhits == ix->hcap) {
        size_t nc = ix->hcap ? ix->hcap * 2 : 1024;
        rn__hit *nh = rn__realloc(ix->hits, nc * sizeof *nh);
        if (!nh)
            return RN_ENOMEM;
        ix->hits = nh;
        ix->hcap = nc;
    }
    uint32_t h = hash_of(text, len);
    size_t j = h & (ix->cap - 1);
    while (ix->slots[j].first >= 0 &&
           !(ix->slots[j].hash == h && ix->slots[j].len == len &&
             memcmp(ix->slots[j].text, text, len) == 0))
        j = (j + 1) & (ix->cap - 1);
    rn__slot *s = &ix->slots[j];
    int hit = (int)ix->nhits++;
    ix->hits[hit].rule = rule;
    ix->hits[hit].next = -1;
    if (s->first < 0) {
        s->hash = h;
        s->len = (uint16_t)len;
        s->text = text;
        s->first = hit;
        ix->used++;
    } else {
        /* keep file order within a chain: append */
        int k = s->first;
        while (ix->hits[k].next >= 0)
            k = ix->hits[k].next;
        ix->hits[k].next = hit;
    }
    return RN_OK;
}

int rn__index_find(const rn__index *ix, uint32_t hash, const char *text, size_t len)
{
    if (!ix->cap)
        return -1;
    size_t j = hash & (ix->cap - 1);
    while (ix->slots[j].first >= 0) {
        const rn__slot *s = &ix->slots[j];
        if (s->hash == hash && s->len == len && memcmp(s->text, text, len) == 0)
            return s->first;
        j = (j + 1) & (ix->cap - 1);
    }
    return -1;
}

void rn__index_free(rn__index *ix)
{
    free(ix->slots);
    free(ix->hits);
    memset(ix, 0, sizeof *ix);
}
