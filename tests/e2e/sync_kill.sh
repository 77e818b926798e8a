#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# sync_kill.sh — a sync killed with SIGKILL at any moment leaves the
# receiver as it was or fully applied, never in between (lib/sync/import.c:
# one transaction), and the next run completes it (resumable). 24 kills at
# random moments spread over the length of one import, measured in this
# run (so the test is bounded in time on any machine, and no timing is
# asserted); plus kills of an export, which never leave half a package.
# RN_SYNC_KILLS sets the number of kills. Data: the synthetic generator's.
set -euo pipefail

REMNANT=${REMNANT:?set REMNANT to the remnant binary}
T=$(mktemp -d "${TMPDIR:-/tmp}/rn_sync_kill.XXXXXX")
PID=
cleanup() {
    if [ -n "$PID" ]; then kill -9 "$PID" 2>/dev/null || true; fi
    rm -rf "$T"
}
trap cleanup EXIT
cd "$T"
export REMNANT_AUTHOR=e2e

ok() { printf 'ok   %s\n' "$*"; }
die() { printf 'FAIL %s\n' "$*" >&2; exit 1; }
rn() { "$REMNANT" "$@"; }
q() { sqlite3 "$1" "$2"; }

rn init a.db >/dev/null 2>&1
rn init h0.db >/dev/null 2>&1
rn --db h0.db peer add fieldA - --key "$(rn --db a.db key show)" >/dev/null
rn --db a.db peer add hq - --key "$(rn --db h0.db key show)" >/dev/null
rn generate --items "${RN_SYNC_KILL_ITEMS:-1000}" --seed 5 -o g.jsonl
rn --db a.db import g.jsonl >/dev/null
rn --db a.db sync export --peer hq -o p.sync 2>/dev/null
total=$(q a.db "SELECT count(*) FROM record")
fresh() { rm -f h.db*; for f in h0.db*; do cp "$f" "h${f#h0}"; done; }

# one whole import, timed, as the reference
fresh
t0=$(date +%s%N)
rn --db h.db sync import p.sync >/dev/null
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 + 1 ))
[ "$(q h.db "SELECT count(*) FROM record")" = "$total" ] || die "the reference import is incomplete"
ok "reference import of $total records: ${ms} ms"

kills=${RN_SYNC_KILLS:-24}
none=0 full=0
for i in $(seq 1 "$kills"); do
    fresh
    at=$(( (RANDOM * 32768 + RANDOM) % (ms + ms / 4 + 1) ))
    "$REMNANT" --db h.db sync import p.sync >/dev/null 2>&1 &
    PID=$!
    sleep "$(printf '%d.%03d' $((at / 1000)) $((at % 1000)))"
    kill -9 "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    PID=
    recs=$(q h.db "SELECT count(*) FROM record")
    cps=$(q h.db "SELECT count(*) FROM sync_checkpoint")
    prov=$(q h.db "SELECT count(*) FROM sync_provenance")
    if [ "$recs" = 0 ] && [ "$cps" = 0 ] && [ "$prov" = 0 ]; then
        none=$((none + 1))
    elif [ "$recs" = "$total" ] && [ "$cps" = 1 ] && [ "$prov" = "$total" ]; then
        full=$((full + 1))
    else
        die "kill $i at ${at} ms left a partial state: $recs records, $cps checkpoints, $prov provenance"
    fi
    rn --db h.db verify >v.txt 2>&1 || { cat v.txt; die "verify fails after kill $i"; }
    out=$(rn --db h.db sync import p.sync)
    [ "$(q h.db "SELECT count(*) FROM record")" = "$total" ] || die "the run after kill $i did not complete"
    if [ "$cps" = 1 ]; then grep -q "imported already" <<<"$out" || die "kill $i: applied twice: $out"; fi
done
ok "$kills kills at random moments: $none left nothing, $full left everything, none partial; each resumed"

# killing an export never leaves a package (or a truncated one) in place
for i in 1 2 3 4; do
    rm -f e.sync e.sync.partial-*
    sent=$(q a.db "SELECT sent_size FROM sync_peer")
    "$REMNANT" --db a.db sync export --peer hq --since "$(q a.db 'SELECT min(size) FROM ledger_checkpoint')" \
        -o e.sync 2>/dev/null &
    PID=$!
    sleep "0.0$((RANDOM % 10))"
    kill -9 "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    PID=
    if [ -e e.sync ]; then
        fresh
        rn --db h.db sync import p.sync >/dev/null
        rn --db h.db sync import e.sync >/dev/null || die "a killed export left a bad package"
    fi
done
ok "exports killed at random moments leave no partial package"
