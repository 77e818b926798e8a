#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# server_accounts.sh — accounts under abuse (issue 15, points 14-17; issue 11
# point 11): API tokens listed and revoked one by one (CLI and API, each
# user their own, admins all), a password change that ends every session
# and, when asked, every token; a stale session cookie that is cleared and
# never blocks a fresh login; login throttling per client address and per
# account, with locks that expire by themselves and cannot lock a user out
# of an address they logged in from; anonymous search rate-limited per
# address, and its work capped. Loopback only (127.0.0.x), bounded loops.
. "$RN_SRC/tests/server/lib.sh"

make_users
start_server --login-lock-min 4 --login-lock-max 4 --search-rate 5 --search-work 1000
tid() { python3 -c 'import hashlib,sys; print(hashlib.blake2b(sys.argv[1].encode(), digest_size=32).hexdigest()[:16])' "$1"; }
me() { curl -s "$@" "$BASE/api/v1/me"; }

# ---- 14. tokens: list and revoke one by one
T2=$("$REMNANT" user token u_investigator --label second)
T3=$("$REMNANT" user token u_investigator --label third)
check "14: a second token works" 200 "$(curl -s -o body -w '%{http_code}' -H "Authorization: Bearer $T2" "$BASE/api/v1/me")"
check "14: GET /api/v1/tokens" 200 "$(api investigator GET /api/v1/tokens)"
python3 -c 'import json,sys; d=json.load(open("body"))["items"]; sys.exit(0 if len(d)==3 and all(t["user"]=="u_investigator" for t in d) else 1)' \
    && ok "14: a user sees their own tokens only" || bad "14: own tokens: $(cat body)"
grep -q "$T2" body && bad "14: the token itself is listed" || ok "14: the token itself is never listed"
grep -q "\"id\":\"$(tid "$T2")\"" body && ok "14: tokens are listed by id" || bad "14: ids: $(cat body)"
check "14: admin lists every token" 200 "$(api admin GET /api/v1/tokens)"
python3 -c 'import json,sys; d=json.load(open("body"))["items"]; sys.exit(0 if len({t["user"] for t in d})==4 else 1)' \
    && ok "14: ... of every user" || bad "14: admin list: $(cat body)"
check "14: another user's token is not found" 404 "$(api investigator DELETE "/api/v1/tokens/$(tid "$TOK_analyst")")"
check "14: ... and still works" 200 "$(api analyst GET /api/v1/me)"
check "14: DELETE /api/v1/tokens/{id} of one's own" 204 "$(api investigator DELETE "/api/v1/tokens/$(tid "$T3")")"
check "14: the revoked token is refused" 401 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $T3" "$BASE/api/v1/me")"
check "14: the other tokens still work" 200 "$(api investigator GET /api/v1/me)"
"$REMNANT" user token list u_investigator >tl.txt
grep -q "$(tid "$T2")  u_investigator" tl.txt && grep -q second tl.txt && ok "14: remnant user token list" \
    || bad "14: token list: $(cat tl.txt)"
"$REMNANT" user token rm "$(tid "$T2")"
check "14: remnant user token rm exits 0" 0 $?
check "14: ... and the token is refused" 401 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $T2" "$BASE/api/v1/me")"
"$REMNANT" user token rm 0123456789abcdef 2>/dev/null
check "14: an unknown token id exits 4" 4 $?
check "14: admin revokes another user's token" 204 "$(api admin DELETE "/api/v1/tokens/$(tid "$TOK_reviewer")")"
check "14: ... which is refused after" 401 "$(api reviewer GET /api/v1/me)"
TOK_reviewer=$("$REMNANT" user token u_reviewer)

# ---- 14/15. a password change ends every session; a stale cookie is cleared
login() { # login NAME PASSWORD JAR [curl args]: prints the status
    local n=$1 p=$2 j=$3; shift 3
    curl -s -c "$j" -b "$j" -o body -w '%{http_code}' -H 'Content-Type: application/json' \
        --data "{\"name\":\"$n\",\"password\":\"$p\"}" "$@" "$BASE/api/v1/login"
}
check "login by cookie" 200 "$(login u_analyst password-analyst jar)"
me -b jar | grep -q '"user":"u_analyst"' && ok "session works" || bad "session: $(me -b jar)"
echo "password-analyst-2" | "$REMNANT" user passwd u_analyst || bad "passwd"
me -b jar | grep -q '"role":"public"' && ok "14: passwd ends the session" || bad "14: session after passwd: $(me -b jar)"
check "14: passwd alone leaves tokens valid" 200 "$(api analyst GET /api/v1/me)"
curl -s -D h.txt -o /dev/null -b jar "$BASE/api/v1/me"
grep -qi '^Set-Cookie: remnant_session=;.*Max-Age=0' h.txt && ok "15: a stale cookie is cleared" \
    || bad "15: no clearing Set-Cookie: $(cat h.txt)"
cp jar stale
check "15: login with a stale cookie works" 200 "$(login u_analyst password-analyst-2 stale)"
me -b stale | grep -q '"user":"u_analyst"' && ok "15: ... and the new session is used" || bad "15: $(me -b stale)"
check "15: logout with a stale cookie works" 200 "$(curl -s -o body -w '%{http_code}' -b jar -X POST "$BASE/api/v1/logout")"
echo "password-analyst-3" | "$REMNANT" user passwd u_analyst --revoke-tokens 2>rv.txt
check "14: passwd --revoke-tokens exits 0" 0 $?
grep -q "1 API token revoked" rv.txt && ok "14: it says how many" || bad "14: $(cat rv.txt)"
check "14: ... and the token is refused" 401 "$(api analyst GET /api/v1/me)"
TOK_analyst=$("$REMNANT" user token u_analyst)

# ---- 16 (and issue 11 point 11). login throttling
# the user logs in from 127.0.0.1 first: that address is known for the account
check "16: the user's own login" 200 "$(login u_reviewer password-reviewer j1)"
# per client address: 5 failures are free, the 6th locks the address
for i in 1 2 3 4 5 6; do
    st=$(login nobody wrong-password-$i j4 --interface 127.0.0.4)
    [ "$st" = 401 ] || bad "16: failure $i from 127.0.0.4 got $st"
done
st=$(curl -s -D h.txt -o body -w '%{http_code}' --interface 127.0.0.4 -H 'Content-Type: application/json' \
     --data '{"name":"u_admin","password":"password-admin"}' "$BASE/api/v1/login")
check "16: a locked address is refused even with the right password" 429 "$st"
RA=$(sed -n 's/^[Rr]etry-[Aa]fter: \([0-9]*\).*/\1/p' h.txt)
[ -n "$RA" ] && [ "$RA" -le 4 ] && ok "16: with Retry-After ($RA s)" || bad "16: Retry-After: $(cat h.txt)"
grep -q '"code":"too_many_requests"' body && ok "16: JSON error" || bad "16: body: $(cat body)"
check "16: other addresses are not locked" 200 "$(login u_admin password-admin j5 --interface 127.0.0.5)"
grep -q "client 127.0.0.4 locked for 4 s" server.log && ok "16: the address lock is logged" || bad "16: log: $(grep login server.log)"
# hammering a lock does not extend it: these are refused uncounted
for i in 1 2 3; do
    st=$(login u_admin wrong-while-locked-$i j4 --interface 127.0.0.4)
    [ "$st" = 429 ] || bad "16: attempt $i during the lock got $st"
done
sleep $((RA + 1))
check "16: the address lock expires by itself, however hammered" 200 "$(login u_admin password-admin j4 --interface 127.0.0.4)"
# per account: 10 failures from anywhere are free, the 11th locks the account
for a in 6 7; do for i in 1 2 3 4 5; do
    st=$(login u_reviewer wrong-$a-$i j6 --interface 127.0.0.$a)
    [ "$st" = 401 ] || bad "16: failure $i from 127.0.0.$a got $st"
done; done
check "16: the 11th failure" 401 "$(login u_reviewer wrong-11 j8 --interface 127.0.0.8)"
check "16: the account is locked for a new address" 429 "$(login u_reviewer password-reviewer j9 --interface 127.0.0.9)"
check "16: ... but not for the address the user logged in from" 200 "$(login u_reviewer password-reviewer j1b)"
grep -q "account 'u_reviewer' locked for 4 s after 11 failed logins" server.log \
    && ok "16: the account lock is logged" || bad "16: log: $(grep login server.log)"
# a success cleared the account's failures: the new address gets in too
check "16: after the user's success, the account is open again" 200 "$(login u_reviewer password-reviewer j9 --interface 127.0.0.9)"
# names from the client are escaped in the log
login "$(printf 'x\\u001b[31m')" wrong j10 --interface 127.0.0.10 >/dev/null
grep -q $'\x1b' server.log && bad "18: a control character reached the log" || ok "18: no control character in the log"

# ---- 17. anonymous search: rate-limited per address, work capped
SE=$("$REMNANT" add event name="search data") || bad "event for search"
SI=$("$REMNANT" add item kind=weapon event="$SE") || bad "item for search"
for i in $(seq 1 300); do echo "{\"type\":\"marking\",\"item\":\"$SI\",\"text\":\"AB$i CD\"}"; done >m.jsonl
"$REMNANT" import m.jsonl >/dev/null || bad "import markings"
for i in 1 2 3 4 5; do
    st=$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.11 "$BASE/api/v1/search?q=zz")
    [ "$st" = 200 ] || bad "17: anonymous search $i got $st"
done
st=$(curl -s -D h.txt -o body -w '%{http_code}' --interface 127.0.0.11 "$BASE/api/v1/search?q=zz")
check "17: the 6th anonymous search in a minute" 429 "$st"
grep -qi '^Retry-After: ' h.txt && ok "17: with Retry-After" || bad "17: $(cat h.txt)"
check "17: other addresses may search" 200 "$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.12 "$BASE/api/v1/search?q=zz")"
check "17: logged-in users are not rate-limited" 200 "$(api analyst GET '/api/v1/search?q=zz')"
st=$(curl -s -o body -w '%{http_code}' --interface 127.0.0.13 "$BASE/api/v1/search?q=%3F%3F%3F")
check "17: an anonymous search over the work cap" 422 "$st"
grep -q '"code":"too_broad"' body && ok "17: says too broad" || bad "17: body: $(cat body)"
check "17: the same search logged in" 200 "$(api analyst GET '/api/v1/search?q=%3F%3F%3F&limit=1000')"

# an account's role: by the command line and by an admin over the API (not one's own)
"$REMNANT" user role u_reviewer --role analyst >/dev/null && ok "role: remnant user role" || bad "role: remnant user role"
check "role: takes effect" "u_reviewer analyst" "$("$REMNANT" user list | awk '$1 == "u_reviewer" {print $1, $2}')"
check "role: an unknown one is a usage error" 2 "$("$REMNANT" user role u_reviewer --role boss >/dev/null 2>&1; echo $?)"
check "role: over the API" 200 "$(api admin PATCH /api/v1/users/u_reviewer '{"role":"reviewer"}')"
check "role: not one's own" 409 "$(api admin PATCH /api/v1/users/u_admin '{"role":"analyst"}')"
check "role: only a role" 422 "$(api admin PATCH /api/v1/users/u_reviewer '{"role":"reviewer","name":"x"}')"

stop_server || bad "server stopped cleanly"
grep -q "runtime error\|AddressSanitizer\|LeakSanitizer" server.log && { bad "sanitizer report"; cat server.log; }
echo "$fails failed"
[ "$fails" -eq 0 ]
