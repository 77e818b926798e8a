#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/sync.sh — sync of N generated items (with their markings) from a
# field instance to an empty headquarters, by file (`sync export` + `sync
# import`) and over loopback HTTP (`sync push`), as ratios against the
# same-run baseline `remnant export` + `remnant import` of the same records
# into an empty database (issue 13's goal: at most 1.5x, although sync also
# carries and checks the log); then the incremental sync of 100 new records
# into that N-item headquarters, in seconds (goal: under 1 s at 1M items).
# Data preparation (generate, the field import) is not timed. Numbers are
# reported, never judged.
#
# Usage: bench/sync.sh [BUILD_DIR [OLD_BUILD_DIR]]   (default build/release; a
#   Release build without sanitizers is what should be measured:
#   cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DRN_TESTS=OFF).
#   With OLD_BUILD_DIR (another version's Release build, e.g. of main), the
#   full syncs and the incremental sync are also timed with that version's
#   binary on its own databases of the same records: a before/after in the
#   same run. CPU time (user + sys; for HTTP, client and server) is
#   reported beside wall time.
# Env: ITEMS (default 100000), SEED (default 1), ONLY_INCREMENTAL=1 (skip
#   the baseline and the HTTP sync: for the 1M-item incremental, where the
#   full sync by file only prepares the headquarters).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:-$root/build/release}")
R=$build/remnant
OLD=
[ -n "${2:-}" ] && OLD=$(realpath "$2")/remnant
[ -x "$R" ] || { echo "no $R: build it first (see the header)"; exit 1; }
items=${ITEMS:-100000}
W=$(mktemp -d /tmp/rn_bench_sync.XXXXXX)
SRV=
cleanup() {
    if [ -n "$SRV" ]; then kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null || true; fi
    rm -rf "$W"
}
trap cleanup EXIT
cd "$W"
export REMNANT_AUTHOR=bench
now() { date +%s.%N; }
# CPU seconds (user + sys) of the commands run by `cpu CMD...`, summed in $CPU
CPU=0
cpu() {
    /usr/bin/time -f '%U %S' -o "$W/cpu.t" "$@"
    local rc=$?
    CPU=$(awk -v c="$CPU" '{ printf "%.2f", c + $1 + $2 }' "$W/cpu.t")
    return $rc
}
# CPU seconds so far of a running process (a server)
pcpu() { awk -v t="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$1/stat"; }
add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a + b }'; }
el() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
fresh_hq() { rm -rf "$1"*; "$R" init "$1" >/dev/null 2>&1; }

echo "== preparing $items items (not timed)" >&2
"$R" generate --items "$items" --seed "${SEED:-1}" -o gen.jsonl
"$R" init a.db >/dev/null 2>&1
"$R" --db a.db import gen.jsonl --no-decode --quiet >/dev/null
records=$(sqlite3 a.db "SELECT count(*) FROM record")

base=0 http=0
if [ -z "${ONLY_INCREMENTAL:-}" ]; then
echo "== baseline: export + import" >&2
fresh_hq base.db
CPU=0
t0=$(now)
cpu "$R" --db a.db export -o x.jsonl
cpu "$R" --db base.db import x.jsonl --quiet >/dev/null
t1=$(now)
base=$(el "$t0" "$t1") basecpu=$CPU
rm -rf base.db* x.jsonl
fi

echo "== sync by file" >&2
fresh_hq hq.db
"$R" --db hq.db peer add field - --key "$("$R" --db a.db key show)" >/dev/null
"$R" --db a.db peer add hq - --key "$("$R" --db hq.db key show)" >/dev/null
CPU=0
t0=$(now)
cpu "$R" --db a.db sync export --peer hq -o p.sync 2>/dev/null
cpu "$R" --db hq.db sync import p.sync >/dev/null
t1=$(now)
file=$(el "$t0" "$t1") filecpu=$CPU
ofile= ofilecpu=
if [ -n "$OLD" ]; then
    # the same with the OLD_BUILD_DIR binary, on its own copy of the field
    # instance (a database of a newer schema is refused by an older program)
    "$OLD" init o_a.db >/dev/null 2>&1
    "$OLD" --db o_a.db import gen.jsonl --no-decode --quiet >/dev/null
    rm -rf o_hq.db*; "$OLD" init o_hq.db >/dev/null 2>&1
    "$OLD" --db o_hq.db peer add field - --key "$("$OLD" --db o_a.db key show)" >/dev/null
    "$OLD" --db o_a.db peer add hq - --key "$("$OLD" --db o_hq.db key show)" >/dev/null
    CPU=0
    t0=$(now)
    cpu "$OLD" --db o_a.db sync export --peer hq -o o_p.sync 2>/dev/null
    cpu "$OLD" --db o_hq.db sync import o_p.sync >/dev/null
    t1=$(now)
    ofile=$(el "$t0" "$t1") ofilecpu=$CPU
    rm -f o_p.sync
fi
pkg=$(stat -c %s p.sync)

if [ -z "${ONLY_INCREMENTAL:-}" ]; then
echo "== sync over loopback HTTP" >&2
fresh_hq h2.db
"$R" --db h2.db peer add field - --key "$("$R" --db a.db key show)" >/dev/null
"$R" --db a.db peer rm hq >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
echo pw-bench-12345 | "$R" --db h2.db user add bench --role admin >/dev/null
"$R" --db h2.db user token bench >tok
"$R" --db h2.db serve --listen "127.0.0.1:$port" --max-upload 4294967296 --quiet 2>srv.log &
SRV=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break; sleep 0.1; done
"$R" --db a.db peer add hq "http://127.0.0.1:$port" --key "$("$R" --db h2.db key show)" >/dev/null
CPU=0
s0=$(pcpu "$SRV")
t0=$(now)
cpu "$R" --db a.db sync push hq --token-file tok >/dev/null
t1=$(now)
http=$(el "$t0" "$t1") httpcpu=$(add "$CPU" "$(awk -v a="$(pcpu "$SRV")" -v b="$s0" 'BEGIN { print a - b }')")
kill "$SRV"; wait "$SRV" 2>/dev/null || true; SRV=
rm -rf h2.db*
ohttp= ohttpcpu=
if [ -n "$OLD" ]; then
    "$OLD" init o_h2.db >/dev/null 2>&1
    "$OLD" --db o_h2.db peer add field - --key "$("$OLD" --db o_a.db key show)" >/dev/null
    "$OLD" --db o_a.db peer rm hq >/dev/null
    echo pw-bench-12345 | "$OLD" --db o_h2.db user add bench --role admin >/dev/null
    "$OLD" --db o_h2.db user token bench >o_tok
    "$OLD" --db o_h2.db serve --listen "127.0.0.1:$port" --max-upload 4294967296 --quiet 2>o_srv.log &
    SRV=$!
    for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break; sleep 0.1; done
    "$OLD" --db o_a.db peer add hq "http://127.0.0.1:$port" --key "$("$OLD" --db o_h2.db key show)" >/dev/null
    CPU=0
    s0=$(pcpu "$SRV")
    t0=$(now)
    cpu "$OLD" --db o_a.db sync push hq --token-file o_tok >/dev/null
    t1=$(now)
    ohttp=$(el "$t0" "$t1") ohttpcpu=$(add "$CPU" "$(awk -v a="$(pcpu "$SRV")" -v b="$s0" 'BEGIN { print a - b }')")
    kill "$SRV"; wait "$SRV" 2>/dev/null || true; SRV=
    rm -rf o_h2.db*
fi
fi

echo "== incremental: 100 new records into the $items-item headquarters" >&2
"$R" generate --items 40 --seed 99 -o small.jsonl
head -100 small.jsonl >new.jsonl
"$R" --db a.db import new.jsonl --no-decode --quiet >/dev/null
seen=$(sqlite3 hq.db "SELECT max(size) FROM sync_checkpoint")
oldinc=
if [ -n "$OLD" ]; then
    if [ ! -f o_hq.db ]; then # ONLY_INCREMENTAL: the old program's own pair
        "$OLD" init o_a.db >/dev/null 2>&1
        "$OLD" --db o_a.db import gen.jsonl --no-decode --quiet >/dev/null
        "$OLD" init o_hq.db >/dev/null 2>&1
        "$OLD" --db o_hq.db peer add field - --key "$("$OLD" --db o_a.db key show)" >/dev/null
        "$OLD" --db o_a.db peer add hq - --key "$("$OLD" --db o_hq.db key show)" >/dev/null
        "$OLD" --db o_a.db sync export --peer hq -o o_p.sync 2>/dev/null
        "$OLD" --db o_hq.db sync import o_p.sync >/dev/null
        rm -f o_p.sync
    fi
    "$OLD" --db o_a.db import new.jsonl --no-decode --quiet >/dev/null
    seen=$(sqlite3 o_hq.db "SELECT max(size) FROM sync_checkpoint")
    t0=$(now)
    "$OLD" --db o_a.db sync export --peer hq --since "$seen" -o o_inc.sync 2>/dev/null
    "$OLD" --db o_hq.db sync import o_inc.sync >/dev/null
    t1=$(now)
    oldinc=$(el "$t0" "$t1")
    seen=$(sqlite3 hq.db "SELECT max(size) FROM sync_checkpoint")
fi
t0=$(now)
"$R" --db a.db sync export --peer hq --since "$seen" -o inc.sync 2>/dev/null
"$R" --db hq.db sync import inc.sync >/dev/null
t1=$(now)
inc=$(el "$t0" "$t1")

cat <<EOF
| measure ($items items, $records records, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)) | wall s | wall ratio | CPU s (user+sys) | CPU ratio |
|---|---|---|---|---|
| baseline: \`export\` + \`import\` into an empty database | $base | 1.00 | $basecpu | 1.00 |
| sync by file: \`sync export\` + \`sync import\` (package $((pkg / 1048576)) MiB) | $file | $(ratio "$file" "$base") | $filecpu | $(ratio "$filecpu" "$basecpu") |
| sync over loopback HTTP: \`sync push\` (client + server CPU) | $http | $(ratio "$http" "$base") | $httpcpu | $(ratio "$httpcpu" "$basecpu") |
EOF
[ -z "$ofile" ] || echo "| OLD_BUILD_DIR: sync by file | $ofile | $(ratio "$ofile" "$base") | $ofilecpu | $(ratio "$ofilecpu" "$basecpu") |"
[ -z "$ohttp" ] || echo "| OLD_BUILD_DIR: sync over loopback HTTP | $ohttp | $(ratio "$ohttp" "$base") | $ohttpcpu | $(ratio "$ohttpcpu" "$basecpu") |"
echo "| incremental: 100 new records into the $items-item headquarters, by file | $inc | | | |"
[ -z "$oldinc" ] || echo "| the same incremental with the OLD_BUILD_DIR binary | $oldinc | | | |"
