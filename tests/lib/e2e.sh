# SPDX-License-Identifier: Apache-2.0
#
# tests/lib/e2e.sh — what the end-to-end tests that start no server share
# (the server tests have tests/server/lib.sh): a temporary folder they run
# in, removed on exit, and the checks that report "ok - WHAT" or
# "FAIL - WHAT". Sourced first thing, after the script's own `set` line:
#     . "${RN_SRC:?source tree}/tests/lib/e2e.sh"
# Not a test itself (tests/CMakeLists.txt runs tests/e2e/*.sh only).
#
# Env: REMNANT (the remnant binary), RN_SRC (source tree); both are set by
# tests/CMakeLists.txt for every e2e test.
# Sets: E2E_NAME (the script's name without .sh), W (the folder, also the
# current directory), fails (0; bad adds one).
set -u
: "${REMNANT:?path of the remnant binary}" "${RN_SRC:?source tree}"
E2E_NAME=$(basename "$0" .sh)
W=$(mktemp -d "${TMPDIR:-/tmp}/rn_$E2E_NAME.XXXXXX") || exit 1
fails=0

# e2e_cleanup: what a script started (a process, a mount) that must end
# before its folder goes; a script that needs it defines its own.
e2e_cleanup() { :; }
# Runs on exit; keeps the script's exit status. A test may leave read-only
# files and folders behind: they are made writable to be removed.
e2e_exit() {
    e2e_cleanup
    chmod -R u+w "$W" 2>/dev/null || true
    rm -rf "$W"
}
trap e2e_exit EXIT
cd "$W" || exit 1

ok() { echo "ok - $*"; }
# bad WHAT: a failed check; the script goes on and e2e_done reports it.
bad() { echo "FAIL - $*"; fails=$((fails + 1)); }
# die WHAT: a failed check after which nothing else can be checked.
die() { echo "FAIL - $*" >&2; exit 1; }
rn() { "$REMNANT" "$@"; }

check() { # check WHAT WANT GOT
    if [ "$2" = "$3" ]; then ok "$1"; else bad "$1 (got $3, wanted $2)"; fi
}
expect() { # expect CODE WHAT CMD...: CMD exits CODE; its output in out.txt, err.txt
    local want=$1 what=$2
    shift 2
    "$@" >out.txt 2>err.txt
    local got=$?
    if [ "$got" = "$want" ]; then ok "$what"; else
        bad "$what (exit $got, wanted $want)"; head -c 3000 out.txt err.txt; fi
}
run() { # run WHAT CMD...: CMD exits 0; its output in out.txt, err.txt
    local what=$1
    shift
    if "$@" >out.txt 2>err.txt; then ok "$what"; else bad "$what (exit $?)"; cat out.txt err.txt; fi
}
has() { # has WHAT TEXT: TEXT is in out.txt
    if grep -qF -- "$2" out.txt; then ok "$1"; else bad "$1: no '$2'"; head -c 3000 out.txt; fi
}
hasnt() { # hasnt WHAT TEXT: TEXT is not in out.txt
    if grep -qF -- "$2" out.txt; then bad "$1: '$2' is there"; head -c 3000 out.txt; else ok "$1"; fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# e2e_done: the last line of a test; exits 0 when no check failed, else 1.
e2e_done() {
    if [ "$fails" -eq 0 ]; then echo "$E2E_NAME: all checks passed"; exit 0; fi
    echo "$E2E_NAME: $fails check(s) failed"
    exit 1
}
