# SPDX-License-Identifier: Apache-2.0
#
# tests/server/lib.sh — what the server's end-to-end tests share, beyond
# tests/lib/e2e.sh (the temporary folder, ok/bad/check, free_port...): a
# fresh database, accounts for every role, a server on a free loopback
# port, and curl wrappers that record status codes.
# Sourced by tests/e2e/server_*.sh and others. Env: REMNANT (binary),
# RN_SRC (source).
. "${RN_SRC:?source folder}/tests/lib/e2e.sh"
export REMNANT_DB="$W/x.db"
SRV_PID=
# srv_cleanup: stops the server if it runs (on exit, through e2e_cleanup; a
# script with more to stop calls it from its own e2e_cleanup).
srv_cleanup() {
    if [ -n "$SRV_PID" ]; then kill "$SRV_PID" 2>/dev/null; wait "$SRV_PID" 2>/dev/null; fi
}
e2e_cleanup() { srv_cleanup; }

# Accounts: one per role, each with an API token in $TOK_<role>.
make_users() {
    "$REMNANT" init >/dev/null 2>&1 || "$REMNANT" list event >/dev/null
    for r in admin investigator analyst reviewer; do
        echo "password-$r" | "$REMNANT" user add "u_$r" --role "$r" || bad "user add $r"
        eval "TOK_$r=\$(\"$REMNANT\" user token u_$r)"
    done
    TOK_public=
}

# publish_finding ID ACCOUNT PASSWORD: review and publish a draft through the
# one honest path (an account with its password, lib/store/lifecycle.c).
publish_finding() {
    printf '%s\n' "$3" >"$W/pw.$2"
    "$REMNANT" finding review "$1" --user "$2" --password-file "$W/pw.$2" >/dev/null &&
        "$REMNANT" finding publish "$1" --user "$2" --password-file "$W/pw.$2" >/dev/null ||
        bad "publish_finding $1"
    rm -f "$W/pw.$2"
}

# start_server [extra serve options...]: sets PORT, BASE, SRV_PID.
start_server() {
    PORT=$(free_port)
    BASE="http://127.0.0.1:$PORT"
    "$REMNANT" serve --listen "127.0.0.1:$PORT" "$@" 2>"$W/server.log" &
    SRV_PID=$!
    for _ in $(seq 1 100); do
        curl -fsS "$BASE/api/v1/health" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "server did not start:"; cat "$W/server.log"; exit 1
}

stop_server() {
    kill -TERM "$SRV_PID"
    wait "$SRV_PID"
    local rc=$?
    SRV_PID=
    return $rc
}

# no_sanitizer_report: a failed check if the server's log holds a report of
# its sanitizers (a sanitized build); best after stop_server, when the
# leak check has run.
no_sanitizer_report() {
    if grep -q "runtime error\|AddressSanitizer\|LeakSanitizer" "$W/server.log"; then
        bad "sanitizer report"
        cat "$W/server.log"
    fi
}

# api ROLE METHOD PATH [BODY]: prints the status; the body goes to $W/body.
api() {
    local role=$1 m=$2 p=$3 body=${4-} tok
    eval "tok=\${TOK_$role-}"
    local args=(-s -o "$W/body" -w '%{http_code}' -X "$m")
    [ -n "$tok" ] && args+=(-H "Authorization: Bearer $tok")
    [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
    curl "${args[@]}" "$BASE$p"
}

# json_get FIELD < json: a top-level string field.
json_get() { python3 -c "import json,sys; d=json.load(sys.stdin); print(d.get('$1') or '')"; }
