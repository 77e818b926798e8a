#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# sync_base.sh — the rule that tells a change from a conflict (S9,
# lib/sync/import.c, docs/SYNC.md "Applying"), for a record whose latest
# version here was applied from the peer: S9 keeps no sync_record row for
# it (the provenance row says that the peer holds that version), so
# - the peer's next change of it applies, with no conflict;
# - a change here, then one at the peer, is a conflict (nothing overwritten);
# - a record sent to the peer and changed there comes back as a change
#   (sync_record, export.c E2), a database's sync_record rows from before
#   count as they did, and verify holds.
# All data here is invented for the test.
set -euo pipefail

. "$(dirname "$0")/sync/lib.sh"
n_conf() { sqlite3 hq.db "SELECT count(*) FROM sync_conflict"; }
push() { A sync export --peer hq -o "$1" 2>/dev/null; H sync import "$1"; }

rn init a.db >/dev/null 2>&1
rn init hq.db >/dev/null 2>&1
H peer add fieldA - --key "$(A key show)" >/dev/null
A peer add hq - --key "$(H key show)" --role admin >/dev/null

E=$(A add event name="Strike C (invented)" country=UA documented=2024-07)
I=$(A add item kind=weapon event="$E" category=missile)
push p1.sync | grep -q "0 conflicts" || die "the first sync conflicted"
[ "$(sqlite3 hq.db "SELECT count(*) FROM sync_record WHERE record_id='$I'")" = 0 ] ||
    die "S9 wrote a sync_record row for a change it applied (the provenance row says it)"
[ "$(sqlite3 hq.db "SELECT count(*) FROM sync_provenance WHERE record_id='$I'")" = 1 ] ||
    die "no provenance row for the applied item"
ok "a change applied from the peer: a provenance row, no sync_record row"

A edit "$I" category=rocket >/dev/null
out=$(push p2.sync)
grep -q "1 applied" <<<"$out" || die "the peer's second change of the item was not applied: $out"
[ "$(n_conf)" = 0 ] || die "the peer's second change of a record it sent was kept as a conflict"
grep -q "category *rocket" <<<"$(H show "$I")" || die "HQ does not hold the peer's change"
ok "the peer's next change of what it sent applies (its version is the one here)"

H edit "$I" category=drone >/dev/null
A edit "$I" category=grenade >/dev/null
out=$(push p3.sync)
grep -q "1 conflicts" <<<"$out" || die "a change on both sides was not a conflict: $out"
grep -q "category *drone" <<<"$(H show "$I")" || die "HQ's own change was overwritten"
ok "a change here then one at the peer: a conflict, nothing overwritten"

# HQ's own record, sent to A, changed there, comes back as a change
X=$(H add entity kind=company name="Example Parts Ltd (invented)")
H sync export --peer fieldA -o h1.sync 2>/dev/null
A sync import h1.sync >/dev/null
A edit "$X" country=PL >/dev/null
out=$(push p4.sync)
grep -q "0 conflicts" <<<"$out" || die "a record sent to the peer and changed there conflicted: $out"
grep -q "country *PL" <<<"$(H show "$X")" || die "HQ does not hold the peer's change of its record"
ok "a record sent to the peer comes back as a change (sync_record)"

# a database from before: S9 wrote a sync_record row for each applied change
E2=$(A add event name="Strike D (invented)" country=UA documented=2024-09)
push p5.sync >/dev/null
sqlite3 hq.db "INSERT INTO sync_record(peer_origin, record_id, local_seq) SELECT origin,
               record_id, seq FROM sync_provenance WHERE record_id='$E2'"
A edit "$E2" country=MD >/dev/null
out=$(push p6.sync)
grep -q "0 conflicts" <<<"$out" || die "a sync_record row from before made a conflict: $out"
grep -q "country *MD" <<<"$(H show "$E2")" || die "HQ does not hold the change"
ok "sync_record rows of applied changes from before count as before"

# a large package into an empty database: the store's bulk write (its
# secondary indexes dropped and built again at commit, as an import's)
# leaves the schema of a new database, and every record found by them
rn generate --items 500 --seed 3 -o g.jsonl
A import g.jsonl --no-decode --quiet >/dev/null
rn init hq2.db >/dev/null 2>&1
rn init fresh.db >/dev/null 2>&1
REMNANT_AUTHOR=hq-clerk rn --db hq2.db peer add fieldA - --key "$(A key show)" >/dev/null
A peer add hq2 - --key "$(rn --db hq2.db key show)" --role admin >/dev/null
A sync export --peer hq2 -o big.sync 2>/dev/null
n=$(REMNANT_AUTHOR=hq-clerk rn --db hq2.db sync import big.sync | grep -o '[0-9]* applied')
[ "${n% applied}" -ge 1000 ] || die "the large package applied only $n"
schema() { sqlite3 "$1" "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name"; }
[ "$(schema hq2.db)" = "$(schema fresh.db)" ] || die "the schema after a large sync is not a new database's"
[ "$(sqlite3 hq2.db "SELECT count(*) FROM item INDEXED BY item_event")" = \
  "$(sqlite3 hq2.db "SELECT count(*) FROM item")" ] || die "item_event misses rows"
rn --db hq2.db verify >v.hq2 || { cat v.hq2; die "verify failed after the large sync"; }
ok "a large sync into an empty database leaves its schema and indexes whole"

rn --db hq.db verify >v.hq || { cat v.hq; die "verify failed at HQ"; }
grep -q "all consistent" v.hq || die "verify at HQ not all consistent"
ok "verify holds"
