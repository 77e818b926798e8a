#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# sync_resume.sh — files travel resumably (docs/SYNC.md, "Files:
# resumable"; lib/sync/blobs.c B1, B2): a push to HQ is killed part-way
# through its second large file; HQ writes no record of it but keeps the
# first file, which arrived whole and hashes to its name; the next push asks
# HQ what it lacks (POST /api/v1/sync/blobs) and sends only the second file,
# and HQ then holds both and verifies. All data is invented for the test.
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

E=$(A add event name="Strike (invented)" country=UA)
I=$(A add item kind=weapon event="$E" category=missile)
head -c 3000000 /dev/urandom >one.bin
head -c 3000000 /dev/urandom >two.bin
A attach "$I" one.bin >/dev/null 2>&1 || bad "attach one"
A attach "$I" two.bin >/dev/null 2>&1 || bad "attach two"
s1=$(sha256sum one.bin | cut -c1-64)
s2=$(sha256sum two.bin | cut -c1-64)
# the package as a push would send it (blobs in SHA-256 order)
A sync export --peer hq -o full.sync >/dev/null 2>&1 || bad "export"
first=$s1 second=$s2
[[ $s2 < $s1 ]] && first=$s2 second=$s1
off=$(grep -abo "^blob $second " full.sync | cut -d: -f1)
[ -n "$off" ] || bad "no blob $second in the package"
full=$(stat -c %s full.sync)

# The transfer dies 1 MB into the second file: the request announced the
# whole package, the connection closes before its end.
python3 - "$PORT" "$(cat "$W/tok")" full.sync $((off + 1000000)) "$full" <<'EOF'
import socket, sys, time
port, tok, path, cut, full = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
data = open(path, 'rb').read()[:cut]
s = socket.create_connection(('127.0.0.1', int(port)))
s.sendall(('POST /api/v1/sync/push HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n'
           'Content-Type: application/vnd.remnant.sync\r\nContent-Length: %s\r\n\r\n'
           % (tok, full)).encode() + data)
time.sleep(1)  # the bytes are in; then the sender dies
s.close()
EOF
have() { [ -f "$W/x.db.blobs/${1:0:2}/$1" ]; }
for _ in $(seq 1 50); do have "$first" && break; sleep 0.1; done
have "$first" && ok "HQ kept the file that arrived whole" || bad "the whole file was not kept"
have "$second" && bad "HQ kept a file cut short" || ok "the file cut short was not kept"
H show "$I" >/dev/null 2>&1 && bad "a cut-short push wrote a record" ||
    ok "no record of the cut-short push was written"
cmp -s one.bin "$W/x.db.blobs/${s1:0:2}/$s1" 2>/dev/null || [ "$first" != "$s1" ] ||
    bad "the kept file differs from the sent one"

# The API names what it lacks.
out=$(curl -s -H "Authorization: Bearer $(cat "$W/tok")" -H 'Content-Type: application/json' \
    -d "{\"sha256\":[\"$s1\",\"$s2\"]}" "$BASE/api/v1/sync/blobs")
check "POST /api/v1/sync/blobs names the missing file" "{\"missing\":[\"$second\"]}" "$out"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(cat "$W/tok")" \
    -H 'Content-Type: application/json' -d '{"sha256":["nothex"]}' "$BASE/api/v1/sync/blobs")
check "a bad name is a 422" 422 "$code"

# The next push sends only what is missing.
out=$(A sync push hq --token-file "$W/tok" 2>&1) || bad "the next push: $out"
grep -q "1 file(s) not sent" <<<"$out" && ok "the next push did not send the file HQ holds" ||
    bad "the next push sent everything again: $out"
grep -q "files sent: 1 " <<<"$out" && ok "exactly the missing file was sent" || bad "HQ's count: $out"
have "$second" && ok "HQ holds the second file now" || bad "the second file is missing"
H show "$I" >/dev/null 2>&1 && ok "the records arrived" || bad "the item did not arrive"
H verify >/dev/null 2>&1 && ok "HQ verifies (both files, the provenance)" || bad "HQ verify: $(H verify 2>&1 | tail -3)"
out=$(A sync push hq --token-file "$W/tok" 2>&1)
grep -q '"already":true\|"applied":0' <<<"$out" && ok "a push again changes nothing" ||
    bad "a push again: $out"

[ "$fails" = 0 ] || { echo "$fails failures"; exit 1; }
