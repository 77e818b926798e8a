#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# gc.sh — issue 15, point 12: files left in the blob folder by attaches or
# uploads that failed are reported by `remnant verify` and removed by
# `remnant gc`, which never removes a blob that a record or a log entry
# names (a deleted attachment's blob stays: older bundles name it).
# Env: REMNANT (the binary).
set -u
: "${REMNANT:?path of the remnant binary}"
W=$(mktemp -d /tmp/rn_gc.XXXXXX)
trap 'rm -rf "$W"' EXIT
cd "$W"
export REMNANT_DB="$W/x.db"
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }

"$REMNANT" init >/dev/null 2>&1
I=$("$REMNANT" add item kind=weapon)
head -c 3000 /dev/urandom >kept.bin
head -c 2000 /dev/urandom >gone.bin
A=$("$REMNANT" attach "$I" kept.bin)
G=$("$REMNANT" attach "$I" gone.bin)
"$REMNANT" rm "$G" >/dev/null || bad "rm attachment"
KEPT=$(sha256sum kept.bin | cut -c1-64)
GONE=$(sha256sum gone.bin | cut -c1-64)
# an orphan blob (as a killed attach leaves after the rename) and temp files
head -c 1800 /dev/urandom >orphan.bin
O=$(sha256sum orphan.bin | cut -c1-64)
mkdir -p "x.db.blobs/${O:0:2}" && cp orphan.bin "x.db.blobs/${O:0:2}/$O"
head -c 100 /dev/urandom >x.db.blobs/.incoming-stale1 && touch -d '2 hours ago' x.db.blobs/.incoming-stale1
head -c 100 /dev/urandom >x.db.blobs/.upload-fresh1

"$REMNANT" verify >out.txt 2>&1; rc=$?
[ "$rc" = 0 ] && ok "orphans do not fail verify" || bad "verify exit $rc: $(cat out.txt)"
[ "$(grep -c '^NOTE orphan' out.txt)" = 2 ] && ok "verify lists the 2 orphans" \
    || bad "verify orphans: $(cat out.txt)"
grep -q "$O" out.txt && ok "verify names the orphan blob" || bad "orphan blob not named"
grep -q "$GONE" out.txt && bad "a blob named by the log was listed as an orphan"
grep -q "fresh1" out.txt && bad "a fresh temporary file was listed"

"$REMNANT" gc --dry-run >out.txt; [ "$(grep -c '^would remove' out.txt)" = 2 ] \
    && ok "gc --dry-run lists 2" || bad "gc --dry-run: $(cat out.txt)"
[ -e "x.db.blobs/${O:0:2}/$O" ] && ok "dry run removes nothing" || bad "dry run removed"
"$REMNANT" gc >out.txt || bad "gc failed"
grep -q "removed 2 orphans" out.txt && ok "gc removes 2" || bad "gc: $(cat out.txt)"
[ ! -e "x.db.blobs/${O:0:2}/$O" ] && [ ! -e x.db.blobs/.incoming-stale1 ] \
    && ok "the orphans are gone" || bad "orphans remain"
[ -e "x.db.blobs/${KEPT:0:2}/$KEPT" ] && [ -e "x.db.blobs/${GONE:0:2}/$GONE" ] \
    && [ -e x.db.blobs/.upload-fresh1 ] && ok "named blobs and fresh temp files stay" \
    || bad "gc removed something named"
"$REMNANT" verify >out.txt 2>&1 && ! grep -q orphan out.txt && ok "verify clean after gc" \
    || bad "after gc: $(cat out.txt)"
echo "$fails failed"
[ "$fails" -eq 0 ]
