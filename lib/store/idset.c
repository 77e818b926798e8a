/* SPDX-License-Identifier: Apache-2.0
 *
 * idset.c — a hash set of record ids and their types. An id is 26
 * characters of Crockford base32 holding 128 bits (lib/model/id.c), kept
 * here as those 128 bits: a bijection with the exact text, so the set
 * answers for exactly the strings SQLite would compare equal. One slot
 * per hash (the id's low bits, which a ULID fills with random bits): a new
 * id takes its slot from whatever held it. A full table of every id an
 * import of a million items made (2.25M) cost more in cache misses than
 * the foreign keys' lookups it saved; a reference almost always names a
 * record made a few lines before (an item's parent, a marking's item) or
 * one named over and over (the event), which the caller adds again when
 * it finds it in the database. */
#include "store/idset.h"

#include <stdlib.h>
#include <string.h>

#include "remnant/model.h" /* RN_ID_LEN */

typedef struct {
    uint64_t hi, lo;
} key;

struct rn__idset {
    key keys[RN_IDSET_SLOTS];
    int8_t types[RN_IDSET_SLOTS]; /* -1: an empty slot */
    size_t n;                     /* ids held */
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
    rn__idset *s = rn__malloc(sizeof *s);
    if (s)
        rn__idset_clear(s);
    return s;
}

void rn__idset_free(rn__idset *s)
{
    free(s);
}

void rn__idset_clear(rn__idset *s)
{
    memset(s->types, -1, sizeof s->types);
    s->n = 0;
}

size_t rn__idset_count(const rn__idset *s)
{
    return s->n;
}

static size_t slot_of(key k)
{
    return (size_t)k.lo & (RN_IDSET_SLOTS - 1);
}

rn_code rn__idset_add(rn__idset *s, const char *id, int t)
{
    key k;
    if (!decode(id, &k) || t < 0 || t > INT8_MAX)
        return RN_EINVAL;
    size_t i = slot_of(k);
    if (s->types[i] < 0)
        s->n++;
    s->keys[i] = k;
    s->types[i] = (int8_t)t;
    return RN_OK;
}

int rn__idset_find(const rn__idset *s, const char *id)
{
    key k;
    if (!decode(id, &k))
        return -1;
    size_t i = slot_of(k);
    return s->types[i] >= 0 && s->keys[i].lo == k.lo && s->keys[i].hi == k.hi ? s->types[i] : -1;
}
