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
#   reported beside wall time. Each figure is the median of ROUNDS rounds,
#   each round timing the baseline and every sync once, in turn; a ratio is
#   taken within its round.
# Env: ITEMS (default 100000), SEED (default 1), ROUNDS (default 3),
#   ONLY_INCREMENTAL=1 (one round, without the baseline and the HTTP sync:
#   for the 1M-item incremental, where the full sync by file only prepares
#   the headquarters).
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
# Before each timed command, not timed: the writes of the one before reach
# the disk (`sync`), so that no measure pays for the previous one's
# write-back (a sync's 400 MB database and 213 MB package slowed whichever
# measure came next by up to a second).
settle() { sync; }

echo "== preparing $items items (not timed)" >&2
"$R" generate --items "$items" --seed "${SEED:-1}" -o gen.jsonl
"$R" init a.db >/dev/null 2>&1
"$R" --db a.db import gen.jsonl --no-decode --quiet >/dev/null
records=$(sqlite3 a.db "SELECT count(*) FROM record")

# One round: the baseline, then each sync into an empty headquarters, each
# timed alone (wall, and CPU: user + sys; for HTTP, client and server).
# Rounds interleave them, so that the machine's changing speed (on a shared
# VM the same work takes from 1x to 1.5x the time minutes apart) slows all
# alike; ratios are taken per round and their median reported.
base_round() {
    fresh_hq base.db
    CPU=0
    local t0 t1
    settle
    t0=$(now)
    cpu "$R" --db a.db export -o x.jsonl
    cpu "$R" --db base.db import x.jsonl --quiet >/dev/null
    t1=$(now)
    echo "$(el "$t0" "$t1") $CPU"
    rm -rf base.db* x.jsonl
}
# file_round BIN A_DB HQ_DB: `sync export` + `sync import` into a fresh HQ_DB
file_round() {
    local bin=$1 a=$2 hq=$3 t0 t1
    rm -rf "$hq"*
    "$bin" init "$hq" >/dev/null 2>&1
    "$bin" --db "$hq" peer add field - --key "$("$bin" --db "$a" key show)" >/dev/null
    "$bin" --db "$a" peer rm hq >/dev/null 2>&1 || true
    "$bin" --db "$a" peer add hq - --key "$("$bin" --db "$hq" key show)" >/dev/null
    CPU=0
    settle
    t0=$(now)
    cpu "$bin" --db "$a" sync export --peer hq -o p.sync 2>/dev/null
    cpu "$bin" --db "$hq" sync import p.sync >/dev/null
    t1=$(now)
    stat -c %s p.sync >pkg.size
    rm -f p.sync
    echo "$(el "$t0" "$t1") $CPU"
}
# http_round BIN A_DB: `sync push` to a server on a fresh database
http_round() {
    local bin=$1 a=$2 t0 t1 s0
    rm -rf h2.db*
    "$bin" init h2.db >/dev/null 2>&1
    "$bin" --db h2.db peer add field - --key "$("$bin" --db "$a" key show)" >/dev/null
    "$bin" --db "$a" peer rm hq >/dev/null 2>&1 || true
    echo pw-bench-12345 | "$bin" --db h2.db user add bench --role admin >/dev/null
    "$bin" --db h2.db user token bench >tok
    local port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$bin" --db h2.db serve --listen "127.0.0.1:$port" --max-upload 4294967296 --quiet 2>srv.log &
    SRV=$!
    for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break; sleep 0.1; done
    "$bin" --db "$a" peer add hq "http://127.0.0.1:$port" --key "$("$bin" --db h2.db key show)" >/dev/null
    CPU=0
    s0=$(pcpu "$SRV")
    settle
    t0=$(now)
    cpu "$bin" --db "$a" sync push hq --token-file tok >/dev/null
    t1=$(now)
    local c
    c=$(add "$CPU" "$(awk -v a="$(pcpu "$SRV")" -v b="$s0" 'BEGIN { print a - b }')")
    kill "$SRV"; wait "$SRV" 2>/dev/null || true; SRV=
    rm -rf h2.db*
    echo "$(el "$t0" "$t1") $c"
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a";
    else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

if [ -n "$OLD" ]; then
    # OLD_BUILD_DIR's binary on its own copy of the field instance (a
    # database of a newer schema is refused by an older program)
    "$OLD" init o_a.db >/dev/null 2>&1
    "$OLD" --db o_a.db import gen.jsonl --no-decode --quiet >/dev/null
fi
ROUNDS=${ROUNDS:-3}
[ -n "${ONLY_INCREMENTAL:-}" ] && ROUNDS=1
# this round's wall and CPU seconds; every round's, and their ratios to the
# round's baseline
declare -A W C WS CS Q QC
labels="file http ofile ohttp"
for round in $(seq 1 "$ROUNDS"); do
    echo "== round $round of $ROUNDS" >&2
    if [ -z "${ONLY_INCREMENTAL:-}" ]; then
        read -r "W[base]" "C[base]" < <(base_round)
    fi
    read -r "W[file]" "C[file]" < <(file_round "$R" a.db hq.db)
    if [ -n "$OLD" ]; then
        read -r "W[ofile]" "C[ofile]" < <(file_round "$OLD" o_a.db o_hq.db)
    fi
    if [ -z "${ONLY_INCREMENTAL:-}" ]; then
        read -r "W[http]" "C[http]" < <(http_round "$R" a.db)
        [ -z "$OLD" ] || read -r "W[ohttp]" "C[ohttp]" < <(http_round "$OLD" o_a.db)
    fi
    for l in base $labels; do
        [ -n "${W[$l]:-}" ] || continue
        WS[$l]="${WS[$l]:-} ${W[$l]}" CS[$l]="${CS[$l]:-} ${C[$l]}"
        if [ -n "${W[base]:-}" ]; then
            Q[$l]="${Q[$l]:-} $(ratio "${W[$l]}" "${W[base]}")"
            QC[$l]="${QC[$l]:-} $(ratio "${C[$l]}" "${C[base]}")"
        fi
    done
    if [ -n "${W[base]:-}" ]; then
        echo "round $round: wall s: base ${W[base]} file ${W[file]} http ${W[http]:-} ofile ${W[ofile]:-} ohttp ${W[ohttp]:-}" >&2
    fi
done
# the headquarters of the last round's file syncs stay for the incremental:
# re-register A's peer `hq` by file (the HTTP rounds pointed it at a server)
"$R" --db a.db peer rm hq >/dev/null 2>&1 || true
"$R" --db a.db peer add hq - --key "$("$R" --db hq.db key show)" >/dev/null
if [ -n "$OLD" ]; then
    "$OLD" --db o_a.db peer rm hq >/dev/null 2>&1 || true
    "$OLD" --db o_a.db peer add hq - --key "$("$OLD" --db o_hq.db key show)" >/dev/null
fi
pkg=$(cat pkg.size)

echo "== incremental: 100 new records into the $items-item headquarters" >&2
"$R" generate --items 40 --seed 99 -o small.jsonl
head -100 small.jsonl >new.jsonl
"$R" --db a.db import new.jsonl --no-decode --quiet >/dev/null
seen=$(sqlite3 hq.db "SELECT max(size) FROM sync_checkpoint")
oldinc=
if [ -n "$OLD" ]; then
    "$OLD" --db o_a.db import new.jsonl --no-decode --quiet >/dev/null
    seen=$(sqlite3 o_hq.db "SELECT max(size) FROM sync_checkpoint")
    settle
    t0=$(now)
    "$OLD" --db o_a.db sync export --peer hq --since "$seen" -o o_inc.sync 2>/dev/null
    "$OLD" --db o_hq.db sync import o_inc.sync >/dev/null
    t1=$(now)
    oldinc=$(el "$t0" "$t1")
    seen=$(sqlite3 hq.db "SELECT max(size) FROM sync_checkpoint")
fi
settle
t0=$(now)
"$R" --db a.db sync export --peer hq --since "$seen" -o inc.sync 2>/dev/null
"$R" --db hq.db sync import inc.sync >/dev/null
t1=$(now)
inc=$(el "$t0" "$t1")

row() { # row LABEL KEY: medians over the rounds
    local l=$2
    [ -n "${WS[$l]:-}" ] || return 0
    echo "| $1 | $(median <<<"${WS[$l]}") | $(median <<<"${Q[$l]:-}") | $(median <<<"${CS[$l]}") | $(median <<<"${QC[$l]:-}") |"
}
echo "| measure ($items items, $records records, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); median of $ROUNDS rounds) | wall s | wall ratio | CPU s (user+sys) | CPU ratio |"
echo "|---|---|---|---|---|"
row "baseline: \`export\` + \`import\` into an empty database" base
row "sync by file: \`sync export\` + \`sync import\` (package $((pkg / 1048576)) MiB)" file
row "sync over loopback HTTP: \`sync push\` (client + server CPU)" http
row "OLD_BUILD_DIR: sync by file" ofile
row "OLD_BUILD_DIR: sync over loopback HTTP" ohttp
echo "| incremental: 100 new records into the $items-item headquarters, by file | $inc | | | |"
[ -z "$oldinc" ] || echo "| the same incremental with the OLD_BUILD_DIR binary | $oldinc | | | |"
