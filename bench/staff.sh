#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/staff.sh — the staff workspace's search box and live decoding at the
# 1M-item benchmark database, in headless Chromium on loopback, as a person
# uses them (bench/staff_load.mjs): signed in, a search typed in the header
# box and submitted, until its hits are shown and until every hit shows its
# item, event and place; a marking pasted into an item's marking box, until
# the decoder's candidates are shown. Each figure is the median of RUNS
# rounds over the same queries; the baseline is the same flow over a
# database of a tenth the size (BASE_ITEMS, generated the same way), with
# the same server, in the same run: the ratio is what ten times the data
# costs. "number of hits" lines are counts, not ms.
# Figures and ratios go to docs/BENCHMARKS.md ("Web app: the staff search
# box and live decoding").
#
# Usage: bench/staff.sh [BUILD_DIR]   (default build/release: a Release build,
#   cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release)
# Env: ITEMS (1000000), BASE_ITEMS (100000), RUNS (5). The databases are
#   generated once (`remnant generate --items N --seed 1`, imported; not
#   timed) into bench/out/data/staff-N.db and reused.
# Needs: chromium, node, web/node_modules (scripts/deps --test).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/release}
R=$build/remnant
[ -x "$R" ] || { echo "no $R: build it first (see the header)"; exit 1; }
N=${ITEMS:-1000000}
data=$root/bench/out/data
mkdir -p "$data"
big=$data/staff-$N.db
W=$(mktemp -d /tmp/rn_bench_staff.XXXXXX)
SRV=
cleanup() { [ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT

NB=${BASE_ITEMS:-100000}
small=$data/staff-$NB.db
for n in "$NB" "$N"; do
  db=$data/staff-$n.db
  if [ ! -f "$db" ]; then
    echo "generating and importing $n items (once; not timed)" >&2
    "$R" generate --items "$n" --seed 1 -o "$W/gen.jsonl"
    rm -f "$db.tmp" "$db.tmp.key"
    "$R" init "$db.tmp" >/dev/null 2>&1
    "$R" --db "$db.tmp" import "$W/gen.jsonl" >/dev/null
    rm -f "$W/gen.jsonl"
    mv "$db.tmp" "$db"
    for k in "$db.tmp".key*; do [ -f "$k" ] && mv "$k" "$db${k#"$db.tmp"}"; done
  fi
  "$R" --db "$db" user rm u_bench >/dev/null 2>&1 || true
  echo "bench-password-1" | "$R" --db "$db" user add u_bench --role investigator >/dev/null
done

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
for which in small big; do
  db=$small; [ "$which" = big ] && db=$big
  "$R" --db "$db" serve --listen "127.0.0.1:$port" --quiet 2>/dev/null &
  SRV=$!
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break; sleep 0.1; done
  BASE="http://127.0.0.1:$port" node "$root/bench/staff_load.mjs" "${RUNS:-5}" >"$W/$which.txt"
  kill "$SRV"; wait "$SRV" 2>/dev/null || true; SRV=
done
items=$(sqlite3 "$big" "SELECT count(*) FROM item" 2>/dev/null || echo "$N")
echo "database: $big ($items items); baseline: $small; median of ${RUNS:-5} rounds, ms"
printf '%-34s %10s %10s %8s\n' "what" "$N" "$NB" "ratio"
join -t $'\t' <(sort "$W/big.txt") <(sort "$W/small.txt") |
  awk -F '\t' '{ printf "%-34s %10.1f %10.1f %8.2f\n", $1, $2, $3, ($3 > 0 ? $2 / $3 : 0) }'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
