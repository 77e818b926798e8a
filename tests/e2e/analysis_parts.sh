#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# analysis_parts.sh — analyses that count every part (issue 11, points
# 12-17), as a new user meets them: the README's own example (the event set
# only on the weapon, a chip two levels down with a decoded date code),
# then a chip known only as "US-made", a second spelling of a maker, a date
# code with an illegible digit read by the real decoder, a lot seen again
# elsewhere. Invented test data (it says so); the unit test
# tests/unit/test_analysis_parts.c works the numbers out.
#
# Env: REMNANT (the remnant binary), RN_SRC (source tree).
set -u
. "${RN_SRC:?source tree}/tests/lib/e2e.sh"
export REMNANT_DB="$W/p.db" REMNANT_AUTHOR=alice
add() { "$REMNANT" add "$@" notes="INVENTED TEST DATA (tests/e2e/analysis_parts.sh)"; }

"$REMNANT" init "$REMNANT_DB" >/dev/null || die "init"
# the README's example
E=$(add event name="Kharkiv strike remnants" country=UA documented=2024-07 place=Kharkiv \
      lat=49.99 lon=36.23)
Wp=$(add item kind=weapon event="$E" category=missile weapon_system=KN-23)
B=$(add item kind=component parent="$Wp" category=circuit-board)
C=$(add item kind=component parent="$B" category=ic lot=LOT-R1)
add marking item="$C" text="SN74HC00N 2315" method=printed >/dev/null
"$REMNANT" edit "$C" manufacturer="Texas Instruments" manufacturer_country=US >/dev/null
[ -n "$E" ] && [ -n "$C" ] || { echo "FAIL - the README example did not load"; exit 1; }

# 12: the chip has no event of its own; it was found with the weapon
run "timeline --all-kinds" "$REMNANT" timeline --all-kinds --json
has "12: the chip is in the timeline, in the weapon's event" "\"item\":\"$C\""
has "12: the chip's event comes from the weapon" "\"event\":\"$E\",\"event_from\":\"$Wp\""
# 15: the weapon has no date of its own; its chip (2023-W15) bounds it
run "timeline" "$REMNANT" timeline
has "15: the weapon has an interval from its earliest assembly" "$Wp  KN-23"
has "15: the basis is named" "production: earliest assembly 2023-04-10: component $C"
run "timeline --json" "$REMNANT" timeline --json
has "15: production_bound in JSON" '"production_bound":"from assembly"'

# 12: links — the same lot on a chip found with another weapon, elsewhere
E2=$(add event name="Fixture seizure" country=MD documented=2024-09 place="Fixture port")
W2=$(add item kind=weapon event="$E2" category=missile)
C2=$(add item kind=component parent="$W2" category=ic lot=lot-r1)
run "links of the chip" "$REMNANT" links "$C"
has "12: the other chip is linked, with its weapon's place" "linked $C2  component -  serial -  lot lot-r1  Fixture port, MD"
has "12: two events" "2 events in 2 countries"
run "links --all" "$REMNANT" links --all
has "12: the lot is seen in two events" "LOT-R1: 2 items in 2 events"

# 14: the weapon's producing state is unknown: foreign is unknown, not 0
run "origin, state unknown" "$REMNANT" origin "$Wp"
has "14: foreign is unknown" "foreign: unknown (the producing state is unknown"
hasnt "14: never '0 of'" "0 of 1 with a known country foreign"
run "origin --json, state unknown" "$REMNANT" origin "$Wp" --json
has "14: foreign is null" '"foreign":null,"foreign_known":false'

# 13: "a US-made chip", maker unknown
D=$(add item kind=component parent="$B" category=ic manufacturer_country=US produced=2020)
# 16: another spelling of the same maker
X=$(add item kind=component parent="$B" category=ic "manufacturer=Texas Instruments Inc." \
      manufacturer_country=US)
# 17: a date code with an illegible digit, read by the decoder
G=$(add item kind=component parent="$B" category=ic manufacturer=NXP manufacturer_country=NL)
add marking item="$G" text="2?15" method=printed >/dev/null
"$REMNANT" edit "$Wp" producing_state=KP >/dev/null
"$REMNANT" import "$RN_SRC/data/sanctions/un_dprk.jsonl" >/dev/null || bad "UN measures import"
run "origin" "$REMNANT" origin "$Wp"
has "13: counted by country" "US                                3"
has "13: listed under manufacturer unknown" "manufacturer unknown              1"
has "13: the part says so" "$D ic - | manufacturer unknown (US) [item.manufacturer_country]"
has "16: one row for the company" "Texas Instruments Inc.            2"
has "16: its spellings listed" "spellings: Texas Instruments Inc. (1), Texas Instruments (1)"
has "17: the illegible date code is ambiguous" "(ambiguous) [marking"
run "claim of the illegible chip" "$REMNANT" claim "$G"
has "17: claim shows the hull" "ambiguous:"
run "sanctions" "$REMNANT" sanctions
has "13: the US-made chip is flagged" "[open] $D:KP"
has "13: maker unknown in words" "(maker unknown, US; item.manufacturer_country)"
run "sanctions --json" "$REMNANT" sanctions --json
has "17: the flag carries the readings" '"produced_ambiguous":true,"produced_readings":[{'

e2e_done
