#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# import_threads.sh — a large import's two helper threads
# (lib/store/import.c: the reader that parses ahead; lib/store/decoded.c:
# the decoding thread) change nothing anyone reads. The candidates a
# threaded import stores are the ones an import without decoding followed
# by `decode --reindex` (inline, one thread) stores; the records are those
# of a small-file import of the same lines. A bad line anywhere in a large
# file (early, late, after blank lines; refused by the reader or by the
# writer) is named by its line and leaves nothing written.
set -uo pipefail
. "${RN_SRC:?source tree}/tests/lib/e2e.sh"
export REMNANT_AUTHOR=e2e
command -v sqlite3 >/dev/null || die "sqlite3 is needed"

rn generate --items 20000 --seed 5 -o big.jsonl
lines=$(wc -l <big.jsonl)
[ "$(stat -c %s big.jsonl)" -gt 2000000 ] || die "big.jsonl is too small to use the reader thread"
cands() { sqlite3 "$1" "SELECT marking, rank, field, value, earliest, latest, precision, country,
    round(confidence, 6), rule, explanation FROM candidate ORDER BY marking, rank"; }

# 1. threaded import == no decoding + decode --reindex (inline)
rn init a.db >/dev/null 2>&1
run "threaded import" rn --db a.db import big.jsonl --quiet
rn init b.db >/dev/null 2>&1
run "import without decoding" rn --db b.db import big.jsonl --quiet --no-decode
[ "$(sqlite3 b.db 'SELECT count(*) FROM candidate')" = 0 ] || die "--no-decode stored candidates"
run "decode --reindex" rn --db b.db decode --reindex
cands a.db >a.cand
cands b.db >b.cand
[ -s a.cand ] || die "the threaded import stored no candidates"
cmp -s a.cand b.cand || die "the threaded import's candidates differ from decode --reindex's ($(wc -l <a.cand) and $(wc -l <b.cand) rows)"
ok "threaded import: the same $(wc -l <a.cand) candidates as decode --reindex"
check "records after the threaded import" "$lines" "$(sqlite3 a.db 'SELECT count(*) FROM record')"
rn --db a.db verify >/dev/null || die "verify fails after the threaded import"
ok "verify holds after the threaded import"

# 2. the same lines in small files (one thread each) store the same records
split -l 4000 big.jsonl part.
rn init c.db >/dev/null 2>&1
for f in part.*; do mv "$f" "$f.jsonl"; rn --db c.db import "$f.jsonl" --quiet; done
rn --db a.db export | sort >a.exp
rn --db c.db export | sort >c.exp
cmp -s a.exp c.exp || die "the threaded import's records differ from those of small imports"
ok "the threaded import's records are those of small imports of the same lines"

# 3. a bad line is named and nothing is written
bad_at() { # bad_at WHAT LINE FILE EXPECTED_TEXT
    rm -rf t.db*
    rn init t.db >/dev/null 2>&1
    expect 3 "$1" rn --db t.db import "$3" --quiet
    grep -q "$3:$2:" err.txt || die "$1: the error does not name line $2: $(cat err.txt)"
    grep -q "$4" err.txt || die "$1: the error does not say '$4': $(cat err.txt)"
    check "$1: records written" 0 "$(sqlite3 t.db 'SELECT count(*) FROM record')"
}
awk 'NR==40000 { print "{\"type\":\"item\",\"kind\":"; next } { print }' big.jsonl >late.jsonl
bad_at "malformed JSON near the end" 40000 late.jsonl "malformed JSON"
awk 'NR==3 { print "{\"type\":\"item\",\"kind\":"; next } { print }' big.jsonl >early.jsonl
bad_at "malformed JSON on line 3" 3 early.jsonl "malformed JSON"
awk 'NR==20000 { print ""; print "   "; print "" } { print }' big.jsonl >blank.jsonl
awk 'NR==30003 { print "{\"type\":\"item\",\"kind\":"; next } { print }' blank.jsonl >blank_bad.jsonl
bad_at "malformed JSON after blank lines" 30003 blank_bad.jsonl "malformed JSON"
{ cat big.jsonl; sed -n 2p big.jsonl; } >dup.jsonl
bad_at "a repeated id on the last line (refused by the writer)" $((lines + 1)) dup.jsonl "already exists"
rm -rf t.db*
rn init t.db >/dev/null 2>&1
run "blank lines in a large file" rn --db t.db import blank.jsonl --quiet
check "records after blank lines" "$lines" "$(sqlite3 t.db 'SELECT count(*) FROM record')"
e2e_done
