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

typedef struct {
    uint64_t hi, lo;
} key;

struct rn__idset {
    key keys[RN_IDSET_SLOTS];
    int8_t types[RN_IDSET_SLOTS]; /* -1: an empty slot */
};

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
}

size_t rn__idset_count(const rn__idset *s)
{
    size_t n = 0;
    for (size_t i = 0; i < RN_IDSET_SLOTS; i++)
        n += s->types[i] >= 0;
    return n;
}

static size_t slot_of(key k)
{
    return (size_t)k.lo & (RN_IDSET_SLOTS - 1);
}

rn_code rn__idset_add(rn__idset *s, const char *id, int t)
{
    key k;
    if (!rn__id_bits(id, &k.hi, &k.lo) || t < 0 || t > INT8_MAX)
        return RN_EINVAL;
    size_t i = slot_of(k);
    s->keys[i] = k;
    s->types[i] = (int8_t)t;
    return RN_OK;
}

int rn__idset_find(const rn__idset *s, const char *id)
{
    key k;
    if (!rn__id_bits(id, &k.hi, &k.lo))
        return -1;
    size_t i = slot_of(k);
    return s->types[i] >= 0 && s->keys[i].lo == k.lo && s->keys[i].hi == k.hi ? s->types[i] : -1;
}
