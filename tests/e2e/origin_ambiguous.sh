#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# origin_ambiguous.sh — ambiguity is a result (issue 12, point 3), as an
# analyst meets it: the marking "L550E" (the model name of an engine that
# Limbach Flugmotoren, DE, and Xiamen Limbach, CN, share) on a part of the
# INVENTED fixture tests/analysis/ambiguous.jsonl is decoded on import into
# a tie; `remnant origin` then names no maker for the part, lists both, and
# counts it under DE and CN only as "possible", in no share; `remnant claim`
# shows the stored decoding as ambiguous; the JSON says the same.
#
# Env: REMNANT (the remnant binary), RN_SRC (source tree).
set -u
. "${RN_SRC:?source tree}/tests/lib/e2e.sh"
export REMNANT_DB="$W/a.db" REMNANT_AUTHOR=alice REMNANT_DATA="$RN_SRC/data"
F=01HTEST000000000000000

"$REMNANT" init "$REMNANT_DB" >/dev/null || die "init"
expect 0 "fixture imports" "$REMNANT" import "$RN_SRC/tests/analysis/ambiguous.jsonl"
expect 0 "origin of W11" "$REMNANT" origin "${F}0W11"
has "the part's maker is ambiguous, both listed" \
    "ambiguous maker: Limbach Flugmotoren (DE) or Xiamen Limbach Aviation Engine (CN)"
has "DE only possible" "+1 possible (ambiguous maker, in no share)"
has "the summary says so" "have an ambiguous maker"
if grep -q "^  DE  *1 " out.txt; then bad "DE counted as certain"; cat out.txt; else ok "DE not certain"; fi
expect 0 "origin JSON" "$REMNANT" origin "${F}0W11" --json
has "JSON totals" '"manufacturer_ambiguous":1'
has "JSON candidates" '"manufacturer_candidates":[{"manufacturer":"Limbach Flugmotoren"'
has "JSON no certain country" '"with_country":0'
expect 0 "claim shows the stored decoding" "$REMNANT" claim "${F}0A13" --json
has "claim: ambiguous manufacturer" '"candidates":[{"manufacturer":"Limbach Flugmotoren"'

e2e_done
