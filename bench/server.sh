#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/server.sh — `remnant serve` under load, beside nginx on the same
# machine: wrk against GET of one item (anonymous public view and with an
# API token) and against search, and nginx serving a static file of the same
# size as the item's JSON; req/s as ratios to nginx. RSS of the server
# before and after the load; GET of a full tile of the log (C2SP tlog-tiles,
# 8192 bytes) against nginx serving the same bytes as a file. Loopback only.
#
# Usage: bench/server.sh [--long] [BUILD_DIR]
#   default: 30 s per run (about 3 minutes in all); --long: a 10-minute run
#   on the item read for the memory check.
# Needs: wrk, nginx (Debian: apt-get install wrk nginx-light), python3.
# Build: a Release build without sanitizers is what should be measured:
#   cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DRN_TESTS=OFF
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
long=0
if [ "${1:-}" = "--long" ]; then long=1; shift; fi
build=${1:-$root/build/release}
R=$build/remnant
[ -x "$R" ] || { echo "no $R: build it first (see the header)"; exit 1; }
command -v wrk >/dev/null && command -v nginx >/dev/null || { echo "needs wrk and nginx"; exit 1; }
dur=${DUR:-30s}
conns=${CONNS:-64}
thr=${WRK_THREADS:-2}
W=$(mktemp -d /tmp/rn_bench_server.XXXXXX)
SRV=; NGX=
cleanup() {
    [ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
    [ -n "$NGX" ] && kill "$NGX" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
rps() { awk '/Requests\/sec/ {print $2}'; }

export REMNANT_DB=$W/bench.db
"$R" demo "$REMNANT_DB" >/dev/null
echo "bench-password" | "$R" user add bench --role analyst
TOK=$("$R" user token bench)
ITEM=$("$R" list item kind=weapon --limit 1 --json | sed -n 's/.*"id":"\([0-9A-Z]*\)".*/\1/p')
# publish a finding citing the item, so the anonymous read has something to see
# (through the review workflow: a reviewer account, not the author, with its password)
echo "bench-reviewer-pw" | "$R" user add bench-reviewer --role reviewer
BF=$("$R" add finding statement="bench finding" author=bench evidence="$ITEM")
echo "bench-reviewer-pw" >"$W/rev.pw"
"$R" finding review "$BF" --user bench-reviewer --password-file "$W/rev.pw" >/dev/null
"$R" finding publish "$BF" --user bench-reviewer --password-file "$W/rev.pw" >/dev/null

P=$(port)
"$R" serve --listen 127.0.0.1:$P --quiet 2>"$W/serve.log" &
SRV=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$P/api/v1/health" >/dev/null && break; sleep 0.1; done
curl -fs "http://127.0.0.1:$P/api/v1/items/$ITEM" >"$W/item.json"
SIZE=$(wc -c <"$W/item.json")
# a full tile needs 256 entries: the demo has fewer, so add generated items
if ! curl -fs "http://127.0.0.1:$P/log/tile/0/000" >"$W/tile.bin"; then
    "$R" generate --items 300 --seed 1 | "$R" import - >/dev/null
    curl -fs "http://127.0.0.1:$P/log/tile/0/000" >"$W/tile.bin"
fi

NP=$(port)
mkdir -p "$W/www"
head -c "$SIZE" /dev/zero | tr '\0' 'x' >"$W/www/item.json"
cp "$W/tile.bin" "$W/www/tile0"
cat >"$W/nginx.conf" <<NGX
worker_processes 2;
daemon off;
error_log $W/nginx.err;
pid $W/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$NP;
    root $W/www;
    location / { default_type application/json; }
  }
}
NGX
nginx -c "$W/nginx.conf" -p "$W" &
NGX=$!
sleep 0.5

echo "machine: $(nproc) CPUs; wrk -t$thr -c$conns -d$dur; item JSON $SIZE bytes"
rss0=$(rss $SRV)
ngx=$(wrk -t$thr -c$conns -d$dur "http://127.0.0.1:$NP/item.json" | rps)
pub=$(wrk -t$thr -c$conns -d$dur "http://127.0.0.1:$P/api/v1/items/$ITEM" | rps)
auth=$(wrk -t$thr -c$conns -d$dur -H "Authorization: Bearer $TOK" "http://127.0.0.1:$P/api/v1/items/$ITEM" | rps)
srch=$(wrk -t$thr -c$conns -d$dur -H "Authorization: Bearer $TOK" "http://127.0.0.1:$P/api/v1/search?q=2%3F15&limit=20" | rps)
ngxt=$(wrk -t$thr -c$conns -d$dur "http://127.0.0.1:$NP/tile0" | rps)
tile=$(wrk -t$thr -c$conns -d$dur "http://127.0.0.1:$P/log/tile/0/000" | rps)
rss1=$(rss $SRV)
ratio() { python3 -c "print('%.2f' % ($1 / $2))"; }
printf '%-34s %12s %8s\n' "run" "req/s" "x nginx"
printf '%-34s %12s %8s\n' "nginx static file ($SIZE B)" "$ngx" "1.00"
printf '%-34s %12s %8s\n' "GET item, anonymous (public view)" "$pub" "$(ratio "$pub" "$ngx")"
printf '%-34s %12s %8s\n' "GET item, API token" "$auth" "$(ratio "$auth" "$ngx")"
printf '%-34s %12s %8s\n' "GET search ?q=2?15, API token" "$srch" "$(ratio "$srch" "$ngx")"
printf '%-34s %12s %8s\n' "nginx static file (8192 B tile)" "$ngxt" "1.00"
printf '%-34s %12s %8s\n' "GET /log/tile/0/000 (full tile)" "$tile" "$(ratio "$tile" "$ngxt")"
echo "server RSS: before load ${rss0} kB, after ${rss1} kB"
if [ $long -eq 1 ]; then
    echo "long run: 10 minutes of GET item with an API token"
    a=$(rss $SRV)
    wrk -t$thr -c$conns -d600s -H "Authorization: Bearer $TOK" "http://127.0.0.1:$P/api/v1/items/$ITEM" | grep -E "Requests/sec|requests in"
    b=$(rss $SRV)
    wrk -t$thr -c$conns -d60s -H "Authorization: Bearer $TOK" "http://127.0.0.1:$P/api/v1/items/$ITEM" >/dev/null
    c=$(rss $SRV)
    echo "server RSS: before ${a} kB, after 10 min ${b} kB, after 1 more min ${c} kB"
fi
