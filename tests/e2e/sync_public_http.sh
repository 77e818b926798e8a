#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# sync_public_http.sh — the public view over HTTP (docs/SYNC.md, "To a
# partner"): `sync push PARTNER --public` sends a partner's server exactly
# the public view with its proofs, as `sync export --public` does by file;
# the partner then holds exactly `remnant export --public` of the source, no
# string of a non-public field or record is anywhere in its database, verify
# holds, a later push brings the change, and a push again changes nothing.
# The partner's roles hold: an account that may not write findings is
# refused whole (403), nothing written. And the other way: a partner
# registered at HQ with the role `partner` that pulls gets the public view
# only. Data: the invented demo dataset.
set -uo pipefail

REMNANT=${REMNANT:?set REMNANT to the remnant binary}
T=$(mktemp -d "${TMPDIR:-/tmp}/rn_sync_public_http.XXXXXX")
P1= P2=
cleanup() {
    for p in $P1 $P2; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT
cd "$T" || exit 1
export REMNANT_AUTHOR=e2e
fails=0
ok() { printf 'ok   %s\n' "$*"; }
bad() { printf 'FAIL %s\n' "$*"; fails=$((fails + 1)); }
rn() { "$REMNANT" "$@"; }
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
serve() { # serve DB PORT -> pid in $!
    "$REMNANT" --db "$1" serve --listen "127.0.0.1:$2" --quiet 2>"$1.log" &
    for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$2/api/v1/health" >/dev/null 2>&1 && return 0; sleep 0.1; done
    echo "server for $1 did not start"; cat "$1.log"; exit 1
}
token() { # token DB USER ROLE
    echo "password-$2-long" | rn --db "$1" user add "$2" --role "$3" >/dev/null || bad "user add $2"
    rn --db "$1" user token "$2"
}
same_as_public() { # same_as_public PARTNER_DB: it holds exactly HQ's public view
    rn --db hq.db export --public >a.jsonl
    rn --db "$1" export >b.jsonl
    python3 - <<'PY'
import json, sys
a = sorted(json.dumps(json.loads(l), sort_keys=True) for l in open("a.jsonl"))
b = sorted(json.dumps(json.loads(l), sort_keys=True) for l in open("b.jsonl"))
sys.exit(0 if a == b and a else 1)
PY
}
no_leak() { # no string of HQ's data that the public does not see is in file $1
    rn --db hq.db export >full.jsonl
    python3 - "$1" <<'PY'
import json, sys
pub = open("a.jsonl").read()
pkg = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
def strs(v):
    if isinstance(v, str): yield v
    elif isinstance(v, list):
        for x in v: yield from strs(x)
    elif isinstance(v, dict):
        for x in v.values(): yield from strs(x)
secret = {s for l in open("full.jsonl") for s in strs(json.loads(l)) if len(s) >= 12 and s not in pub}
leak = [s for s in secret if s in pkg]
if len(secret) < 50 or leak:
    print(len(secret), "non-public strings;", leak[:5]); sys.exit(1)
PY
}

# Everything the partner holds of what it received: its database without the
# decoder's own output (the candidates and the decoder's rules, which it
# derives itself from the public markings, and may name a maker the source
# keeps in a non-public field).
received() {
    sqlite3 "$1" "SELECT name FROM sqlite_master WHERE type='table' AND name NOT IN
                  ('candidate','decode_rule') AND name NOT LIKE 'search%'" |
        while read -r t; do sqlite3 "$1" ".dump $t"; done
}

rn demo hq.db >/dev/null 2>&1
rn --db hq.db key show >/dev/null 2>&1 || rn --db hq.db key create >/dev/null 2>&1
rn init partner.db >/dev/null 2>&1
ADM=$(token partner.db p_admin admin)
INV=$(token partner.db p_inv investigator)
echo "$ADM" >adm.tok
echo "$INV" >inv.tok
PP=$(port)
serve partner.db "$PP"
P1=$!
rn --db hq.db peer add partner "http://127.0.0.1:$PP" --key "$(rn --db partner.db key show)" --role partner >/dev/null
rn --db partner.db peer add hq - --key "$(rn --db hq.db key show)" >/dev/null

# Roles: an investigator may not write findings: the whole push is refused.
out=$(rn --db hq.db sync push partner --public --token-file inv.tok 2>&1) &&
    bad "an investigator's public push was accepted: $out" || ok "an investigator's public push fails"
grep -q "403" <<<"$out" && grep -q "REFUSED" <<<"$out" && grep -q "nothing written" <<<"$out" &&
    ok "it is refused whole (403, REFUSED, nothing written)" || bad "the refusal: $out"
[ "$(sqlite3 partner.db 'SELECT count(*) FROM record')" = 0 ] && ok "nothing was written" ||
    bad "records were written"

out=$(rn --db hq.db sync push partner --public --token-file adm.tok 2>&1) || bad "push --public: $out"
grep -q "the public view" <<<"$out" && ok "push --public says it sent the public view" || bad "$out"
same_as_public partner.db && ok "the partner holds exactly HQ's public view" ||
    bad "the partner does not hold exactly the public view"
received partner.db >dump.sql
no_leak dump.sql && ok "no non-public string is anywhere in the partner's database" ||
    bad "the partner's database holds non-public data"
rn --db partner.db verify >v.txt 2>&1 && ok "verify holds at the partner" || bad "verify: $(tail -3 v.txt)"

PI=$(python3 -c 'import json
for l in open("a.jsonl"):
    r = json.loads(l)
    if r["type"] == "item": print(r["id"]); break')
rn --db hq.db edit "$PI" name="renamed over HTTP (invented)" >/dev/null
EV=$(rn --db hq.db add event name="Internal only over HTTP (invented)" notes="internal-http-note")
out=$(rn --db hq.db sync push partner --public --token-file adm.tok 2>&1) || bad "second push: $out"
grep -q "renamed over HTTP" <<<"$(rn --db partner.db show "$PI")" && ok "a later push brings the change" ||
    bad "the change did not arrive"
rn --db partner.db show "$EV" >/dev/null 2>&1 && bad "a non-public event reached the partner" ||
    ok "the non-public event did not"
same_as_public partner.db && ok "still exactly the public view" || bad "differs after the second push"
out=$(rn --db hq.db sync push partner --public --token-file adm.tok 2>&1)
grep -q '"applied":0' <<<"$out" && ok "a push again changes nothing" || bad "a push again: $out"

# The other way: a partner pulls from HQ's server and gets the public view.
rn init partner2.db >/dev/null 2>&1
rn --db hq.db peer add partner2 - --key "$(rn --db partner2.db key show)" --role partner >/dev/null
HT=$(token hq.db h_analyst analyst)
echo "$HT" >hq.tok
HP=$(port)
serve hq.db "$HP"
P2=$!
rn --db partner2.db peer add hq "http://127.0.0.1:$HP" --key "$(rn --db hq.db key show)" >/dev/null
out=$(rn --db partner2.db sync pull hq --token-file hq.tok 2>&1) || bad "pull from HQ: $out"
same_as_public partner2.db && ok "a partner's pull gets exactly the public view" ||
    bad "the pull did not give the public view: $out"
received partner2.db >dump2.sql
no_leak dump2.sql && ok "nothing non-public reached the pulling partner" || bad "leak by pull"
rn --db partner2.db verify >/dev/null 2>&1 && ok "verify holds at the pulling partner" ||
    bad "verify at partner2"

[ "$fails" = 0 ] || { echo "$fails failures"; exit 1; }
