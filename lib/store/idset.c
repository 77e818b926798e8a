/* SPDX-License-Identifier: Apache-2.0
 *
 * idset.c — a hash set of record ids and their types. An id is 26
 * characters of Crockford base32 holding 128 bits (lib/model/id.c), kept
 * here as those 128 bits: a bijection with the exact text, so the set
 * answers for exactly the strings SQLite would compare equal. Open
 * addressing, linear probing, at most half full; the hash is the id's low
 * 64 bits, which a ULID fills with random bits. */
#include "store/idset.h"

#include <stdlib.h>
#include <string.h>

#include "remnant/model.h" /* RN_ID_LEN */

typedef struct {
    uint64_t hi, lo;
} key;

struct rn__idset {
    key *keys;
    int8_t *types; /* -1: an empty slot */
    size_t cap;    /* a power of two, or 0 */
    size_t n;
};

/* Each symbol's value plus one (0: not a symbol of the alphabet, which
 * is upper case only: lib/model/id.c). */
static const uint8_t sym[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9,  ['9'] = 10, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
    ['G'] = 17, ['H'] = 18, ['J'] = 19, ['K'] = 20, ['M'] = 21, ['N'] = 22, ['P'] = 23, ['Q'] = 24,
    ['R'] = 25, ['S'] = 26, ['T'] = 27, ['V'] = 28, ['W'] = 29, ['X'] = 30, ['Y'] = 31, ['Z'] = 32,
};

/* The 128 bits of id, a NUL-terminated string; 0 if it is not a valid id
 * (rn_id_valid's rule: RN_ID_LEN symbols, the first at most '7'). */
static int decode(const char *id, key *out)
{
    if (id[0] > '7')
        return 0;
    uint64_t hi = 0, lo = 0;
    for (size_t i = 0; i < RN_ID_LEN; i++) {
        unsigned d = sym[(unsigned char)id[i]];
        if (!d)
            return 0; /* a NUL too: shorter than an id */
        hi = hi << 5 | lo >> 59;
        lo = lo << 5 | (d - 1);
    }
    if (id[RN_ID_LEN] != '\0')
        return 0;
    out->hi = hi;
    out->lo = lo;
    return 1;
}

rn__idset *rn__idset_new(void)
{
    return rn__calloc(1, sizeof(rn__idset));
}

void rn__idset_free(rn__idset *s)
{
    if (!s)
        return;
    free(s->keys);
    free(s->types);
    free(s);
}

void rn__idset_clear(rn__idset *s)
{
    if (s->cap)
        memset(s->types, -1, s->cap);
    s->n = 0;
}

size_t rn__idset_count(const rn__idset *s)
{
    return s->n;
}

/* The slot of k: where it is, or the empty slot where it would go. */
static size_t slot_of(const rn__idset *s, key k)
{
    size_t i = (size_t)k.lo & (s->cap - 1);
    while (s->types[i] >= 0 && (s->keys[i].lo != k.lo || s->keys[i].hi != k.hi))
        i = (i + 1) & (s->cap - 1);
    return i;
}

static rn_code grow(rn__idset *s)
{
    size_t cap = s->cap ? s->cap * 2 : 4096;
    key *keys = rn__malloc(cap * sizeof *keys);
    int8_t *types = rn__malloc(cap);
    if (!keys || !types) {
        free(keys);
        free(types);
        return RN_ENOMEM;
    }
    memset(types, -1, cap);
    rn__idset old = *s;
    s->keys = keys;
    s->types = types;
    s->cap = cap;
    for (size_t i = 0; i < old.cap; i++)
        if (old.types[i] >= 0) {
            size_t j = slot_of(s, old.keys[i]);
            s->keys[j] = old.keys[i];
            s->types[j] = old.types[i];
        }
    free(old.keys);
    free(old.types);
    return RN_OK;
}

rn_code rn__idset_add(rn__idset *s, const char *id, int t)
{
    key k;
    if (!decode(id, &k) || t < 0 || t > INT8_MAX)
        return RN_EINVAL;
    if ((s->n + 1) * 2 > s->cap && grow(s) != RN_OK)
        return RN_ENOMEM;
    size_t i = slot_of(s, k);
    if (s->types[i] < 0)
        s->n++;
    s->keys[i] = k;
    s->types[i] = (int8_t)t;
    return RN_OK;
}

int rn__idset_find(const rn__idset *s, const char *id)
{
    key k;
    if (!s->cap || !decode(id, &k))
        return -1;
    return s->types[slot_of(s, k)];
}
