/* SPDX-License-Identifier: Apache-2.0
 *
 * idset.h — the ids a transaction created, with their types (idset.c): an
 * import checks its records' references against them in memory instead of
 * through SQLite's foreign keys (lib/store/sqlite.c, sq_own_refs). */
#ifndef REMNANT_IDSET_H
#define REMNANT_IDSET_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

typedef struct rn__idset rn__idset;

/* An empty set; NULL if out of memory. */
rn__idset *rn__idset_new(void);
void rn__idset_free(rn__idset *s);
/* Drop every id (keeping the memory for the next transaction's). */
void rn__idset_clear(rn__idset *s);
/* Add id (RN_ID_LEN characters, rn_id_valid) as a record of type t.
 * RN_ENOMEM if out of memory; RN_EINVAL for a malformed id. */
rn_code rn__idset_add(rn__idset *s, const char *id, int t);
/* The type id was added with, or -1 if it was not. A malformed id is not
 * in the set. */
int rn__idset_find(const rn__idset *s, const char *id);
/* Ids held. */
size_t rn__idset_count(const rn__idset *s);

#endif
