#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# analysis.sh — timeline, origin, sanctions and linkage over a 1M-item
# database, each against the single SQL aggregate that the `sqlite3` shell
# runs for the same grouping with the same precedence of values (item field,
# else newest claim, else the decoder's best candidate). Goal: each ratio
# under 2.
#
# Run (from the source tree, with a non-sanitized build):
#   cmake -S . -B build-analysis-release -DRN_TESTS=OFF && \
#     cmake --build build-analysis-release -j2 --target remnant_cli
#   REMNANT=build-analysis-release/remnant bash bench/analysis.sh [DB]
# DB defaults to /tmp/rn_bench_analysis.db; it is generated once with
#   remnant generate --items 1000000 --seed 1 | remnant --db DB import -
# and the UN DPRK measures (data/sanctions/un_dprk.jsonl) are imported.
# Each side runs 3 times; the best time counts. Needs: sqlite3, awk.
set -eu
REMNANT=${REMNANT:?path of a non-sanitized remnant binary}
SRC=$(cd "$(dirname "$0")/.." && pwd)
DB=${1:-/tmp/rn_bench_analysis.db}
ITEMS=${ITEMS:-1000000}

if [ ! -f "$DB" ]; then
    "$REMNANT" init "$DB" >/dev/null
    "$REMNANT" generate --items "$ITEMS" --seed 1 | "$REMNANT" --db "$DB" import -
    "$REMNANT" --db "$DB" import "$SRC/data/sanctions/un_dprk.jsonl"
fi
# The decoder fills `candidate` on import. A database imported with
# --no-decode has none: then give every IC and missile marking a SYNTHETIC
# week-precision production reading (ICs 2012-2023, missiles 2023), so that
# the analyses and the baselines do their full work. Marked rule
# 'bench-synthetic'; only in this benchmark database.
if [ "$(sqlite3 "$DB" "SELECT count(*) FROM candidate")" = 0 ]; then
    sqlite3 "$DB" "INSERT OR IGNORE INTO candidate (marking, rank, field, value, earliest, latest,
      precision, country, confidence, rule, explanation)
    SELECT m.id, 99, 'production_date', 'synthetic',
      CASE WHEN i.kind = 'weapon' THEN 19359 ELSE 15341 END + 7 * (h % CASE WHEN i.kind = 'weapon' THEN 52 ELSE 600 END),
      CASE WHEN i.kind = 'weapon' THEN 19359 ELSE 15341 END + 6 + 7 * (h % CASE WHEN i.kind = 'weapon' THEN 52 ELSE 600 END),
      'week', NULL, 0.8, 'bench-synthetic', 'SYNTHETIC benchmark reading, not a decoder result'
    FROM (SELECT m.id AS id, m.item AS item, unicode(substr(m.id, 24, 1)) * 31 + unicode(substr(m.id, 25, 1)) * 7
                 + unicode(substr(m.id, 26, 1)) AS h FROM marking m) m
    JOIN item i ON i.id = m.item WHERE i.category IN ('ic', 'missile')"
fi

best() { # best CMD... : the best wall time of 3 runs, in seconds
    local b=999999 t
    for _ in 1 2 3; do
        local s e
        s=$(date +%s.%N)
        "$@" >/dev/null
        e=$(date +%s.%N)
        t=$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", e - s }')
        b=$(awk -v a="$b" -v t="$t" 'BEGIN { print (t < a) ? t : a }')
    done
    echo "$b"
}

# The effective value of an item's field F, as SQL (the precedence of
# lib/analysis/effective.c, without its ambiguity hull).
claim() { echo "(SELECT $2 FROM claim c WHERE c.item = $1 AND c.field = '$3' ORDER BY c.id DESC LIMIT 1)"; }
cand() { echo "(SELECT c.$2 FROM marking m JOIN candidate c ON c.marking = m.id WHERE m.item = $1 AND c.field = '$3' ORDER BY c.confidence DESC, c.marking, c.rank LIMIT 1)"; }
eff_text() { echo "coalesce($1.$2, $(claim "$1.id" value "$3"), $(cand "$1.id" value "$3"))"; }
eff_country() { echo "coalesce($1.$2, $(claim "$1.id" country "$3"), $(cand "$1.id" country "$3"))"; }
eff_pe() { echo "CASE WHEN $1.produced_precision IS NOT NULL THEN $1.produced_earliest ELSE coalesce($(claim "$1.id" date_earliest production_date), $(cand "$1.id" earliest production_date)) END"; }
eff_pl() { echo "CASE WHEN $1.produced_precision IS NOT NULL THEN $1.produced_latest ELSE coalesce($(claim "$1.id" date_latest production_date), $(cand "$1.id" latest production_date)) END"; }

TIMELINE_SQL="SELECT ws, ps, country, count(*), min(max(ue - pl, 0)), max(ul - pe)
FROM (SELECT coalesce($(eff_text i weapon_system weapon_system), p.weapon_system) AS ws,
             coalesce($(eff_country i producing_state producing_state), p.producing_state) AS ps,
             e.country AS country,
             $(eff_pe i) AS pe, $(eff_pl i) AS pl,
             coalesce(e.incident_earliest, e.documented_earliest) AS ue,
             coalesce(e.incident_latest, e.documented_latest) AS ul
      FROM item i JOIN event e ON e.id = i.event LEFT JOIN item p ON p.id = i.parent
      WHERE i.kind IN ('weapon', 'munition', 'remnant'))
WHERE pe IS NOT NULL AND ue IS NOT NULL GROUP BY ws, ps, country;"

TREE="WITH RECURSIVE tree(root, id) AS (SELECT id, id FROM item WHERE parent IS NULL
  AND kind IN ('weapon', 'munition') UNION ALL SELECT t.root, c.id FROM tree t JOIN item c ON c.parent = t.id)"

ORIGIN_SQL="$TREE SELECT ctry, count(*), count(pe), max(pe)
FROM (SELECT $(eff_country i manufacturer_country manufacturer) AS ctry, $(eff_pe i) AS pe
      FROM tree t JOIN item i ON i.id = t.id WHERE i.kind = 'component') GROUP BY ctry;"

SANCTIONS_SQL="$TREE SELECT ps, count(*)
FROM (SELECT $(eff_country w producing_state producing_state) AS ps,
             $(eff_country i manufacturer_country manufacturer) AS ctry, $(eff_pl i) AS pl
      FROM tree t JOIN item i ON i.id = t.id JOIN item w ON w.id = t.root
      WHERE i.kind = 'component')
WHERE ctry IS NOT NULL AND ctry != ps AND pl >= (SELECT min(adopted_earliest) FROM sanction s WHERE s.target = ps)
GROUP BY ps;"

LINKS_SQL="SELECT 'lot', count(*) FROM (SELECT upper(lot) FROM item WHERE lot IS NOT NULL AND lot != ''
  GROUP BY upper(lot) HAVING count(DISTINCT coalesce(event, '')) > 1)
UNION ALL SELECT 'serial', count(*) FROM (SELECT num - lag(num) OVER (PARTITION BY prefix ORDER BY num) AS gap
  FROM (SELECT rtrim(upper(serial), '0123456789') AS prefix,
               CAST(substr(serial, length(rtrim(serial, '0123456789')) + 1) AS INTEGER) AS num
        FROM item WHERE serial IS NOT NULL AND serial != '')) WHERE gap <= 50
UNION ALL SELECT 'packaging', count(*) FROM (SELECT upper(trim(m.text)) FROM marking m JOIN item i ON i.id = m.item
  WHERE i.kind IN ('packaging', 'document') GROUP BY 1 HAVING count(DISTINCT coalesce(i.event, '')) > 1);"

printf "%-10s %10s %10s %7s\n" analysis remnant_s sqlite3_s ratio
run() {
    local name=$1 sql=$2; shift 2
    local a b
    a=$(best "$REMNANT" --db "$DB" "$@")
    b=$(best sqlite3 "$DB" "$sql")
    printf "%-10s %10s %10s %7s\n" "$name" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
}
run timeline "$TIMELINE_SQL" timeline --json
run origin "$ORIGIN_SQL" origin --json
run sanctions "$SANCTIONS_SQL" sanctions --json
run links "$LINKS_SQL" links --all --json
