#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# server_api.sh — the API as a new user meets it: create, read, list with
# filters and pages, ETags and 304, If-Match and 412, patch, delete, search,
# streamed upload with its digest and media type, login by cookie with CSRF
# protection, and JSON errors. Then abuse: malformed JSON, wrong media type,
# oversize bodies and uploads, a huge URL, garbage on the socket, a request
# held open half-written (slowloris) — each gets a 4xx or is closed, and the
# server still answers /api/v1/health after. SIGTERM stops it cleanly.
. "$RN_SRC/tests/server/lib.sh"

make_users
start_server --timeout 2 --max-body 4096 --max-upload 100000

# ---- the served OpenAPI document is the source file
curl -s "$BASE/api/openapi.json" >served.json
cmp -s served.json "$RN_SRC/src/server/openapi.json" && ok "openapi.json served as in the source" \
    || bad "served openapi.json differs from src/server/openapi.json (rebuild: touch openapi.c)"

# ---- records
st=$(api investigator POST /api/v1/events '{"name":"Kharkiv strike","country":"ua","documented":"2024-07"}')
check "create event" 201 "$st"
E=$(json_get id <body)
grep -q '"country":"UA"' body && ok "values normalized" || bad "values normalized: $(cat body)"
st=$(curl -s -o /dev/null -D h.txt -w '%{http_code}' -H "Authorization: Bearer $TOK_investigator" \
     -H 'Content-Type: application/json' --data '{"kind":"weapon","event":"'"$E"'"}' "$BASE/api/v1/items")
check "create item" 201 "$st"
grep -qi '^Location: /api/v1/items/' h.txt && ok "Location header" || bad "Location header"
I=$(sed -n 's/^[Ll]ocation: \/api\/v1\/items\/\([0-9A-Z]*\).*/\1/p' h.txt)
for k in 1 2 3; do api investigator POST /api/v1/markings "{\"item\":\"$I\",\"text\":\"SN74HC00N 23${k}5\"}" >/dev/null; done
st=$(api analyst GET "/api/v1/markings?item=$I&limit=2")
check "list with filter" 200 "$st"
python3 -c 'import json,sys; d=json.load(open("body")); sys.exit(0 if len(d["items"])==2 and d["next"] else 1)' \
    && ok "page of 2 with next" || bad "page: $(cat body)"
NEXT=$(json_get next <body)
st=$(api analyst GET "$NEXT")
python3 -c 'import json,sys; d=json.load(open("body")); sys.exit(0 if len(d["items"])==1 and d["next"] is None else 1)' \
    && ok "next page is the last" || bad "next page: $(cat body)"
check "bad limit" 400 "$(api analyst GET '/api/v1/markings?limit=0')"
check "filter on unknown field" 400 "$(api analyst GET '/api/v1/markings?colour=red')"
grep -q '"field":"colour"' body && ok "error names the field" || bad "error field: $(cat body)"

# ETag / 304 / If-Match
curl -s -D h.txt -o /dev/null -H "Authorization: Bearer $TOK_analyst" "$BASE/api/v1/events/$E"
ET=$(sed -n 's/^[Ee][Tt]ag: \(.*\)\r$/\1/p' h.txt)
[ -n "$ET" ] && ok "ETag present" || bad "ETag present"
st=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK_analyst" -H "If-None-Match: $ET" "$BASE/api/v1/events/$E")
check "If-None-Match gives 304" 304 "$st"
st=$(curl -s -o body -w '%{http_code}' -X PATCH -H "Authorization: Bearer $TOK_investigator" -H 'Content-Type: application/json' \
     -H 'If-Match: "0000"' --data '{"place":"x"}' "$BASE/api/v1/events/$E")
check "stale If-Match gives 412" 412 "$st"
st=$(curl -s -o body -w '%{http_code}' -X PATCH -H "Authorization: Bearer $TOK_investigator" -H 'Content-Type: application/json' \
     -H "If-Match: $ET" --data '{"place":"Kharkiv","documented":null}' "$BASE/api/v1/events/$E")
check "PATCH with current If-Match" 200 "$st"
grep -q '"place":"Kharkiv"' body && ! grep -q documented body && ok "merge patch set and removed" || bad "patch: $(cat body)"
st=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK_analyst" -H "If-None-Match: $ET" "$BASE/api/v1/events/$E")
check "changed record: ETag no longer matches" 200 "$st"
check "search" 200 "$(api analyst GET '/api/v1/search?q=SN74HC00N%2023?5')"
grep -q '"hits":\[{' body && ok "search finds with ?" || bad "search: $(cat body)"
check "search without q" 400 "$(api analyst GET '/api/v1/search')"
check "delete still referenced" 409 "$(api investigator DELETE "/api/v1/events/$E")"
grep -q '"code":"constraint"' body && ok "409 is a JSON error" || bad "409 body: $(cat body)"
check "get unknown id" 404 "$(api analyst GET /api/v1/events/01J00000000000000000000000)"
"$REMNANT" verify >/dev/null 2>&1 && ok "evidence log verifies after API writes" || bad "remnant verify after API writes"
"$REMNANT" export | grep -q "\"id\":\"$E\"" && ok "API writes are in the store" || bad "export"
grep -q u_investigator <("$REMNANT" checkpoint 2>/dev/null; sqlite3 x.db "select body from ledger_entry" 2>/dev/null) \
    && ok "log entries carry the author" || echo "note - author not visible in ledger_entry bodies"

# ---- upload
head -c 5000 /dev/urandom >photo.bin
SHA=$(sha256sum photo.bin | cut -d' ' -f1)
st=$(curl -s -o body -w '%{http_code}' -H "Authorization: Bearer $TOK_investigator" -H 'Content-Type: image/jpeg' \
     -H "X-Content-SHA256: $SHA" --data-binary @photo.bin "$BASE/api/v1/items/$I/attachments?filename=p.jpg")
check "upload" 201 "$st"
A=$(json_get id <body)
grep -q "\"sha256\":\"$SHA\"" body && grep -q '"filename":"p.jpg"' body && ok "upload hashed, named" || bad "upload body: $(cat body)"
curl -s -D h.txt -o back.bin -H "Authorization: Bearer $TOK_analyst" "$BASE/api/v1/attachments/$A/content"
cmp -s back.bin photo.bin && ok "content round trip" || bad "content differs"
grep -qi '^Content-Type: image/jpeg' h.txt && ok "served with its media type" || bad "media type: $(cat h.txt)"
st=$(curl -s -o body -w '%{http_code}' -H "Authorization: Bearer $TOK_investigator" -H "X-Content-SHA256: $(printf '0%.0s' $(seq 64))" \
     --data-binary @photo.bin "$BASE/api/v1/items/$I/attachments")
check "digest mismatch" 422 "$st"
head -c 200000 /dev/urandom >big.bin
st=$(curl -s -o body -w '%{http_code}' -H "Authorization: Bearer $TOK_investigator" --data-binary @big.bin "$BASE/api/v1/items/$I/attachments")
check "oversize upload (Content-Length)" 413 "$st"
st=$(curl -s -o body -w '%{http_code}' -H "Authorization: Bearer $TOK_investigator" -H 'Transfer-Encoding: chunked' \
     --data-binary @big.bin "$BASE/api/v1/items/$I/attachments")
[ "$st" = 413 ] || [ "$st" = 000 ] && ok "oversize chunked upload: 413 or closed ($st)" || bad "oversize chunked upload: $st"
ls x.db.blobs/.upload-* >/dev/null 2>&1 && bad "temp upload files left behind" || ok "no temp upload files left"

# ---- sessions and CSRF
st=$(curl -s -c jar -o body -w '%{http_code}' -H 'Content-Type: application/json' \
     --data '{"name":"u_analyst","password":"password-analyst"}' "$BASE/api/v1/login")
check "login" 200 "$st"
CSRF=$(json_get csrf_token <body)
grep -q 'HttpOnly' jar && ok "cookie is HttpOnly" || bad "cookie flags: $(cat jar)"
curl -s -D h.txt -o /dev/null -H 'Content-Type: application/json' --data '{"name":"u_analyst","password":"password-analyst"}' "$BASE/api/v1/login"
grep -qi 'Set-Cookie: remnant_session=.*HttpOnly; SameSite=Strict; Path=/' h.txt && ok "cookie HttpOnly SameSite=Strict" || bad "Set-Cookie: $(grep -i set-cookie h.txt)"
check "session read" 200 "$(curl -s -b jar -o body -w '%{http_code}' "$BASE/api/v1/me")"
grep -q '"user":"u_analyst"' body && ok "me by cookie" || bad "me: $(cat body)"
st=$(curl -s -b jar -o body -w '%{http_code}' -H 'Content-Type: application/json' --data '{"kind":"company","name":"X"}' "$BASE/api/v1/entities")
check "cookie write without CSRF token" 403 "$st"
# a token that is certainly wrong: the last hex digit changed to another
# one (changing it to a fixed '0' gave the right token one time in 16)
wrong_token() { case "${1: -1}" in 0) echo "${1%?}1" ;; *) echo "${1%?}0" ;; esac; }
for t in "${CSRF%?}0" "${CSRF%?}1" "${CSRF%?}f" "$CSRF"; do
    [ "$(wrong_token "$t")" != "$t" ] || bad "wrong_token '$t' is '$t'"
done
WRONG=$(wrong_token "$CSRF")
[ -n "$CSRF" ] && [ "$WRONG" != "$CSRF" ] && ok "the wrong CSRF token differs" || bad "wrong token '$WRONG' = '$CSRF'"
st=$(curl -s -b jar -o body -w '%{http_code}' -H "X-CSRF-Token: $WRONG" -H 'Content-Type: application/json' --data '{"kind":"company","name":"X"}' "$BASE/api/v1/entities")
check "cookie write with a wrong CSRF token" 403 "$st"
st=$(curl -s -b jar -o body -w '%{http_code}' -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' --data '{"kind":"company","name":"X"}' "$BASE/api/v1/entities")
check "cookie write with CSRF token" 201 "$st"
st=$(curl -s -b jar -o body -w '%{http_code}' -H "X-CSRF-Token: $CSRF" -X POST "$BASE/api/v1/logout")
check "logout" 200 "$st"
st=$(curl -s -b jar -o body -w '%{http_code}' -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' --data '{"kind":"company","name":"Y"}' "$BASE/api/v1/entities")
check "session gone after logout" 401 "$st"
check "bad bearer token" 401 "$(TOK_x=rnt_nope api x GET /api/v1/events)"

# ---- malformed, oversize, slow
check "malformed JSON" 400 "$(api investigator POST /api/v1/events '{"name": "x"')"
grep -q '"error":{"code":"bad_json"' body && ok "malformed JSON error body" || bad "error body: $(cat body)"
check "JSON array body" 400 "$(api investigator POST /api/v1/events '[1,2]')"
check "invalid value" 422 "$(api investigator POST /api/v1/events '{"name":"x","lat":123}')"
grep -q '"field":"lat"' body && ok "422 names the field" || bad "422 body: $(cat body)"
st=$(curl -s -o body -w '%{http_code}' -H "Authorization: Bearer $TOK_investigator" -H 'Content-Type: text/plain' --data '{"name":"x"}' "$BASE/api/v1/events")
check "wrong media type" 415 "$st"
python3 -c 'print("{\"name\":\"" + "x"*10000 + "\"}")' >big.json
st=$(curl -s -o body -w '%{http_code}' -H "Authorization: Bearer $TOK_investigator" -H 'Content-Type: application/json' --data-binary @big.json "$BASE/api/v1/events")
check "oversize JSON body" 413 "$st"
st=$(curl -s -o body -w '%{http_code}' -H "Authorization: Bearer $TOK_investigator" -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary @big.json "$BASE/api/v1/events")
[ "$st" = 413 ] || [ "$st" = 000 ] && ok "oversize chunked JSON: 413 or closed ($st)" || bad "oversize chunked JSON: $st"
LONG=$(python3 -c 'print("a"*5000)')
check "URL too long" 414 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/v1/events?x=$LONG")"
check "bad query escape" 400 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/v1/events?x=%zz")"
check "unknown method" 405 "$(curl -s -o /dev/null -w '%{http_code}' -X OPTIONS "$BASE/api/v1/events")"
python3 - "$PORT" <<'PY' && ok "garbage and half-written requests: 4xx or closed" || bad "raw socket abuse"
import socket, sys, time
port = int(sys.argv[1])
def raw(data, wait=3):
    s = socket.create_connection(("127.0.0.1", port)); s.settimeout(wait)
    s.sendall(data)
    try: r = s.recv(200)
    except socket.timeout: r = b"TIMEOUT"
    s.close(); return r
r = raw(b"\x00\x01garbage\r\n\r\n")
assert r == b"" or r.startswith(b"HTTP/1.1 4"), r
r = raw(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n" + b"X-Big: " + b"a" * 100000 + b"\r\n\r\n")
assert r == b"" or r.startswith(b"HTTP/1.1 4"), r
# slowloris: headers never finished; the server closes it after --timeout 2
s = socket.create_connection(("127.0.0.1", port)); s.settimeout(6)
s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
t = time.time()
try: r = s.recv(100)
except socket.timeout: r = b"TIMEOUT"
assert r in (b"",) or r.startswith(b"HTTP/1.1 4"), r
assert time.time() - t < 5.5
# a body promised but not sent
s = socket.create_connection(("127.0.0.1", port)); s.settimeout(6)
s.sendall(b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
try: r = s.recv(100)
except socket.timeout: r = b"TIMEOUT"
assert r == b"" or r.startswith(b"HTTP/1.1 4"), r
PY
# many half-open connections at once, and the server still answers
exec 7<>/dev/tcp/127.0.0.1/"$PORT"; printf 'GET /api/v1/he' >&7
check "health while a request is held open" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/v1/health")"
exec 7>&-
check "health after the abuse" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/v1/health")"

# ---- log lines carry no secrets
grep -q "$TOK_investigator\|password-\|$CSRF" server.log && bad "a secret in the request log" || ok "no secret in the request log"
grep -q "^GET /api/v1/events/$E 304" server.log && ok "one log line per request" || bad "log line missing: $(tail -3 server.log)"

stop_server && ok "SIGTERM: clean exit" || bad "exit status after SIGTERM"
grep -q "runtime error\|AddressSanitizer\|LeakSanitizer" server.log && { bad "sanitizer report"; cat server.log; }
echo "$fails failed"
[ "$fails" -eq 0 ]
