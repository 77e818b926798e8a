#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# sync_bytes.sh — files travel apart from the package and resume at the byte
# (docs/SYNC.md, "Files: resumable"; lib/sync/files.c F1..F5):
#  - a push cut after 1.5 MB of a 4 MB file (--max-file-bytes: the client
#    closes the connection there) writes no record, keeps the bytes in HQ's
#    staging area, never as a stored file; the next push sends only the
#    rest, and HQ's file is byte for byte the sent one;
#  - a pull the same way the other direction (GET with Range);
#  - a completion whose bytes hash to another name is refused, nothing
#    stored; a wrong offset is a 409; a Range past the end a 416; a file no
#    attachment names is a 404;
#  - a package by file leaves out a file the peer is known to hold and names
#    it; --all-files carries it.
# All data is invented for the test.
. "$RN_SRC/tests/server/lib.sh"

make_users
H() { REMNANT_AUTHOR=hq-clerk "$REMNANT" --db "$W/x.db" "$@"; }
A() { REMNANT_AUTHOR=alice "$REMNANT" --db "$W/a.db" "$@"; }
"$REMNANT" init "$W/a.db" >/dev/null 2>&1
H key show >/dev/null 2>&1 || H key create >/dev/null 2>&1
echo "$TOK_admin" >"$W/tok"
start_server --quiet
H peer add fieldA - --key "$(A key show)" >/dev/null
A peer add hq "$BASE" --key "$(H key show)" --role admin >/dev/null
auth="Authorization: Bearer $TOK_admin"
staged() { ls "$1.blobs/.staging/" 2>/dev/null | grep -c "^$2-" || true; }
stored() { [ -f "$1.blobs/${2:0:2}/$2" ]; }
moved() { sed -n 's/.*(\([0-9]*\) bytes moved in this run; \([0-9]*\) resumed.*/\1 \2/p' <<<"$1"; }

E=$(A add event name="Strike (invented)" country=UA)
I=$(A add item kind=weapon event="$E" category=missile)
head -c 4000000 /dev/urandom >big.bin
sa=$(sha256sum big.bin | cut -c1-64)
ATT=$(A attach "$I" big.bin 2>/dev/null | tail -1) || bad "attach"

# --- push: cut at 1.5 MB, then resumed -----------------------------------
out=$(A sync push hq --token-file "$W/tok" --max-file-bytes 1500000 2>&1) &&
    bad "a push stopped part-way exited 0: $out" || ok "a push stopped part-way fails"
grep -q "stopped after 1500000 bytes of files" <<<"$out" && ok "it says where it stopped" ||
    bad "no stop message: $out"
stored "$W/x.db" "$sa" && bad "HQ stored a file cut short" || ok "HQ stored no file cut short"
[ "$(staged "$W/x.db" "$sa")" = 1 ] && ok "HQ keeps the bytes in its staging area" ||
    bad "nothing staged at HQ: $(ls -la "$W/x.db.blobs" "$W/x.db.blobs/.staging" 2>&1)"
part=$(stat -c %s "$W/x.db.blobs/.staging/$sa-4000000.part" 2>/dev/null || echo 0)
[ "$part" -gt 0 ] && [ "$part" -le 1500000 ] && ok "HQ holds $part bytes of it" ||
    bad "staged size $part"
H show "$I" >/dev/null 2>&1 && bad "a cut push wrote a record" || ok "no record was written"
out=$(curl -s -H "$auth" "$BASE/api/v1/sync/uploads/$sa?size=4000000")
grep -q "\"have\":$part" <<<"$out" && ok "GET uploads/SHA says how much is there" ||
    bad "upload state: $out"

# a connection cut in the middle of a piece (the sender dies): HQ keeps
# what arrived (--timeout 1 lets it notice quickly)
kill "$SRV_PID"; wait "$SRV_PID" 2>/dev/null
start_server --quiet --timeout 1
A peer rm hq >/dev/null; A peer add hq "$BASE" --key "$(H key show)" --role admin >/dev/null
python3 - "$PORT" "$TOK_admin" big.bin "$sa" "$part" <<'EOF'
import socket, sys, time
port, tok, path, sha, have = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
data = open(path, 'rb').read()
s = socket.create_connection(('127.0.0.1', int(port)))
s.sendall(('PUT /api/v1/sync/uploads/%s?size=4000000&offset=%d HTTP/1.1\r\nHost: x\r\n'
           'Authorization: Bearer %s\r\nContent-Type: application/octet-stream\r\n'
           'Content-Length: %d\r\n\r\n' % (sha, have, tok, 4000000 - have)).encode()
          + data[have:have + 700000])
time.sleep(0.5)
s.close()
EOF
for _ in $(seq 1 60); do
    cut=$(curl -s -H "$auth" "$BASE/api/v1/sync/uploads/$sa?size=4000000" | sed -n 's/.*"have":\([0-9]*\).*/\1/p')
    [ -n "$cut" ] && [ "$cut" -gt "$part" ] && break
    sleep 0.2
done
[ -n "$cut" ] && [ "$cut" -gt "$part" ] && [ "$cut" -le $((part + 700000)) ] &&
    ok "HQ kept the $((cut - part)) bytes of a connection cut mid-piece" || bad "after the cut: ${cut:-none}"
cmp -s <(head -c "$cut" big.bin) "$W/x.db.blobs/.staging/$sa-4000000.part" &&
    ok "the staged bytes are the file's first $cut" || bad "staged bytes differ"
part=$cut
out=$(A sync push hq --token-file "$W/tok" 2>&1) || bad "the resumed push: $out"

read -r n r <<<"$(moved "$out")"
[ -n "$n" ] && [ "$n" = $((4000000 - part)) ] &&
    ok "the resumed push sent $n bytes, not 4000000" || bad "bytes sent again: $out"
[ "${r:-0}" = 1 ] && ok "it says the file was resumed" || bad "not resumed: $out"
cmp -s big.bin "$W/x.db.blobs/${sa:0:2}/$sa" && ok "HQ's file is the sent one, byte for byte" ||
    bad "HQ's file differs"
[ "$(staged "$W/x.db" "$sa")" = 0 ] && ok "the staging file is gone" || bad "staging left"
H show "$ATT" >/dev/null 2>&1 && ok "the attachment arrived" || bad "no attachment at HQ"
H verify >/dev/null 2>&1 && ok "HQ verifies" || bad "HQ verify: $(H verify 2>&1 | tail -3)"

# --- pull: cut at 1 MB, then resumed ---------------------------------------
head -c 4000000 /dev/urandom >two.bin
sb=$(sha256sum two.bin | cut -c1-64)
ATT2=$(H attach "$I" two.bin 2>/dev/null | tail -1) || bad "attach at HQ"
out=$(A sync pull hq --token-file "$W/tok" --max-file-bytes 1000000 2>&1) &&
    bad "a pull stopped part-way exited 0: $out" || ok "a pull stopped part-way fails"
stored "$W/a.db" "$sb" && bad "A stored a file cut short" || ok "A stored no file cut short"
part=$(stat -c %s "$W/a.db.blobs/.staging/$sb-4000000.part" 2>/dev/null || echo 0)
[ "$part" = 1000000 ] && ok "A keeps the 1000000 bytes it received" || bad "A staged $part"
A show "$ATT2" >/dev/null 2>&1 && bad "a cut pull wrote a record" || ok "no record was written"
out=$(A sync pull hq --token-file "$W/tok" 2>&1) || bad "the resumed pull: $out"
read -r n r <<<"$(moved "$out")"
[ "${n:-0}" = 3000000 ] && [ "${r:-0}" = 1 ] && ok "the resumed pull received only the 3000000 missing bytes" ||
    bad "bytes received again: $out"
cmp -s two.bin "$W/a.db.blobs/${sb:0:2}/$sb" && ok "A's file is HQ's, byte for byte" ||
    bad "A's file differs"
A show "$ATT2" >/dev/null 2>&1 && ok "the attachment arrived at A" || bad "no attachment at A"
A verify >/dev/null 2>&1 && ok "A verifies" || bad "A verify: $(A verify 2>&1 | tail -3)"
out=$(A sync pull hq --token-file "$W/tok" 2>&1) || bad "a pull again: $out"
grep -q "files received" <<<"$out" && bad "a pull again moved files: $out" ||
    ok "a pull again moves no file"

# --- the endpoints refuse what does not fit --------------------------------
head -c 5000 /dev/urandom >fake.bin
sf=$(printf 'not these bytes' | sha256sum | cut -c1-64)
code=$(curl -s -o put.json -w '%{http_code}' -X PUT -H "$auth" \
    -H 'Content-Type: application/octet-stream' --data-binary @fake.bin \
    "$BASE/api/v1/sync/uploads/$sf?size=5000&offset=0")
check "a completion that hashes to another name is refused" 422 "$code"
grep -q 'REFUSED' put.json && grep -q 'nothing stored' put.json && ok "it says REFUSED, nothing stored" ||
    bad "refusal body: $(cat put.json)"
stored "$W/x.db" "$sf" && bad "a wrong file was stored" || ok "nothing stored"
[ "$(staged "$W/x.db" "$sf")" = 0 ] && ok "its staging file is removed" || bad "staging kept"
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "$auth" --data-binary @fake.bin \
    -H 'Content-Type: application/octet-stream' "$BASE/api/v1/sync/uploads/$sf?size=5007&offset=7")
check "an upload at another offset than the staged bytes is a 409" 409 "$code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "$auth" --data-binary @fake.bin \
    -H 'Content-Type: application/octet-stream' "$BASE/api/v1/sync/uploads/$sf?size=4000&offset=0")
check "bytes past the stated size are a 422" 422 "$code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$BASE/api/v1/sync/uploads/..%2fx?size=1")
check "a name that is not a SHA-256 is a 422" 422 "$code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $TOK_reviewer" \
    --data-binary @fake.bin -H 'Content-Type: application/octet-stream' \
    "$BASE/api/v1/sync/uploads/$sf?size=5000&offset=0")
check "a role that may not add files gets 403" 403 "$code"
code=$(curl -s -o tail.bin -w '%{http_code}' -H "$auth" -H 'Range: bytes=3999000-' \
    "$BASE/api/v1/sync/files/$sa")
check "a Range gets 206" 206 "$code"
cmp -s tail.bin <(tail -c 1000 big.bin) && ok "the bytes from START to the end" || bad "range bytes"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" -H 'Range: bytes=4000000-' \
    "$BASE/api/v1/sync/files/$sa")
check "a Range past the end is a 416" 416 "$code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$BASE/api/v1/sync/files/$sf")
check "a file no attachment names is a 404" 404 "$code"

# --- a package by file leaves out what the peer holds -----------------------
# HQ answered A's push (it accepted A's log up to there), so it holds the
# file of A's attachment; a change of the attachment names the file again.
A edit "$ATT" notes="seen again (invented)" >/dev/null || bad "edit"
A sync export --peer hq -o p.sync 2>/dev/null || bad "export"
grep -aq "^file $sa 4000000$" p.sync && ok "the package names the file HQ holds" ||
    bad "the file is not named: $(grep -a '^blob\|^file' p.sync)"
grep -aq "^blob $sa " p.sync && bad "the package carries the file HQ holds" ||
    ok "the package does not carry it"
[ "$(stat -c %s p.sync)" -lt 1000000 ] && ok "the package is small" || bad "size $(stat -c %s p.sync)"
A sync export --peer hq --all-files -o all.sync --since 1 2>/dev/null || bad "export --all-files"
grep -aq "^blob $sa 4000000$" all.sync && ok "--all-files carries it" || bad "--all-files: no blob"
out=$(H sync import p.sync 2>&1) && ok "HQ imports the package without the file" ||
    bad "import: $out"

[ "$fails" = 0 ] || { echo "$fails failures"; exit 1; }
