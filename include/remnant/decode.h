/* SPDX-License-Identifier: Apache-2.0
 *
 * decode.h — the marking decoder: a transcribed marking becomes a ranked
 * list of candidate facts (a production date, a manufacturer and its
 * country, a factory, a part number, a serial or lot, a weapon system),
 * each with the rule that produced it, an explanation and the public source
 * behind the rule. docs/DECODE.md describes the rule files, the ranking and
 * the JSON shape.
 *
 * Ownership: an rn_decoder is immutable once loaded and may be shared by
 * any number of threads decoding at once. An rn_candidates list belongs to
 * the caller (rn_candidates_free); the strings of its candidates belong to
 * the list, or to the decoder for rule ids and sources, so the decoder must
 * outlive every list it produced.
 */
#ifndef REMNANT_DECODE_H
#define REMNANT_DECODE_H

#include "model.h"
#include "remnant.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest marking the decoder accepts, in bytes (RN_ELIMIT above): the
 * model's limit for a marking's text (lib/model/types.c), so every marking
 * the store accepts is decoded (issue 12: any length, any script). */
#define RN_DECODE_MARKING_MAX 1000
/* Most candidates one marking yields; the lowest ranked are dropped. */
#define RN_DECODE_CANDIDATES_MAX 64
/* Two candidates of one field (manufacturer, production_date) with
 * different values whose confidences differ by at most this much are a tie:
 * the marking alone does not decide between them, and both are marked
 * `ambiguous` (never one picked by rule-file order). */
#define RN_DECODE_TIE_MARGIN 0.02

typedef struct rn_decoder rn_decoder; /* a loaded, immutable rule set; thread-safe to share */

/* Load the built-in rules (data/rules: $REMNANT_DATA/rules, else the source
 * tree's, else the installed share/remnant/rules), then every `*.rules` file
 * of each folder in dirs[0..ndirs) (dirs may be NULL when ndirs is 0). A
 * folder of dirs that does not exist is skipped: callers that want it to
 * exist check first. On a broken rule the error names the file and line
 * (err->file, err->line) and says what is wrong. OUT: *out. */
RN_NODISCARD rn_code rn_decoder_load(const char *const *dirs, size_t ndirs, rn_decoder **out,
                                     rn_error *err);
void rn_decoder_free(rn_decoder *d);
/* Number of rules loaded (every prefix, logo, format, ... counts as one). */
size_t rn_decoder_rule_count(const rn_decoder *d);

/* What is known about the item that bears the marking. Every member may be
 * NULL / unknown; known context ranks readings, it never removes one.
 * category: the item's category ("ic", "missile-section", "cartridge"...).
 * state: ISO 3166-1 alpha-2 of the producing state attributed to the item.
 * manufacturer: the manufacturer attributed to the item, by name or id.
 * documented: day number of the documentation date, or RN_DAY_OPEN_HIGH
 * when unknown (then today is used): nothing produced after it is a
 * candidate. flags: 0, or RN_DECODE_NO_EXPLANATION. */
typedef struct rn_decode_ctx {
    const char *category;
    const char *state;
    const char *manufacturer;
    int32_t documented;
    unsigned flags;
} rn_decode_ctx;

/* Every candidate's explanation is "": the same candidates, without the
 * work of writing them out (a store renders them when they are read). */
#define RN_DECODE_NO_EXPLANATION 1u

/* One candidate fact. field: "production_date", "manufacturer", "factory",
 * "part_number", "serial", "lot", "weapon_system", "plausibility" (a
 * possible re-marking or counterfeit: a date before the part family
 * existed or after the documentation date, a calendar date where the
 * maker's documented date codes are codes, an impossible date code where
 * the maker's layout puts one) or "export_category" (the HS-6 subheading
 * the part's class usually falls under and its Common High Priority List
 * tier, "HS 8542.31 (CHPL tier 1)": a usual category, never a customs
 * ruling). value: the fact in text (a date in model.h's text form). date:
 * set (precision != NONE) for production dates only. country: ISO alpha-2 of the maker's or factory's
 * headquarters, NULL otherwise. confidence: 0..1. rule: the rule id.
 * explanation: how the marking was read, for people. source: the public
 * source the rule cites. ambiguous: 1 when this is a manufacturer or
 * production date within RN_DECODE_TIE_MARGIN of the best candidate of its
 * field with another value (the best one included): the reading is
 * ambiguous between them and consumers must not count it as certain. */
typedef struct rn_candidate {
    const char *field;
    const char *value;
    rn_date date;
    const char *country;
    double confidence;
    const char *rule;
    const char *explanation;
    const char *source;
    int ambiguous;
} rn_candidate;

typedef struct rn_candidates rn_candidates;

/* Decode text[0..len) (UTF-8; `?` stands for one illegible character).
 * ctx may be NULL. RN_ELIMIT above RN_DECODE_MARKING_MAX bytes, RN_EINPUT
 * for text that is not UTF-8. A marking nothing matches gives an empty
 * list, not an error. OUT: *out, ranked best first. */
RN_NODISCARD rn_code rn_decode_marking(const rn_decoder *d, const char *text, size_t len,
                                       const rn_decode_ctx *ctx, rn_candidates **out,
                                       rn_error *err);
size_t rn_candidates_count(const rn_candidates *c);
/* The i-th candidate, ranked best first; NULL past the end. */
const rn_candidate *rn_candidates_at(const rn_candidates *c, size_t i);
void rn_candidates_free(rn_candidates *c);

/* The JSON object of docs/DECODE.md:
 * {"marking":..,"candidates":[{"field","value","earliest","latest","country",
 *  "confidence","rule","explanation","source","ambiguous"}],
 *  "ambiguous":[{"field":..,"values":[..]}]}; earliest/latest only for
 * dates, country only for manufacturers and factories, "ambiguous" only on
 * tied candidates and, at the top, only when some field is tied. OUT: *out
 * (NUL-terminated, free with rn_free) and *outlen. */
RN_NODISCARD rn_code rn_candidates_to_json(const char *marking, size_t len,
                                           const rn_candidates *c, char **out, size_t *outlen);

/* ---- makers as companies ------------------------------------------------
 *
 * A maker in the rules is a brand printed on parts (Linear Technology,
 * Maxim, Atmel...) and a company: one canonical name, its aliases and past
 * names (`aka`), its headquarters, and the companies that owned it over
 * time (`owner` rules: Linear Technology by Analog Devices from 2017-03-10,
 * Atmel by Microchip from 2016-04-04, ...). Analyses group by the brand and
 * may roll up to the owner; both stay visible. */

/* What a typed-in manufacturer name matched. Every string belongs to the
 * decoder. maker/brand/country: the brand (its rule id, its name, its
 * headquarters); matched: the name or alias in the rules that matched;
 * company_id/company/company_country: the company that owned the brand on
 * the day asked (the top of its ownership chain; the brand itself when it
 * was independent that day); owner_source: the citation of the ownership
 * rule applied, NULL when independent. */
typedef struct rn_maker_match {
    const char *maker;
    const char *brand;
    const char *country;
    const char *matched;
    const char *company_id;
    const char *company;
    const char *company_country;
    const char *owner_source;
} rn_maker_match;

/* Match a manufacturer name as people type it (name[0..len), UTF-8) to a
 * maker of the rules. Case, punctuation, white space, parenthesized asides,
 * legal forms ("Inc.", "Corporation", "Co., Ltd.", "GmbH", "OOO", "株式会社",
 * "有限公司"...) and Latin/Cyrillic look-alike letters are ignored; nothing
 * else is (no fuzzy matching). day: the day the ownership is wanted for
 * (RN_DAY_OPEN_HIGH: today). RN_ENOTFOUND when no maker has the name,
 * RN_EINPUT when two makers share it (the message names both) or the name
 * is not UTF-8, RN_ELIMIT above RN_DECODE_MARKING_MAX bytes. OUT: *out
 * (zeroed on error). */
RN_NODISCARD rn_code rn_decoder_match_maker(const rn_decoder *d, const char *name, size_t len,
                                            int32_t day, rn_maker_match *out, rn_error *err);

/* Every maker of the rules, for grouping and for exporting them as
 * entities: the i-th maker (0 <= i < rn_decoder_maker_count) with its owner
 * on day, as rn_decoder_match_maker fills it (matched: the maker's name).
 * RN_ENOTFOUND past the end. OUT: *out. */
size_t rn_decoder_maker_count(const rn_decoder *d);
RN_NODISCARD rn_code rn_decoder_maker_at(const rn_decoder *d, size_t i, int32_t day,
                                         rn_maker_match *out);

#ifdef __cplusplus
}
#endif
#endif
