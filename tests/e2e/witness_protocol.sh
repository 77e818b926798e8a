#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# witness_protocol.sh — issue 14, point 3: standard witnesses
# (c2sp.org/tlog-witness) on both sides, with the real binary and two real
# `remnant witness serve` on loopback ports.
#   - a log with two witnesses and a quorum of 2: every write is cosigned by
#     both, each cosignature checked and stored beside its checkpoint, and
#     `remnant verify` / `remnant-verify` check them;
#   - the next request carries the consistency proof from the size each
#     witness last cosigned; a witness that was down catches up from its size;
#   - quorum not met when a witness is down: exit 1, the record and its
#     checkpoint stay;
#   - a split view (a second database with the same key and origin, another
#     root) is refused with 409 and reported as SPLIT VIEW (exit 6), the
#     signed request kept by the witness as evidence;
#   - a rollback (a database restored from an old copy) is reported;
#   - `remnant checkpoint --witness` asks, then prints the cosigned checkpoint;
#   - the witness's answers on the wire: 200, 400 malformed, 403 bad
#     signature, 404 unknown log, 405, 409 + text/x.tlog.size, 413, 422 bad
#     proof.
# Env: REMNANT (binary), RN_SRC (source tree), RN_BUILD (build folder).
set -u
. "${RN_SRC:?source tree}/tests/lib/e2e.sh"
: "${RN_BUILD:?build folder}"
RV="$RN_BUILD/src/verify/remnant-verify"
PIDS=()
e2e_cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
}
export REMNANT_DB="$W/x.db"
# start_witness N PORT: witness wN serving the logs whose keys are in $LOGKEYS
start_witness() {
    local n=$1 port=$2 args=()
    for k in $LOGKEYS; do args+=(--log-key "$k"); done
    "$REMNANT" witness serve --key "w$n.key" --state "st$n" --listen "127.0.0.1:$port" \
        "${args[@]}" 2>>"serve$n.log" &
    eval "PID$n=$!"
    PIDS+=($!)
    for _ in $(seq 1 100); do
        curl -fsS "http://127.0.0.1:$port/" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "witness $n did not start:"; cat "serve$n.log"; exit 1
}
stop_witness() { local p; eval "p=\$PID$1"; kill "$p"; wait "$p" 2>/dev/null; }
# post PORT BODYFILE: status to stdout, body to resp.txt, headers to hdr.txt
post() {
    curl -s -o resp.txt -D hdr.txt -w '%{http_code}' --data-binary "@$2" \
        "http://127.0.0.1:$1/add-checkpoint"
}
# the signed note of checkpoint SIZE (0: latest) of DB, without cosignatures
note_of() {
    "$REMNANT" --db "$1" checkpoint ${2:+$2} | python3 -c '
import sys
t = sys.stdin.read()
body, sigs = t.split("\n\n", 1)
own = body.split("\n")[0]
print(body + "\n\n" + "".join(l + "\n" for l in sigs.splitlines() if l.startswith("\u2014 " + own + " ")), end="")'
}
# proof_b64 DB OLD NEW: the consistency proof lines in base64
proof_b64() {
    "$REMNANT" --db "$1" checkpoint --consistency "$2" "$3" | tail -n +2 |
        python3 -c 'import sys,base64; [print(base64.b64encode(bytes.fromhex(l.strip())).decode()) for l in sys.stdin if l.strip()]'
}
size_of() { "$REMNANT" --db "$1" checkpoint | sed -n 2p; }

# ---- a log and two witnesses
"$REMNANT" init >/dev/null 2>&1 || { echo "init failed"; exit 1; }
VK=$("$REMNANT" key show)
"$REMNANT" --db other.db init >/dev/null 2>&1
OVK=$("$REMNANT" --db other.db key show)
LOGKEYS="$VK $OVK"
WK1=$("$REMNANT" witness keygen --name witness.example/w1 -o w1.key 2>/dev/null)
WK2=$("$REMNANT" witness keygen --name witness.example/w2 -o w2.key 2>/dev/null)
P1=$(free_port); P2=$(free_port)
start_witness 1 "$P1"
start_witness 2 "$P2"
curl -s "http://127.0.0.1:$P1/" | grep -qF "$WK1" && ok "GET / names the witness's key" || bad "GET / names the key"

expect 0 "witness add w1" "$REMNANT" witness add w1 "http://127.0.0.1:$P1/" "$WK1"
expect 2 "quorum needs a number" "$REMNANT" witness quorum two
expect 3 "a quorum beyond the witnesses is refused" "$REMNANT" witness quorum 2
expect 3 "a cosignature/v1 key is required" "$REMNANT" witness add bad "http://127.0.0.1:$P2" "$VK"
expect 3 "a URL must be http(s)" "$REMNANT" witness add bad "ftp://127.0.0.1:$P2" "$WK2"
expect 0 "witness add w2 --quorum 2" "$REMNANT" witness add w2 "http://127.0.0.1:$P2" "$WK2" --quorum 2
expect 3 "the same witness twice is refused" "$REMNANT" witness add w2 "http://127.0.0.1:$P2" "$WK2"
grep -q "already there" err.txt && ok "says it is already there" || bad "duplicate message: $(cat err.txt)"
expect 0 "witness list" "$REMNANT" witness list
check "two witnesses listed" 2 "$(wc -l <out.txt)"
grep -q "^w1	http://127.0.0.1:$P1	$WK1	" out.txt && ok "URL kept without its final /" || bad "list: $(cat out.txt)"
check "quorum stored" 2 "$("$REMNANT" witness quorum)"
"$REMNANT" witness list --json | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
sys.exit(0 if [r["name"] for r in rows] == ["w1", "w2"] and rows[0]["size"] == 0 else 1)' \
    && ok "witness list --json" || bad "witness list --json"

# ---- every write is cosigned by both, checked and stored
expect 0 "a write with both witnesses up meets the quorum" "$REMNANT" add event name="Strike remnants (invented)"
E=$(cat out.txt)
grep -q "quorum 2: met" err.txt && ok "the quorum is reported" || bad "quorum report: $(cat err.txt)"
expect 0 "checkpoint" "$REMNANT" checkpoint
grep -q "^— witness.example/w1 " out.txt && grep -q "^— witness.example/w2 " out.txt &&
    ok "both cosignatures stored beside the checkpoint" || bad "cosignatures: $(cat out.txt)"
expect 0 "a second write" "$REMNANT" add item kind=weapon event="$E"
I=$(cat out.txt)
grep -q "consistent with 1" err.txt && ok "the proof starts from the size each witness cosigned" \
    || bad "consistency: $(cat err.txt)"
S=$(size_of x.db)
"$REMNANT" witness list | awk -F'\t' '{print $4}' | sort -u >sizes.txt
check "each witness's size is the checkpoint's" "$S" "$(cat sizes.txt)"
expect 0 "verify checks the stored cosignatures" "$REMNANT" verify
grep -q " 4 cosignatures" out.txt && ok "verify counted 4 cosignatures" || bad "verify: $(cat out.txt)"
"$REMNANT" bundle --item "$I" -o ev.rnb 2>/dev/null
expect 0 "remnant-verify checks both witnesses" "$RV" --key "$VK" --witness "$WK1" --witness "$WK2" ev.rnb
[ "$(grep -c 'cosignature valid' out.txt)" = 2 ] && ok "both cosignatures valid in the bundle" \
    || bad "remnant-verify: $(cat out.txt)"
# a stored cosignature changed by one byte is caught
cp x.db t.db; cp x.db.key t.db.key
sqlite3 t.db "UPDATE ledger_cosignature SET line = replace(line, substr(line, 40, 1),
  CASE substr(line, 40, 1) WHEN 'A' THEN 'B' ELSE 'A' END) WHERE witness = '$WK1' AND size = $S"
expect 6 "verify catches a changed cosignature" "$REMNANT" --db t.db verify
grep -q "cosignature of witness witness.example/w1" out.txt err.txt && ok "names the witness" \
    || bad "changed cosignature: $(cat out.txt err.txt)"

# ---- quorum not met when one witness is down; the checkpoint stays
stop_witness 2
expect 1 "one witness down: quorum not met" "$REMNANT" add marking item="$I" text="9M133 0212" method=stamped
grep -q "witness w2: unreachable" err.txt && ok "the unreachable witness is named" || bad "unreachable: $(cat err.txt)"
grep -q "quorum not met: 1 of the 2" err.txt && ok "clear quorum message" || bad "quorum message: $(cat err.txt)"
M=$(head -1 out.txt)
expect 0 "the record stays" "$REMNANT" show "$M"
S2=$(size_of x.db)
check "the checkpoint stays" "$((S + 1))" "$S2"
expect 0 "verify passes with the checkpoint w2 did not cosign" "$REMNANT" verify
expect 0 "quorum 1 asked for once: met" "$REMNANT" witness ask --quorum 1
grep -q "had cosigned" err.txt && ok "w1 not asked twice" || bad "w1 again: $(cat err.txt)"

# ---- the witness on the wire (w2 is behind: it cosigned $S, the log is at $S2)
start_witness 2 "$P2"
note_of x.db >note.txt
{ echo "old $S"; proof_b64 x.db "$S" "$S2"; echo; cat note.txt; } >good.txt
python3 - good.txt bad.txt <<'PY'
import sys, base64
lines = open(sys.argv[1]).read().split("\n")
h = bytearray(base64.b64decode(lines[1])); h[0] ^= 1
lines[1] = base64.b64encode(bytes(h)).decode()
open(sys.argv[2], "w").write("\n".join(lines))
PY
check "a wrong consistency proof: 422" 422 "$(post "$P2" bad.txt)"
grep -q '"code":"bad_proof"' resp.txt && ok "422 with a JSON error" || bad "422 body: $(cat resp.txt)"
{ echo "old 0"; echo; cat note.txt; } >old0.txt
check "old size not the witness's: 409" 409 "$(post "$P2" old0.txt)"
grep -qi '^content-type: text/x.tlog.size' hdr.txt && ok "409 is text/x.tlog.size" || bad "409 type: $(cat hdr.txt)"
check "409 says the witness's size" "$S" "$(cat resp.txt)"
# eight requests at once from the same old size: the check and the write are
# one step per log (flock), so exactly one is cosigned and seven get 409
for k in 1 2 3 4 5 6 7 8; do
    curl -s -o "par$k.txt" -w '%{http_code}\n' --data-binary @good.txt \
        "http://127.0.0.1:$P2/add-checkpoint" >"st$k.txt" &
done
wait_all() { for k in 1 2 3 4 5 6 7 8; do while [ ! -s "st$k.txt" ]; do sleep 0.05; done; done; }
wait_all
check "a proof built by others (base64 of remnant checkpoint --consistency): one 200 of 8" 1 \
    "$(cat st?.txt | grep -c '^200$')"
check "the seven others: 409" 7 "$(cat st?.txt | grep -c '^409$')"
for k in 1 2 3 4 5 6 7 8; do grep -q '^200$' "st$k.txt" && cp "par$k.txt" resp.txt; done
printf '%s\n%s' "$(cat note.txt)" "$(cat resp.txt)" >cosigned.txt
grep -q "^— witness.example/w2 " resp.txt && ok "200 is a cosignature line" || bad "200 body: $(cat resp.txt)"
"$REMNANT" witness record --witness "$WK2" --size "$S2" "$(cat resp.txt)" >/dev/null 2>&1 &&
    ok "the line verifies with w2's key" || bad "the 200 line does not verify"
check "same checkpoint again from its own size: 200" 200 \
    "$(post "$P2" <(printf 'old %s\n\n' "$S2"; cat note.txt))"
check "malformed body: 400" 400 "$(printf 'hello\n' >m.txt; post "$P2" m.txt)"
grep -q '"code":"bad_request"' resp.txt && ok "400 with a JSON error" || bad "400 body: $(cat resp.txt)"
check "leading zeros: 400" 400 "$(post "$P2" <(printf 'old 0%s\n\n' "$S2"; cat note.txt))"
check "no empty line: 400" 400 "$(post "$P2" <(printf 'old %s\n' "$S2"; cat note.txt))"
check "old size beyond the checkpoint: 400" 400 "$(post "$P2" <(printf 'old %s\n\n' "$((S2 + 5))"; cat note.txt))"
python3 -c '
import sys
t = open("note.txt").read()
i = t.rindex(" ") + 20
sys.stdout.write(t[:i] + ("A" if t[i] != "A" else "B") + t[i+1:])' >forged.txt
check "a forged log signature: 403" 403 "$(post "$P2" <(printf 'old %s\n\n' "$S2"; cat forged.txt))"
"$REMNANT" --db other.db add event name="Another log (invented)" >/dev/null 2>&1
"$REMNANT" --db z.db init >/dev/null 2>&1
"$REMNANT" --db z.db add event name="Unknown log (invented)" >/dev/null 2>&1
check "an unknown log: 404" 404 "$(post "$P2" <(printf 'old 0\n\n'; note_of z.db))"
check "a second log the witness knows: 200" 200 "$(post "$P2" <(printf 'old 0\n\n'; note_of other.db))"
check "GET add-checkpoint: 405" 405 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P2/add-checkpoint")"
head -c 200000 /dev/zero | tr '\0' 'a' >huge.txt
check "an oversize body: 413" 413 "$(post "$P2" huge.txt)"
check "an unknown path: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' --data x "http://127.0.0.1:$P2/other")"

# ---- a split view: a second database with the same key and origin
cp x.db y.db; cp x.db.key y.db.key; cp x.db.key.last y.db.key.last 2>/dev/null
expect 0 "the genuine log grows, cosigned" "$REMNANT" add event name="Genuine (invented)"
expect 6 "the other copy's checkpoint is refused as a SPLIT VIEW" \
    "$REMNANT" --db y.db add event name="Rewritten (invented)"
grep -q "SPLIT VIEW" err.txt && ok "reported loudly" || bad "split view report: $(cat err.txt)"
check "the witness kept the refused request as evidence" 1 \
    "$(ls st1/*.refused.* 2>/dev/null | head -1 | wc -l)"
check "on the wire: same size, other root: 409" 409 \
    "$(post "$P1" <(printf 'old %s\n\n' "$(size_of y.db)"; note_of y.db))"
YS=$(size_of y.db)
"$REMNANT" --db y.db add event name="Rewritten further (invented)" >/dev/null 2>&1
check "on the wire: the other tree's proof from the witness's size: 422" 422 \
    "$(post "$P1" <(printf 'old %s\n' "$YS"; proof_b64 y.db "$YS" "$((YS + 1))"; echo; note_of y.db))"
expect 0 "the witnesses still cosign the genuine log" "$REMNANT" witness ask

# ---- a rollback: the log restored from an old copy
cp x.db old.db; cp x.db.key old.db.key
for n in 1 2 3; do "$REMNANT" add event name="Later $n (invented)" >/dev/null 2>&1; done
rm -f old.db.key.last
expect 6 "a restored old copy is reported as a ROLLBACK" "$REMNANT" --db old.db add event name="After restore (invented)"
grep -q "ROLLBACK" err.txt && ok "rollback reported" || bad "rollback report: $(cat err.txt)"
OS=$(size_of old.db)
check "on the wire: a smaller checkpoint from the witness's size: 400" 400 \
    "$(post "$P1" <(printf 'old %s\n\n' "$(size_of x.db)"; note_of old.db))"
check "on the wire: a smaller checkpoint from its own size: 409" 409 \
    "$(post "$P1" <(printf 'old %s\n\n' "$OS"; note_of old.db))"

# ---- removing a witness; an offline log without a quorum is not failed
expect 0 "witness rm w2" "$REMNANT" witness rm w2
grep -q "larger than the number of witnesses" err.txt && ok "warns the quorum is now too large" \
    || bad "rm warning: $(cat err.txt)"
expect 4 "rm of an unknown witness" "$REMNANT" witness rm nobody
expect 0 "quorum 0" "$REMNANT" witness quorum 0
stop_witness 1
expect 0 "offline without a quorum: reported, not fatal" "$REMNANT" add event name="Field laptop (invented)"
grep -q "witness w1: unreachable" err.txt && ok "offline witness reported" || bad "offline: $(cat err.txt)"
expect 0 "verify still passes" "$REMNANT" verify
# back online: `checkpoint --witness` has w1 catch up from the size it last
# cosigned, then prints the checkpoint with its cosignature
start_witness 1 "$P1"
expect 0 "checkpoint --witness --quorum 1" "$REMNANT" checkpoint --witness --quorum 1
grep -q "^— witness.example/w1 " out.txt && ok "the checkpoint is printed with w1's cosignature" \
    || bad "checkpoint --witness: $(cat out.txt err.txt)"
grep -q "consistent with $(size_of x.db | xargs expr -1 +)" err.txt && ok "w1 caught up from its size" \
    || bad "catch-up: $(cat err.txt)"
expect 2 "--quorum without --witness is a usage error" "$REMNANT" checkpoint --quorum 1
# a log with witnesses but no signing key: the change is stored and its exit
# says so; the witnesses not being asked is reported, not an input error
"$REMNANT" --db nokey.db init --no-key >/dev/null 2>&1
"$REMNANT" --db nokey.db witness add w1 "http://127.0.0.1:$P1" "$WK1" >/dev/null
expect 0 "a write to an unsigned log with witnesses exits 0" \
    "$REMNANT" --db nokey.db add event name="Unsigned (invented)"
grep -q "change is stored" err.txt && grep -q "key create" err.txt \
    && ok "it says the change is stored and how to sign" || bad "unsigned: $(cat err.txt)"
[ "$("$REMNANT" --db nokey.db list event | wc -l)" = 1 ] && ok "the event is there" \
    || bad "the event is missing"

e2e_done
