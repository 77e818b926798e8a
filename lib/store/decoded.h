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
/* At a rollback: end the thread, dropping what it decoded. */
void rn__decoded_discard(rn__decoded *d);
/* A transaction begins: forget the event last read (it may have been
 * written by a transaction since rolled back). */
void rn__decoded_begin(rn__decoded *d);
/* An item or event changed: drop what is cached of it. */
void rn__decoded_forget(rn__decoded *d, const char *id);
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

#endif
