#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bad_input.sh — what a new user meets when the input is wrong: malformed
# JSON, an unknown field, a bad date, a missing parent, a duplicate id, a
# CSV row with the wrong number of columns, a file that is not there, a
# read-only database. Each must give a message naming the line and the
# field, the documented exit code, and write nothing at all.
set -euo pipefail
. "${RN_SRC:?source tree}/tests/lib/e2e.sh"
export REMNANT_AUTHOR=e2e
GHOST=01HGHGHGHGHGHGHGHGHGHGHGHG

rn demo db.db >/dev/null
rn --db db.db export -o before.jsonl
counts() { for t in entity event item marking; do rn --db db.db list "$t" --json | wc -l; done | tr '\n' ' '; }
COUNTS=$(counts)

# expect_refused NAME CODE 'grep pattern...' -- COMMAND...: the exit code, every
# pattern in stderr, and the database unchanged.
expect_refused() {
    local name=$1 code=$2
    shift 2
    local pats=()
    while [ "$1" != "--" ]; do pats+=("$1"); shift; done
    shift
    local rc=0
    "$@" >out.txt 2>err.txt || rc=$?
    [ "$rc" = "$code" ] || die "$name: exit code $rc, expected $code; stderr: $(cat err.txt)"
    [ -s err.txt ] || die "$name: nothing on stderr"
    for p in "${pats[@]}"; do
        grep -qF -- "$p" err.txt || die "$name: stderr does not say '$p': $(cat err.txt)"
    done
    rn --db db.db export -o after.jsonl
    cmp -s before.jsonl after.jsonl || die "$name: the database changed"
    [ "$(counts)" = "$COUNTS" ] || die "$name: record counts changed"
    ok "$name (exit $code: $(head -c 150 err.txt | head -1))"
}

GOOD1='{"type":"entity","kind":"state","name":"First"}'
GOOD2='{"type":"entity","kind":"company","name":"Second"}'

printf '%s\n%s\n{"type":"entity","kind":"state","name":"B"\n' "$GOOD1" "$GOOD2" >malformed.jsonl
expect_refused "malformed JSON" 3 "malformed.jsonl:3:" "'name'" -- rn --db db.db import malformed.jsonl

printf '%s\n%s\n%s\n{"type":"event","name":"E","colour":"red"}\n' "$GOOD1" "$GOOD2" "$GOOD1" >unknown.jsonl
expect_refused "unknown field" 3 "unknown.jsonl:4:" "'colour'" -- rn --db db.db import unknown.jsonl

printf '%s\n{"type":"event","name":"E","documented":"2024-02-30"}\n' "$GOOD1" >date.jsonl
expect_refused "bad date" 3 "date.jsonl:2:" "'documented'" "2024-02-30" -- rn --db db.db import date.jsonl

printf '%s\n%s\n{"type":"item","kind":"component","parent":"%s"}\n' "$GOOD1" "$GOOD2" "$GHOST" >parent.jsonl
expect_refused "missing parent" 3 "parent.jsonl:3:" "'parent'" "$GHOST" -- rn --db db.db import parent.jsonl

DUP=01HDVPDVPDVPDVPDVPDVPDVPDV
printf '{"type":"entity","id":"%s","kind":"state","name":"A"}\n%s\n{"type":"entity","id":"%s","kind":"state","name":"B"}\n' \
    "$DUP" "$GOOD1" "$DUP" >dup.jsonl
expect_refused "duplicate id in the file" 3 "dup.jsonl:3:" "'id'" "$DUP" -- rn --db db.db import dup.jsonl
EXISTING=$(head -1 before.jsonl | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["id"])')
printf '{"type":"entity","id":"%s","kind":"state","name":"Again"}\n' "$EXISTING" >dup2.jsonl
expect_refused "id already in the database" 3 "dup2.jsonl:1:" "'id'" -- rn --db db.db import dup2.jsonl

printf 'type,kind,name\nentity,state,A\nentity,state,"B, Inc",extra\nentity,state,C\n' >columns.csv
expect_refused "wrong CSV column count" 3 "columns.csv:3:" "columns" -- rn --db db.db import columns.csv

printf 'type,kind,name\nentity,state,A\n"entity","state","never closed\nentity,state,C\n' >quote.csv
expect_refused "unterminated CSV quote" 3 "quote.csv:3:" -- rn --db db.db import quote.csv

printf 'kind,name\nstate,A\nempire,B\n' >kind.csv
expect_refused "bad CSV value" 3 "kind.csv:3:" "'kind'" "empire" -- rn --db db.db import kind.csv --type entity

expect_refused "a file that is not there" 4 "no-such-file.jsonl" -- rn --db db.db import no-such-file.jsonl
expect_refused "a database that is not there" 4 "missing.db" -- rn --db missing.db list entity
[ ! -e missing.db ] || die "a read command created missing.db"
ok "a read command did not create a database"

expect_refused "add: bad enum value" 3 "'kind'" "missile" -- rn --db db.db add item kind=missile
expect_refused "add: unknown field" 3 "'colour'" -- rn --db db.db add item kind=weapon colour=red
expect_refused "add: missing parent" 3 "'parent'" -- rn --db db.db add item kind=component "parent=$GHOST"
expect_refused "add: bad date" 3 "'produced'" -- rn --db db.db add item kind=component produced=2021-W53
expect_refused "add: missing required field" 3 "'name'" -- rn --db db.db add entity kind=state
expect_refused "show: no such record" 4 "$GHOST" -- rn --db db.db show "$GHOST"
expect_refused "edit: no such record" 4 "$GHOST" -- rn --db db.db edit "$GHOST" name=x
expect_refused "rm: no such record" 4 "$GHOST" -- rn --db db.db rm "$GHOST"
EVENT=$(rn --db db.db list event --json --limit 1 | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["id"])')
expect_refused "rm: a record still referred to" 3 "$EVENT" -- rn --db db.db rm "$EVENT"
expect_refused "usage: unknown command" 2 "frobnicate" -- rn --db db.db frobnicate
expect_refused "usage: add without a type" 2 "add" -- rn --db db.db add

# ---- a read-only database -------------------------------------------------
# Root ignores file permissions, so the write runs as an unprivileged user
# (setpriv, else runuser); the folder and files are readable to it but not
# writable.
AS=()
if command -v setpriv >/dev/null && setpriv --reuid=nobody --regid=nogroup --clear-groups true 2>/dev/null; then
    AS=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
elif command -v runuser >/dev/null && runuser -u nobody -- true 2>/dev/null; then
    AS=(runuser -u nobody --)
fi
if [ "$(id -u)" != 0 ]; then
    mkdir ro && cp db.db ro/ && chmod 0555 ro && chmod 0444 ro/db.db
    RODB=ro/db.db
    AS=()
elif [ "${#AS[@]}" -gt 0 ]; then
    mkdir ro && cp db.db ro/ && chmod 0755 ro && chmod 0644 ro/db.db && chmod 0755 "$W"
    RODB=ro/db.db
    # the binary must be reachable by that user
    "${AS[@]}" "$REMNANT" --help >/dev/null 2>&1 || { AS=(); RODB=; }
else
    RODB=
fi
if [ -n "${RODB:-}" ]; then
    cp "$RODB" ro.copy
    printf '%s\n' "$GOOD1" >good.jsonl
    chmod 0644 good.jsonl
    rc=0
    "${AS[@]}" "$REMNANT" --db "$RODB" import good.jsonl >out.txt 2>err.txt || rc=$?
    [ "$rc" = 5 ] || die "read-only database: import exit code $rc, expected 5: $(cat err.txt)"
    grep -qi "read-only\|readonly" err.txt || die "read-only database: message does not say so: $(cat err.txt)"
    rc=0
    "${AS[@]}" "$REMNANT" --db "$RODB" add entity kind=state name=X >out.txt 2>err.txt || rc=$?
    [ "$rc" = 5 ] || die "read-only database: add exit code $rc, expected 5: $(cat err.txt)"
    cmp -s "$RODB" ro.copy || die "read-only database: the file changed"
    # reads still work
    "${AS[@]}" "$REMNANT" --db "$RODB" export >ro.jsonl 2>err.txt ||
        die "read-only database: export failed: $(cat err.txt)"
    cmp -s before.jsonl ro.jsonl || die "read-only database: export differs"
    ok "read-only database: import and add exit 5 saying read-only; reads work; nothing written"
else
    ok "read-only database: SKIPPED (no way to drop root here)"
fi
e2e_done
