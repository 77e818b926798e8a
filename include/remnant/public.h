/* SPDX-License-Identifier: Apache-2.0
 *
 * public.h — the public view: the one place that decides what the public
 * may see and how each record is shown to it. Every public surface uses it:
 * the server's anonymous API, `remnant export --public`, public evidence
 * bundles, reports made with --public, the web portal (through the API) and
 * the preview staff see before publishing. docs/PUBLIC.md states the rules.
 *
 * What is public (the set):
 *  P1. a finding whose status is `published`;
 *  P2. every record listed in the `evidence` of such a finding, except
 *      custody records and trace requests (never public) and findings that
 *      are not published themselves;
 *  P3. the records a public record needs to be read at all: the item of a
 *      public marking or claim, the entities of a public transfer;
 *  P4. the public copy of a public attachment (an attachment whose
 *      `derived_from` names it, with the metadata removed: lib/store/photo.c);
 *      the original's record then shows the copy's sha256, size and
 *      media_type (derived), so what the public reads names what it gets.
 *      A cited attachment with no public copy (a PDF; a photo whose
 *      metadata could not be removed) is not public: no public record names
 *      a file the public cannot receive.
 *  Nothing else: not the event of a cited item, not its parent, not its
 *  other markings. To show a place, cite the event.
 *
 * How a public record is shown (per field, from the model's one definition
 * in lib/model/types.c):
 *  F1. RN_FIELD_SENSITIVE fields are withheld (names of people, custody,
 *      sources, answers, internal notes, original file names ...);
 *  F2. RN_FIELD_COARSE fields are shown derived, not as logged: lat/lon
 *      rounded to the grid, precision_m raised to the grid's size;
 *  F3. a REF to a record outside the set is withheld, and a REFLIST keeps
 *      only the ids in the set (derived);
 *  F4. an entity of kind `person` shows no name, aliases or identifiers; a
 *      withheld field that the model requires is shown as "[withheld]" so
 *      the output still imports.
 * A field shown exactly as logged is "disclosed": public evidence bundles
 * carry the salted disclosures of exactly these fields (docs/LEDGER.md),
 * so the public can verify them without learning the rest.
 *
 * Ownership: a view is a snapshot of the set taken at rn_public_open; it
 * borrows nothing after that call. Records handed out belong to the caller.
 */
#ifndef REMNANT_PUBLIC_H
#define REMNANT_PUBLIC_H

#include <stdio.h>
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The default public grid, in degrees (about 11 km of latitude). */
#define RN_PUBLIC_GRID_DEFAULT 0.1
#define RN_PUBLIC_GRID_MAX 10.0
/* The text shown for a required field the public may not see (F4). */
#define RN_PUBLIC_WITHHELD_TEXT "[withheld]"

typedef struct rn_public rn_public;

typedef struct rn_public_opts {
    double grid;                 /* degrees, 0 < grid <= 10; 0 means the default */
    const char *preview_finding; /* treat this finding as published (the
                                    preview of what publishing it shows);
                                    NULL for the real view */
} rn_public_opts;

/* Take a snapshot of the public set from s. opts may be NULL (defaults).
 * RN_ENOTFOUND when preview_finding names no finding. */
RN_NODISCARD rn_code rn_public_open(rn_store *s, const rn_public_opts *opts,
                                    rn_public **out, rn_error *err)
    RN_NONNULL(1, 3);
void rn_public_free(rn_public *p);

/* 1 if the record with this id is in the public set. */
int rn_public_has(const rn_public *p, const char *id);
/* The number of public records (of type t; RN_T_COUNT for all). */
size_t rn_public_count(const rn_public *p, rn_type t);
/* Call fn for each public id of type t (RN_T_COUNT: every type) in id
 * order; a nonzero return stops. */
void rn_public_each(const rn_public *p, rn_type t,
                    int (*fn)(void *ctx, const char *id, rn_type t), void *ctx);
/* The grid in degrees. */
double rn_public_grid(const rn_public *p);

/* How the public sees field `idx` of r (the rules F1-F4 above). */
typedef enum rn_public_field {
    RN_PUBLIC_DISCLOSED = 0, /* shown exactly as logged */
    RN_PUBLIC_DERIVED,       /* shown, but derived (coarsened, filtered) */
    RN_PUBLIC_WITHHELD       /* not shown */
} rn_public_field;
rn_public_field rn_public_field_of(const rn_public *p, const rn_record *r, int idx);

/* The public copy of r (which must be in the set: RN_ENOTFOUND otherwise).
 * OUT *out is a new record owned by the caller. */
RN_NODISCARD rn_code rn_public_record(const rn_public *p, const rn_record *r,
                                      rn_record **out, rn_error *err);
/* The public copy of r as one JSON object (rn_record_to_json flags; the
 * copy is already redacted). *out is owned by the caller (rn_free). */
RN_NODISCARD rn_code rn_public_json(const rn_public *p, const rn_record *r,
                                    unsigned flags, char **out, size_t *len,
                                    rn_error *err);
/* Fetch record `id` from s and render it publicly. RN_ENOTFOUND when the id
 * is not public (indistinguishable from a missing record, on purpose). */
RN_NODISCARD rn_code rn_public_get_json(const rn_public *p, rn_store *s,
                                        const char *id, unsigned flags,
                                        char **out, size_t *len, rn_error *err);

/* Write every public record as JSON Lines in an order that imports into an
 * empty database (referenced before referring, parents before children):
 * `remnant export --public`. *count gets the number written. */
RN_NODISCARD rn_code rn_public_export(const rn_public *p, rn_store *s, FILE *out,
                                      uint64_t *count, rn_error *err);

/* Copy into dir/<sha256> the file each public attachment record names as
 * the public sees it (P4: a photo's public copy, never its original), so
 * that `import --blobs DIR` takes the public export back. */
RN_NODISCARD rn_code rn_public_export_blobs(const rn_public *p, rn_store *s, const char *dir,
                                            uint64_t *count, rn_error *err);

#ifdef __cplusplus
}
#endif
#endif
