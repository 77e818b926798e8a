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
: "${REMNANT:?path of the remnant binary}" "${RN_SRC:?source tree}"
W=$(mktemp -d /tmp/rn_origin_amb.XXXXXX)
trap 'rm -rf "$W"' EXIT
cd "$W"
export REMNANT_DB="$W/a.db" REMNANT_AUTHOR=alice REMNANT_DATA="$RN_SRC/data"
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
expect() { # expect CODE DESCRIPTION CMD...
    local want=$1 what=$2; shift 2
    "$@" >out.txt 2>err.txt
    local got=$?
    if [ "$got" -eq "$want" ]; then ok "$what"; else
        bad "$what (exit $got, wanted $want)"; cat out.txt err.txt; fi
}
has() { # has DESCRIPTION TEXT (in out.txt)
    if grep -qF -- "$2" out.txt; then ok "$1"; else bad "$1: no '$2'"; head -c 3000 out.txt; fi
}
F=01HTEST000000000000000

"$REMNANT" init "$REMNANT_DB" >/dev/null || { echo "FAIL - init"; exit 1; }
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

echo "$fails failures"
[ "$fails" -eq 0 ]
