#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# gc.sh — issue 15, point 12: files left in the blob folder by attaches or
# uploads that failed are reported by `remnant verify` and removed by
# `remnant gc`, which never removes a blob that a record or a log entry
# names (a deleted attachment's blob stays: older bundles name it).
# Env: REMNANT (the binary), RN_SRC (source tree).
set -u
. "${RN_SRC:?source tree}/tests/lib/e2e.sh"
export REMNANT_DB="$W/x.db"

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
# sync transfers (lib/sync/files.c): one cut 8 days ago, one cut an hour ago
mkdir -p x.db.blobs/.staging
head -c 300 /dev/urandom >"x.db.blobs/.staging/$O-5000.part"
touch -d '8 days ago' "x.db.blobs/.staging/$O-5000.part"
head -c 300 /dev/urandom >"x.db.blobs/.staging/$KEPT-6000.part"
touch -d '1 hour ago' "x.db.blobs/.staging/$KEPT-6000.part"

"$REMNANT" verify >out.txt 2>&1; rc=$?
[ "$rc" = 0 ] && ok "orphans do not fail verify" || bad "verify exit $rc: $(cat out.txt)"
[ "$(grep -c '^NOTE orphan' out.txt)" = 3 ] && ok "verify lists the 3 orphans" \
    || bad "verify orphans: $(cat out.txt)"
grep -q "$O" out.txt && ok "verify names the orphan blob" || bad "orphan blob not named"
grep -q "$GONE" out.txt && bad "a blob named by the log was listed as an orphan"
grep -q "fresh1" out.txt && bad "a fresh temporary file was listed"
grep -q "$O-5000.part" out.txt && ok "verify names the stale transfer" \
    || bad "stale transfer not named: $(cat out.txt)"
grep -q "$KEPT-6000.part" out.txt && bad "a recent transfer was listed"

"$REMNANT" gc --dry-run >out.txt; [ "$(grep -c '^would remove' out.txt)" = 3 ] \
    && ok "gc --dry-run lists 3" || bad "gc --dry-run: $(cat out.txt)"
[ -e "x.db.blobs/${O:0:2}/$O" ] && ok "dry run removes nothing" || bad "dry run removed"
# a stale transfer that a sync is writing at this moment (it holds the lock) stays
head -c 300 /dev/urandom >"x.db.blobs/.staging/$GONE-7000.part"
touch -d '9 days ago' "x.db.blobs/.staging/$GONE-7000.part"
exec 9<"x.db.blobs/.staging/$GONE-7000.part"
flock -x 9 || bad "cannot lock"
"$REMNANT" gc >out.txt || bad "gc failed"
exec 9<&-
[ -e "x.db.blobs/.staging/$GONE-7000.part" ] && ok "a locked transfer stays" \
    || bad "gc removed a transfer in progress"
rm -f "x.db.blobs/.staging/$GONE-7000.part"
grep -q "removed 3 orphans" out.txt && ok "gc removes 3" || bad "gc: $(cat out.txt)"
[ ! -e "x.db.blobs/${O:0:2}/$O" ] && [ ! -e x.db.blobs/.incoming-stale1 ] \
    && [ ! -e "x.db.blobs/.staging/$O-5000.part" ] \
    && ok "the orphans are gone" || bad "orphans remain"
[ -e "x.db.blobs/${KEPT:0:2}/$KEPT" ] && [ -e "x.db.blobs/${GONE:0:2}/$GONE" ] \
    && [ -e x.db.blobs/.upload-fresh1 ] && [ -e "x.db.blobs/.staging/$KEPT-6000.part" ] \
    && ok "named blobs, fresh temp files and recent transfers stay" \
    || bad "gc removed something named"
"$REMNANT" verify >out.txt 2>&1 && ! grep -q orphan out.txt && ok "verify clean after gc" \
    || bad "after gc: $(cat out.txt)"
e2e_done
