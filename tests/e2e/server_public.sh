#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# server_public.sh — the anonymous crawl. Restricted values are seeded where
# the model keeps them: a person's name (investigators, a person entity), a
# source, a custody holder, a capturer, a trace answer, a finding's author
# and reviewer, an unpublished finding, exact coordinates. One finding is
# published citing records that hold such values. Then every public endpoint
# is crawled without credentials, following every id any response names,
# and every response is searched for every restricted value: none may
# appear. The published finding and its cited records must be visible, with
# coordinates on the grid.
. "$RN_SRC/tests/server/lib.sh"

make_users
SECRETS=(Zoltan-Kovacs-Investigator Source-Deep-Throat-7 Custody-Holder-Vault-9
         Capturer-Jane-Roe Answer-Secret-Reply Author-Anna-Analyst Reviewer-Rex
         Unpublished-Finding-Text Person-Entity-Ivan-Petrov 49.98765 36.23456
         Draft-Notes-Hidden)
E=$("$REMNANT" add event name="Strike remnants" country=UA lat=49.98765 lon=36.23456 \
      investigators="Zoltan-Kovacs-Investigator" source="Source-Deep-Throat-7" \
      custody_holder="Custody-Holder-Vault-9")
I=$("$REMNANT" add item kind=weapon event="$E" serial=SER-123 lot=LOT-9)
M=$("$REMNANT" add marking item="$I" text="SER-123 2315")
head -c 500 /dev/urandom >p.jpg
A=$("$REMNANT" attach "$I" p.jpg)
"$REMNANT" edit "$A" captured_by="Capturer-Jane-Roe" >/dev/null
C=$("$REMNANT" add custody item="$I" holder="Custody-Holder-Vault-9")
P=$("$REMNANT" add entity kind=person name="Person-Entity-Ivan-Petrov")
CO=$("$REMNANT" add entity kind=company name="Acme Public Co")
T=$("$REMNANT" add transfer supplier="$CO" recipient="$P" source="Source-Deep-Throat-7")
TR=$("$REMNANT" add trace recipient="$CO" answer="Answer-Secret-Reply")
D=$("$REMNANT" add finding statement="Unpublished-Finding-Text" notes="Draft-Notes-Hidden" \
      author="Author-Anna-Analyst")
F=$("$REMNANT" add finding statement="The missile holds foreign parts" \
      author="Author-Anna-Analyst" evidence="$E;$I;$M;$A;$C;$P;$T;$TR;$D")
echo "password-rex" | "$REMNANT" user add Reviewer-Rex --role reviewer
publish_finding "$F" Reviewer-Rex password-rex
start_server --quiet --public-grid 0.1

python3 - "$BASE" "$F" "$E" "$I" "$D" "$C" "${SECRETS[@]}" <<'PY' > crawl.txt
import json, sys, urllib.request, urllib.error, re
base, F, E, I, D, C = sys.argv[1:7]
secrets = sys.argv[7:]
types = "events items markings attachments entities transfers traces findings sanctions custody claims".split()
seen, queue, bodies, fails = set(), [], {}, 0
def get(path):
    try:
        with urllib.request.urlopen(base + path) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
def push(p):
    if p not in seen:
        seen.add(p); queue.append(p)
for p in ["/api/v1/health", "/api/openapi.json", "/api/v1/me", "/api/v1/log/checkpoint",
          "/api/v1/search?q=SER", "/api/v1/search?q=Unpublished", "/api/v1/search?q=Draft",
          "/api/v1/search?q=Petrov", "/api/v1/search?q=2315", "/api/v1/findings?status=draft",
          "/api/v1/entities?name=Person-Entity-Ivan-Petrov", "/api/v1/events?source=Source-Deep-Throat-7"]:
    push(p)
for t in types: push("/api/v1/" + t + "?limit=1000")
ids = set()
while queue:
    p = queue.pop(0)
    st, body = get(p)
    bodies[p] = (st, body)
    for i in re.findall(rb'"([0-9A-HJKMNP-TV-Z]{26})"', body):
        i = i.decode()
        if i not in ids:
            ids.add(i)
            for t in types: push("/api/v1/%s/%s" % (t, i))
            push("/api/v1/log/proof/" + i)
            push("/api/v1/attachments/%s/content" % i)
for p, (st, body) in sorted(bodies.items()):
    for s in secrets:
        if s.encode() in body:
            print("LEAK %s in %s (%d)" % (s, p, st)); fails += 1
def status(p): return bodies.get(p, get(p))[0]
checks = [("published finding visible", status("/api/v1/findings/" + F) == 200),
          ("cited event visible", status("/api/v1/events/" + E) == 200),
          ("cited item visible", status("/api/v1/items/" + I) == 200),
          ("cited draft finding hidden", status("/api/v1/findings/" + D) == 404),
          ("custody hidden even when cited", status("/api/v1/custody/" + C) == 404)]
ev = json.loads(get("/api/v1/events/" + E)[1])
checks.append(("coordinates on the 0.1 grid", abs(ev.get("lat", 0) - 50.0) < 1e-9 and abs(ev.get("lon", 0) - 36.2) < 1e-9))
checks.append(("crawl reached many responses", len(bodies) > 100))
for what, good in checks:
    print(("ok - " if good else "FAIL - ") + what); fails += 0 if good else 1
print("crawled %d responses, %d ids" % (len(bodies), len(ids)))
print("LEAKS %d" % fails)
PY
cat crawl.txt
grep -q "^LEAKS 0$" crawl.txt && ok "anonymous crawl: no restricted value in any response" \
    || bad "anonymous crawl found restricted values or failed checks"

# the same values are there for a logged-in reader: the crawl can fail
st=$(api reviewer GET "/api/v1/events/$E")
grep -q Source-Deep-Throat-7 "$W/body" && ok "a reviewer sees the source (crawl would catch a leak)" \
    || bad "reviewer sees the source ($st)"

stop_server || bad "server stopped cleanly"
no_sanitizer_report
echo "$fails failed"
[ "$fails" -eq 0 ]
