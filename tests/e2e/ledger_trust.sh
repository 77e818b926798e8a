#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# ledger_trust.sh — issue 15, points 1, 2, 3, 5, 21 and 22: the evidence
# cannot be re-signed by whoever holds the database file.
#   1  verify trusts keys from outside the file (key file, --trust, --key);
#      a key added to the database without a rotation signed by a trusted
#      key is UNTRUSTED; verify prints its anchors;
#   2  an emptied database is not silently a new log (exit 5), and a key
#      refuses to sign a log that lacks the last checkpoint it signed;
#   5  a cut tail passes verify alone (nothing in one file can show it) but
#      not verify --since-checkpoint with a checkpoint kept elsewhere;
#   21 verify and bundle work on a database in a read-only folder;
#   22 init then key create verifies at once.
# Env: REMNANT (the binary), RN_SRC (source tree), RN_BUILD (build folder).
set -u
. "${RN_SRC:?source tree}/tests/lib/e2e.sh"
: "${RN_BUILD:?build folder}"
export REMNANT_DB="$W/x.db"

# 22: a fresh database with a key verifies before any write
"$REMNANT" init >/dev/null 2>&1
"$REMNANT" key create >/dev/null 2>&1
expect 0 "init + key create: verify passes before the first write" "$REMNANT" verify

E=$("$REMNANT" add event name="Strike remnants (invented)")
I=$("$REMNANT" add item kind=weapon event="$E")
VK=$("$REMNANT" key show)
expect 0 "verify with the key file" "$REMNANT" verify
grep -q "^trust: the key file .*x.db.key" out.txt && ok "verify names its trust anchor" \
    || bad "verify does not name its anchor: $(cat out.txt)"

# 1: a copy re-signed with a new key (same log name) that the attacker
#    inserted into the database
cp x.db a.db
"$REMNANT" --db a.db key create >/dev/null 2>&1 || bad "attacker key create"
"$REMNANT" --db a.db edit "$E" name="Rewritten by someone else" >/dev/null || bad "attacker edit"
mv a.db.key attacker.key
expect 6 "verify --key (the real key) rejects the re-signed copy" \
    "$REMNANT" --db a.db verify --key "$VK"
printf '# the log key of our instance\n%s\n' "$VK" >trust.txt
expect 6 "verify --trust FILE rejects the re-signed copy" "$REMNANT" --db a.db verify --trust trust.txt
grep -q "UNTRUSTED" out.txt && ok "the inserted key is reported as untrusted" \
    || bad "no untrusted key reported: $(cat out.txt)"
grep -q "^trust: 1 key pinned in trust.txt" out.txt && ok "verify names the trust file" \
    || bad "trust file not named: $(head -3 out.txt)"
expect 6 "verify without any anchor does not trust the database's own keys" \
    "$REMNANT" --db a.db verify
expect 0 "verify --trust FILE accepts the real database" "$REMNANT" verify --trust trust.txt

# a rotation signed by both keys keeps everything trusted
"$REMNANT" key rotate >/dev/null 2>&1 || bad "key rotate"
"$REMNANT" add item kind=component parent="$I" >/dev/null
expect 0 "verify after a rotation" "$REMNANT" verify
grep -q "joined to them by signed rotations" out.txt && ok "the rotation link is walked" \
    || bad "rotation link not reported: $(head -3 out.txt)"
expect 0 "the old key alone still vouches through the rotation" "$REMNANT" verify --key "$VK"

# 2: an emptied database file is refused by every command but init
cp x.db keep.db
: >x.db
for c in "add event name=x" "list event" "import /dev/null" "serve --listen 127.0.0.1:1"; do
    # shellcheck disable=SC2086
    timeout 20 "$REMNANT" $c >out.txt 2>err.txt
    rc=$?
    [ "$rc" = 5 ] && ok "emptied database: '$c' refused (exit 5)" \
        || bad "emptied database: '$c' exit $rc: $(head -c 300 err.txt out.txt)"
done
expect 6 "emptied database: verify fails (exit 6)" "$REMNANT" verify
grep -q "PROBLEM database" out.txt && ok "verify names the database" || bad "verify: $(cat out.txt)"
"$REMNANT" list event >out.txt 2>err.txt
[ ! -s x.db ] && ok "the emptied file stays empty" || bad "the emptied file was written"
grep -q "empty" err.txt && ok "the message says the file is empty" || bad "message: $(cat err.txt)"
echo "not a database" >x.db
expect 5 "a file that is not a database is refused" "$REMNANT" add event name=x
cp keep.db x.db

# 2: the key refuses to sign a log cut back to an older copy
"$REMNANT" checkpoint >before.txt
cp x.db old.db
"$REMNANT" add event name="Later (invented)" >/dev/null
"$REMNANT" checkpoint >kept.txt
cp old.db x.db
rm -f x.db-wal x.db-shm
expect 6 "the key refuses to sign a rolled-back log" "$REMNANT" add event name="after rollback"
grep -q "ROLLBACK" err.txt && ok "the refusal says ROLLBACK" || bad "rollback message: $(cat err.txt)"

# 5: the same cut-back log, as verify sees it: nothing inside one file can
#    prove its tail was not cut, so verify alone passes; a checkpoint kept
#    elsewhere (here: the one taken before the cut) shows it.
expect 0 "verify alone cannot see a cut tail (documented in LEDGER.md)" "$REMNANT" verify
expect 6 "verify --since-checkpoint reports the cut tail" \
    "$REMNANT" verify --since-checkpoint kept.txt
grep -q "TRUNCATED" out.txt && ok "says TRUNCATED" || bad "truncation message: $(cat out.txt)"
expect 0 "verify --since-checkpoint with an older checkpoint passes" \
    "$REMNANT" verify --since-checkpoint before.txt
"$REMNANT" --db other.db init >/dev/null 2>&1
"$REMNANT" --db other.db add event name=other >/dev/null
"$REMNANT" --db other.db checkpoint >foreign.txt
expect 3 "a checkpoint of another log is a usage mistake, not a pass" \
    "$REMNANT" verify --since-checkpoint foreign.txt

# 21: a database in a read-only folder: verify and bundle read it
AS=()
if command -v setpriv >/dev/null && setpriv --reuid=nobody --regid=nogroup --clear-groups true 2>/dev/null; then
    AS=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
fi
if [ "$(id -u)" != 0 ] || [ "${#AS[@]}" -gt 0 ]; then
    mkdir ro && cp keep.db ro/r.db && chmod 0755 "$W" && chmod 0555 ro && chmod 0444 ro/r.db
    "${AS[@]}" "$REMNANT" --db ro/r.db verify --key "$VK" >out.txt 2>&1
    rc=$?
    [ "$rc" = 0 ] && ok "verify on a read-only folder" || bad "verify read-only (exit $rc): $(cat out.txt)"
    "${AS[@]}" "$REMNANT" --db ro/r.db bundle --item "$I" -o - >ro.rnb 2>err.txt
    rc=$?
    # no key file there: the bundle needs the signed checkpoint only
    [ "$rc" = 0 ] && ok "bundle on a read-only folder" || bad "bundle read-only (exit $rc): $(cat err.txt)"
else
    echo "skip - no unprivileged user to test a read-only folder"
fi

e2e_done
