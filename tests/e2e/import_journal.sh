#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# import_journal.sh — a bulk import's journal (lib/store/sqlite.c,
# sq_bulk_journal). Alone on the database, an import of thousands of
# records writes with a rollback journal (each page once) and leaves the
# database in WAL mode afterwards. With another connection holding the
# database open, the import keeps the write-ahead log: that reader goes on
# reading the state before the import while it runs, and sees every
# imported record after. Both imports bring the same records as a plain
# small import would (export compared). The kill tests are in
# kill_import.sh.
set -euo pipefail
. "${RN_SRC:?source tree}/tests/lib/e2e.sh"
HOLD=
e2e_cleanup() {
    if [ -n "$HOLD" ]; then kill "$HOLD" 2>/dev/null || true; wait "$HOLD" 2>/dev/null || true; fi
}
export REMNANT_AUTHOR=e2e
command -v python3 >/dev/null || die "python3 is needed"

rn generate --items 20000 --seed 5 -o big.jsonl
records=$(wc -l <big.jsonl)

# 1. alone: a rollback journal appears while it writes; WAL mode after
rn init a.db >/dev/null 2>&1
rn --db a.db import big.jsonl --quiet &
PID=$!
seen=no
while kill -0 "$PID" 2>/dev/null; do
    [ -s a.db-journal ] && seen=yes
    [ -s a.db-wal ] && [ "$(stat -c %s a.db-wal)" -gt 4000000 ] && seen=wal
    sleep 0.02
done
wait "$PID" || die "the import alone failed"
[ "$seen" = yes ] || die "alone, the import did not write with a rollback journal (seen: $seen)"
[ "$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA journal_mode").fetchone()[0])' a.db)" = wal ] ||
    die "after the import the database is not in WAL mode"
[ ! -e a.db-journal ] || die "a.db-journal is left after a committed import"
n=$(rn --db a.db export | grep -c '"type":"item"\|"type":"marking"\|"type":"event"')
[ "$n" -ge "$records" ] || die "alone: $n records after the import, expected at least $records"
ok "alone: written with a rollback journal, WAL mode again after, $n records"

# 2. with a reader holding the database open: WAL kept, the reader reads
rn init b.db >/dev/null 2>&1
before=$(rn --db b.db export | wc -l)
mkfifo go
python3 - b.db go >reader.out 2>&1 <<'PY' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
first = db.execute("SELECT count(*) FROM record").fetchone()[0]
open(sys.argv[2], "w").write("ready\n")
counts = []
t0 = time.time()
while time.time() - t0 < 60:
    counts.append(db.execute("SELECT count(*) FROM record").fetchone()[0])
    if counts[-1] > first:
        break
    time.sleep(0.02)
print(first, len(counts), counts[-1])
PY
HOLD=$!
read -r _ <go
rn --db b.db import big.jsonl --quiet
[ ! -e b.db-journal ] || die "with a reader present, the import left a rollback journal"
wait "$HOLD" || die "the reader failed: $(cat reader.out)"
HOLD=
read -r first reads last <reader.out
[ "$reads" -ge 2 ] || die "the reader read only $reads times during the import (WAL kept?)"
[ "$last" -gt "$first" ] || die "the reader never saw the import's records ($first, $last)"
after=$(rn --db b.db export | wc -l)
[ "$after" -eq $((before + records)) ] || die "with a reader: $after records, expected $((before + records))"
ok "with a reader open: WAL kept, $reads reads during the import, then $last records"

# 3. the same records either way
cmp -s <(rn --db a.db export | grep -v '"type":"entity"' | sort) <(rn --db b.db export | grep -v '"type":"entity"' | sort) ||
    die "the two imports stored different records"
ok "both imports stored the same records"
e2e_done
