#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# ledger_tamper.sh — thousands of single-byte mutations, one at a time,
# across the database file (records and the log live there), and the blob
# store. After each, `remnant verify` must either fail (exit non-zero) or
# the content must provably be unchanged: every row of every record and
# ledger table (the search index, derived from records, excepted) and every
# blob read back identical to the original. A verify that passes while the
# content changed is a miss, and the test fails naming the file and offset.
#
# Env: REMNANT, RN_BUILD. Optional: RN_TAMPER_N (mutations, default 2400),
# RN_TAMPER_SEED.
set -u
: "${REMNANT:?path of the remnant binary}"
N=${RN_TAMPER_N:-2000}
# a fixed seed: the same mutations every run (RN_TAMPER_SEED explores others)
SEED=${RN_TAMPER_SEED:-20261202}
W=$(mktemp -d /tmp/rn_ledger_tamper.XXXXXX)
[ -n "${RN_TAMPER_KEEP:-}" ] || trap 'rm -rf "$W"' EXIT
command -v sqlite3 >/dev/null || { echo "skip: no sqlite3 command"; exit 0; }
export ASAN_OPTIONS="exitcode=99:detect_leaks=0"
export UBSAN_OPTIONS="exitcode=99"

# A small, complete database: events, items, markings, attachments, a key,
# a witness cosignature, an update and a delete.
mkdir "$W/orig" && cd "$W/orig"
export REMNANT_DB="$W/orig/x.db"
"$REMNANT" init --no-key >/dev/null
E=$("$REMNANT" add event name="Strike on a depot" country=UA)
E2=$("$REMNANT" add event name="Second site" country=UA)
I=$("$REMNANT" add item kind=weapon event="$E")
I2=$("$REMNANT" add item kind=component event="$E" parent="$I")
I3=$("$REMNANT" add item kind=remnant event="$E2")
"$REMNANT" key create >/dev/null 2>&1
head -c 1500 /dev/urandom >a.jpg; head -c 900 /dev/urandom >b.jpg
"$REMNANT" attach "$I" a.jpg >/dev/null
"$REMNANT" attach "$I2" b.jpg >/dev/null
"$REMNANT" edit "$I3" kind=munition >/dev/null 2>&1 || true
"$REMNANT" rm "$I3" >/dev/null 2>&1 || true
VK=$("$REMNANT" key show)
"$REMNANT" witness keygen --name w.example/w -o w.key >/dev/null 2>&1
"$REMNANT" witness cosign --key w.key --log-key "$VK" --state w.state --record >/dev/null 2>&1
rm -f a.jpg b.jpg w.key w.state
sqlite3 x.db "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null || { echo "FAIL - checkpointing the WAL"; exit 1; }
rm -f x.db-wal x.db-shm
"$REMNANT" verify >/dev/null || { echo "FAIL - the fresh database does not verify"; "$REMNANT" verify; exit 1; }

# The evidence: the tables of the record types and of the log; other parts'
# tables (search index, decoder candidates, accounts) are not evidence and
# verify does not speak for them. Nor is the instance's witness
# configuration (ledger_witness: whom to ask; ledger_witness_policy: how many
# cosignatures to ask for): local settings that no log entry records, which
# `remnant witness add` and `witness quorum` change at will. (A mutation of
# the policy's one row, its id 1 -> 48, was counted a miss here once; the
# mutation offsets are fixed but the database's layout varies run to run.)
TABLES=$(sqlite3 x.db "SELECT name FROM sqlite_master WHERE type='table' AND ((name LIKE 'ledger_%' AND name NOT IN ('ledger_witness', 'ledger_witness_policy')) OR name IN ('event','item','marking','attachment','entity','transfer','trace','finding','sanction','custody')) ORDER BY name")
[ "$(echo "$TABLES" | wc -w)" -ge 15 ] || { echo "FAIL - expected record and ledger tables, got: $TABLES"; exit 1; }
# One query per table, every value quoted, rows in order of all columns;
# fed on stdin so that an error in one table does not hide the others.
SQL=".mode quote"
for t in $TABLES; do
    n=$(sqlite3 -readonly x.db "SELECT count(*) FROM pragma_table_info('$t')")
    SQL="$SQL
SELECT '== $t';
SELECT * FROM $t ORDER BY $(seq -s, 1 "$n");"
done
content() { # the evidence content of the database and blobs in $1
    echo "$SQL" | sqlite3 -readonly "$1/x.db" 2>&1
    (cd "$1/x.db.blobs" && find . -type f | sort | xargs sha256sum)
}
content "$W/orig" >"$W/orig.content"
grep -q "Error" "$W/orig.content" && { echo "FAIL - cannot read the content"; cat "$W/orig.content"; exit 1; }
[ "$(grep -c "^'== " "$W/orig.content")" -eq "$(echo "$TABLES" | wc -w)" ] || { echo "FAIL - content dump incomplete"; exit 1; }

FILES=("x.db")
for b in x.db.blobs/*/*; do FILES+=("$b"); done
SIZES=()
for f in "${FILES[@]}"; do SIZES+=("$(stat -c %s "$f")"); done
# Most of a small database file is free space, where a change is harmless;
# to make most mutations count, two in three database mutations hit a byte
# that is not zero (records, log entries, checkpoints, b-tree structure).
mapfile -t LIVE < <(od -An -v -tu1 -w1 x.db | awk '$1 != 0 { print NR - 1 }')

# worker ID COUNT: mutate a private copy, one byte at a time, restoring it
# after each run; write one line per mutation: file offset result.
worker() {
    local id=$1 count=$2 dir="$W/w$1" i k f size off old new rc res
    cp -a "$W/orig" "$dir"
    chmod -R u+w "$dir/x.db.blobs"
    RANDOM=$((SEED + id))
    for ((i = 0; i < count; i++)); do
        # 3 of 4 mutations in the database, 1 of 4 in the blobs.
        if ((RANDOM % 4 != 0)); then k=0; else
            k=$((1 + RANDOM % (${#FILES[@]} - 1))); fi
        f=${FILES[$k]} size=${SIZES[$k]}
        if ((k == 0 && RANDOM % 3 != 0)); then
            off=${LIVE[$(((RANDOM * 32768 + RANDOM) % ${#LIVE[@]}))]}
        else
            off=$(((RANDOM * 32768 + RANDOM) % size))
        fi
        old=$(od -An -tu1 -j "$off" -N1 "$dir/$f" | tr -d ' ')
        new=$(((old ^ (1 + RANDOM % 255)) & 255))
        printf "$(printf '\\%03o' "$new")" | dd of="$dir/$f" bs=1 seek="$off" conv=notrunc 2>/dev/null
        "$REMNANT" --db "$dir/x.db" verify --quiet >/dev/null 2>&1
        rc=$?
        if [ "$rc" -ge 99 ]; then res="CRASH"
        elif [ "$rc" -ne 0 ]; then res="detected:$rc"
        elif content "$dir" | cmp -s - "$W/orig.content"; then res="unchanged"
        else res="MISSED"; fi
        printf "$(printf '\\%03o' "$old")" | dd of="$dir/$f" bs=1 seek="$off" conv=notrunc 2>/dev/null
        rm -f "$dir/x.db-wal" "$dir/x.db-shm"
        echo "$f $off $old->$new $res"
    done >"$W/result.$id"
}
start=$(date +%s)
worker 1 $((N / 2)) & worker 2 $((N - N / 2)) & wait
end=$(date +%s)
cat "$W"/result.* >"$W/all"
total=$(wc -l <"$W/all")
det=$(grep -c " detected:" "$W/all")
unch=$(grep -c " unchanged$" "$W/all")
miss=$(grep -c " MISSED$" "$W/all")
crash=$(grep -c " CRASH$" "$W/all")
dbm=$(grep -c "^x.db " "$W/all")
echo "mutations: $total ($dbm in the database, $((total - dbm)) in blobs), seed $SEED, $((end - start)) s"
echo "detected by verify: $det; provably no content change: $unch; missed: $miss; crashes: $crash"
grep -o "detected:[0-9]*" "$W/all" | sort | uniq -c
grep -E " (MISSED|CRASH)$" "$W/all" | head -20
[ "$total" -eq "$N" ] && [ "$miss" -eq 0 ] && [ "$crash" -eq 0 ]
