#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# sync_public.sh — `sync export --public`: a partner receives exactly the
# public view (include/remnant/public.h) of published findings and what
# they cite, with proofs (each record's latest entry, the disclosures of the
# fields shown as logged, its inclusion proof), and nothing else: no string
# of a non-public field or record is in the package. The partner's records
# equal `remnant export --public` at the source, verify holds, a later
# package brings changes, a replayed old one is refused. Data: the invented
# demo dataset.
set -euo pipefail

REMNANT=${REMNANT:?set REMNANT to the remnant binary}
T=$(mktemp -d "${TMPDIR:-/tmp}/rn_sync_public.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"
export REMNANT_AUTHOR=e2e

ok() { printf 'ok   %s\n' "$*"; }
die() { printf 'FAIL %s\n' "$*" >&2; exit 1; }
rn() { "$REMNANT" "$@"; }
same_as_public() { # the partner holds exactly HQ's public view
    rn --db hq.db export --public >a.jsonl
    rn --db partner.db export >b.jsonl
    python3 - <<'PY'
import json, sys
a = sorted(json.dumps(json.loads(l), sort_keys=True) for l in open("a.jsonl"))
b = sorted(json.dumps(json.loads(l), sort_keys=True) for l in open("b.jsonl"))
sys.exit(0 if a == b and a else 1)
PY
}
no_leak() { # no string of the full data that the public does not see is in $1
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

rn demo hq.db >/dev/null 2>&1
rn --db hq.db key show >/dev/null 2>&1 || rn --db hq.db key create >/dev/null 2>&1
rn init partner.db >/dev/null 2>&1
rn --db hq.db peer add partner - --key "$(rn --db partner.db key show)" --role partner >/dev/null
rn --db partner.db peer add hq - --key "$(rn --db hq.db key show)" >/dev/null

rn --db hq.db sync export --peer partner --public -o p1.sync 2>/dev/null
[ "$(head -1 p1.sync)" = "remnant-sync v1 public" ] || die "not a public package"
out=$(rn --db partner.db sync import p1.sync)
grep -q "0 conflicts" <<<"$out" || die "import: $out"
same_as_public || die "the partner does not hold exactly the public view"
ok "the partner holds exactly the public view"
no_leak p1.sync || die "the public package carries non-public data"
ok "no non-public string is in the package"
rn --db partner.db verify >v.txt || { cat v.txt; die "verify fails at the partner"; }
grep -q "provenance: .* synced changes checked" v.txt || die "provenance not checked"
ok "verify holds at the partner, with the provenance of every public record"

# a later change: a public item renamed, a non-public event annotated
PI=$(python3 -c 'import json
for l in open("a.jsonl"):
    r = json.loads(l)
    if r["type"] == "item": print(r["id"]); break')
rn --db hq.db edit "$PI" name="renamed for the public test (invented)" >/dev/null
EV=$(rn --db hq.db add event name="Internal only: not cited (invented)" notes="internal-note-do-not-share")
rn --db hq.db sync export --peer partner --public -o p2.sync 2>/dev/null
grep -q "internal-note-do-not-share" p2.sync && die "a non-public record's note is in the package"
rn --db partner.db sync import p2.sync >/dev/null
grep -q "renamed for the public test" <<<"$(rn --db partner.db show "$PI")" || die "the change did not arrive"
rn --db partner.db show "$EV" >/dev/null 2>&1 && die "a non-public event reached the partner"
same_as_public || die "after the second package the partner differs from the public view"
rn --db partner.db verify >/dev/null || die "verify fails after the second package"
ok "a later package brings the public change and nothing else"

if out=$(rn --db partner.db sync import p1.sync 2>&1); then die "a replayed old public package was accepted"; fi
grep -q "ROLLBACK" <<<"$out" || die "no ROLLBACK: $out"
grep -q "imported already" <<<"$(rn --db partner.db sync import p2.sync)" || die "p2 twice"
ok "a replayed old public package is refused; the newest again changes nothing"
