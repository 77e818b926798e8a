#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/same_output.sh — a change to how the store writes must not change
# what anyone reads. The same generated data is imported by an older build
# (BASE) and by this one (NEW), and the older build's database is also
# migrated by this one; then the derived tables (candidates, rules, records,
# search texts, the machine_claim view) and the readers' output (show,
# claim, origin per weapon and for all, timeline, sanctions, links --all,
# search, export; all as JSON: the API sends the same documents) are
# compared byte for byte. Prints one line per comparison; exit 1 on any
# difference.
#
# usage: BASE=/path/to/old/remnant [NEW=/path/to/remnant] [N=3000] bench/same_output.sh
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BASE=${BASE:?set BASE to an older remnant binary}
NEW=${NEW:-$HERE/out/build/remnant}
N=${N:-3000}
D=$(mktemp -d "${TMPDIR:-/tmp}/rn_same.XXXXXX")
trap 'rm -rf "$D"' EXIT
cd "$D"
"$NEW" generate --items "$N" --seed 7 -o g.jsonl
"$BASE" init a.db >/dev/null 2>&1
"$BASE" --db a.db import g.jsonl >/dev/null
"$NEW" init b.db >/dev/null 2>&1
"$NEW" --db b.db import g.jsonl >/dev/null
# the old database, migrated: any write open of it runs the new migrations
"$BASE" init m.db >/dev/null 2>&1
"$BASE" --db m.db import g.jsonl >/dev/null
: >empty.jsonl
"$NEW" --db m.db import empty.jsonl >/dev/null

dump() { # dump DB BIN OUT
    local db=$1 bin=$2 o=$3 q it w s
    for q in "SELECT * FROM candidate ORDER BY marking, rank" \
        "SELECT * FROM decode_rule ORDER BY rule" "SELECT * FROM item ORDER BY id" \
        "SELECT * FROM marking ORDER BY id" "SELECT * FROM event ORDER BY id" \
        "SELECT * FROM record ORDER BY id" \
        "SELECT id, rid, type, field, text FROM search_text ORDER BY id" \
        "SELECT * FROM search_char ORDER BY c" "SELECT * FROM machine_claim ORDER BY item, field"; do
        echo "== $q"
        sqlite3 "$db" "$q"
    done >"$o.tables"
    {
        for it in $(sqlite3 "$db" "SELECT id FROM item ORDER BY id LIMIT 40") \
            $(sqlite3 "$db" "SELECT item FROM marking ORDER BY id DESC LIMIT 40"); do
            echo "== show $it"; "$bin" --db "$db" show "$it" --json
            echo "== claim $it"; "$bin" --db "$db" claim "$it" --json
        done
        for w in $(sqlite3 "$db" "SELECT id FROM item WHERE kind='weapon' ORDER BY id LIMIT 10"); do
            echo "== origin $w"; "$bin" --db "$db" origin "$w" --json
        done
        echo "== timeline"; "$bin" --db "$db" timeline --json --limit 100000
        echo "== origin"; "$bin" --db "$db" origin --json --limit 100000
        echo "== sanctions"; "$bin" --db "$db" sanctions --json
        echo "== links"; "$bin" --db "$db" links --all --json
        for s in 2315 '2?15' SN74 'KN-2?' 주체 '1?48'; do
            echo "== search $s"; "$bin" --db "$db" search "$s" --json
        done
        echo "== export"; "$bin" --db "$db" export
    } >"$o.cli" 2>&1
}
dump a.db "$BASE" a
dump b.db "$NEW" b
dump m.db "$NEW" m
bad=0
for x in tables cli; do
    for p in b m; do
        if cmp -s "a.$x" "$p.$x"; then
            echo "same $x: base's import and $([ $p = b ] && echo "this build's" || echo "base's migrated by this build") ($(wc -l <"a.$x") lines, $(wc -c <"a.$x") bytes)"
        else
            echo "DIFFERENT $x: base's import and $p"
            diff "a.$x" "$p.$x" | head -5
            bad=1
        fi
    done
done
echo "schema versions: base $(sqlite3 a.db 'PRAGMA user_version'), this build $(sqlite3 b.db 'PRAGMA user_version'), migrated $(sqlite3 m.db 'PRAGMA user_version'); page size: base $(sqlite3 a.db 'PRAGMA page_size'), this build $(sqlite3 b.db 'PRAGMA page_size')"
exit $bad
