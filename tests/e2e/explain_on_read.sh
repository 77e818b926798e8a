#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# explain_on_read.sh — the decoder's explanations are not stored with the
# candidates; `remnant claim` renders them when read (lib/store/decoded.c,
# rn__decoded_explain). As a user meets it:
#   1. after a (threaded) import, every explanation `claim --json` shows for a
#      candidate is the one `remnant decode` gives for the marking's text
#      with the item's context (category, producing state, manufacturer,
#      documentation date, each read here from the database with sqlite3,
#      inherited from the items it is part of), at the candidate's rank; the
#      best candidate of each field has one, the others none;
#   2. an item edited (its category) has its markings decoded again: the
#      candidates and their explanations follow the new context;
#   3. a rule added beside the database that reads a marking otherwise makes
#      the stored reading no longer the decoder's: `claim` then gives no
#      explanation for it and says why and what to do; after
#      `decode --reindex` the explanations are back;
#   4. a rule file that does not load: `claim` says so, and
#      `decode --reindex` names the broken rule.
# The data is `remnant generate`'s (invented).
#
# Env: REMNANT (the remnant binary), RN_SRC (source tree).
set -u
. "${RN_SRC:?source tree}/tests/lib/e2e.sh"
export REMNANT_DB="$W/a.db" REMNANT_AUTHOR=e2e REMNANT_DATA="$RN_SRC/data"
command -v sqlite3 >/dev/null || die "sqlite3 is needed"

rn generate --items 6000 --seed 7 -o gen.jsonl
rn init "$REMNANT_DB" >/dev/null 2>&1 || die "init"
run "import" rn import gen.jsonl --quiet
check "no explanation stored" 0 "$(sqlite3 "$REMNANT_DB" \
    'SELECT count(*) FROM candidate WHERE explanation IS NOT NULL')"

# 1. claim's explanations == decode's, item by item (60 items with markings)
cat >oracle.py <<'EOF'
# For each item id on stdin: its claim --json against remnant decode --json
# of each of its markings with the context read from the database.
import datetime, json, sqlite3, subprocess, sys
rn, db = sys.argv[1], sys.argv[2]
con = sqlite3.connect(db)
def row(sql, *a):
    return con.execute(sql, a).fetchone()
def ctx(item):
    cat, state, maker, event, parent = row("SELECT category, producing_state, manufacturer,"
                                           " event, parent FROM item WHERE id=?", item)
    doc = None
    if event:
        d = row("SELECT documented_latest, incident_latest FROM event WHERE id=?", event)
        doc = d[0] if d[0] is not None else d[1]
    p, depth = parent, 0
    while p and (doc is None or not state) and depth < 64:
        pc, ps, pm, pe, pp = row("SELECT category, producing_state, manufacturer, event,"
                                 " parent FROM item WHERE id=?", p)
        if doc is None and pe:
            d = row("SELECT documented_latest, incident_latest FROM event WHERE id=?", pe)
            doc = d[0] if d[0] is not None else d[1]
        state = state or ps
        p, depth = pp, depth + 1
    return cat, state, maker, doc
explained = compared = 0
for item in sys.stdin.read().split():
    claim = json.loads(subprocess.run([rn, "--db", db, "claim", item, "--json"],
                                      capture_output=True, check=True).stdout)
    cat, state, maker, doc = ctx(item)
    args = []
    for k, v in (("category", cat), ("state", state), ("manufacturer", maker)):
        if v:
            args += ["--context", f"{k}={v}"]
    if doc is not None:
        args += ["--documented", str(datetime.date(1970, 1, 1) + datetime.timedelta(days=doc))]
    decoded = {}
    for c in claim["decoder"]:
        m = c["marking"]
        if m not in decoded:
            out = subprocess.run([rn, "decode", "--json"] + args + ["--", c["text"]],
                                 capture_output=True, check=True).stdout
            decoded[m] = json.loads(out)["candidates"]
        want = decoded[m][c["rank"]]
        best = all(x["field"] != c["field"] for x in decoded[m][:c["rank"]])
        if (want["value"], want["rule"]) != (c["value"], c["rule"]):
            sys.exit(f"{item}: candidate {m}/{c['rank']} is {c['value']} ({c['rule']}), "
                     f"decode says {want['value']} ({want['rule']})")
        if "explanation_unavailable" in c:
            sys.exit(f"{item}: {m}/{c['rank']} unavailable: {c['explanation_unavailable']}")
        if best and c["explanation"] != want["explanation"]:
            sys.exit(f"{item}: {m}/{c['rank']}: claim explains {c['explanation']!r}, "
                     f"decode {want['explanation']!r}")
        if not best and c["explanation"] is not None:
            sys.exit(f"{item}: {m}/{c['rank']} is not the best of its field yet explained")
        compared += 1
        explained += best
print(compared, explained)
EOF
# against_decode WHAT: the items of items.txt pass oracle.py; its counts in
# oracle.out ("candidates explained")
against_decode() {
    if python3 oracle.py "$REMNANT" "$REMNANT_DB" <items.txt >oracle.out 2>oracle.err; then
        ok "$1"
    else bad "$1: $(cat oracle.err)"; fi
}
sqlite3 "$REMNANT_DB" "SELECT DISTINCT item FROM marking ORDER BY item LIMIT 60" >items.txt
against_decode "claim's candidates and explanations are decode's"
read -r compared explained <oracle.out
if [ "${explained:-0}" -gt 50 ]; then ok "$explained explained of $compared candidates compared"
else bad "too few explanations compared (${explained:-none} of ${compared:-none})"; fi

# 2. an edit of the item's category decodes its markings again
item=$(sqlite3 "$REMNANT_DB" "SELECT m.item FROM marking m JOIN item i ON i.id = m.item
    JOIN candidate c ON c.marking = m.id WHERE i.category = 'ic' AND c.rule = 'yyww'
    AND c.rank = 0 LIMIT 1")
[ -n "$item" ] || die "no item of category ic with a YYWW date code"
expect 0 "claim before the edit" rn claim "$item" --json
has "ranked up for an IC" "Ranked up: the item's category 'ic'"
expect 0 "edit the category" rn edit "$item" category=missile
expect 0 "claim after the edit" rn claim "$item" --json
hasnt "no longer ranked up for an IC" "Ranked up: the item's category 'ic'"
hasnt "explained after the edit" "explanation_unavailable"
echo "$item" >items.txt
against_decode "after the edit, claim's candidates and explanations are decode's with the new category"

# 3. a rule added beside the database: the stored reading is no longer the
#    decoder's until decode --reindex
tja=$(sqlite3 "$REMNANT_DB" "SELECT item FROM marking WHERE text LIKE 'TJA%' LIMIT 1")
[ -n "$tja" ] || die "no marking beginning with TJA"
mkdir rules
cat >rules/e2e.rules <<'EOF'
source e2e-invented "An invented rule for a test: not a fact"
prefix ti TJA then=digit src=e2e-invented
EOF
expect 0 "claim with a rule added" rn claim "$tja" --json
has "says the explanation is unavailable" '"explanation_unavailable":"the decoder no longer reads'
has "says what to do" "decode --reindex"
expect 0 "the text form too" rn claim "$tja"
has "the text form says why" "the decoder no longer reads the marking this way"
expect 0 "decode --reindex" rn decode --reindex
expect 0 "claim after reindex" rn claim "$tja" --json
hasnt "explained again" "explanation_unavailable"
has "the new rule's reading" '"rule":"prefix:ti:TJA"'
echo "$tja" >items.txt
against_decode "after reindex, claim's explanations are decode's with the rule added"

# 4. a rule file that does not load: claim still answers, and says so
echo "prefix nosuchmaker XYZ" >rules/broken.rules
expect 0 "claim with a broken rule file" rn claim "$tja" --json
has "says the rules do not load" "the decoder's rules do not load"
expect 3 "decode --reindex names the broken rule" rn decode --reindex
if grep -q "rules/broken.rules:1" err.txt; then ok "the broken rule is named"
else bad "the broken rule is not named: $(cat err.txt)"; fi

e2e_done
