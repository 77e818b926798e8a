#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# sync_http_bulk.sh — a large push over HTTP (RN_SYNC_BULK_ENTRIES entries
# or more) is written the way `sync import` writes it: the server takes its
# database gate alone (src/server/gate.c), closes the connections its
# workers hold, and the transaction leaves the WAL for a rollback journal
# (the WAL does not grow by the package); the workers open theirs again
# after. Requests that arrive meanwhile are answered after it, or 503 busy
# with Retry-After, and never see part of it. A server killed with SIGKILL
# during such a push leaves nothing of it or all of it, and the next push
# completes it. RN_SYNC_KILLS sets the number of kills (default 6;
# every other one lands once the transaction's journal is there). Data:
# the synthetic generator's.
. "$RN_SRC/tests/server/lib.sh"
command -v python3 >/dev/null || die "python3 is needed"
READER=
e2e_cleanup() {
    if [ -n "$READER" ]; then kill "$READER" 2>/dev/null || true; fi
    srv_cleanup
}

make_users # HQ is $REMNANT_DB ($W/x.db), empty; tokens $TOK_<role>
A() { REMNANT_AUTHOR=alice "$REMNANT" --db "$W/a.db" "$@"; }
"$REMNANT" init "$W/a.db" >/dev/null 2>&1
"$REMNANT" generate --items 1500 --seed 7 -o "$W/g.jsonl"
A import "$W/g.jsonl" --no-decode --quiet >/dev/null
total=$(sqlite3 "$W/a.db" "SELECT count(*) FROM record")
[ "$total" -ge 1000 ] || die "the field instance holds only $total records"
echo "$TOK_admin" >"$W/tok"
"$REMNANT" peer add fieldA - --key "$(A key show)" >/dev/null
for f in "$W"/x.db*; do cp -r "$f" "$W/h0${f#"$W"/x}"; done # the empty HQ, for the kills
wal_bytes() { stat -c %s "$W/x.db-wal" 2>/dev/null || echo 0; }
mode() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA journal_mode").fetchone()[0])' "$1"; }

PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
serve() { # the server, always on $PORT (the peer registered at A)
    "$REMNANT" serve --listen "127.0.0.1:$PORT" "$@" 2>>"$W/server.log" &
    SRV_PID=$!
    for _ in $(seq 1 100); do curl -fsS "$BASE/api/v1/health" >/dev/null 2>&1 && return 0; sleep 0.1; done
    cat "$W/server.log"; die "the server did not start"
}
serve --threads 4
A peer add hq "$BASE" --key "$("$REMNANT" key show)" >/dev/null
ORIGIN=$(sqlite3 "$W/a.db" "SELECT value FROM ledger_meta WHERE key = 'origin'")
[ -n "$ORIGIN" ] || die "no origin at A"
# every worker thread opens its connections (store, accounts)
pids=()
for _ in 1 2 3 4 5 6 7 8; do api admin GET /api/v1/items >/dev/null & pids+=($!); done
wait "${pids[@]}"
check "the server's reads before the push" 200 "$(api admin GET /api/v1/items)"
wal0=$(wal_bytes)
# a reader while the push runs: what HQ has seen of A's log is 0 or all of
# it, never a part; a 503 comes with Retry-After
python3 - "$BASE" "$TOK_admin" "$ORIGIN" >"$W/reader.out" 2>&1 <<'PY' &
import json, sys, time, urllib.parse, urllib.request, urllib.error
base, tok, origin = sys.argv[1:4]
url = base + "/api/v1/sync/state?origin=" + urllib.parse.quote(origin, safe="")
seen, bad, busy = set(), [], 0
t0 = time.time()
while time.time() - t0 < 120:
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + tok})
    try:
        with urllib.request.urlopen(req) as r:
            n = int(json.load(r).get("seen", -1))
            seen.add(n)
            if n > 0:
                break
    except urllib.error.HTTPError as e:
        if e.code == 503 and e.headers.get("Retry-After"):
            busy += 1
        else:
            bad.append(e.code)
    time.sleep(0.005)
print(" ".join(str(n) for n in sorted(seen)), "|", busy, "|", " ".join(map(str, bad)))
PY
READER=$!
out=$(A sync push hq --token-file "$W/tok" 2>&1) || bad "the push failed: $out"
grep -q "\"applied\":$total" <<<"$out" && ok "the push of $total records was applied" || bad "push: $out"
wal1=$(wal_bytes)
db=$(stat -c %s "$W/x.db")
[ "$wal1" -lt $((db / 4)) ] &&
    ok "the push left the WAL (-wal $wal0 -> $wal1 bytes; the database $db)" ||
    bad "the push was written through the WAL: -wal $wal0 -> $wal1 bytes (the database $db)"
check "reads after the push (the workers opened their connections again)" 200 \
    "$(api admin GET /api/v1/items)"
check "a write after the push" 201 \
    "$(api admin POST /api/v1/events '{"name":"After the push (invented)"}')"
check "the database is in WAL mode after it" wal "$(mode "$W/x.db")"
wait "$READER" || true
READER=
IFS='|' read -r seen busy badc <"$W/reader.out"
seen=$(echo $seen) badc=$(echo $badc)
[ -z "$badc" ] && { [ "$seen" = "0 $total" ] || [ "$seen" = "$total" ] || [ "$seen" = 0 ]; } &&
    ok "a reader during the push saw 0 or $total entries (seen: $seen; 503 busy:$busy)" ||
    bad "a reader during the push: $(cat "$W/reader.out")"
stop_server || bad "the server did not stop cleanly"
no_sanitizer_report
"$REMNANT" verify >/dev/null 2>&1 && ok "verify holds at HQ" || bad "verify fails at HQ"

# SIGKILL during a large push: nothing or all, and the next push completes
kills=${RN_SYNC_KILLS:-6}
fresh() { rm -rf "$W"/x.db*; for f in "$W"/h0.db*; do cp -r "$f" "$W/x${f#"$W"/h0}"; done; }
fresh
serve
t0=$(date +%s%N)
A sync push hq --token-file "$W/tok" >/dev/null 2>&1 || bad "the reference push failed"
ms=$(( ($(date +%s%N) - t0) / 1000000 + 1 ))
stop_server >/dev/null 2>&1 || true
none=0 full=0 hot=0
for i in $(seq 1 "$kills"); do
    fresh
    serve
    A sync push hq --token-file "$W/tok" >/dev/null 2>&1 &
    PUSH=$!
    at=$(( (RANDOM * 32768 + RANDOM) % (ms + ms / 4 + 1) ))
    if [ $((i % 2)) = 0 ]; then
        # every other kill: once the transaction is under way (its journal there)
        for _ in $(seq 1 2000); do [ -e "$W/x.db-journal" ] && break; sleep 0.005; done
        at=$(( at / 2 ))
    fi
    sleep "$(printf '%d.%03d' $((at / 1000)) $((at % 1000)))"
    kill -9 "$SRV_PID" 2>/dev/null || true
    wait "$SRV_PID" 2>/dev/null || true
    SRV_PID=
    wait "$PUSH" 2>/dev/null || true
    [ -s "$W/x.db-journal" ] && hot=$((hot + 1))
    # the next open rolls back what a killed transaction left
    "$REMNANT" verify >"$W/v.txt" 2>&1 || { cat "$W/v.txt"; bad "verify fails after kill $i"; }
    recs=$(sqlite3 "$W/x.db" "SELECT count(*) FROM record")
    cps=$(sqlite3 "$W/x.db" "SELECT count(*) FROM sync_checkpoint")
    if [ "$recs" = 0 ] && [ "$cps" = 0 ]; then
        none=$((none + 1))
    elif [ "$recs" = "$total" ] && [ "$cps" = 1 ]; then
        full=$((full + 1))
    else
        bad "kill $i at $at ms left a partial state: $recs records, $cps checkpoints"
    fi
    serve
    A sync push hq --token-file "$W/tok" >/dev/null 2>&1 || bad "the push after kill $i failed"
    stop_server >/dev/null 2>&1 || true
    [ "$(sqlite3 "$W/x.db" "SELECT count(*) FROM record")" = "$total" ] ||
        bad "the push after kill $i did not complete"
done
ok "$kills servers killed during a large push ($hot of them with its rollback journal): $none left nothing, $full everything, none partial; each completed by the next push"
e2e_done
