#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# cli_basics.sh — the `remnant` command as docs/CLI.md describes it: init,
# add/show/list/edit/rm for every record type (with --json parsed by
# python3), attach (the blob under <db>.blobs/xx/<sha256>, read-only, with
# the right digest), search, --help on every command, and exit codes.
set -euo pipefail
. "${RN_SRC:?source tree}/tests/lib/e2e.sh"
export REMNANT_AUTHOR=e2e
unset REMNANT_DB

code() { local rc=0; "$@" >/dev/null 2>&1 || rc=$?; echo "$rc"; }
# json_get FIELD < one JSON object
json_get() { python3 -c 'import json,sys; v=json.loads(sys.stdin.read()).get(sys.argv[1]); print("" if v is None else (v if isinstance(v,str) else json.dumps(v,separators=(",",":"))))' "$1"; }

# ---- init ------------------------------------------------------------------
rn init cases.db >/dev/null
[ -f cases.db ] || die "init made no file"
[ "$(code rn init cases.db)" != 0 ] || die "init over an existing database succeeded"
ok "init creates a database and refuses to overwrite one"
export REMNANT_DB=$W/cases.db
[ "$(code rn list entity)" = 0 ] || die "REMNANT_DB is not used"
rn init other.db >/dev/null
[ "$(rn --db other.db add entity kind=state name=Elsewhere | wc -c)" = 27 ] || die "add does not print one id"
[ "$(rn list entity --json | wc -l)" = 0 ] || die "--db did not take precedence over REMNANT_DB"
[ "$(rn list entity --db other.db --json | wc -l)" = 1 ] || die "--db after the command is not accepted"
ok "--db before or after the command, else REMNANT_DB"

# ---- add / show / list / edit / rm, every type ------------------------------
newid() { local id; id=$(rn add "$@") || die "add $*: exit $?"; [[ "$id" =~ ^[0-7][0-9A-HJKMNP-TV-Z]{25}$ ]] || die "add $1 printed '$id'"; echo "$id"; }
E1=$(newid entity kind=company "name=Acme, Inc" "aliases=Acme; ACME" country=us)
E2=$(newid entity kind=state name=Ruritania country=KP)
EV=$(newid event "name=Strike on Kharkiv" country=ua lat=49.99 lon=36.23 documented=2024-01-02 incident=2024-01 "investigators=A;B" "context=missile remnants")
W=$(newid item kind=weapon "event=$EV" weapon_system=KN-23 producing_state=kp)
B=$(newid item kind=component "parent=$W" "event=$EV" category=ic produced=2015-W07 "serial=SN 42")
echo "photo bytes $RANDOM" >photo.jpg
AT=$(rn attach "$B" photo.jpg) || die "attach failed"
M=$(newid marking "item=$B" "text=AC1507 KN-23 2015" method=printed "attachment=$AT")
TR=$(newid transfer "supplier=$E1" "recipient=$E2" "items=$W;$B" date=2014/2015 confidence=0.5)
TQ=$(newid trace "recipient=$E1" "items=$B" status=draft due=2024-02 "question=who bought it?")
F=$(newid finding "statement=made abroad" "evidence=$B;$M" status=draft)
S=$(newid sanction "regime=UN DPRK" "instrument=UNSCR 2270" adopted=2016-03-02 target=kp source=un.org)
C=$(newid custody "item=$W" holder=prosecutor action=received date=2024-01-03)
CL=$(newid claim "item=$B" field=manufacturer value=Acme reason=logo)
ok "add: one record of every type"

declare -A ID=([entity]=$E1 [event]=$EV [item]=$B [marking]=$M [attachment]=$AT [transfer]=$TR
               [trace]=$TQ [finding]=$F [sanction]=$S [custody]=$C [claim]=$CL)
for t in "${!ID[@]}"; do
    id=${ID[$t]}
    j=$(rn show "$id" --json) || die "show $t --json failed"
    [ "$(json_get type <<<"$j")" = "$t" ] || die "show $id --json: type is not $t: $j"
    [ "$(json_get id <<<"$j")" = "$id" ] || die "show $id --json: wrong id: $j"
    rn show "$id" | grep -q "$id" || die "show $t (text) does not name the id"
    rn list "$t" --json | python3 -c '
import json, sys
ids = [json.loads(l)["id"] for l in sys.stdin]
assert sys.argv[1] in ids, ids
assert ids == sorted(ids), "not in creation order"
' "$id" || die "list $t --json does not hold $id"
done
ok "show (text and --json) and list --json for every type"

[ "$(rn show "$E1" --json | json_get country)" = US ] || die "country not normalized"
[ "$(rn show "$E1" --json | json_get aliases)" = '["Acme","ACME"]' ] || die "aliases: $(rn show "$E1" --json)"
[ "$(rn show "$B" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["produced"]["earliest"])')" = 2015-02-09 ] ||
    die "produced 2015-W07 does not start on 2015-02-09"
ok "values are normalized and dates are intervals"

n=$(rn list item kind=component --json | wc -l)
[ "$n" = 1 ] || die "list item kind=component: $n"
n=$(rn list item --limit 1 --json | wc -l)
[ "$n" = 1 ] || die "list --limit 1: $n"
[ "$(rn list item producing_state=KP --json | json_get id)" = "$W" ] || die "filter by producing_state"
ok "list filters and --limit"

rn edit "$E2" "name=Ruritania (renamed)" aliases=RR >/dev/null
[ "$(rn show "$E2" --json | json_get name)" = "Ruritania (renamed)" ] || die "edit did not change the name"
rn edit "$E2" aliases= >/dev/null
[ -z "$(rn show "$E2" --json | json_get aliases)" ] || die "edit field= did not clear the field"
[ "$(code rn edit "$E2" kind=empire)" = 3 ] || die "edit with a bad value did not exit 3"
[ "$(rn show "$E2" --json | json_get kind)" = state ] || die "a refused edit changed the record"
[ "$(code rn edit "$W" "parent=$B")" = 3 ] || die "a parent loop was not refused with 3"
ok "edit changes, clears with field=, refuses bad values and loops"

[ "$(code rn rm "$W")" = 3 ] || die "rm of an item with parts did not exit 3"
x=$(newid entity kind=other name=Temporary)
rn rm "$x" >/dev/null
[ "$(code rn show "$x")" = 4 ] || die "a removed record is still shown"
ok "rm removes what nothing refers to, refuses the rest"

# ---- attach ------------------------------------------------------------------
sha=$(sha256sum photo.jpg | cut -d' ' -f1)
blob="cases.db.blobs/${sha:0:2}/$sha"
[ -f "$blob" ] || die "no blob at $blob"
[ "$(sha256sum "$blob" | cut -d' ' -f1)" = "$sha" ] || die "the blob's content differs"
[ "$(stat -c %a "$blob")" = 444 ] || die "blob mode is $(stat -c %a "$blob"), not 444"
aj=$(rn show "$AT" --json)
[ "$(json_get sha256 <<<"$aj")" = "$sha" ] || die "attachment sha256 differs: $aj"
[ "$(json_get size <<<"$aj")" = "$(stat -c %s photo.jpg)" ] || die "attachment size differs: $aj"
[ "$(json_get item <<<"$aj")" = "$B" ] || die "attachment item differs: $aj"
[ "$(json_get filename <<<"$aj")" = photo.jpg ] || die "attachment filename: $aj"
AT2=$(rn attach "$EV" photo.jpg)
[ "$AT2" != "$AT" ] || die "a second attach gave the same record id"
[ "$(find cases.db.blobs -type f | wc -l)" = 1 ] || die "the same content was stored twice"
[ "$(code rn attach "$B" no-such-file.jpg)" = 4 ] || die "attach of a missing file did not exit 4"
[ "$(code rn attach "$M" photo.jpg)" = 3 ] || die "attach to a marking did not exit 3"
[ "$(code rn attach 01HGHGHGHGHGHGHGHGHGHGHGHG photo.jpg)" = 4 ] || die "attach to nothing did not exit 4"
ok "attach stores the blob once, by SHA-256, read-only, and records it"

# ---- search --------------------------------------------------------------------
rn search 2?15 | grep -q "$M" || die "search 2?15 does not find the marking"
rn search 'kn-2?' --json | python3 -c '
import json, sys
hits = [json.loads(l) for l in sys.stdin]
assert any(h.get("id") == sys.argv[1] for h in hits), hits
' "$M" || die "search kn-2? --json does not find the marking"
[ -z "$(rn search zzzz --json)" ] || die "search zzzz found something"
ok "search with ? and --json"

# ---- help, usage, exit codes --------------------------------------------------
[ "$(code rn --help)" = 0 ] || die "--help"
for c in init add show list edit rm attach import export search fields demo generate; do
    rc=$(code rn "$c" --help)
    [ "$rc" = 0 ] || die "$c --help exits $rc"
    rn "$c" --help 2>&1 | grep -qi "usage" || die "$c --help prints no usage"
done
ok "--help on every command exits 0"
[ "$(code rn frobnicate)" = 2 ] || die "unknown command is not 2"
[ "$(code rn list)" = 2 ] || die "list without a type is not 2"
[ "$(code rn list weapon)" != 0 ] || die "list of an unknown type succeeded"
[ "$(code rn list item --limit)" = 2 ] || die "--limit without a value is not 2"
[ "$(code rn show 01HGHGHGHGHGHGHGHGHGHGHGHG)" = 4 ] || die "show of nothing is not 4"
[ "$(code rn --db nowhere.db list item)" = 4 ] || die "missing database is not 4"
[ "$(code rn add item kind=missile)" = 3 ] || die "bad value is not 3"
ok "exit codes: 2 usage, 3 bad input, 4 not found"

# fields
rn fields | grep -q marking || die "fields does not list marking"
rn fields item | grep -q produced || die "fields item does not list produced"
ok "fields"
e2e_done
