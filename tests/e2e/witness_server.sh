#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# witness_server.sh — issue 14, point 3: `remnant serve` asks the log's
# witnesses to cosign after writes through the API (src/server/witnesses.c),
# with a real `remnant witness serve` on loopback:
#   - a write through the API is cosigned: the cosignature is stored and
#     shown beside the checkpoint (GET /api/v1/log/checkpoint, `remnant
#     checkpoint`), `remnant verify` checks it, the server logs the outcome;
#   - a witness that takes the request and never answers holds neither the
#     write that made the checkpoint nor the writes after it: they answer 201
#     while that witness still holds the request (no clock involved);
#   - the other witness still cosigns the checkpoints made meanwhile, once
#     the hanging one lets go (bursts coalesce into an ask for the latest);
#   - a witness that is down (connection refused) is logged as unreachable
#     and the write succeeds;
#   - the server stops while a witness holds a request: the transfer gives up
#     (logged) and the server exits 0.
# Env: REMNANT (binary), RN_SRC (source).
set -u
: "${RN_SRC:?source folder}"
. "$RN_SRC/tests/server/lib.sh"
HANG_PID=
WIT_PID=
e2e_cleanup() {
    [ -n "$HANG_PID" ] && { touch "$W/release"; kill "$HANG_PID" 2>/dev/null; wait "$HANG_PID" 2>/dev/null; }
    [ -n "$WIT_PID" ] && { kill "$WIT_PID" 2>/dev/null; wait "$WIT_PID" 2>/dev/null; }
    srv_cleanup
}

# wait_for WHAT CMD...: poll until CMD succeeds (at most 60 s: a bound on a
# hang, not a measure of speed)
wait_for() {
    local what=$1; shift
    for _ in $(seq 1 600); do "$@" && return 0; sleep 0.1; done
    bad "$what: did not happen"
    return 1
}
cosigned_by() { # cosigned_by NAME: the served checkpoint carries NAME's cosignature
    curl -s "$BASE/api/v1/log/checkpoint" >"$W/cp.txt" && grep -q "^— $1 " "$W/cp.txt"
}
served_size() { curl -s "$BASE/api/v1/log/checkpoint" | sed -n 2p; }

make_users
VK=$("$REMNANT" key show)
WK1=$("$REMNANT" witness keygen --name witness.example/w1 -o w1.key 2>/dev/null)
WK2=$("$REMNANT" witness keygen --name witness.example/w2 -o w2.key 2>/dev/null)
WK3=$("$REMNANT" witness keygen --name witness.example/w3 -o w3.key 2>/dev/null)
P1=$(free_port)
"$REMNANT" witness serve --key w1.key --state st1 --listen "127.0.0.1:$P1" --log-key "$VK" \
    2>"$W/witness.log" &
WIT_PID=$!
wait_for "the witness starts" curl -fsS -o /dev/null "http://127.0.0.1:$P1/"
"$REMNANT" witness add w1 "http://127.0.0.1:$P1" "$WK1" >/dev/null || bad "witness add w1"

start_server

# ---- a write through the API is cosigned, stored and shown
st=$(api investigator POST /api/v1/events '{"name":"Strike remnants (invented)","country":"UA"}')
check "a write through the API" 201 "$st"
E=$(json_get id <"$W/body")
S1=$("$REMNANT" checkpoint | sed -n 2p)
wait_for "the server's checkpoint is cosigned" cosigned_by witness.example/w1 &&
    ok "GET /api/v1/log/checkpoint shows the witness's cosignature"
check "the cosigned checkpoint is the write's" "$S1" "$(sed -n 2p "$W/cp.txt")"
"$REMNANT" checkpoint | grep -q "^— witness.example/w1 " && ok "remnant checkpoint shows it" ||
    bad "remnant checkpoint: $("$REMNANT" checkpoint)"
"$REMNANT" verify >"$W/v.txt" 2>&1 && grep -q " 1 cosignature" "$W/v.txt" &&
    ok "verify checks the stored cosignature" || bad "verify: $(cat "$W/v.txt")"
grep -q "witness w1: cosigned" "$W/server.log" && ok "the server logs the outcome" ||
    bad "server log: $(cat "$W/server.log")"
check "the witness's size moved" "$S1" "$("$REMNANT" witness list | awk -F'\t' '$1=="w1"{print $4}')"

# ---- a witness that never answers holds no write
python3 - "$W" >"$W/hang.log" 2>&1 <<'EOF' &
import os, socket, sys, time
w = sys.argv[1]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(8)
open(w + "/hang.port.tmp", "w").write(str(s.getsockname()[1]))
os.rename(w + "/hang.port.tmp", w + "/hang.port")
held = []
s.settimeout(0.1)
while not os.path.exists(w + "/release"):
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    held.append(c)                      # read nothing, answer nothing
    with open(w + "/got", "a") as f:
        f.write("1\n")
for c in held:
    c.close()
EOF
HANG_PID=$!
wait_for "the hanging witness listens" test -s "$W/hang.port"
PH=$(cat "$W/hang.port")
"$REMNANT" witness add w2 "http://127.0.0.1:$PH" "$WK2" >/dev/null || bad "witness add w2"
st=$(api investigator POST /api/v1/items "{\"kind\":\"weapon\",\"event\":\"$E\"}")
check "a write while a witness does not answer" 201 "$st"
I=$(json_get id <"$W/body")
wait_for "the hanging witness is asked" test -s "$W/got"
for n in 1 2 3; do
    st=$(api investigator POST /api/v1/markings \
        "{\"item\":\"$I\",\"text\":\"9M133 021$n\",\"method\":\"stamped\"}")
    check "write $n while the witness holds the server's request" 201 "$st"
done
[ ! -e "$W/release" ] && [ "$(wc -l <"$W/got")" = 1 ] &&
    ok "those writes answered while the witness still held the one request" ||
    bad "the hanging witness: $(cat "$W/got")"
S2=$("$REMNANT" checkpoint | sed -n 2p)
touch "$W/release" # the witness lets go: the thread asks again, for the latest
wait_for "the latest checkpoint is cosigned by w1" \
    bash -c "[ \"\$(curl -s '$BASE/api/v1/log/checkpoint' | sed -n 2p)\" = '$S2' ] &&
             curl -s '$BASE/api/v1/log/checkpoint' | grep -q '^— witness.example/w1 '" &&
    ok "the checkpoints made meanwhile are covered: the latest is cosigned"
wait_for "w2 is logged" grep -q "witness w2: unreachable" "$W/server.log" &&
    ok "the witness that did not answer is logged as unreachable"
wait $HANG_PID 2>/dev/null; HANG_PID=

# ---- a witness that is down
PD=$(free_port)
"$REMNANT" witness rm w2 >/dev/null
"$REMNANT" witness add w3 "http://127.0.0.1:$PD" "$WK3" >/dev/null || bad "witness add w3"
st=$(api investigator PATCH "/api/v1/events/$E" '{"place":"Kharkiv"}')
check "a write with a witness down" 200 "$st"
wait_for "w3 is logged" grep -q "witness w3: unreachable" "$W/server.log" &&
    ok "the down witness is logged as unreachable"
wait_for "w1 cosigns it" bash -c "[ \"\$(curl -s '$BASE/api/v1/log/checkpoint' | sed -n 2p)\" = \
    \"\$('$REMNANT' checkpoint | sed -n 2p)\" ] && curl -s '$BASE/api/v1/log/checkpoint' |
    grep -q '^— witness.example/w1 '" && ok "the reachable witness still cosigns"
api public GET "/api/v1/events/$E" >/dev/null
check "the write is stored" "Kharkiv" "$(api investigator GET "/api/v1/events/$E" >/dev/null;
    json_get place <"$W/body")"

# ---- stopping while a witness holds a request
rm -f "$W/release" "$W/got" "$W/hang.port"
python3 - "$W" >"$W/hang2.log" 2>&1 <<'EOF' &
import os, socket, sys
w = sys.argv[1]
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
open(w + "/hang.port.tmp", "w").write(str(s.getsockname()[1]))
os.rename(w + "/hang.port.tmp", w + "/hang.port")
c, _ = s.accept()
open(w + "/got", "w").write("1\n")
while c.recv(65536):                    # read on, answer nothing, until the
    pass                                # server gives up and closes
EOF
HANG_PID=$!
wait_for "the second hanging witness listens" test -s "$W/hang.port"
"$REMNANT" witness rm w3 >/dev/null
"$REMNANT" witness add w4 "http://127.0.0.1:$(cat "$W/hang.port")" "$WK3" >/dev/null ||
    bad "witness add w4"
st=$(api investigator POST /api/v1/events '{"name":"Second event (invented)"}')
check "a write" 201 "$st"
wait_for "the witness is asked" test -s "$W/got"
stop_server; rc=$?
check "the server stops cleanly while a witness holds a request" 0 "$rc"
grep -q "witness w4: unreachable.*stopped before an answer came" "$W/server.log" &&
    ok "the transfer in progress gave up" || bad "server log: $(tail -5 "$W/server.log")"
wait $HANG_PID 2>/dev/null; HANG_PID=

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
