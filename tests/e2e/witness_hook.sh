#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# witness_hook.sh — the CLI's witness hook (src/cli/witness_http.c) opens
# the log once after a write: a write to a log with witnesses opens the
# database file as many times as the same write to a log without any (the
# asking reuses the handle that saw the log grow). Counted with strace, so
# the count does not depend on how often the store itself opens the file.
# Env: REMNANT (binary), RN_SRC (source tree).
set -u
. "${RN_SRC:?source tree}/tests/lib/e2e.sh"
command -v strace >/dev/null || die "strace is missing (scripts/deps installs it)"

# opens DB ARGS...: how many times `remnant --db DB ARGS...` opens DB itself
opens() {
    local db=$1; shift
    ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=openat -o "$W/trace.txt" "$REMNANT" --db "$W/$db" "$@" \
        >/dev/null 2>"$W/err.txt"
    grep -c "\"$W/$db\"" "$W/trace.txt"
}

"$REMNANT" --db plain.db init >/dev/null 2>&1 || die "init"
"$REMNANT" --db wit.db init >/dev/null 2>&1 || die "init"
WK=$("$REMNANT" witness keygen --name witness.example/w1 -o w1.key 2>/dev/null)
PORT=$(free_port)
# a witness that is down: asked, unreachable, the write stays
"$REMNANT" --db wit.db witness add w1 "http://127.0.0.1:$PORT" "$WK" >/dev/null ||
    bad "witness add"
A=$(opens plain.db add event name="Strike remnants (invented)")
B=$(opens wit.db add event name="Strike remnants (invented)")
grep -q "witness w1: unreachable" "$W/err.txt" && ok "the witness was asked" ||
    bad "the witness was not asked: $(cat "$W/err.txt")"
[ "$A" -gt 0 ] && ok "the database file is seen in the trace ($A opens)" || bad "no opens traced"
if [ "$A" = "$B" ]; then ok "asking the witnesses opens the log no more often ($B opens)"
else bad "a write with witnesses opens the database $B times, without $A"; fi

e2e_done
