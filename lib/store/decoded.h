/* SPDX-License-Identifier: Apache-2.0
 *
 * decoded.h — the store's link to the decoder: candidates stored with each
 * marking (decoded.c). */
#ifndef REMNANT_DECODED_H
#define REMNANT_DECODED_H

#include <sqlite3.h>
#include "store/store_int.h"

typedef struct rn__decoded rn__decoded;

/* Per-connection state; the rules are loaded on first use (built-in rules
 * plus a `rules` folder beside the database). *out may be NULL when the
 * build has no decoder. */
rn_code rn__decoded_open(rn__decoded **out, sqlite3 *db, const char *db_path);
void rn__decoded_close(rn__decoded *d);
/* Inside the write transaction: (re)compute and store the candidates of
 * marking m. replace: the marking existed before (drop old candidates). */
rn_code rn__decoded_refresh(rn__decoded *d, const rn_record *m, int replace, rn_error *err);
/* A bulk write's transaction (an import, a sync) decodes its markings on a
 * second thread from here on: rn__decoded_refresh hands each marking over
 * and stores the candidates of those decoded before. Nothing inside the
 * transaction may read candidates until rn__decoded_finish. Without a
 * thread (none could be made), decoding stays inline. */
void rn__decoded_async(rn__decoded *d);
/* Before the commit: store every candidate still in flight; ends the
 * thread. An error fails the transaction (the caller rolls back). */
rn_code rn__decoded_finish(rn__decoded *d, rn_error *err);
/* At a rollback: end the thread, dropping what it decoded, the batch and
 * what rn__decoded_recontext noted. */
void rn__decoded_discard(rn__decoded *d);
/* A transaction begins: forget the event last read (it may have been
 * written by a transaction since rolled back). */
void rn__decoded_begin(rn__decoded *d);
/* An item or event changed: drop what is cached of it. */
void rn__decoded_forget(rn__decoded *d, const char *id);
/* Does the write of `now` over `old` (one record, an item or an event)
 * change what the decoder reads of it: an item's category, producing
 * state, manufacturer, event or parent, an event's dates? */
int rn__decoded_context_differs(const rn_record *old, const rn_record *now);
/* Item or event `id` was just written with a changed context
 * (rn__decoded_context_differs): inside the write transaction, decode again
 * the markings of every item whose context follows from it (the item and
 * the items part of it; the event's items and the items part of them), so
 * that stored candidates always are what decoding with the context now
 * gives. In a bulk write (after rn__decoded_async), that waits for
 * rn__decoded_bulk_end: the write may have dropped the indexes these
 * searches use. */
rn_code rn__decoded_recontext(rn__decoded *d, const char *id, rn_error *err);
/* A bulk write's end, after rn__decoded_finish and after its deferred
 * indexes are built, still inside the transaction: decode again the
 * markings of every item and event rn__decoded_recontext noted. d may be
 * NULL. */
rn_code rn__decoded_bulk_end(rn__decoded *d, rn_error *err);
/* Item r was just created: cache its context from the record itself (as
 * it was written), so that its markings need no query for it. */
void rn__decoded_item(rn__decoded *d, const rn_record *r);

/* Read side. Ambiguity is not stored: the candidates and their confidences
 * are (table candidate), and a stored decoding is ambiguous where two
 * candidates of one field tie by the decoder's own rule, which this
 * applies to stored confidences: `conf` ties with the best confidence of
 * its field `best` when it lies within RN_DECODE_TIE_MARGIN of it, both as
 * shown (three decimals). A field is ambiguous when two or more distinct
 * values tie; for a single marking that is exactly the decoder's
 * rn_candidate.ambiguous (manufacturers and production dates). */
int rn__decoded_ties(double best, double conf);

/* The columns of a stored candidate rn__decoded_explain reads, in order,
 * for a query's SELECT list (table candidate as c). */
#define RN__DECODED_COLS                                                                  \
    "c.marking, c.rank, c.field, c.value, c.earliest, c.latest, c.precision, c.country, " \
    "c.confidence, c.rule, c.explanation"
/* Why a candidate that should have an explanation has none, for people:
 * the rules read it otherwise now, or they do not load. */
#define RN__DECODED_UNEXPLAINED                                                             \
    "the decoder no longer reads the marking this way (its rules changed since it was "   \
    "decoded): `remnant decode --reindex` decodes every marking again"
#define RN__DECODED_NO_RULES                                                                \
    "the decoder's rules do not load, so the reading cannot be explained: "                \
    "`remnant decode --reindex` names the broken rule"

/* The explanation of a stored candidate: its columns RN__DECODED_COLS are
 * those of st from column `col` on. The best candidate of each field of a
 * marking has one, the others none (NULL, *why NULL). Explanations are not
 * stored (only databases written before hold them, given as they are): the
 * marking is decoded again, with its item's context read now, and the
 * explanation is that of the new decoding's candidate at the same rank,
 * given only when the new decoding's candidates are the stored ones, rank
 * for rank and column for column (an explanation may speak of the others:
 * a tie, other makers with the same prefix).
 * Markings are decoded again whenever their context changes
 * (rn__decoded_recontext), so only a change of the rules since can make
 * them differ: then NULL, and *why says so. The string is d's, valid until
 * the next call with another marking or rn__decoded_explain_begin; d may
 * be NULL (no explanation). */
const char *rn__decoded_explain(rn__decoded *d, sqlite3_stmt *st, int col, const char **why);
/* A read begins: forget the marking rn__decoded_explain decoded last (it
 * or its item may have been written since, here or by another
 * connection). Each reader calls it before its rows; d may be NULL. */
void rn__decoded_explain_begin(rn__decoded *d);
/* The store's link to the decoder (NULL when it is not a SQLite store). */
rn__decoded *rn__store_decoded(rn_store *s);

#endif
