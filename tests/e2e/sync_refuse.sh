#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# sync_refuse.sh — packages a receiver must refuse, each with a clear error
# and nothing written (lib/sync/import.c S1-S8, docs/SYNC.md): a flipped
# byte anywhere in the package (many positions, each tried alone), a package
# cut short, a replayed old package (ROLLBACK), a package signed by an
# unregistered key, a forked log (same size, other root: FORK; a longer log
# that rewrote what was seen: FORK), a package that skips entries (gap).
# "Nothing written" = the receiver's whole database dump and blob folder are
# byte for byte what they were. All data is invented for the test.
set -euo pipefail

REMNANT=${REMNANT:?set REMNANT to the remnant binary}
T=$(mktemp -d "${TMPDIR:-/tmp}/rn_sync_refuse.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"
export REMNANT_AUTHOR=e2e

ok() { printf 'ok   %s\n' "$*"; }
die() { printf 'FAIL %s\n' "$*" >&2; exit 1; }
rn() { "$REMNANT" "$@"; }
state() { { sqlite3 hq.db .dump; { find hq.db.blobs -type f 2>/dev/null || true; } | sort; } | sha256sum; }
# refused FILE PATTERN: the import fails, says PATTERN, and changes nothing
refused() {
    local before after out
    before=$(state)
    if out=$(rn --db hq.db sync import "$1" 2>&1); then die "accepted $1: $out"; fi
    grep -q "$2" <<<"$out" || die "$1: expected '$2' in: $out"
    grep -q "nothing written" <<<"$out" || die "$1: the error does not say nothing was written"
    after=$(state)
    [ "$before" = "$after" ] || die "$1: the refused package changed the receiver"
}

rn init a.db >/dev/null 2>&1
rn init hq.db >/dev/null 2>&1
rn init stranger.db >/dev/null 2>&1
rn --db hq.db peer add fieldA - --key "$(rn --db a.db key show)" >/dev/null
rn --db a.db peer add hq - --key "$(rn --db hq.db key show)" >/dev/null
rn --db stranger.db peer add hq - --key "$(rn --db hq.db key show)" >/dev/null
E=$(rn --db a.db add event name="Event one (invented)" country=UA)
I=$(rn --db a.db add item kind=weapon event="$E" category=missile)
rn --db a.db add marking item="$I" text="AB12 3456" >/dev/null
printf 'invented attachment bytes\n' >f.txt
rn --db a.db attach "$I" f.txt >/dev/null 2>&1
rn --db a.db sync export --peer hq -o p1.sync 2>/dev/null

# flipped bytes: every 97th byte and the last 40, each alone
size=$(stat -c %s p1.sync)
n=0
for pos in $(seq 0 97 $((size - 1))) $(seq $((size - 40)) $((size - 1))); do
    python3 -c 'import sys
b = bytearray(open(sys.argv[1], "rb").read()); b[int(sys.argv[2])] ^= 0x01
open(sys.argv[3], "wb").write(b)' p1.sync "$pos" flip.sync
    refused flip.sync "REFUSED"
    n=$((n + 1))
done
ok "$n packages each with one flipped byte: refused, nothing written"

head -c $((size / 2)) p1.sync >cut.sync
refused cut.sync "REFUSED: sync package, byte"
ok "a package cut short: refused"

rn --db stranger.db add event name="Not a peer (invented)" >/dev/null
rn --db stranger.db sync export --peer hq -o s.sync 2>/dev/null
refused s.sync "unregistered key"
ok "a package signed by an unregistered key: refused"

rn --db hq.db sync import p1.sync >/dev/null
# a copy of A (same key) that will write another history from here
cp a.db afork.db; cp a.db.key afork.db.key; cp a.db.key.last afork.db.key.last 2>/dev/null || true
rn --db a.db add event name="Event two (invented)" >/dev/null
rn --db a.db sync export --peer hq -o p2.sync 2>/dev/null
# a gap: p2 before p1 on a fresh receiver
rn init hq2.db >/dev/null 2>&1
rn --db hq2.db peer add fieldA - --key "$(rn --db a.db key show)" >/dev/null
if out=$(rn --db hq2.db sync import p2.sync 2>&1); then die "a package with a gap was accepted"; fi
grep -q "REFUSED (gap)" <<<"$out" || die "no gap message: $out"
ok "a package that starts after what was received: refused (gap)"

# a fork: the copy of A writes something else at the same size
rn --db afork.db add event name="Other history (invented)" >/dev/null
rn --db afork.db sync export --peer hq -o fork.sync 2>/dev/null
rn --db hq.db sync import p2.sync >/dev/null
refused fork.sync "REFUSED (FORK)"
rn --db afork.db add event name="Longer other history (invented)" >/dev/null
rn --db afork.db sync export --peer hq -o fork2.sync 2>/dev/null
refused fork2.sync "REFUSED (FORK)"
ok "a forked log (same size other root; longer with another past): refused"

refused p1.sync "REFUSED (ROLLBACK)"
ok "a replayed old package: refused (ROLLBACK)"

before=$(state)
grep -q "imported already" <<<"$(rn --db hq.db sync import p2.sync)" || die "p2 twice not a no-op"
[ "$(state)" = "$before" ] || die "p2 twice changed the receiver"
rn --db hq.db verify >/dev/null || die "verify fails after the refusals"
ok "the newest package again: nothing to do; verify holds"
