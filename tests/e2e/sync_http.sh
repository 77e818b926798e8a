#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# sync_http.sh — sync over HTTP (src/server/api_sync.c, docs/SYNC.md): the
# headquarters' server on loopback; field laptops A and B push to it and
# pull from it with API tokens of their accounts there. Behind the roles:
# an investigator's push of a record type it may not write is refused whole
# (nothing written), its pull gets other types withheld (digests only) and
# still verifies; a conflict is kept, resolved at HQ, and both pull the
# resolution; a push twice changes nothing; verify holds on all three.
# All data is invented for the test.
. "$RN_SRC/tests/server/lib.sh"

make_users # HQ is $REMNANT_DB; accounts u_<role> with tokens $TOK_<role>
H() { REMNANT_AUTHOR=hq-clerk "$REMNANT" --db "$W/x.db" "$@"; }
A() { REMNANT_AUTHOR=alice "$REMNANT" --db "$W/a.db" "$@"; }
B() { REMNANT_AUTHOR=bohdan "$REMNANT" --db "$W/b.db" "$@"; }
"$REMNANT" init "$W/a.db" >/dev/null 2>&1; "$REMNANT" init "$W/b.db" >/dev/null 2>&1
H key show >/dev/null 2>&1 || H key create >/dev/null 2>&1
echo "$TOK_investigator" >"$W/tok.inv"
echo "$TOK_analyst" >"$W/tok.ana"

ENT=$(H add entity kind=company name="Example Components Ltd (invented)")
TR=$(H add trace recipient="$ENT")
start_server --quiet
H peer add fieldA - --key "$(A key show)" >/dev/null
H peer add fieldB - --key "$(B key show)" >/dev/null
A peer add hq "$BASE" --key "$(H key show)" --role admin >/dev/null
B peer add hq "$BASE/" --key "$(H key show)" --role admin >/dev/null

out=$(A sync pull hq --token-file "$W/tok.inv" 2>&1) || bad "A's pull: $out"
grep -q "1 withheld" <<<"$out" && ok "an investigator's pull withholds the trace request" ||
    bad "the trace request was not withheld: $out"
A show "$ENT" >/dev/null 2>&1 && ok "reference data (an entity) reached the laptop" || bad "no entity at A"
A show "$TR" >/dev/null 2>&1 && bad "the withheld trace request reached the laptop" || ok "the trace request did not"
A verify >/dev/null 2>&1 && ok "A verifies after a pull with withheld entries" || bad "A verify"
B sync pull hq --token-file "$W/tok.ana" >/dev/null 2>&1 || bad "B's pull"
B show "$TR" >/dev/null 2>&1 && ok "an analyst's pull gets everything" || bad "B lacks the trace"

EA=$(A add event name="Strike A (invented)" country=UA)
IA=$(A add item kind=weapon event="$EA" category=missile)
A edit "$ENT" country=CN >/dev/null
out=$(A sync push hq --token-file "$W/tok.inv" 2>&1)
grep -q "403\|may not write" <<<"$out" && ok "an investigator may not push an entity change" ||
    bad "the entity change was accepted from an investigator: $out"
H show "$IA" >/dev/null 2>&1 && bad "a refused push wrote something" || ok "nothing of it was written"
out=$(A sync push hq --token-file "$W/tok.ana" 2>&1)
bad_msg="analyst may not write events: $out"
grep -q "403\|may not write" <<<"$out" && ok "an analyst may not push events either" || bad "$bad_msg"
echo "$TOK_admin" >"$W/tok.adm"
out=$(A sync push hq --token-file "$W/tok.adm" 2>&1) || bad "A's push as admin: $out"
grep -q '"applied":3' <<<"$out" && ok "A's push applied at HQ" || bad "A's push: $out"
H show "$IA" | grep -q "brought in by u_admin" && ok "HQ names the pushing account" ||
    bad "HQ does not name who brought it in"
out=$(A sync push hq --token-file "$W/tok.adm" 2>&1)
grep -q '"already":true\|"applied":0' <<<"$out" && ok "the same push again changes nothing" ||
    bad "a second push: $out"

B edit "$ENT" country=HK >/dev/null
EB=$(B add event name="Strike B (invented)")
out=$(B sync push hq --token-file "$W/tok.adm" 2>&1)
grep -q '"conflicts":1' <<<"$out" && ok "B's edit of the entity is kept as a conflict" || bad "$out"
H resolve "$ENT" --take theirs >/dev/null && ok "HQ resolved it" || bad "resolve"
A sync pull hq --token-file "$W/tok.adm" >/dev/null 2>&1 || bad "A's second pull"
B sync pull hq --token-file "$W/tok.adm" >/dev/null 2>&1 || bad "B's second pull"
for x in A B H; do
    $x show "$ENT" | grep -q "country *HK" || bad "$x does not hold the resolution"
    $x verify >/dev/null 2>&1 || bad "verify fails on $x"
done
A show "$EB" >/dev/null 2>&1 && ok "A received B's event through HQ" || bad "A lacks B's event"
ok "all three hold the resolution and verify"

# a server that does not know the laptop
"$REMNANT" init "$W/c.db" >/dev/null 2>&1
"$REMNANT" --db "$W/c.db" peer add hq "$BASE" --key "$(H key show)" >/dev/null
out=$("$REMNANT" --db "$W/c.db" sync push hq --token-file "$W/tok.adm" 2>&1)
grep -q "has not registered" <<<"$out" && ok "a push from an unregistered instance is refused" ||
    bad "unregistered push: $out"
out=$("$REMNANT" --db "$W/c.db" sync pull hq --token-file "$W/tok.adm" 2>&1)
grep -q "404" <<<"$out" && ok "a pull for an unregistered instance is refused" || bad "$out"
echo wrong >"$W/tok.bad"
out=$(A sync pull hq --token-file "$W/tok.bad" 2>&1)
grep -q "401" <<<"$out" && ok "a wrong token is refused" || bad "wrong token: $out"

[ "$fails" = 0 ] || { echo "$fails failures"; exit 1; }
