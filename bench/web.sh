#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/web.sh — the public portal's first load in headless Chromium on
# loopback, for 0 (the baseline: the page and its libraries alone), 100 and
# 10,000 published findings, each citing one event (a place) and one item:
# total bytes transferred (compressed, as on the wire) and the time from
# navigation to the map showing all its points (<body data-ready="1"> with
# data-points = N). Median of RUNS fresh browser contexts (no cache).
# Figures and ratios to the baseline go to docs/BENCHMARKS.md ("Web app").
#
# Usage: bench/web.sh [BUILD_DIR]   (default build/release; a Release build
#   without sanitizers: cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release)
# Env: RUNS (5); RN_SERVE_ARGS, given to `remnant serve` (`--web DIR` serves
#   another copy of web/, e.g. an earlier commit's, for a same-run comparison).
# Needs: chromium, node, web/node_modules (scripts/deps --test).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/release}
R=$build/remnant
[ -x "$R" ] || { echo "no $R: build it first (see the header)"; exit 1; }
W=$(mktemp -d /tmp/rn_bench_web.XXXXXX)
SRV=
cleanup() { [ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT

for n in 0 100 10000; do
  python3 - "$n" >"$W/p$n.jsonl" <<'PY'
import json, random, sys
n = int(sys.argv[1]); rnd = random.Random(1)
def rid(k, i):  # valid ULIDs, made up: 01J3BENCH + kind + number
    return ("01J3BENCH" + k + "%016d" % i)[:26]
for i in range(n):
    e, it, f = rid("E", i), rid("K", i), rid("F", i)
    print(json.dumps({"type": "event", "id": e, "name": "Synthetic event %d (benchmark, invented)" % i,
                      "country": "UA", "lat": round(44.5 + rnd.random() * 7.5, 5),
                      "lon": round(23 + rnd.random() * 16, 5), "documented": "2024-%02d" % (1 + i % 12)}))
    print(json.dumps({"type": "item", "id": it, "kind": "weapon", "event": e,
                      "weapon_system": ["KN-23", "KN-24", "Kh-101"][i % 3], "producing_state": ["KP", "KP", "RU"][i % 3]}))
    print(json.dumps({"type": "finding", "id": f, "statement": "Synthetic finding %d (benchmark, invented)" % i,
                      "evidence": [e, it], "status": "published",
                      "author": "bench (invented)", "reviewer": "bench reviewer (invented)"}))
PY
  db="$W/p$n.db"
  "$R" init "$db" >/dev/null
  [ "$n" -gt 0 ] && "$R" --db "$db" import "$W/p$n.jsonl" >/dev/null
done

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf '%-8s %12s %14s %14s\n' findings "bytes (wire)" "ms to points" "x baseline"
base_ms=
for n in 0 100 10000; do
  # shellcheck disable=SC2086
  "$R" --db "$W/p$n.db" serve --listen "127.0.0.1:$port" --quiet ${RN_SERVE_ARGS:-} 2>/dev/null &
  SRV=$!
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break; sleep 0.1; done
  # the server builds its shared set of published findings once: not timed
  curl -fsS "http://127.0.0.1:$port/api/v1/public/findings" >/dev/null
  out=$(BASE="http://127.0.0.1:$port" node "$root/bench/web_load.mjs" "$n" "${RUNS:-5}" 2>"$W/marks")
  echo "  marks ($n): $(cat "$W/marks")" >&2
  kill "$SRV"; wait "$SRV" 2>/dev/null || true; SRV=
  bytes=${out% *}; ms=${out#* }
  [ -z "$base_ms" ] && base_ms=$ms
  printf '%-8s %12s %14s %14s\n' "$n" "$bytes" "$ms" "$(python3 -c "print('%.2f' % ($ms / $base_ms))")"
done
