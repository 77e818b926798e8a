#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# witness_curl.sh — libcurl is loaded only when a network command runs
# (src/cli/curl_dl.c): `remnant --help`, `show` and a write to a log
# without witnesses never open libcurl; a write to a log with witnesses and
# `sync push` do. Without libcurl (hidden in a mount namespace, when the
# machine allows one) they say which Debian package to install, and the
# write itself is stored. Traced with strace.
# Env: REMNANT (binary), RN_SRC (source tree).
set -u
. "${RN_SRC:?source tree}/tests/lib/e2e.sh"
command -v strace >/dev/null || die "strace is missing (scripts/deps installs it)"
export REMNANT_DB="$W/x.db"
# loads_curl ARGS...: 0 when `remnant ARGS...` opens libcurl; its exit in $W/rc
loads_curl() {
    # (LeakSanitizer cannot run under ptrace)
    ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=openat -o "$W/trace.txt" "$REMNANT" "$@" \
        >"$W/out.txt" 2>"$W/err.txt"
    echo $? >"$W/rc"
    grep -q 'libcurl\.so' "$W/trace.txt"
}

"$REMNANT" init >/dev/null 2>&1 || die "init"
E=$("$REMNANT" add event name="Strike remnants (invented)")
loads_curl --help && bad "--help loads libcurl" || ok "--help does not load libcurl"
loads_curl show "$E" && bad "show loads libcurl" || ok "show does not load libcurl"
check_rc() { [ "$(cat "$W/rc")" = "$1" ] && ok "$2" || bad "$2 (exit $(cat "$W/rc")): $(cat "$W/err.txt")"; }
check_rc 0 "show works"
loads_curl add item kind=weapon event="$E" && bad "a write without witnesses loads libcurl" ||
    ok "a write to a log without witnesses does not load libcurl"

WK=$("$REMNANT" witness keygen --name witness.example/w1 -o w1.key 2>/dev/null)
PORT=$(free_port)
"$REMNANT" witness add w1 "http://127.0.0.1:$PORT" "$WK" >/dev/null || bad "witness add"
loads_curl add item kind=weapon event="$E" && ok "a write to a log with witnesses loads libcurl" ||
    bad "a write with witnesses did not load libcurl"
grep -q "witness w1: unreachable" "$W/err.txt" && ok "the witness was asked through it" ||
    bad "asking: $(cat "$W/err.txt")"
"$REMNANT" --db hq.db init >/dev/null 2>&1
"$REMNANT" peer add hq "http://127.0.0.1:$PORT" --key "$("$REMNANT" --db hq.db key show)" \
    >/dev/null || bad "peer add"
echo tok >tok.txt
loads_curl sync push hq --token-file tok.txt && ok "sync push loads libcurl" ||
    bad "sync push did not load libcurl: $(cat "$W/err.txt")"

# ---- without libcurl
LIB=$(ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=openat "$REMNANT" add item kind=weapon event="$E" 2>&1 >/dev/null |
      grep -o '"[^"]*libcurl\.so[^"]*"' | grep -v ENOENT | head -1 | tr -d '"')
if [ -n "$LIB" ] && unshare -m true 2>/dev/null; then
    nocurl() { unshare -m sh -c 'mount --bind /dev/null "$0" && exec "$@"' "$LIB" \
        "$REMNANT" "$@" >"$W/out.txt" 2>"$W/err.txt"; echo $? >"$W/rc"; }
    nocurl add item kind=weapon event="$E"
    grep -q "Debian package libcurl4" "$W/err.txt" && ok "a missing libcurl names the package" ||
        bad "missing libcurl: $(cat "$W/err.txt")"
    I=$(head -1 "$W/out.txt")
    [ -n "$I" ] && "$REMNANT" show "$I" >/dev/null 2>&1 && ok "the write is stored all the same" ||
        bad "the write is missing: $(cat "$W/out.txt")"
    nocurl sync push hq --token-file tok.txt
    check_rc 1 "sync push without libcurl fails"
    grep -q "Debian package libcurl4" "$W/err.txt" && ok "and names the package" ||
        bad "sync push without libcurl: $(cat "$W/err.txt")"
    nocurl --help
    check_rc 0 "--help works without libcurl"
else
    echo "ok - # SKIP without libcurl: no mount namespace here (unshare -m) or libcurl not traced"
fi

e2e_done
