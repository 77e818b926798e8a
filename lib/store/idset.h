/* SPDX-License-Identifier: Apache-2.0
 *
 * idset.h — ids a transaction created or found, with their types, the
 * latest of them (idset.c): an import checks its records' references
 * against them in memory, and in the database when they are not here,
 * instead of through SQLite's foreign keys (lib/store/sqlite.c,
 * sq_own_refs). An id found here is one that was added; one not found may
 * have been added and then dropped for a newer one. */
#ifndef REMNANT_IDSET_H
#define REMNANT_IDSET_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

#define RN_IDSET_SLOTS 65536 /* a power of two: about 1.1 MB */

typedef struct rn__idset rn__idset;

/* An empty set; NULL if out of memory. */
rn__idset *rn__idset_new(void);
void rn__idset_free(rn__idset *s);
/* Drop every id (keeping the memory for the next transaction's). */
void rn__idset_clear(rn__idset *s);
/* Add id (RN_ID_LEN characters, rn_id_valid) as a record of type t, in
 * place of the id that held its slot. RN_EINVAL for a malformed id. */
rn_code rn__idset_add(rn__idset *s, const char *id, int t);
/* The type id was added with, or -1 if it is not held (never added, or
 * dropped since). A malformed id is not held. */
int rn__idset_find(const rn__idset *s, const char *id);
/* Ids held (at most RN_IDSET_SLOTS), counted: for tests. */
size_t rn__idset_count(const rn__idset *s);

#endif
