#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# public_surface.sh — issue 11, points 2, 3 and 5: the whole public surface
# against the model's one definition of sensitivity. Every field that
# `remnant fields TYPE` marks [sensitive] is seeded with a value holding
# S3CRET (the test checks that it seeded them all, so a new sensitive field
# without a value here fails), coordinates are exact to 6 decimals, and one
# finding is published citing every record. Then:
#   - the anonymous API crawl (tests/server/crawl.py) finds no S3CRET value,
#     no unpublished text and no exact coordinate;
#   - `remnant export --public` holds no such value either, holds exactly the
#     records and values the anonymous API shows (the same function), and
#     imports into an empty database;
#   - a public evidence bundle holds no such value and verifies.
# All values are invented for the test.
. "$RN_SRC/tests/server/lib.sh"

make_users
"$REMNANT" key create >/dev/null 2>&1 || true
S=S3CRET
E=$("$REMNANT" add event name="Strike remnants" country=UA lat=49.987654 lon=36.234567 \
      precision_m=5 place=Kharkiv documented=2024-07 investigators="$S-event-investigators" \
      custody_holder="$S-event-custody_holder" source="$S-event-source" notes="$S-event-notes")
W1=$("$REMNANT" add item kind=weapon event="$E" weapon_system=KN-23 producing_state=KP \
      notes="$S-item-notes")
C1=$("$REMNANT" add item kind=component parent="$W1" category=ic serial=SER-123 \
      notes="$S-item-notes2")
M=$("$REMNANT" add marking item="$C1" text="SN74HC00N 2315" notes="$S-marking-notes")
head -c 700 /dev/urandom >"$S-attachment-filename.bin"
A=$("$REMNANT" attach "$C1" "$S-attachment-filename.bin")
"$REMNANT" edit "$A" captured_by="$S-attachment-captured_by" notes="$S-attachment-notes" >/dev/null
P=$("$REMNANT" add entity kind=person name="$S-entity-name" aliases="$S-entity-aliases" \
      identifiers="$S-entity-identifiers" notes="$S-entity-notes")
CO=$("$REMNANT" add entity kind=company name="Acme Public Co" country=US notes="$S-entity-notes2")
T=$("$REMNANT" add transfer supplier="$CO" recipient="$P" source="$S-transfer-source" \
      notes="$S-transfer-notes")
TR=$("$REMNANT" add trace recipient="$CO" question="$S-trace-question" answer="$S-trace-answer" \
      notes="$S-trace-notes")
CU=$("$REMNANT" add custody item="$W1" holder="$S-custody-holder" notes="$S-custody-notes")
CL=$("$REMNANT" add claim item="$C1" field=manufacturer value="Texas Instruments" country=US \
      reason="logo on the package" author="$S-claim-author" notes="$S-claim-notes")
SA=$("$REMNANT" add sanction regime="UN DPRK (invented test measure)" instrument="test 1" \
      adopted=2017-06-02 source="invented for a test" notes="$S-sanction-notes")
D=$("$REMNANT" add finding statement="$S-unpublished-statement" notes="$S-finding-notes-draft" \
      author="$S-finding-author")
F=$("$REMNANT" add finding statement="The missile holds foreign parts" status=published \
      author="$S-finding-author" reviewer="$S-finding-reviewer" notes="$S-finding-notes" \
      evidence="$E;$W1;$C1;$M;$A;$P;$CO;$T;$TR;$CU;$CL;$SA;$D")
[ -n "$F" ] || { bad "setting up the published finding"; exit 1; }

# Coverage: every [sensitive] field of every type holds an S3CRET value.
"$REMNANT" export -o full.jsonl
for t in $("$REMNANT" fields | awk '{print $1}'); do
    for f in $("$REMNANT" fields "$t" | awk '/\[sensitive\]/ {print $1}'); do
        python3 - "$t" "$f" full.jsonl <<'PY' || bad "no S3CRET value seeded for $t.$f"
import json, sys
t, f, path = sys.argv[1:]
for line in open(path):
    r = json.loads(line)
    if r["type"] == t and "S3CRET" in json.dumps(r.get(f, "")):
        sys.exit(0)
sys.exit(1)
PY
    done
done
ok "every sensitive field of the model is seeded"

FORBID=(S3CRET 49.987654 36.234567 49.98765 36.23456)

# 1. the anonymous API crawl
start_server --quiet
python3 "$RN_SRC/tests/server/crawl.py" "$BASE" crawl "${FORBID[@]}" >crawl.txt
grep '^LEAK' crawl.txt
grep -q '^LEAKS 0$' crawl.txt && ok "anonymous crawl: no restricted value in $(grep RESPONSES crawl.txt)" \
    || bad "anonymous crawl found restricted values"

# 2. export --public: no restricted value, the same records and values as the
#    anonymous API, and it imports into an empty database.
"$REMNANT" export --public -o public.jsonl || bad "export --public failed"
if grep -n -E 'S3CRET|49\.98765|36\.23456' public.jsonl; then
    bad "export --public holds restricted values"
else
    ok "export --public holds no restricted value"
fi
grep -q "$D" public.jsonl && bad "export --public holds the draft finding"
grep -q "$TR" public.jsonl && bad "export --public holds the trace request"
grep -q "$CU" public.jsonl && bad "export --public holds the custody record"
python3 - "$BASE" public.jsonl <<'PY' && ok "export --public equals what the anonymous API shows" \
    || bad "export --public differs from the anonymous API"
import json, sys, urllib.request, urllib.error
base, path = sys.argv[1:]
plural = {"event": "events", "item": "items", "marking": "markings", "attachment": "attachments",
          "entity": "entities", "transfer": "transfers", "trace": "traces",
          "finding": "findings", "sanction": "sanctions", "custody": "custody",
          "claim": "claims"}
exported = {}
for line in open(path):
    r = json.loads(line)
    exported[r["id"]] = r
listed = {}
for t, pl in plural.items():
    with urllib.request.urlopen("%s/api/v1/%s?limit=1000" % (base, pl)) as resp:
        for r in json.load(resp)["items"]:
            listed[r["id"]] = r
bad = 0
if set(exported) != set(listed):
    print("ids only exported:", set(exported) - set(listed))
    print("ids only listed:", set(listed) - set(exported))
    bad += 1
for i, r in exported.items():
    with urllib.request.urlopen("%s/api/v1/%s/%s" % (base, plural[r["type"]], i)) as resp:
        api = json.load(resp)
    if api != r:
        print("differs:", i, "\n export:", r, "\n api:   ", api)
        bad += 1
print("compared %d records" % len(exported))
sys.exit(1 if bad else 0)
PY
"$REMNANT" --db empty.db init --no-key >/dev/null 2>&1 || "$REMNANT" --db empty.db init >/dev/null
if "$REMNANT" --db empty.db import public.jsonl >import.txt 2>&1; then
    ok "export --public imports into an empty database"
else
    bad "export --public does not import: $(cat import.txt)"
fi

# 3. the finding's own internal notes are not public (point 3)
st=$(api public GET "/api/v1/findings/$F")
check "published finding readable anonymously" 200 "$st"
grep -q notes "$W/body" && bad "the published finding's notes are public"

stop_server || bad "server stopped cleanly"
grep -q "runtime error\|AddressSanitizer\|LeakSanitizer" "$W/server.log" && { bad "sanitizer report"; cat "$W/server.log"; }
echo "$fails failed"
[ "$fails" -eq 0 ]
