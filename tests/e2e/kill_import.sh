#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# kill_import.sh — an import killed with SIGKILL part-way leaves the
# database exactly as it was before the import (import.c invariant 2: a
# crash is UNDONE), intact by PRAGMA integrity_check, and usable. The kill
# comes at three moments: after a second (records parsed and inserted, the
# pages still in SQLite's cache), as soon as the files on disk grow (the
# uncommitted transaction spills to disk), and when they have grown by
# 48 MiB. A bulk import into a database nobody else has open writes with a
# rollback journal (lib/store/sqlite.c, sq_bulk_journal), so what grows is
# the database file and db.db-journal, not the write-ahead log: the sizes
# watched are those of all three files. After each kill the first command
# is a read-only one (export), which must see the database as it was
# (rn__sqlite_open rolls the hot journal back first). The waits are for
# states, not times: the tenths-of-a-second counts are only a safety net.
set -euo pipefail
. "${RN_SRC:?source tree}/tests/lib/e2e.sh"
PID=
e2e_cleanup() {
    if [ -n "$PID" ]; then kill -9 "$PID" 2>/dev/null || true; fi
}
export REMNANT_AUTHOR=e2e
command -v sqlite3 >/dev/null || die "the sqlite3 shell is needed (apt-get install sqlite3)"

ITEMS=${RN_KILL_ITEMS:-100000}
if rn generate --help >/dev/null 2>&1; then
    rn generate --items "$ITEMS" --seed 11 -o big.jsonl
else
    # no generator: entities with a long note, enough to take a while
    python3 - "$ITEMS" >big.jsonl <<'PY'
import sys
for i in range(int(sys.argv[1])):
    print('{"type":"entity","kind":"company","name":"Company %d","notes":"%s"}' % (i, "x" * 300))
PY
fi
RECORDS=$(wc -l <big.jsonl)
ok "input: $RECORDS records, $(($(stat -c %s big.jsonl) / 1048576)) MiB"

rn demo db.db >/dev/null
rn --db db.db export -o before.jsonl
ok "database before: $(wc -l <before.jsonl) records"

size() { stat -c %s "$1" 2>/dev/null || echo 0; }
# bytes on disk of the database and its journals
disk() { echo $(($(size db.db) + $(size db.db-wal) + $(size db.db-journal))); }

# kill_at MIN_GROWTH FALLBACK_TENTHS [yes|no: whether a rollback journal must be there]
kill_at() {
    local grow=$1 tenths=$2 want_journal=${3:-}
    local wal0 n=0
    wal0=$(disk)
    "$REMNANT" --db db.db import big.jsonl --quiet >import.out 2>import.err &
    PID=$!
    # wait until it is writing (the files grew past the mark), or the
    # fallback time has passed, or it ended by itself
    while kill -0 "$PID" 2>/dev/null; do
        if [ "$(($(disk) - wal0))" -ge "$grow" ] && [ "$grow" -gt 0 ]; then break; fi
        if [ "$n" -ge "$tenths" ]; then break; fi
        sleep 0.1
        n=$((n + 1))
    done
    if ! kill -0 "$PID" 2>/dev/null; then
        wait "$PID" || true
        PID=
        die "the import ended before it could be killed (make RN_KILL_ITEMS larger): $(cat import.err)"
    fi
    local wal
    wal=$(($(disk) - wal0))
    local journal=no
    [ -s db.db-journal ] && journal=yes
    kill -9 "$PID"
    wait "$PID" 2>/dev/null || true
    PID=
    # alone on the database, a bulk import writes with a rollback journal
    [ -z "$want_journal" ] || [ "$journal" = "$want_journal" ] ||
        die "killed with +$wal bytes on disk: rollback journal '$journal', expected '$want_journal'"
    rn --db db.db export -o after.jsonl
    if ! cmp -s before.jsonl after.jsonl; then
        die "killed after $((n / 10)).$((n % 10)) s (+$wal bytes on disk): the database changed ($(wc -l <after.jsonl) records, was $(wc -l <before.jsonl))"
    fi
    local ic
    ic=$(sqlite3 db.db 'PRAGMA integrity_check;')
    [ "$ic" = ok ] || die "integrity_check after the kill: $ic"
    local fk
    fk=$(sqlite3 db.db 'PRAGMA foreign_key_check;' | head -3)
    [ -z "$fk" ] || die "foreign_key_check after the kill: $fk"
    ok "killed after $((n / 10)).$((n % 10)) s (+$((wal / 1024)) KiB on disk, rollback journal: $journal): database unchanged, integrity ok"
}

kill_at 0 10                # after 1 s: reading and inserting, pages still in memory
kill_at 1 600               # as soon as pages spill to disk
kill_at $((48 << 20)) 1200 yes # with 48 MiB of the uncommitted transaction on disk

# still usable: a write and a small import go through
id=$(rn --db db.db add entity kind=state name=AfterTheKills)
rn --db db.db show "$id" >/dev/null
head -50 big.jsonl >small.jsonl
rn --db db.db import small.jsonl --quiet >/dev/null 2>&1 ||
    rn --db db.db import small.jsonl >/dev/null
n=$(rn --db db.db export | wc -l)
[ "$n" = $(( $(wc -l <before.jsonl) + 1 + 50 )) ] || die "after the kills: $n records, expected $(( $(wc -l <before.jsonl) + 51 ))"
ok "the database takes writes and imports after the kills"
[ "$(sqlite3 db.db 'PRAGMA journal_mode;')" = wal ] || die "the database is not in WAL mode after the kills and imports"
ok "the database is in WAL mode again"
e2e_done
