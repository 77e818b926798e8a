#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# ledger_basic.sh — the evidence log as a user meets it: every change is
# logged and checkpointed, `remnant key` signs, `remnant verify` names what
# was changed behind the log's back, bundles verify offline with
# remnant-verify (and fail when altered or checked with another key),
# witnesses cosign and report a split view loudly, key rotation keeps old
# checkpoints verifiable.
#
# Env: REMNANT (the remnant binary), RN_SRC (source tree), RN_BUILD (build folder).
set -u
. "${RN_SRC:?source tree}/tests/lib/e2e.sh"
: "${RN_BUILD:?build folder}"
RV="$RN_BUILD/src/verify/remnant-verify"
export REMNANT_DB="$W/x.db"

"$REMNANT" init --no-key >/dev/null || die "init"
E=$("$REMNANT" add event name="Strike on a depot" country=UA)
I=$("$REMNANT" add item kind=weapon event="$E")
I2=$("$REMNANT" add item kind=component event="$E" parent="$I")
head -c 2048 /dev/urandom >photo.jpg
A=$("$REMNANT" attach "$I" photo.jpg)
[ -n "$E" ] && [ -n "$I" ] && [ -n "$A" ] && ok "records added" || bad "records added"

expect 0 "verify passes on an untouched database" "$REMNANT" verify
grep -q "4 log entries, 4 records, 1 blobs" out.txt && ok "verify counts" || { bad "verify counts"; cat out.txt; }

expect 0 "key create" "$REMNANT" key create
VK=$(cat out.txt)
[ "$(stat -c %a x.db.key)" = 600 ] && ok "key file is 0600" || bad "key file mode"
grep -q PRIVATE out.txt err.txt && bad "secret key printed" || ok "secret key not printed"
expect 3 "key create refuses to overwrite" "$REMNANT" key create
expect 0 "key show" "$REMNANT" key show
[ "$(cat out.txt)" = "$VK" ] && ok "key show prints the verifier key" || bad "key show"

expect 0 "checkpoint shows a signed note" "$REMNANT" checkpoint
grep -q "^— " out.txt && ok "checkpoint carries a signature line" || bad "signature line"
expect 0 "checkpoint --list" "$REMNANT" checkpoint --list
[ "$(wc -l <out.txt)" -eq 4 ] && ok "one checkpoint per transaction" || bad "checkpoint count"

expect 0 "bundle" "$REMNANT" bundle --item "$I" -o ev.rnb
expect 0 "remnant-verify accepts the bundle" "$RV" --key "$VK" ev.rnb
grep -q "RESULT: VERIFIED" out.txt && ok "verified in plain words" || bad "plain words"
grep -q "Blob .* SHA-256 matches" out.txt && ok "blob checked" || bad "blob checked"
# -o naming a pipe or device writes through it (a temporary file renamed
# over it replaced it: `-o /dev/null` did, run as root); a directory is refused
mkfifo out.fifo
cat out.fifo >fifo.rnb &
expect 0 "bundle into a FIFO" "$REMNANT" bundle --item "$I" -o out.fifo
wait $!
[ -p out.fifo ] && ok "the FIFO is still a FIFO" || bad "the bundle replaced the FIFO"
expect 0 "what came through the FIFO is a bundle that verifies" "$RV" --key "$VK" fifo.rnb
cat out.fifo >fifo.proof &
expect 0 "proof into a FIFO" "$REMNANT" proof "$I" -o out.fifo
wait $!
[ -p out.fifo ] && grep -q . fifo.proof && ok "the proof came through the FIFO" ||
    bad "proof -o FIFO"
mkdir outdir
expect 5 "bundle into a directory: refused" "$REMNANT" bundle --item "$I" -o outdir
grep -q "directory" err.txt && ok "the refusal says why" || bad "no reason: $(cat err.txt)"
ldd "$RV" | grep -Eq "sqlite|jansson|remnant" && bad "remnant-verify links more than libsodium" || ok "remnant-verify depends on libsodium alone"

# A bundle with an entry or a blob twice (issue 15, point 4): refused as
# malformed, not counted twice.
python3 - ev.rnb dupentry.rnb dupblob.rnb <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
lines = data.split(b"\n")
def grab(kind):
    # the header line index and the number of following lines it owns
    for i, l in enumerate(lines):
        if l.startswith(kind + b" "):
            w = l.split(b" ")
            if kind == b"blob":
                n = int(w[2]); body = data[data.index(l + b"\n") + len(l) + 1:][:n + 1]
                return l + b"\n" + body
            # entry: header, body line, optional disclosures, proof + hashes
            j = i + 2
            if lines[j].startswith(b"disclosures "):
                j += 1 + max(1, int(lines[j].split(b" ")[2]))
            j += 1 + int(lines[j].split(b" ")[3])
            return b"\n".join(lines[i:j]) + b"\n"
    raise SystemExit("no " + kind.decode())
end = data.rindex(b"end\n")
e = grab(b"entry")
first_blob = data.index(b"\nblob ") + 1 if b"\nblob " in data else end
open(sys.argv[2], "wb").write(data[:first_blob] + e + data[first_blob:])
b = grab(b"blob")
open(sys.argv[3], "wb").write(data[:end] + b + data[end:])
PY
expect 3 "remnant-verify refuses an entry given twice" "$RV" --key "$VK" dupentry.rnb
grep -q "appears twice" out.txt && ok "says the entry appears twice" || bad "duplicate entry message"
expect 3 "remnant-verify refuses a blob given twice" "$RV" --key "$VK" dupblob.rnb
grep -q "appears twice" out.txt && ok "says the blob appears twice" || bad "duplicate blob message"

# Another key of the same name: not accepted.
"$REMNANT" --db other.db init --no-key >/dev/null
"$REMNANT" --db other.db key create >/dev/null 2>&1
OK2=$("$REMNANT" --db other.db key show)
expect 6 "remnant-verify rejects another key" "$RV" --key "$OK2" ev.rnb

# One changed byte in a record of the bundle.
# (format 2: the value is in the entry's disclosure ["salt","kind","weapon"])
sed 's/"kind","weapon"/"kind","weapoN"/' ev.rnb >ev2.rnb
cmp -s ev.rnb ev2.rnb && bad "the test did not change the bundle"
expect 6 "an altered record in a bundle is caught" "$RV" --key "$VK" ev2.rnb
grep -Eq "NOT included|do NOT match" out.txt && ok "it names the record" || bad "names the record"

# Witness.
WK=$("$REMNANT" witness keygen --name witness.example/w1 -o w.key 2>/dev/null)
expect 0 "witness cosigns" "$REMNANT" witness cosign --key w.key --log-key "$VK" --state w.state --record
expect 0 "checkpoint shows the cosignature" "$REMNANT" checkpoint
grep -q "witness.example/w1" out.txt && ok "cosignature beside the checkpoint" || bad "cosignature shown"
"$REMNANT" add event name="Later event" >/dev/null
expect 0 "witness cosigns a consistent extension" "$REMNANT" witness cosign --key w.key --log-key "$VK" --state w.state --record
"$REMNANT" bundle --item "$I" -o ev3.rnb 2>/dev/null
expect 0 "bundle with cosignature verifies" "$RV" --key "$VK" --witness "$WK" ev3.rnb
grep -q "Witness witness.example/w1 .* cosignature valid" out.txt && ok "witness reported" || bad "witness reported"
# Split view: the witness remembers another root at this size.
sed '3s/.*/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=/' w.state >w.split
expect 6 "a split view is refused" "$REMNANT" witness cosign --key w.key --log-key "$VK" --state w.split
grep -q "SPLIT VIEW" err.txt && ok "split view reported loudly" || bad "split view reported"

# The standalone verifier as a witness with its own key.
"$REMNANT" witness keygen --name verifier.example/v1 -o v.key >/dev/null 2>&1
VW=$("$REMNANT" witness keygen --name verifier.example/v2 -o v2.key 2>/dev/null)
"$REMNANT" bundle --item "$I" -o c1.rnb 2>/dev/null
expect 0 "remnant-verify cosigns a first checkpoint" "$RV" --key "$VK" --cosign v2.key --state v.state c1.rnb
LINE=$(tail -1 out.txt)
expect 0 "the instance records the verifier's cosignature" "$REMNANT" witness record --witness "$VW" "$LINE"
S1=$(sed -n 2p v.state)
"$REMNANT" add event name="Yet another" >/dev/null
"$REMNANT" bundle --item "$I" -o c2.rnb 2>/dev/null
expect 3 "without a consistency proof it does not cosign" "$RV" --key "$VK" --cosign v2.key --state v.state c2.rnb
"$REMNANT" bundle --item "$I" --since "$S1" -o c3.rnb 2>/dev/null
expect 0 "with a consistency proof it cosigns" "$RV" --key "$VK" --cosign v2.key --state v.state c3.rnb
grep -q "extends the log's earlier tree" out.txt && ok "consistency reported" || bad "consistency reported"
sed '3s/.*/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=/' v.state >v.split
expect 6 "remnant-verify refuses a split view" "$RV" --key "$VK" --cosign v2.key --state v.split c3.rnb
grep -q "SPLIT VIEW" out.txt && ok "split view reported by remnant-verify" || bad "split view (remnant-verify)"

# Rotation keeps history verifiable.
expect 0 "key rotate" "$REMNANT" key rotate
VK2=$(cat out.txt)
[ "$VK2" != "$VK" ] && ok "new key" || bad "new key"
"$REMNANT" add event name="After rotation" >/dev/null
expect 0 "verify after rotation" "$REMNANT" verify
expect 0 "verify trusting both keys" "$REMNANT" verify --key "$VK" --key "$VK2"
expect 6 "verify trusting only a foreign key fails" "$REMNANT" verify --key "$OK2"

# Changes behind the log's back are named.
sqlite3 x.db "UPDATE item SET kind='munition' WHERE id='$I'" 2>/dev/null ||
    python3 -c "import sqlite3,sys; c=sqlite3.connect('x.db'); c.execute(\"UPDATE item SET kind='munition' WHERE id=?\",(sys.argv[1],)); c.commit()" "$I"
expect 6 "verify catches a changed record" "$REMNANT" verify
grep -q "PROBLEM record $I" out.txt && ok "verify names the record" || { bad "names the record"; cat out.txt; }
BLOB=$(ls x.db.blobs/*/*)
chmod u+w "$BLOB"; printf 'X' | dd of="$BLOB" bs=1 seek=10 conv=notrunc 2>/dev/null
expect 6 "verify catches a changed blob" "$REMNANT" verify
grep -q "PROBLEM blob" out.txt && ok "verify names the blob" || bad "names the blob"

e2e_done
