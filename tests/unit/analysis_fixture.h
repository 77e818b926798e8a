/* SPDX-License-Identifier: Apache-2.0
 *
 * analysis_fixture.h — what the lib/analysis tests (test_analysis_*.c)
 * share: a store in a fresh temporary folder holding an invented fixture
 * (tests/analysis/, JSON Lines) and real reference data (data/sanctions/...),
 * fixed decoder readings, and small JSON helpers that fail the test on a
 * wrong shape. Linked into those tests (tests/CMakeLists.txt). */
#ifndef RN_TEST_ANALYSIS_FIXTURE_H
#define RN_TEST_ANALYSIS_FIXTURE_H

#include <jansson.h>
#include <stdint.h>

#include "remnant/analysis.h"
#include "remnant/store.h"

/* The fixtures' ids: FX("0M03") and so on. */
#define FX(tag) "01HTEST000000000000000" tag

/* A new store in a new temporary folder (prefix: its name), written by
 * "alice": tests/<fixture> imported, then data/<reference>. */
rn_store *fx_open(const char *prefix, const char *fixture, const char *reference);
/* Close the store of fx_open() and remove its folder. */
void fx_close(rn_store *s);
/* Delete a marking's stored decoder candidates (before fixing them). */
void fx_drop_candidates(rn_store *s, const char *marking);
/* A fixed decoder reading of a production date or a maker: the decoder is
 * not asked, so that a change in its rules cannot move expected numbers. */
void fx_add_date(rn_store *s, const char *marking, int rank, const rn_date *d, double conf,
                 const char *rule);
void fx_add_maker(rn_store *s, const char *marking, int rank, const char *value,
                  const char *country, double conf);

int32_t fx_day(int y, int m, int d);
/* Parse (and rn_free) a library JSON document. */
json_t *fx_parse(char *js);
/* The element of arr whose string `key` is val, or NULL. */
json_t *fx_find(json_t *arr, const char *key, const char *val);
json_int_t fx_ji(json_t *o, const char *k);
const char *fx_js(json_t *o, const char *k);
/* a is [lo, hi]. */
void fx_assert_span(json_t *a, json_int_t lo, json_int_t hi);

#endif
