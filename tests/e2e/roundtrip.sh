#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# roundtrip.sh — export is the inverse of import: demo data and a generated
# dataset go import -> export -> import into a fresh database -> export and
# come out byte-identical, as JSON Lines and as CSV (one file per type).
set -euo pipefail
. "${RN_SRC:?source tree}/tests/lib/e2e.sh"
export REMNANT_AUTHOR=e2e
same() { # same FILE1 FILE2 WHAT
    if ! cmp -s "$1" "$2"; then
        diff <(head -c 200000 "$1") <(head -c 200000 "$2") | head -20 >&2 || true
        die "$3: $1 and $2 differ"
    fi
    ok "$3"
}

# Parents before children, as rn_export writes them.
TYPES="entity sanction event item attachment marking claim custody transfer trace finding"

# ---- demo data, JSON Lines ---------------------------------------------------
rn demo demo.db >/dev/null
rn --db demo.db export -o a.jsonl
[ -s a.jsonl ] || die "demo export is empty"
n=$(wc -l <a.jsonl)
[ "$n" -gt 50 ] || die "demo export has only $n records"
ok "demo exported ($n records)"
rn init b.db >/dev/null
rn --db b.db import a.jsonl --quiet >/dev/null
rn --db b.db export -o b.jsonl
same a.jsonl b.jsonl "demo: import of the export exports the same bytes"
rn init c.db >/dev/null
rn --db c.db import - --quiet <b.jsonl >/dev/null
rn --db c.db export >c.jsonl
same a.jsonl c.jsonl "demo: a second generation (from stdin, to stdout) is the same"
# every line is one JSON object with a type and an id
python3 -c '
import json, sys
for i, line in enumerate(open(sys.argv[1]), 1):
    o = json.loads(line)
    assert isinstance(o, dict) and "type" in o and "id" in o, (i, line)
' a.jsonl || die "export is not one JSON object per line"
ok "export is JSON Lines with type and id on every line"

# ---- demo data, CSV per type -------------------------------------------------
rn init csv.db >/dev/null
for t in $TYPES; do
    rn --db demo.db export --format csv --type "$t" -o "$t.csv"
    [ -s "$t.csv" ] || die "no CSV for $t"
    rn --db csv.db import "$t.csv" --type "$t" --quiet >/dev/null ||
        die "importing $t.csv failed"
done
ok "every type exported as CSV and imported into a fresh database"
for t in $TYPES; do
    rn --db csv.db export --format csv --type "$t" -o "$t.2.csv"
    same "$t.csv" "$t.2.csv" "CSV round trip of $t"
done
rn --db csv.db export -o csv.jsonl
same a.jsonl csv.jsonl "demo through CSV exports the same JSON Lines"

# ---- a generated dataset -----------------------------------------------------
if rn generate --help >/dev/null 2>&1; then
    rn generate --items 300 --seed 7 -o gen.jsonl
    [ -s gen.jsonl ] || die "generate wrote nothing"
    rn init g1.db >/dev/null
    rn --db g1.db import gen.jsonl --quiet >/dev/null
    rn --db g1.db export -o g1.jsonl
    rn init g2.db >/dev/null
    rn --db g2.db import g1.jsonl --quiet >/dev/null
    rn --db g2.db export -o g2.jsonl
    same g1.jsonl g2.jsonl "generated data: import -> export -> import -> export"
    rn generate --items 300 --seed 7 -o gen2.jsonl
    same gen.jsonl gen2.jsonl "generate is deterministic for a seed"
    for t in $TYPES; do
        rn --db g1.db export --format csv --type "$t" -o "g.$t.csv"
    done
    rn init g3.db >/dev/null
    for t in $TYPES; do
        rn --db g3.db import "g.$t.csv" --type "$t" --quiet >/dev/null || die "import g.$t.csv"
    done
    rn --db g3.db export -o g3.jsonl
    same g1.jsonl g3.jsonl "generated data through CSV exports the same JSON Lines"
else
    ok "generate is not there: generated dataset skipped"
fi
e2e_done
