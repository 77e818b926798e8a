/* SPDX-License-Identifier: Apache-2.0
 *
 * analysis.h — what an investigator takes to a briefing: production-to-use
 * timelines, component origin, candidate sanctions exposures, shipment
 * linkage; and the life of trace requests and findings.
 *
 * Read-side results are JSON documents (UTF-8, one object) built by the
 * library, so that the CLI and the server present the same numbers; the
 * shapes are described in docs/ANALYSIS.md. Every number in a result names
 * the records it rests on ("items", "basis").
 *
 * Effective values. An item's production date, manufacturer (and its
 * country), producing state and weapon system are taken, in this order,
 * from: (1) the item's own field (recorded by an analyst), else (2) the
 * newest `claim` record for that item and field (an analyst's override),
 * else (3) the decoder's best candidate over the item's markings (the
 * `machine_claim` view's order: confidence, marking, rank). The result says
 * which ("basis": "item.produced" | "claim <id>" | "marking <id> rule <r>").
 * A decoder's production date is never one reading taken alone: readings
 * are taken best first until they hold RN_READING_MASS of the confidence
 * of all the item's date readings (and any within RN_AMBIGUOUS_DELTA of the
 * best); when they disagree — an illegible digit ("2?15"), an ambiguous
 * code ("0412") — the effective date is their hull, the basis says
 * "ambiguous" and each analysis lists the readings ("produced_readings").
 * A manufacturer known only by its country (manufacturer_country, or a
 * claim's country) is a value with an empty name: counted by country.
 * A part without its own event belongs to the event of its nearest
 * ancestor that has one.
 *
 * Sanctions flags are leads for an analyst, never verdicts.
 *
 * Ownership: *json out-parameters are NUL-terminated and the caller frees
 * them with rn_free(). Inputs are borrowed.
 */
#ifndef REMNANT_ANALYSIS_H
#define REMNANT_ANALYSIS_H

#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RN_AMBIGUOUS_DELTA 0.1 /* decoder confidences this close are a tie */
#define RN_READING_MASS 0.9     /* share of the decoder's date confidence taken */
#define RN_LINK_SERIAL_GAP 50  /* serials this close (same prefix) are one run */
#define RN_ANALYSIS_LIMIT_MAX 100000

/* Which items an analysis looks at. NULL / 0 fields do not filter. */
typedef struct rn_analysis_filter {
    const char *item;            /* one weapon (origin) or one item (timeline) */
    const char *event;           /* one documentation event */
    const char *weapon_system;   /* e.g. "KN-23" (effective value) */
    const char *producing_state; /* ISO alpha-2 (effective value) */
    const char *country;         /* country of the event: the place of use */
    int all_kinds;               /* timeline: every item kind, not only
                                    weapons, munitions and remnants (a
                                    remnant takes the weapon system and
                                    producing state of the item it is part
                                    of when it has none of its own) */
    long limit;                  /* items listed per group (0: 20) */
} rn_analysis_filter;

/* Production-to-use intervals: for each item with an effective production
 * date and an event date (incident, else documented), the interval in days
 * [min, max] from rn_date_span; summaries per (weapon system, producing
 * state, country of use). The production date is bounded below by the
 * item's earliest possible assembly (its parts' latest production start):
 * use cannot precede assembly ("production_bound"). An item without its own
 * event takes its nearest ancestor's ("event_from"). */
RN_NODISCARD rn_code rn_timeline(rn_store *s, const rn_analysis_filter *f, char **json,
                                 size_t *len, rn_error *err) RN_NONNULL(1, 3);

/* Component origin of weapons (items without a parent, kind weapon or
 * munition, or f->item): the component tree, tables by country and by
 * manufacturer (grouped by company, each spelling listed; a component known
 * only by its country under "manufacturer unknown"), date codes by year,
 * and each weapon's earliest possible assembly date (the latest component
 * production date's lower bound). "foreign" is null when the weapon's
 * producing state is unknown. */
RN_NODISCARD rn_code rn_origin(rn_store *s, const rn_analysis_filter *f, char **json,
                               size_t *len, rn_error *err) RN_NONNULL(1, 3);

/* Candidate sanctions exposures: a component whose manufacturer's country
 * is not the target state, whose production interval lies (certainly or
 * possibly) after a measure's adoption, inside an item attributed to the
 * target state. Every flag is counted; the first f->limit (0: 100) open
 * flags are written out in full, and as many dismissed ones when
 * include_dismissed is nonzero. The "measures" table carries each
 * measure's source and how many flags it headlines. */
RN_NODISCARD rn_code rn_sanctions_scan(rn_store *s, const rn_analysis_filter *f,
                                       int include_dismissed, char **json, size_t *len,
                                       rn_error *err) RN_NONNULL(1, 4);

/* Dismiss flag `flag` ("<component id>:<target>") with a reason: written as
 * a `finding` record (status draft, evidence = the component and the
 * measures, notes "rn:dismiss-flag <flag>"), so the dismissal is logged,
 * carries its author and can be reviewed. out_id gets the finding's id. */
RN_NODISCARD rn_code rn_sanctions_dismiss(rn_store *s, const char *flag, const char *reason,
                                          char out_id[RN_ID_LEN + 1], rn_error *err)
    RN_NONNULL(1, 2, 3, 4);

/* Items linked to `query` — an item id, a full or partial serial, or a lot — by a
 * serial run (same prefix, numbers within RN_LINK_SERIAL_GAP), a shared
 * lot, or identical packaging marks; each with its event's place, date and
 * the reason (an item without its own event: its nearest ancestor's). query
 * NULL: every link group in the store. */
RN_NODISCARD rn_code rn_links(rn_store *s, const char *query, char **json, size_t *len,
                              rn_error *err) RN_NONNULL(1, 3);

/* ---- trace requests ----------------------------------------------------- */

typedef enum rn_trace_status {
    RN_TRACE_DRAFT = 0,
    RN_TRACE_SENT,
    RN_TRACE_ACKNOWLEDGED,
    RN_TRACE_ANSWERED,
    RN_TRACE_REFUSED,
    RN_TRACE_NO_ANSWER,
    RN_TRACE_OVERDUE, /* marked overdue: its due date passed without an answer */
    RN_TRACE_CLOSED,  /* done: nothing more is expected */
    RN_TRACE_STATUS_COUNT
} rn_trace_status;

const char *rn_trace_status_name(rn_trace_status st);
RN_NODISCARD rn_code rn_trace_status_from_name(const char *s, rn_trace_status *out);

/* Move trace request `id` to `to` (see the state machine in trace.c and
 * lib/store/lifecycle.c), recording the move's date in the field of the
 * new status (sent, acknowledged, overdue_since, answered, no_answer,
 * closed). date: the day of the transition in text form (NULL: today);
 * due: for `sent`, when an answer is due (NULL: keep); answer: for
 * answered/refused, the text received (required for answered). */
RN_NODISCARD rn_code rn_trace_move(rn_store *s, const char *id, rn_trace_status to,
                                   const char *date, const char *due, const char *answer,
                                   rn_error *err) RN_NONNULL(1, 2);

/* Record a transfer that an answered trace request reveals; the transfer's
 * source names the request and its answer date. out_id: the transfer. */
typedef struct rn_trace_transfer {
    const char *supplier, *recipient; /* entity ids */
    const char *date;                 /* text form, may be NULL */
    const char *scope;                /* what, may be NULL */
    const char *items;                /* ';'-separated ids, NULL: the request's items */
} rn_trace_transfer;
RN_NODISCARD rn_code rn_trace_add_transfer(rn_store *s, const char *id,
                                           const rn_trace_transfer *t,
                                           char out_id[RN_ID_LEN + 1], rn_error *err)
    RN_NONNULL(1, 2, 3, 4);

/* Trace requests as JSON; overdue_only: sent or acknowledged, due before
 * `today` (a day number). */
RN_NODISCARD rn_code rn_trace_report(rn_store *s, int overdue_only, int32_t today, char **json,
                                     size_t *len, rn_error *err) RN_NONNULL(1, 4);

/* ---- findings ----------------------------------------------------------- */

/* The acts of a finding's life (lib/store/lifecycle.c draws the machine;
 * lib/analysis/finding.c gives F1..F6). review, publish and withdraw need
 * the store's author to be an authenticated account
 * (rn_store_set_account); RN_ECONSTRAINT otherwise.
 * draft -> reviewed: the account reviews; it must not be the author. */
RN_NODISCARD rn_code rn_finding_review(rn_store *s, const char *id, rn_error *err)
    RN_NONNULL(1, 2);
/* reviewed -> published: every evidence id must exist. */
RN_NODISCARD rn_code rn_finding_publish(rn_store *s, const char *id, rn_error *err)
    RN_NONNULL(1, 2);
/* reviewed | published -> withdrawn, with a non-empty reason (public) and
 * today's date. */
RN_NODISCARD rn_code rn_finding_withdraw(rn_store *s, const char *id, const char *reason,
                                         rn_error *err) RN_NONNULL(1, 2, 3);
/* A new draft that supersedes the reviewed, published or withdrawn finding
 * `id`: its statement (or `statement` when not NULL), evidence and notes,
 * written by the store's author. `id` stays as it was. OUT out_id. */
RN_NODISCARD rn_code rn_finding_revise(rn_store *s, const char *id, const char *statement,
                                       char out_id[RN_ID_LEN + 1], rn_error *err)
    RN_NONNULL(1, 2, 4);
/* A finding with each evidence record resolved (type, and a one-line
 * summary), as JSON. */
RN_NODISCARD rn_code rn_finding_explain(rn_store *s, const char *id, char **json, size_t *len,
                                        rn_error *err) RN_NONNULL(1, 2, 3);

/* ---- claims ------------------------------------------------------------- */

/* The decoder's candidates and the analysts' claims about an item, side by
 * side, with the effective value per field and its basis. */
RN_NODISCARD rn_code rn_claims_explain(rn_store *s, const char *item, char **json,
                                       size_t *len, rn_error *err) RN_NONNULL(1, 2, 3);

#ifdef __cplusplus
}
#endif
#endif
