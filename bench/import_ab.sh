#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/import_ab.sh — an older build against this one on the same file, in
# the same run, rounds interleaved (so that a machine shared with other work
# slows both alike): `remnant import` (the CLI, the evidence log included),
# import_bench --no-log (bench/import_bench.c: the store's side alone), and
# the sqlite3 shell's `.import` of the file's item and marking rows as CSV
# (bench/run's baseline). Each line: label, wall seconds, CPU seconds (user
# + system, GNU time), and the database's size after it.
#
# usage: [DBDIR=DIR] [NOLOG=0] [SU=1] bench/import_ab.sh OLD_BUILD_DIR NEW_BUILD_DIR FILE.jsonl [ROUNDS]
#   DBDIR: where the databases are written (default bench/out/ab; /dev/shm
#   takes the disk out of the comparison)
#   OLD_BUILD_DIR `-`: the new build alone against the baselines (more
#   rounds in the same time)
#   NOLOG=0: leave out the import_bench --no-log runs
#   SU=1: each round also runs `sqlite-utils insert DB records FILE --nl
#   --alter` on the same JSONL (bench/run's second baseline)
#   a build dir holds `remnant` and `libremnant.a` (a Release build: see
#   bench/run), inside its source tree (e.g. `git archive OLD | tar -x -C
#   /tmp/old` built in /tmp/old/build); import_bench is compiled against
#   each into bench/out/ab.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OLD=$1 NEW=$2 F=$(realpath "$3") R=${4:-3}
OUT=$HERE/out/ab
DB=${DBDIR:-$OUT}
mkdir -p "$OUT" "$DB"
DEPS=$(pkg-config --cflags --libs sqlite3 jansson libsodium libcrypto pangocairo cairo-pdf gdk-pixbuf-2.0 \
       gexiv2 libjpeg libpng libwebpmux libheif)
SIDES=(OLD NEW)
[ "$OLD" = - ] && SIDES=(NEW)
for side in "${SIDES[@]}"; do
    dir=${!side}
    # its sources: the tree the build dir sits in, else this one
    if [ -f "$dir/../bench/import_bench.c" ]; then src=$(cd "$dir/.." && pwd); else src=$(dirname "$HERE"); fi
    # shellcheck disable=SC2086
    cc -O2 -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I"$src/include" -I"$src/lib" \
        "$src/bench/import_bench.c" "$dir/libremnant.a" \
        -Wl,--wrap=rn__ledger_append,--wrap=rn__ledger_seal $DEPS -lm -o "$OUT/import_bench_$side"
done
# the baseline's CSV, from a database the new build imported (untimed)
rm -f "$OUT"/csv.db*
"$NEW/remnant" init "$OUT/csv.db" >/dev/null 2>&1
"$NEW/remnant" --db "$OUT/csv.db" import "$F" >/dev/null
"$NEW/remnant" --db "$OUT/csv.db" export --format csv --type item -o "$OUT/item.csv"
"$NEW/remnant" --db "$OUT/csv.db" export --format csv --type marking -o "$OUT/marking.csv"
rm -f "$OUT"/csv.db*
hdr() { head -1 "$2" | tr -d '\r' | awk -F, -v t="$1" '{ s = "CREATE TABLE " t " ("
    for (i = 1; i <= NF; i++) s = s (i > 1 ? ", " : "") "\"" $i "\" TEXT"; print s ");" }'; }
{
    hdr item "$OUT/item.csv"
    hdr marking "$OUT/marking.csv"
    echo ".import --csv --skip 1 '$OUT/item.csv' item"
    echo ".import --csv --skip 1 '$OUT/marking.csv' marking"
} >"$OUT/sqlite.sql"
t() { # t LABEL DB CMD...
    local l=$1 db=$2
    shift 2
    sync
    /usr/bin/time -f '%e %U %S' -o "$OUT/time.txt" "$@" >/dev/null
    read -r w u s <"$OUT/time.txt"
    echo "$l $w $(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }') $(stat -c %s "$db")"
}
fresh() { rm -f "$2" "$2-wal" "$2-shm" "$2.key" "$2.key.last"; "$1/remnant" init "$2" >/dev/null 2>&1; }
echo "# load $(cut -d' ' -f1-3 /proc/loadavg); label wall_s cpu_s db_bytes"
for _ in $(seq "$R"); do
    for side in "${SIDES[@]}"; do
        dir=${!side}
        fresh "$dir" "$DB/x.db"
        t "${side,,}_import" "$DB/x.db" "$dir/remnant" --db "$DB/x.db" import "$F"
        [ "${NOLOG:-1}" = 0 ] && continue
        fresh "$dir" "$DB/x.db"
        t "${side,,}_nolog" "$DB/x.db" "$OUT/import_bench_$side" "$DB/x.db" "$F" --no-log
    done
    if [ "${SU:-0}" = 1 ]; then
        rm -f "$DB/u.db"
        t sqlite_utils "$DB/u.db" sqlite-utils insert "$DB/u.db" records "$F" --nl --alter
    fi
    rm -f "$DB/s.db"
    t sqlite3_import "$DB/s.db" sqlite3 "$DB/s.db" <"$OUT/sqlite.sql"
done | tee "$OUT/rounds.txt"
rm -f "$DB"/x.db* "$DB/s.db" "$DB/u.db"
echo "# load $(cut -d' ' -f1-3 /proc/loadavg)"
# per label: the median over the rounds of wall and CPU, and of each round's
# ratio to that round's sqlite3 .import (rounds interleaved, so a slow
# stretch of a shared machine weighs on both sides of a ratio alike)
awk '
function med(s,   a, n, i, j, t) {
    n = split(s, a, " ")
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
        t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{ k = ++n; lab[k] = $1; w[k] = $2; c[k] = $3
  if ($1 == "sqlite_utils") { su_w = $2; su_c = $3 }
  if ($1 == "sqlite3_import") { for (i = first; i <= k; i++) {
        W[lab[i]] = W[lab[i]] " " w[i]; C[lab[i]] = C[lab[i]] " " c[i]
        RW[lab[i]] = RW[lab[i]] " " w[i] / $2; RC[lab[i]] = RC[lab[i]] " " c[i] / $3
        if (su_w) { hasu = 1; UW[lab[i]] = UW[lab[i]] " " w[i] / su_w; UC[lab[i]] = UC[lab[i]] " " c[i] / su_c } }
      first = k + 1; su_w = 0 } }
END { print "# median: label wall_s cpu_s wall_ratio cpu_ratio (x sqlite3 .import, per round)" \
            (hasu ? " wall_ratio_su cpu_ratio_su (x sqlite-utils, per round)" : "")
      for (l in W) printf "# %s %.2f %.2f %.2f %.2f%s\n", l, med(W[l]), med(C[l]), med(RW[l]), med(RC[l]),
          (l in UW) ? sprintf(" %.2f %.2f", med(UW[l]), med(UC[l])) : "" }
' first=1 "$OUT/rounds.txt" | sort
