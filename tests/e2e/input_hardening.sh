#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# input_hardening.sh — input and messages (issue 15, points 18-20): control
# characters refused where they make no sense and escaped on every terminal
# and log output (show, list, search, the request log); a blank required
# name refused as a missing one (CLI, import and API); CSV files with a
# UTF-8 byte-order mark or ';' separators imported; a misused `checkpoint`
# option is a usage error (exit 2), not a failed verification (exit 6).
. "$RN_SRC/tests/server/lib.sh"
ESC=$'\x1b'

"$REMNANT" init >/dev/null 2>&1 || bad "init"
n_events() { "$REMNANT" list event | wc -l; }

# ---- 18. control characters
"$REMNANT" add event name="red${ESC}[31malert" 2>err.txt
check "18: ESC in a name is refused (exit 3)" 3 $?
grep -q "field 'name': control character 0x1b" err.txt && ok "18: the error names the field" || bad "18: $(cat err.txt)"
"$REMNANT" add event name=ok place=$'bell\a' 2>/dev/null
check "18: BEL in a place is refused" 3 $?
"$REMNANT" add event name=ok notes=$'back\bspace' 2>/dev/null
check "18: backspace in notes is refused" 3 $?
check "18: nothing was written" 0 "$(n_events)"
E=$("$REMNANT" add event name="Two lines" notes=$'line one\nline two\tcol')
check "18: notes keep line breaks and tabs" 0 $?
echo '{"type":"event","name":"x\u001b]0;pwned\u0007"}' >ctl.jsonl
"$REMNANT" import ctl.jsonl 2>err.txt
check "18: import refuses a control character" 3 $?
grep -q "ctl.jsonl:1: field 'name'" err.txt && ok "18: ... naming file, line and field" || bad "18: $(cat err.txt)"
# a value stored before this rule (written here behind the library's back)
# is escaped on output, never sent raw to the terminal
sqlite3 "$REMNANT_DB" "UPDATE event SET place = 'a' || char(27) || '[2Jb' || char(7) WHERE id = '$E'" \
    || bad "18: could not plant an old value"
"$REMNANT" show "$E" >show.txt
grep -q "$ESC" show.txt && bad "18: show prints ESC raw" || ok "18: show escapes ESC"
grep -q $'\a' show.txt && bad "18: show prints BEL raw" || ok "18: show escapes BEL"
grep -qF 'a\x1b[2Jb\x07' show.txt && ok "18: as \\xNN" || bad "18: show: $(cat -v show.txt)"
grep -qF 'line one\nline two\tcol' show.txt && ok "18: line breaks shown as \\n" || bad "18: show: $(cat -v show.txt)"
"$REMNANT" list event >list.txt
grep -q "$ESC" list.txt && bad "18: list prints ESC raw" || ok "18: list escapes ESC"
sqlite3 "$REMNANT_DB" "UPDATE event SET notes = 'zap' || char(27) || '[0m' WHERE id = '$E'"
sqlite3 "$REMNANT_DB" "UPDATE search_text SET text = 'zap' || char(27) || '[0m' WHERE rid = '$E'" 2>/dev/null
"$REMNANT" search zap >search.txt 2>&1
grep -q "$ESC" search.txt && bad "18: search prints ESC raw" || ok "18: search output has no raw ESC"
"$REMNANT" list event --json | grep -q '\\u001b' && ok "18: JSON output escapes it as \\u001b" || bad "18: JSON"
# the analyses' tables too (they print from the library's JSON documents)
I=$("$REMNANT" add item kind=weapon event="$E" weapon_system=KN-23)
sqlite3 "$REMNANT_DB" "UPDATE item SET weapon_system = 'KN' || char(27) || '[31m-23' WHERE id = '$I'"
"$REMNANT" claim "$I" >claim.txt 2>&1
grep -q "$ESC" claim.txt && bad "18: claim prints ESC raw" || ok "18: analysis tables escape ESC"
grep -qF 'KN\x1b[31m-23' claim.txt && ok "18: ... as \\xNN" || bad "18: claim: $(cat -v claim.txt)"
"$REMNANT" show "ab${ESC}[31mcd" 2>err.txt
grep -q "$ESC" err.txt && bad "18: an error message echoes ESC raw" || ok "18: error messages escape what they quote"
printf 'type,na\x1bme\nevent,x\n' >ctl.csv
"$REMNANT" import ctl.csv 2>err.txt
grep -q "$ESC" err.txt && bad "18: a CSV header's ESC reaches the terminal" || ok "18: ... field names too"

# the request log: an anonymous client cannot write control characters into it
make_users
start_server
printf 'GET /api/v1/ev\x1b[2J\x07nts HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n' \
    | python3 "$RN_SRC/tests/server/abuse.py" raw "$PORT" >/dev/null
st=$(curl -s -o body -w '%{http_code}' "$BASE/api/v1/events/%1B%5B2J")
check "18: a request with ESC in its path" 404 "$st"
stop_server || bad "server stopped cleanly"
grep -q "$ESC" server.log && bad "18: ESC reached the request log" || ok "18: the request log has no raw ESC"
grep -q $'\a' server.log && bad "18: BEL reached the request log" || ok "18: ... nor BEL"
grep -qF '\x1b' server.log && ok "18: it is logged escaped" || bad "18: log: $(cat -v server.log)"

# ---- 19. an empty or blank required name
"$REMNANT" add event name= 2>err.txt
check "19: an empty name is refused (exit 3)" 3 $?
"$REMNANT" add event name="   " 2>err.txt
check "19: a blank name is refused (exit 3)" 3 $?
grep -q "needs 'name'" err.txt && ok "19: as a missing required field" || bad "19: $(cat err.txt)"
"$REMNANT" add entity kind=company name=" " 2>/dev/null
check "19: a blank entity name is refused" 3 $?
echo '{"type":"event","name":"  "}' >blank.jsonl
"$REMNANT" import blank.jsonl 2>/dev/null
check "19: import refuses a blank name" 3 $?
start_server
check "19: the API refuses a blank name" 422 "$(api investigator POST /api/v1/events '{"name":" "}')"
grep -q '"field":"name"' body && ok "19: naming the field" || bad "19: $(cat body)"
check "19: ... and an empty one" 422 "$(api investigator POST /api/v1/events '{"name":""}')"
stop_server || bad "server stopped cleanly"

# ---- 20. CSV as spreadsheets write it
before=$(n_events)
printf '\xef\xbb\xbftype,name,country\r\nevent,BOM file,UA\r\n' >bom.csv
"$REMNANT" import bom.csv >/dev/null 2>err.txt
check "20: a CSV with a UTF-8 byte-order mark imports" 0 $?
printf 'type;name;country;notes\nevent;Semicolons;UA;"a, b; c"\n' >semi.csv
"$REMNANT" import semi.csv >/dev/null 2>err.txt
check "20: a CSV with ';' separators imports" 0 $?
printf '\xef\xbb\xbftype;name\nevent;Both\n' >both.csv
"$REMNANT" import both.csv >/dev/null 2>err.txt
check "20: a CSV with both imports" 0 $?
check "20: three events more" $((before + 3)) "$(n_events)"
"$REMNANT" list event --json | grep -q '"notes":"a, b; c"' && ok "20: quoted separators stay in the value" \
    || bad "20: $("$REMNANT" list event --json)"
"$REMNANT" list event --json | grep -q '"name":"BOM file"' && ok "20: the BOM is not part of the first column" || bad "20: BOM"
printf '\xef\xbb\xbf{"type":"event","name":"BOM JSON"}\n' >bom.jsonl
"$REMNANT" import bom.jsonl >/dev/null 2>&1
check "20: JSON Lines with a byte-order mark imports" 0 $?

# ---- 20. a misused checkpoint option is a usage error
"$REMNANT" checkpoint >/dev/null || bad "checkpoint"
"$REMNANT" checkpoint --inclusion "$E" --size 999999 >/dev/null 2>&1
check "20: checkpoint --size beyond the log exits 2" 2 $?
"$REMNANT" checkpoint --consistency 5 3 >/dev/null 2>&1
check "20: checkpoint --consistency OLD > NEW exits 2" 2 $?
"$REMNANT" checkpoint --consistency 1 999999 >/dev/null 2>&1
check "20: checkpoint --consistency beyond the log exits 2" 2 $?
"$REMNANT" checkpoint --list --inclusion "$E" >/dev/null 2>&1
check "20: checkpoint --list with --inclusion exits 2" 2 $?
"$REMNANT" checkpoint --size 1 >/dev/null 2>&1
check "20: checkpoint --size without --inclusion exits 2" 2 $?
"$REMNANT" checkpoint --inclusion "$E" >/dev/null 2>&1
check "20: a proper checkpoint --inclusion still works" 0 $?

grep -q "runtime error\|AddressSanitizer\|LeakSanitizer" server.log && { bad "sanitizer report"; cat server.log; }
echo "$fails failed"
[ "$fails" -eq 0 ]
