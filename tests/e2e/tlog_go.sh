#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tlog_go.sh — the log as others see it (docs/LEDGER.md "Tiles"), checked by an
# implementation that is not ours: tests/go/tlogcheck, built offline on Go's
# golang.org/x/mod/sumdb/tlog and sumdb/note (Debian's golang-go and
# golang-golang-x-mod-dev), fetches from a real `remnant serve` the
# checkpoint, the tiles and the entry bundles, checks the signature with the
# log's verifier key, inclusion and consistency proofs (ProveRecord /
# CheckRecord, ProveTree / CheckTree through TileHashReader) and a
# `remnant proof` tlog-proof file, and requires tampered copies to be
# rejected. Also: no restricted value appears in the public entry bundles;
# caching headers; `remnant log publish DIR` writes the same bytes the server
# serves, and the Go verifier accepts that folder served by a plain static
# file server; a tile changed in the database is rejected by the Go verifier
# and reported by `remnant verify`.
. "$RN_SRC/tests/server/lib.sh"

command -v go >/dev/null && [ -d /usr/share/gocode/src/golang.org/x/mod/sumdb/tlog ] || {
    echo "FAIL - needs golang-go and golang-golang-x-mod-dev (scripts/deps)"; exit 1; }
(cd "$RN_SRC/tests/go/tlogcheck" && GOPATH=/usr/share/gocode GO111MODULE=off GOPROXY=off \
    GOFLAGS= GOCACHE="$W/gocache" go build -o "$W/tlogcheck" .) || { echo "FAIL - go build"; exit 1; }
ok "the Go verifier builds offline"

make_users
VKEY=$("$REMNANT" key show)
SECRETS=(Zoltan-Kovacs-Investigator Source-Deep-Throat-7 Unpublished-Finding-Text 49.98765)
E=$("$REMNANT" add event name="Strike remnants" country=UA lat=49.98765 lon=36.23456 \
      investigators="Zoltan-Kovacs-Investigator" source="Source-Deep-Throat-7")
I=$("$REMNANT" add item kind=weapon event="$E" serial=SER-123)
D=$("$REMNANT" add finding statement="Unpublished-Finding-Text" author="A")
F=$("$REMNANT" add finding statement="The missile holds foreign parts" author="A" \
      evidence="$E;$I")
echo "password-rex" | "$REMNANT" user add rex --role reviewer
publish_finding "$F" rex password-rex
"$REMNANT" generate --items 150 --seed 3 >g.jsonl && "$REMNANT" import g.jsonl >/dev/null ||
    bad "import"
start_server --quiet
go_verify() { "$W/tlogcheck" -url "$BASE/log" -vkey "$VKEY" "$@" >"$W/go.out" 2>&1; }

go_verify -save old.cp && ok "the Go verifier accepts the served log" || { bad "Go verifier"; cat go.out; }
SIZE1=$(sed -n 2p old.cp)
"$REMNANT" generate --items 200 --seed 4 >h.jsonl && "$REMNANT" import h.jsonl >/dev/null
"$REMNANT" edit "$I" serial=SER-124 >/dev/null
"$REMNANT" proof "$I" -o p.tlog-proof 2>/dev/null && head -1 p.tlog-proof | grep -qx 'c2sp.org/tlog-proof@v1' &&
    ok "remnant proof writes a c2sp.org/tlog-proof@v1 file" || bad "remnant proof"
go_verify -old old.cp -proof p.tlog-proof -selftest
rc=$?
cat go.out
[ $rc -eq 0 ] && ok "the Go verifier: signature, tiles, inclusion, consistency from $SIZE1, tlog-proof" ||
    bad "the Go verifier failed"
grep -q "not ok" go.out && bad "a Go check failed"
for what in "a tile with one changed byte is rejected" "a checkpoint with a changed root is rejected" \
            "a tlog-proof with a changed hash is rejected" "an entry bundle with a changed entry is rejected" \
            "a consistency proof against a changed old root is rejected" "the tree of" \
            "a disclosure that matches no digest is rejected"; do
    grep -q "^ok - $what" go.out && ok "Go: $what" || bad "Go: $what"
done
PUBLIC=$(sed -n 's/^# public entries: //p' go.out)
[ "${PUBLIC:-0}" -ge 3 ] && ok "the public sees the entries of the published finding and its records ($PUBLIC)" ||
    bad "public entries: ${PUBLIC:-none}"

# The public entry bundles hold no restricted value; an account gets the entries as logged.
SIZE=$(curl -s "$BASE/log/checkpoint" | sed -n 2p)
N=$(( (SIZE + 255) / 256 ))
: >pub.all
for ((k = 0; k < N; k++)); do
    p=$(printf '%03d' "$k"); w=$(( SIZE - k * 256 )); [ $w -ge 256 ] && path=$p || path="$p.p/$w"
    curl -s "$BASE/log/tile/entries/$path" >>pub.all
done
for s in "${SECRETS[@]}"; do
    grep -aq -- "$s" pub.all && bad "public entry bundles reveal $s" || ok "public entry bundles hide $s"
done
grep -aq '"statement"' pub.all && ok "the published finding's statement is disclosed" ||
    bad "no disclosure of the published statement"
curl -s -H "Authorization: Bearer $TOK_reviewer" "$BASE/log/tile/entries/000" >staff.000
grep -aq "Unpublished-Finding-Text" staff.000 && bad "entry bytes hold values (they hold digests)" ||
    ok "an account's bundle holds the entries as logged (digests, no values)"
python3 - staff.000 <<'PY' && ok "an account's full bundle: 256 entries, each the leaf data" || bad "staff bundle"
import sys
b = open(sys.argv[1], "rb").read(); n = 0
while b:
    l = b[0] << 8 | b[1]; item = b[2:2 + l]; b = b[2 + l:]; n += 1
    assert item.startswith(b'{"') and b"\n" not in item
assert n == 256
PY

# Caching.
hdr() { curl -s -D - -o /dev/null "$BASE$1" | tr -d '\r' | grep -i "^$2:" | head -1; }
hdr /log/tile/0/000 cache-control | grep -q immutable && ok "full tiles are immutable" || bad "full tile caching"
W1=$(( SIZE % 256 ))
hdr "/log/tile/0/$(printf '%03d' $((SIZE / 256))).p/$W1" cache-control | grep -q "max-age=60" &&
    ok "partial tiles are cached briefly" || bad "partial tile caching"
hdr /log/checkpoint cache-control | grep -q no-cache && ok "the checkpoint is not cached" ||
    bad "checkpoint caching"
hdr /log/tile/0/000 content-type | grep -q application/octet-stream && ok "tiles are octet-stream" ||
    bad "tile content type"
curl -s -H 'Accept-Encoding: gzip' -D gz.h "$BASE/log/tile/entries/000" -o gz.bin
grep -qi '^content-encoding: gzip' gz.h && cmp -s <(gunzip -c gz.bin) <(curl -s "$BASE/log/tile/entries/000") &&
    ok "entry bundles are gzip-compressed when the client takes gzip" || bad "entry bundle gzip"
check "a tile beyond the tree is 404" 404 "$(api public GET "/log/tile/0/$(printf '%03d' $((N + 1)))")"
check "a malformed tile path is 404" 404 "$(api public GET /log/tile/0/x000/001)"
check "the Go sumdb path form (with the height) is 404" 404 "$(api public GET /log/tile/8/0/000)"

# Bad input to the two commands: clear errors, the usual exit codes.
"$REMNANT" proof 01M8TRMR16DXXHH63TFVQ0N0RZ -o nope.tlog-proof 2>err.txt; v=$?
check "proof of a record the log does not have: exit 4" 4 "$v"
[ ! -e nope.tlog-proof ] && ok "no file written for it" || bad "a proof file was written"
"$REMNANT" proof not-an-id -o x 2>/dev/null; check "proof of a malformed id: exit 2" 2 "$?"
"$REMNANT" proof "$I" 2>/dev/null; check "proof without -o: exit 2" 2 "$?"
"$REMNANT" log 2>/dev/null; check "log without publish: exit 2" 2 "$?"
"$REMNANT" log publish 2>/dev/null; check "log publish without DIR: exit 2" 2 "$?"
"$REMNANT" log publish site --public-grid 0 2>/dev/null; check "log publish --public-grid 0: exit 2" 2 "$?"

# remnant log publish: the same bytes, and a static server of them verifies.
"$REMNANT" log publish site >publish.out || bad "log publish"
cmp -s site/checkpoint <(curl -s "$BASE/log/checkpoint") && ok "published checkpoint = served" ||
    bad "published checkpoint differs"
same=1
while read -r f; do
    cmp -s "site/$f" <(curl -s "$BASE/log/$f") || { same=0; echo "# differs: $f"; }
done < <(cd site && find tile -type f | sort)
[ $same -eq 1 ] && ok "every published tile and bundle = what the server serves the public" ||
    bad "published files differ from the served ones"
SP=$(free_port)
(cd site && exec python3 -m http.server "$SP" --bind 127.0.0.1 >/dev/null 2>&1) &
HP=$!
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$SP/checkpoint" >/dev/null && break; sleep 0.1; done
"$W/tlogcheck" -url "http://127.0.0.1:$SP" -vkey "$VKEY" -old old.cp >go2.out 2>&1 &&
    ok "the Go verifier accepts the published folder on a static file server" ||
    { bad "static folder"; cat go2.out; }
kill $HP; wait $HP 2>/dev/null

# A tile changed behind the log's back.
stop_server || bad "server stopped cleanly"
sqlite3 x.db "DROP TRIGGER ledger_tile_grow; UPDATE ledger_tile SET hashes =
    CAST(zeroblob(32) || substr(hashes, 33) AS BLOB) WHERE level = 0 AND idx = 1" || bad "tamper"
"$REMNANT" verify >verify.out 2>&1; v=$?
check "verify fails on a changed tile (exit 6)" 6 "$v"
grep -q "PROBLEM tile 0/1" verify.out && ok "verify names tile 0/1" || { bad "verify names the tile"; cat verify.out; }
start_server --quiet
go_verify && { bad "the Go verifier accepted a changed tile"; cat go.out; } ||
    ok "the Go verifier rejects the log with a changed tile"
stop_server || bad "server stopped cleanly"
no_sanitizer_report
echo "$fails failed"
[ "$fails" -eq 0 ]
