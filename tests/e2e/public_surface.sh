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
# a photo (a file with no public copy is not public at all: docs/PUBLIC.md P4)
cp "$RN_SRC/tests/photo/gps.png" "$S-attachment-filename.png"
A=$("$REMNANT" attach "$C1" "$S-attachment-filename.png" 2>/dev/null)
"$REMNANT" edit "$A" captured_by="$S-attachment-captured_by" notes="$S-attachment-notes" >/dev/null
# a photo with GPS (tests/photo/gps.jpg): the public gets only its copy
cp "$RN_SRC/tests/photo/gps.jpg" photo.jpg
PH=$("$REMNANT" attach "$W1" photo.jpg 2>/dev/null)
PH_SHA=$(sha256sum photo.jpg | cut -c1-64)
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
F=$("$REMNANT" add finding statement="The missile holds foreign parts" \
      author="$S-finding-author" notes="$S-finding-notes" \
      evidence="$E;$W1;$C1;$M;$A;$PH;$P;$CO;$T;$TR;$CU;$CL;$SA;$D")
[ -n "$F" ] || { bad "setting up the published finding"; exit 1; }
# reviewed and published by an account (the reviewer is the account's name)
echo "password-s3cret" | "$REMNANT" user add "$S-finding-reviewer" --role reviewer \
    || bad "reviewer account"
publish_finding "$F" "$S-finding-reviewer" password-s3cret

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
"$REMNANT" export --public --blobs pubfiles -o public.jsonl 2>/dev/null || bad "export --public failed"
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
if "$REMNANT" --db empty.db import --blobs pubfiles public.jsonl >import.txt 2>&1; then
    ok "export --public imports into an empty database"
else
    bad "export --public does not import: $(cat import.txt)"
fi

# 3. the public bundle and the public proofs (point 5)
VERIFY="$RN_BUILD/src/verify/remnant-verify"
VK=$("$REMNANT" key show)
"$REMNANT" bundle --public --finding "$F" -o pub.bundle >/dev/null || bad "bundle --public failed"
"$REMNANT" bundle --finding "$F" -o full.bundle >/dev/null || bad "bundle failed"
if grep -a -n -E 'S3CRET|49\.98765|36\.23456' pub.bundle; then
    bad "the public bundle holds restricted values"
else
    ok "the public bundle holds no restricted value"
fi
grep -a -q 'S3CRET-event-source' full.bundle && ok "the full bundle holds the source (control)" \
    || bad "the full bundle lacks the source"
"$VERIFY" --key "$VK" pub.bundle >verify_pub.txt; check "remnant-verify accepts the public bundle" 0 $?
grep -a -q "^blob $PH_SHA" pub.bundle && bad "the public bundle holds the original photo"
grep -a -q "^blob $PH_SHA" full.bundle && ok "the full bundle holds the original photo" \
    || bad "the full bundle lacks the original photo"
[ "$(grep -a -c '^blob ' pub.bundle)" -ge 1 ] && grep -q 'SHA-256 matches' verify_pub.txt \
    && ok "the public bundle carries the photo's public copy, verified" \
    || bad "no verified public copy in the public bundle"
grep -q 'values disclosed and proven' verify_pub.txt || bad "remnant-verify names what was disclosed"
"$VERIFY" --key "$VK" full.bundle >/dev/null; check "remnant-verify accepts the full bundle" 0 $?
# a changed public value fails: the statement of the finding
sed 's/The missile holds foreign parts/The missile holds foreign PARTS/' pub.bundle >changed.bundle
cmp -s pub.bundle changed.bundle && bad "the test did not change the bundle"
"$VERIFY" --key "$VK" changed.bundle >/dev/null; check "a changed public value fails verification" 6 $?
# a public bundle cannot be turned into a full one by withholding a disclosure
python3 - full.bundle short.bundle <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
lines = data.split(b"\n")
out, i = [], 0
while i < len(lines):
    l = lines[i]
    if l.startswith(b"disclosures "):
        seq, n, ln = l.split()[1:]
        payload = lines[i + 1:i + 1 + int(n)]
        if int(n) > 1:
            payload = payload[:-1]
            body = b"\n".join(payload)
            out.append(b"disclosures %s %d %d" % (seq, len(payload), len(body)))
            out.extend(payload)
            i += 1 + int(n)
            continue
    out.append(l)
    i += 1
open(sys.argv[2], "wb").write(b"\n".join(out))
PY
"$VERIFY" --key "$VK" short.bundle >/dev/null; check "a full bundle missing a disclosure fails" 6 $?

# The dictionary attack: everything the public can get (the public bundle,
# every public proof) against guesses of withheld values that include the
# true ones. It must find nothing; the same attack on the full bundle
# (staff) finds the true values, so the attack itself works.
python3 - "$BASE" pub.bundle full.bundle "$E" "$A" "$F" <<'PY' && ok "dictionary attack on withheld fields through public proofs fails" \
    || bad "dictionary attack succeeded or did not run"
import hashlib, json, sys, urllib.request, urllib.error
base, pub, full, E, A, F = sys.argv[1:]
guesses = {
    "lat": ["49.987654", "49.98765", "49.9877", "50.000000"],
    "lon": ["36.234567", "36.23456", "36.2346", "36.200000"],
    "source": ['"S3CRET-event-source"', '"unknown"'],
    "investigators": ['["S3CRET-event-investigators"]'],
    "custody_holder": ['"S3CRET-event-custody_holder"'],
    "notes": ['"S3CRET-event-notes"', '"S3CRET-finding-notes"', '"S3CRET-attachment-notes"'],
    "author": ['"S3CRET-finding-author"'], "reviewer": ['"S3CRET-finding-reviewer"'],
    "_author": ['""', '"u_admin"'], "captured_by": ['"S3CRET-attachment-captured_by"'],
    "filename": ['"S3CRET-attachment-filename.png"'],
}
def sections(path):
    data = open(path, "rb").read().split(b"\n")
    entries, i = [], 0
    while i < len(data):
        w = data[i].split(b" ")
        if w[0] == b"entry":
            entries.append({"entry": data[i + 1], "disc": []}); i += 2; continue
        if w[0] == b"disclosures":
            n = int(w[2]); entries[-1]["disc"] = data[i + 1:i + 1 + n] if n else []
            i += 1 + (n if n else 1); continue
        i += 1
    return entries
def attack(entries):
    found = 0
    for e in entries:
        ent = json.loads(e["entry"])
        digests = set(ent.get("digests", []))
        salts = [""] + ["0" * 32] + [json.loads(d)[0] for d in e["disc"]]
        for name, vals in guesses.items():
            for v in vals:
                for salt in salts:
                    for sep in (",", ", "):
                        d = '["%s"%s"%s"%s%s]' % (salt, sep, name, sep, v)
                        if hashlib.sha256(d.encode()).hexdigest() in digests:
                            found += 1
    return found
pub_entries = sections(pub)
proofs = []
for i in (E, A, F):
    try:
        with urllib.request.urlopen("%s/api/v1/log/proof/%s" % (base, i)) as r:
            p = json.load(r)
            proofs.append({"entry": p["entry"].encode(), "disc": [d.encode() for d in p.get("disclosures", [])]})
    except urllib.error.HTTPError as e:
        print("proof of %s: %d" % (i, e.code))
assert len(pub_entries) >= 3 and len(proofs) == 3, "nothing to attack"
# the attacker knows the salts of disclosed fields; they never repeat
# (the same entry reached twice carries the same disclosures)
salts = [json.loads(d)[0] for d in {d for e in pub_entries + proofs for d in e["disc"]}]
assert len(salts) == len(set(salts)), "a salt repeats"
hits = attack(pub_entries) + attack(proofs)
print("hits through public data:", hits)
# the control: with the full bundle's disclosures the true values are known,
# and the digests of those exact disclosures are in the entries
full_entries = sections(full)
control = sum(1 for e in full_entries for d in e["disc"]
              if hashlib.sha256(d).hexdigest() in set(json.loads(e["entry"]).get("digests", []))
              and b"S3CRET" in d)
print("control matches through the full bundle:", control)
sys.exit(0 if hits == 0 and control >= 5 else 1)
PY

# the public bundle over HTTP is the same kind of bundle and verifies
curl -fsS -o http.bundle "$BASE/api/v1/findings/$F/bundle" || bad "GET the public bundle"
head -1 http.bundle | grep -q '^remnant-bundle v2 public$' && ok "the anonymous bundle is a public bundle" \
    || bad "the anonymous bundle is not a public bundle"
"$VERIFY" --key "$VK" http.bundle >/dev/null; check "the anonymous bundle verifies" 0 $?
st=$(api public GET "/api/v1/findings/$D/bundle"); check "no bundle of a draft for the public" 404 "$st"

# 4. the preview before publishing (point 4): the same function, as if the
#    draft were published; staff only
st=$(api reviewer GET "/api/v1/findings/$D/preview"); check "staff preview a draft" 200 "$st"
grep -q "$D" "$W/body" && ok "the preview shows the draft as public" || bad "the preview lacks the draft"
# (the draft's statement becomes public with it; nothing else may)
grep -o 'S3CRET[A-Za-z_.-]*' "$W/body" | grep -v '^S3CRET-unpublished-statement$' \
    && bad "the preview shows restricted values"
grep -q '49.987654' "$W/body" && bad "the preview shows exact coordinates"
st=$(api public GET "/api/v1/findings/$D/preview"); [ "$st" = 401 ] || [ "$st" = 403 ] \
    && ok "the public gets no preview ($st)" || bad "the public got a preview ($st)"
"$REMNANT" export --public --preview "$D" -o preview.jsonl
grep -q "$D" preview.jsonl && ok "export --public --preview holds the draft" \
    || bad "export --public --preview lacks the draft"
grep -q "$D" public.jsonl && bad "the draft leaked into the real public export"

# 5. the finding's own internal notes are not public (point 3)
st=$(api public GET "/api/v1/findings/$F")
check "published finding readable anonymously" 200 "$st"
grep -q notes "$W/body" && bad "the published finding's notes are public"

stop_server || bad "server stopped cleanly"
no_sanitizer_report
echo "$fails failed"
[ "$fails" -eq 0 ]
