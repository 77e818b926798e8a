#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# workflow.sh — issue 11, "A review that means something", points 6 to 10,
# through the real `remnant` binary and `remnant serve`. Each check names
# its point (P6 .. P10); the rules are lib/store/lifecycle.c W1-W7,
# lib/analysis/finding.c F1-F6, trace.c T1-T7, lib/ledger/history.c H1-H4.
#   P6  a reviewed or published finding never changes (edit, admin PATCH,
#       rm); a change is a new draft that supersedes it; withdrawal is an
#       explicit, logged act with a reason.
#   P7  the reviewer is the authenticated account (password), never an
#       environment variable or --reviewer; nobody reviews their own finding.
#   P8  a trace request moves only along its lifecycle, each move dated; it
#       cannot be created (or imported) answered without an answer.
#   P9  `remnant history ID` and GET /api/v1/records/{id}/history: every
#       change with its log index, author, time and field diff; not public.
#   P10 `remnant init` makes the signing key (--no-key: none), and `remnant
#       verify` says plainly when checkpoints are unsigned.
. "$RN_SRC/tests/server/lib.sh"

# field ID NAME: a field of a record as `show --json` gives it ("" if unset)
# (a date: its text form when it is one day)
field() { "$REMNANT" show "$1" --json | python3 -c "
import json,sys; v=json.load(sys.stdin).get('$2')
if isinstance(v, dict) and v.get('earliest') == v.get('latest'): v = v['earliest']
print('' if v is None else v if isinstance(v,str) else json.dumps(v))"; }
# newid: an id for an imported record (26 Crockford base32 characters)
newid() { python3 -c "import random; print('01J9WF' + ''.join(random.choice('0123456789ABCDEFGHJKMNPQRSTVWXYZ') for _ in range(20)))"; }

# ---- P10: init makes the key; verify names unsigned checkpoints -------------
expect 0 "P10 init" "$REMNANT" --db p10.db init
[ -f p10.db.key ] && ok "P10 init made the signing key p10.db.key" || bad "P10 init made no key"
grep -q "signing key: " out.txt && ok "P10 init prints the verifier key" || bad "P10 verifier key"
[ "$(stat -c %a p10.db.key 2>/dev/null)" = 600 ] && ok "P10 key file is 0600" || bad "P10 key mode"
"$REMNANT" --db p10.db add event name="signed from the start" >/dev/null
expect 0 "P10 verify (signed)" "$REMNANT" --db p10.db verify
grep -q "1 checkpoints (1 signed).*all consistent" out.txt && ! grep -q WARNING out.txt &&
    ok "P10 every checkpoint signed" || bad "P10 signed summary: $(cat out.txt)"
expect 0 "P10 init --no-key" "$REMNANT" --db nokey.db init --no-key
[ ! -e nokey.db.key ] && ok "P10 --no-key makes no key" || bad "P10 --no-key made a key"
"$REMNANT" --db nokey.db add event name="unsigned" >/dev/null
expect 0 "P10 verify (unsigned)" "$REMNANT" --db nokey.db verify
grep -q "all consistent" out.txt && bad "P10 unsigned log called all consistent: $(cat out.txt)" ||
    ok "P10 an unsigned log is not 'all consistent'"
grep -q "WARNING: 1 of 1 checkpoints is unsigned" out.txt && ok "P10 verify says unsigned" ||
    bad "P10 no warning: $(cat out.txt)"
expect 0 "P10 verify --quiet still warns" "$REMNANT" --db nokey.db verify --quiet
grep -q "unsigned" out.txt && ok "P10 --quiet keeps the warning" || bad "P10 --quiet warning"

# ---- the database of the rest, with the server's accounts -------------------
make_users
printf 'password-reviewer\n' >rev.pw
printf 'password-admin\n' >adm.pw
printf 'password-analyst\n' >ana.pw
printf 'not-the-password\n' >wrong.pw
E=$("$REMNANT" add entity kind=company name="Acme")
I=$("$REMNANT" add item kind=weapon name="cited item" serial=SN-1)
# a finding published elsewhere, brought in by import (an import may bring
# a record in any state whose facts hold)
PF=$(newid)
printf '{"type":"finding","id":"%s","statement":"Published text","evidence":["%s"],"author":"alice","reviewer":"u_reviewer","status":"published"}\n' \
    "$PF" "$I" >pf.jsonl
expect 0 "import of a published finding" "$REMNANT" import pf.jsonl
start_server --quiet

# ---- P6: published findings never change --------------------------------------
expect 3 "P6 remnant edit of a published finding is refused" "$REMNANT" edit "$PF" statement="Rewritten"
grep -q "revise" err.txt && ok "P6 the refusal names revise" || bad "P6 refusal text: $(cat err.txt)"
[ "$(field "$PF" statement)" = "Published text" ] && ok "P6 published statement unchanged" ||
    bad "P6 statement is now $(field "$PF" statement)"
check "P6 admin PATCH of a published finding" 409 \
    "$(api admin PATCH "/api/v1/findings/$PF" '{"statement":"Rewritten by admin"}')"
check "P6 admin PUT of a published finding" 409 \
    "$(api admin PUT "/api/v1/findings/$PF" '{"statement":"Rewritten by admin"}')"
check "P6 admin DELETE of a published finding" 409 "$(api admin DELETE "/api/v1/findings/$PF")"
[ "$(field "$PF" statement)" = "Published text" ] && [ "$(field "$PF" status)" = published ] &&
    [ "$(field "$PF" reviewer)" = u_reviewer ] && ok "P6 still published as it was" ||
    bad "P6 published finding changed"
expect 3 "P6 remnant rm of a published finding is refused" "$REMNANT" rm "$PF"
expect 3 "P6 a new finding cannot start published" \
    "$REMNANT" add finding statement="at once" status=published evidence="$I" reviewer=x author=y
D=$(REMNANT_AUTHOR=alice "$REMNANT" finding new "a draft" --evidence "$I")
expect 3 "P6 edit cannot publish a draft" "$REMNANT" edit "$D" status=published
expect 3 "P6 edit cannot set a reviewer" "$REMNANT" edit "$D" reviewer=u_reviewer
expect 0 "P6 a draft is edited freely" "$REMNANT" edit "$D" statement="a better draft"
# a change is a new version
expect 0 "P6 revise makes a new draft" "$REMNANT" finding revise "$PF" --statement "Corrected text"
N=$(cat out.txt)
[ "$(field "$N" supersedes)" = "$PF" ] && ok "P6 the new draft supersedes the published one" ||
    bad "P6 supersedes is '$(field "$N" supersedes)'"
[ "$(field "$N" status)" = draft ] && [ "$(field "$N" statement)" = "Corrected text" ] &&
    [ "$(field "$N" evidence)" = "[\"$I\"]" ] && ok "P6 the new draft keeps the evidence" ||
    bad "P6 new draft: $("$REMNANT" show "$N" --json)"
[ "$(field "$PF" statement)" = "Published text" ] && ok "P6 the old version stays readable" ||
    bad "P6 old version changed"
expect 0 "P6 finding show names the newer version" "$REMNANT" finding show "$PF"
grep -q "Superseded by: $N" out.txt && ok "P6 show: superseded by" || bad "P6 show: $(cat out.txt)"
check "P6 API revise" 201 "$(api analyst POST "/api/v1/findings/$PF/revise" '{}')"
[ "$(json_get supersedes <"$W/body")" = "$PF" ] && [ "$(json_get author <"$W/body")" = u_analyst ] &&
    ok "P6 API revise: supersedes, authored by the account" || bad "P6 API revise: $(cat "$W/body")"
# withdrawal: an explicit act with a reason
expect 2 "P6 withdraw needs a reason" "$REMNANT" finding withdraw "$PF" --user u_reviewer --password-file rev.pw
expect 2 "P6 withdraw needs an account" "$REMNANT" finding withdraw "$PF" --reason "wrong date code"
expect 0 "P6 withdraw" "$REMNANT" finding withdraw "$PF" --reason "The date code was misread" \
    --user u_reviewer --password-file rev.pw
[ "$(field "$PF" status)" = withdrawn ] && [ "$(field "$PF" withdrawn_reason)" = "The date code was misread" ] &&
    [ -n "$(field "$PF" withdrawn)" ] && [ "$(field "$PF" statement)" = "Published text" ] &&
    ok "P6 withdrawn with reason and date, text kept" || bad "P6 withdrawn: $("$REMNANT" show "$PF" --json)"
"$REMNANT" history "$PF" --json >h.json
python3 - h.json <<'PY' && ok "P6 the withdrawal is logged with its account" || bad "P6 withdrawal not in the log"
import json, sys
c = json.load(open(sys.argv[1]))["changes"][-1]
assert c["author"] == "u_reviewer" and c["op"] == "update", c
assert c["changed"]["status"] == {"from": "published", "to": "withdrawn"}, c
assert set(c["changed"]) == {"status", "withdrawn", "withdrawn_reason"}, c
PY
expect 3 "P6 a withdrawn finding stays withdrawn" "$REMNANT" edit "$PF" status=published
sed 's/Published text/Rewritten by import/' pf.jsonl >pf2.jsonl
expect 3 "P6 an import does not overwrite a finding" "$REMNANT" import pf2.jsonl
[ "$(field "$PF" statement)" = "Published text" ] && ok "P6 import left it as it was" || bad "P6 import rewrote it"
expect 3 "P6 a withdrawn finding is not removed" "$REMNANT" rm "$PF"

# ---- P7: the reviewer is the authenticated account ---------------------------
D7=$(REMNANT_AUTHOR=u_reviewer "$REMNANT" finding new "reviewer's own draft" --evidence "$I")
expect 2 "P7 --reviewer is no option" "$REMNANT" finding review "$D7" --reviewer someone-else
REMNANT_AUTHOR=u_admin USER=u_admin expect 2 "P7 the environment names no reviewer" \
    "$REMNANT" finding review "$D7" </dev/null
expect 3 "P7 a wrong password is refused" "$REMNANT" finding review "$D7" --user u_admin --password-file wrong.pw
expect 3 "P7 an analyst does not review" "$REMNANT" finding review "$D7" --user u_analyst --password-file ana.pw
expect 3 "P7 the author does not review their own finding" \
    "$REMNANT" finding review "$D7" --user u_reviewer --password-file rev.pw
[ "$(field "$D7" status)" = draft ] && [ -z "$(field "$D7" reviewer)" ] &&
    ok "P7 refused reviews changed nothing" || bad "P7 draft changed"
expect 0 "P7 another account reviews with its password" \
    "$REMNANT" finding review "$D7" --user u_admin --password-file - <adm.pw
[ "$(field "$D7" reviewer)" = u_admin ] && [ "$(field "$D7" status)" = reviewed ] &&
    ok "P7 the reviewer is the account" || bad "P7 reviewer is '$(field "$D7" reviewer)'"
expect 3 "P7 a reviewed finding is not edited" "$REMNANT" edit "$D7" reviewer=u_investigator
# a co-author (anyone whose change of the finding is in the log) does not review it
D8=$(REMNANT_AUTHOR=alice "$REMNANT" finding new "alice's draft" --evidence "$I")
REMNANT_AUTHOR=u_admin "$REMNANT" edit "$D8" statement="alice's draft, improved by u_admin" >/dev/null
expect 3 "P7 a co-author does not review" "$REMNANT" finding review "$D8" --user u_admin --password-file adm.pw
grep -q "history" err.txt && ok "P7 the refusal points at the history" || bad "P7 co-author: $(cat err.txt)"
expect 0 "P7 someone else does" "$REMNANT" finding review "$D8" --user u_reviewer --password-file rev.pw
# on a terminal the password is asked for, without echo: a pty, and the
# password is typed only once the prompt is there (no timing involved)
D9=$(REMNANT_AUTHOR=alice "$REMNANT" finding new "reviewed at a terminal" --evidence "$I")
python3 - "$REMNANT" "$D9" >tty.txt 2>&1 <<'PY'
import os, pty, signal, sys
signal.alarm(300)  # a guard against a hang, not a measurement
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "finding", "review", sys.argv[2], "--user", "u_reviewer"])
out = b""
while b"password for u_reviewer: " not in out:
    chunk = os.read(fd, 1024)
    if not chunk:
        break
    out += chunk
os.write(fd, b"password-reviewer\n")
while True:
    try:
        chunk = os.read(fd, 1024)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
PY
grep -q "password for u_reviewer:" tty.txt && grep -q "reviewed by u_reviewer" tty.txt &&
    ! grep -q "password-reviewer" tty.txt && ok "P7 the terminal prompt, without echo" ||
    bad "P7 terminal: $(cat -A tty.txt | head -5)"
[ "$(field "$D9" reviewer)" = u_reviewer ] && ok "P7 reviewed at the terminal" || bad "P7 tty review"
# API: the account of the request, never a value in the body
check "P7 analyst writes a draft" 201 "$(api analyst POST /api/v1/findings "{\"statement\":\"api draft\",\"evidence\":[\"$I\"]}")"
FA=$(json_get id <"$W/body")
[ "$(json_get author <"$W/body")" = u_analyst ] && ok "P7 API author is the account" || bad "P7 API author"
check "P7 analyst cannot review" 403 "$(api analyst POST "/api/v1/findings/$FA/review" '{}')"
check "P7 reviewer cannot PATCH a reviewer in" 403 "$(api reviewer PATCH "/api/v1/findings/$FA" '{"status":"reviewed","reviewer":"u_reviewer"}')"
check "P7 admin cannot PATCH a status in" 409 "$(api admin PATCH "/api/v1/findings/$FA" '{"status":"reviewed","reviewer":"u_reviewer"}')"
check "P7 a POST cannot name another author" 409 "$(api analyst POST /api/v1/findings '{"statement":"x","author":"u_reviewer"}')"
check "P7 reviewer reviews" 200 "$(api reviewer POST "/api/v1/findings/$FA/review" '{"reviewer":"someone-else"}')"
[ "$(json_get reviewer <"$W/body")" = u_reviewer ] && ok "P7 API reviewer is the account, not the body" ||
    bad "P7 API reviewer: $(cat "$W/body")"
check "P7 reviewer publishes" 200 "$(api reviewer POST "/api/v1/findings/$FA/publish")"
check "P7 published, then the public sees it" 200 "$(api public GET "/api/v1/findings/$FA")"
check "P6 API withdraw without a reason" 422 "$(api reviewer POST "/api/v1/findings/$FA/withdraw" '{}')"
check "P6 API withdraw" 200 "$(api reviewer POST "/api/v1/findings/$FA/withdraw" '{"reason":"superseded by new evidence"}')"
check "P7 admin reviews no finding of its own" 201 "$(api admin POST /api/v1/findings '{"statement":"admin draft"}')"
FB=$(json_get id <"$W/body")
check "P7 admin cannot review its own finding" 409 "$(api admin POST "/api/v1/findings/$FB/review")"
check "P7 analyst drafts" 201 "$(api analyst POST /api/v1/findings "{\"statement\":\"x\",\"evidence\":[\"$I\"]}")"
FC=$(json_get id <"$W/body")
check "P7 admin edits the draft" 200 "$(api admin PATCH "/api/v1/findings/$FC" '{"statement":"y"}')"
check "P7 so admin cannot review it" 409 "$(api admin POST "/api/v1/findings/$FC/review")"
check "P7 a reviewer who did not touch it can" 200 "$(api reviewer POST "/api/v1/findings/$FC/review")"

# ---- P8: trace requests move along their lifecycle ----------------------------
expect 3 "P8 a trace request is not created answered" "$REMNANT" add trace recipient="$E" status=answered
expect 3 "P8 nor created answered with a date but no answer" \
    "$REMNANT" add trace recipient="$E" status=answered sent=2024-01-01 answered=2024-02-01
TI=$(newid)
printf '{"type":"trace","id":"%s","recipient":"%s","status":"answered","sent":"2024-01-01","answered":"2024-02-01"}\n' \
    "$TI" "$E" >t.jsonl
expect 3 "P8 an import cannot bring an answered request without its answer" "$REMNANT" import t.jsonl
printf '{"type":"trace","id":"%s","recipient":"%s","status":"answered","sent":"2024-01-01","answered":"2024-02-01","answer":"Sold in 2022"}\n' \
    "$TI" "$E" >t.jsonl
expect 0 "P8 an import of an answered request with its answer" "$REMNANT" import t.jsonl
expect 0 "P8 trace new" "$REMNANT" trace new "$E" --question "Who bought lot 7?"
T=$(cat out.txt)
[ "$(field "$T" status)" = draft ] && ok "P8 a new request is a draft" || bad "P8 new status"
expect 3 "P8 edit cannot move the status" "$REMNANT" edit "$T" status=sent sent=2024-01-10
expect 3 "P8 draft cannot be answered" "$REMNANT" trace answer "$T" --answer "x" --date 2024-01-11
expect 0 "P8 send" "$REMNANT" trace send "$T" --date 2024-01-10 --due 2024-02-01
expect 3 "P8 edit cannot move the sent date" "$REMNANT" edit "$T" sent=2023-12-01
expect 0 "P8 ack" "$REMNANT" trace ack "$T" --date 2024-01-12
[ "$(field "$T" acknowledged)" = 2024-01-12 ] && ok "P8 the acknowledgement is dated" ||
    bad "P8 acknowledged is '$(field "$T" acknowledged)'"
expect 3 "P8 not overdue before the due date" "$REMNANT" trace overdue "$T" --date 2024-01-20
expect 0 "P8 overdue after the due date" "$REMNANT" trace overdue "$T" --date 2024-02-05
[ "$(field "$T" status)" = overdue ] && [ "$(field "$T" overdue_since)" = 2024-02-05 ] &&
    ok "P8 overdue, dated" || bad "P8 overdue: $("$REMNANT" show "$T" --json)"
expect 3 "P8 an answer before it was sent is refused" "$REMNANT" trace answer "$T" --answer "late" --date 2023-12-01
expect 0 "P8 a late answer" "$REMNANT" trace answer "$T" --answer "Sold to a distributor" --date 2024-02-10
expect 0 "P8 close" "$REMNANT" trace close "$T" --date 2024-02-11
python3 - "$("$REMNANT" show "$T" --json)" <<'PY' && ok "P8 every move kept its date" || bad "P8 dates"
import json, sys
r = json.loads(sys.argv[1])
want = {"sent": "2024-01-10", "acknowledged": "2024-01-12", "overdue_since": "2024-02-05",
        "answered": "2024-02-10", "closed": "2024-02-11", "status": "closed"}
got = {k: r[k]["earliest"] if isinstance(r.get(k), dict) else r.get(k) for k in want}
assert got == want, got
PY
expect 3 "P8 closed is final" "$REMNANT" edit "$T" notes="reopened?"
expect 3 "P8 no move out of closed" "$REMNANT" trace send "$T"
check "P8 API create an answered request" 409 "$(api analyst POST /api/v1/traces "{\"recipient\":\"$E\",\"status\":\"answered\"}")"
check "P8 API create a draft" 201 "$(api analyst POST /api/v1/traces "{\"recipient\":\"$E\"}")"
TA=$(json_get id <"$W/body")
check "P8 API PATCH cannot move the status" 409 "$(api analyst PATCH "/api/v1/traces/$TA" '{"status":"sent"}')"
check "P8 API move: send" 200 "$(api analyst POST "/api/v1/traces/$TA/move" '{"to":"sent","date":"2024-03-01","due":"2024-04"}')"
[ "$(json_get status <"$W/body")" = sent ] && ok "P8 API sent" || bad "P8 API sent: $(cat "$W/body")"
check "P8 API move: answered needs the answer" 422 "$(api analyst POST "/api/v1/traces/$TA/move" '{"to":"answered"}')"
check "P8 API move: unknown status" 422 "$(api analyst POST "/api/v1/traces/$TA/move" '{"to":"lost"}')"
check "P8 API move by a reviewer" 403 "$(api reviewer POST "/api/v1/traces/$TA/move" '{"to":"closed"}')"

# ---- P9: the history of a record from the log -----------------------------------
H=$(REMNANT_AUTHOR=alice "$REMNANT" add item kind=remnant name="first name")
REMNANT_AUTHOR=bob "$REMNANT" edit "$H" name="second name" >/dev/null
REMNANT_AUTHOR=carol "$REMNANT" edit "$H" serial=SER-9 lot= >/dev/null
REMNANT_AUTHOR=dave "$REMNANT" rm "$H" >/dev/null
expect 0 "P9 history" "$REMNANT" history "$H"
grep -q "4 changes" out.txt && grep -q 'name: "first name" -> "second name"' out.txt &&
    grep -q "bob  update" out.txt && ok "P9 history for people: who, what" || bad "P9 history: $(cat out.txt)"
expect 0 "P9 history --json" "$REMNANT" history "$H" --json
cp out.txt hist.json
SEQS=$(sqlite3 "$REMNANT_DB" "SELECT group_concat(seq, ',') FROM (SELECT seq FROM ledger_entry WHERE record_id='$H' ORDER BY seq)")
python3 - hist.json "$SEQS" <<'PY' && ok "P9 every change: log index, author, op, field diff" || bad "P9 history json"
import json, sys
h = json.load(open(sys.argv[1]))
ch = h["changes"]
assert h["type"] == "item", h
assert [c["seq"] for c in ch] == [int(x) for x in sys.argv[2].split(",")], (ch, sys.argv[2])
assert [c["author"] for c in ch] == ["alice", "bob", "carol", "dave"], ch
assert [c["op"] for c in ch] == ["create", "update", "update", "delete"], ch
assert ch[0]["changed"] == {"kind": {"from": None, "to": "remnant"},
                            "name": {"from": None, "to": "first name"}}, ch[0]
assert ch[1]["changed"] == {"name": {"from": "first name", "to": "second name"}}, ch[1]
assert ch[2]["changed"] == {"serial": {"from": None, "to": "SER-9"}}, ch[2]
assert ch[3]["changed"] == {"kind": {"from": "remnant", "to": None},
                            "name": {"from": "second name", "to": None},
                            "serial": {"from": "SER-9", "to": None}}, ch[3]
assert all(len(c["time"]) == 24 and c["time"].endswith("Z") for c in ch), ch
PY
check "P9 API history" 200 "$(api reviewer GET "/api/v1/records/$H/history")"
python3 -c "import json,sys; a=json.load(open('$W/body')); b=json.load(open('hist.json')); sys.exit(a!=b)" &&
    ok "P9 API and CLI give the same history" || bad "P9 API history differs"
check "P9 the public gets no history" 401 "$(api public GET "/api/v1/records/$I/history")"
check "P9 nor of a published finding" 401 "$(api public GET "/api/v1/records/$FA/history")"
check "P9 history of no record" 404 "$(api admin GET /api/v1/records/01J9WF00000000000000000000/history)"
expect 4 "P9 history of no record (CLI)" "$REMNANT" history 01J9WF00000000000000000000
# the finding's history shows its review by the account (P7 in the log)
check "P9 a finding's history" 200 "$(api admin GET "/api/v1/records/$FA/history")"
python3 - "$W/body" <<'PY' && ok "P9/P7 the log names the reviewing account" || bad "P9 finding history"
import json, sys
ch = json.load(open(sys.argv[1]))["changes"]
assert [c["author"] for c in ch] == ["u_analyst", "u_reviewer", "u_reviewer", "u_reviewer"], ch
assert ch[1]["changed"] == {"reviewer": {"from": None, "to": "u_reviewer"},
                            "status": {"from": None, "to": "reviewed"}}, ch[1]
PY

# an export of every state imports into an empty database (the facts hold)
"$REMNANT" export >all.jsonl
"$REMNANT" init --no-key empty.db >/dev/null
expect 0 "P6/P8 export imports into an empty database" "$REMNANT" --db empty.db import all.jsonl
[ "$("$REMNANT" --db empty.db show "$PF" --json)" = "$("$REMNANT" show "$PF" --json)" ] &&
    [ "$("$REMNANT" --db empty.db show "$T" --json)" = "$("$REMNANT" show "$T" --json)" ] &&
    ok "P6/P8 withdrawn finding and closed request arrive as they were" || bad "P6/P8 re-import"

stop_server || bad "server stopped cleanly"
grep -q "runtime error\|AddressSanitizer\|LeakSanitizer" "$W/server.log" && { bad "sanitizer report"; cat "$W/server.log"; }
echo "$fails failed"
[ "$fails" -eq 0 ]
