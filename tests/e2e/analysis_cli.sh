#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# analysis_cli.sh — the analysis commands as an analyst meets them, on the
# invented fixture tests/analysis/fixture.jsonl plus the real UN DPRK
# measures: timeline ranges, origin tables, sanctions flags (and a
# dismissal), links by partial serial, a trace request's life, a finding's
# review by someone else, claims side by side; --help and clear errors.
# Expected numbers are worked out in tests/unit/test_analysis_fixture.c.
#
# Env: REMNANT (the remnant binary), RN_SRC (source tree).
set -u
. "${RN_SRC:?source tree}/tests/lib/e2e.sh"
export REMNANT_DB="$W/a.db" REMNANT_AUTHOR=alice
F=01HTEST000000000000000

"$REMNANT" init "$REMNANT_DB" >/dev/null || die "init"
expect 0 "fixture imports" "$REMNANT" import "$RN_SRC/tests/analysis/fixture.jsonl"
expect 0 "UN DPRK measures import" "$REMNANT" import "$RN_SRC/data/sanctions/un_dprk.jsonl"
expect 0 "EU Russia measures import" "$REMNANT" import "$RN_SRC/data/sanctions/eu_russia.jsonl"
# the decoder's readings the fixture needs (2023-03 for W3's mark)
if command -v sqlite3 >/dev/null; then
    sqlite3 "$REMNANT_DB" "INSERT OR REPLACE INTO candidate (marking, rank, field, value, earliest,
      latest, precision, confidence, rule, explanation) VALUES ('${F}0M03', 90,
      'production_date', 'fixture', 19417, 19447, 'month', 0.9, 'fixture-rule', 'invented')"
fi

for c in timeline origin sanctions links trace finding claim; do
    expect 0 "$c --help" "$REMNANT" "$c" --help
    has "$c --help says usage" "usage: remnant $c"
done

expect 0 "timeline" "$REMNANT" timeline
has "timeline: W1 is [2, 366] days" "${F}0W01  KN-23 KP  [2, 366] days"
has "timeline: W2 clamped [0, 190]" "${F}0W02  KN-23 KP  [0, 190] days"
has "timeline: basis named" "production: claim ${F}0K01"
expect 0 "timeline --json" "$REMNANT" timeline --json --system KN-23
has "timeline json group" '"weapon_system":"KN-23","producing_state":"KP","country":"UA","count":3'
expect 2 "timeline rejects a bad --limit" "$REMNANT" timeline --limit x

expect 0 "origin of W1" "$REMNANT" origin "${F}0W01"
has "origin: 5 of 6 foreign" "5 of the 6 components whose manufacturer's country is known"
has "origin: earliest assembly" "cannot have been assembled before 2019-03-04"
has "origin: two countries" "[DE,NL]"
expect 4 "origin of a missing item" "$REMNANT" origin 01HTEST0000000000000000ZZZ

expect 0 "sanctions" "$REMNANT" sanctions
has "sanctions: lead, not verdict" "LEAD, NOT A VERDICT"
has "sanctions: flag on C1" "[open] ${F}0C01:KP"
has "sanctions: possibly after" "possibly after (the intervals overlap) the adoption of S/RES/1718 (2006)"
expect 0 "dismiss a flag" "$REMNANT" sanctions dismiss "${F}0C03:KP" --reason "invoice predates the ban"
expect 0 "sanctions --dismissed" "$REMNANT" sanctions --dismissed
has "sanctions: dismissed listed" "[dismissed] ${F}0C03:KP"
expect 2 "dismiss without a reason" "$REMNANT" sanctions dismiss "${F}0C03:KP"

expect 0 "links by partial serial" "$REMNANT" links 0101
has "links: serial run" "because: serial KP-2024-0130 is 29 from KP-2024-0101"
expect 0 "links --json is map-ready" "$REMNANT" links 0101 --json
has "links json has coordinates" '"lat":50.45'
expect 4 "links: unknown serial" "$REMNANT" links NOPE-0000

T=${F}0T01
expect 0 "trace send" "$REMNANT" trace send "$T" --date 2024-08-20 --due 2024-09-20
expect 0 "trace overdue" "$REMNANT" trace list --overdue --today 2024-10-01
has "trace: overdue" "OVERDUE"
expect 3 "trace: transfer before answer" "$REMNANT" trace transfer "$T" --supplier "${F}0N01" --recipient "${F}0N03"
expect 0 "trace answer" "$REMNANT" trace answer "$T" --answer "Sold to a distributor" --date 2024-10-02
expect 0 "trace transfer" "$REMNANT" trace transfer "$T" --supplier "${F}0N01" --recipient "${F}0N03" --date 2022-05
expect 3 "trace: answered cannot be sent" "$REMNANT" trace send "$T"

expect 0 "finding new" "$REMNANT" finding new "C1 was made after the embargo" --evidence "${F}0C01;${F}0W01"
FID=$(cat out.txt)
echo "password-bob" | "$REMNANT" user add bob --role reviewer >/dev/null 2>&1
echo "password-bob" >bob.pw
expect 2 "finding: no review without an account" "$REMNANT" finding review "$FID"
expect 0 "finding: bob reviews" "$REMNANT" finding review "$FID" --user bob --password-file bob.pw
expect 0 "finding publish" "$REMNANT" finding publish "$FID" --user bob --password-file bob.pw
expect 0 "finding show" "$REMNANT" finding show "$FID"
has "finding shows evidence" "${F}0C01  item"

expect 0 "claim override" "$REMNANT" claim "${F}0W04" production_date 2023-06 --reason "Juche 112 on the flange"
expect 0 "claim show" "$REMNANT" claim "${F}0W04"
has "claim basis" "2023-06  [claim"
expect 2 "claim needs a reason" "$REMNANT" claim "${F}0W04" production_date 2023

e2e_done
