#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# sync_three.sh — three instances sync by file (issue 13, docs/SYNC.md):
# field laptops A and B document offline and export to headquarters HQ;
# HQ keeps a record both changed as a conflict (S9), resolves it (a logged
# change), and A and B pull HQ's log. Afterwards `remnant verify` holds on
# all three, every record at HQ names its origin (show, history), the
# original author stays and the receiving account is recorded, own changes
# coming back are skipped, and importing the same package twice changes
# nothing. All data here is invented for the test.
set -euo pipefail

. "$(dirname "$0")/sync/lib.sh"
B() { REMNANT_AUTHOR=bohdan rn --db b.db "$@"; }
dump() { sqlite3 "$1" "SELECT count(*) FROM ledger_entry; SELECT count(*) FROM record;
                      SELECT count(*) FROM sync_provenance; SELECT count(*) FROM sync_conflict;
                      SELECT count(*) FROM sync_checkpoint;"; }

for x in a b hq; do rn init $x.db >/dev/null 2>&1; done
AK=$(A key show); BK=$(B key show); HK=$(H key show)
H peer add fieldA - --key "$AK" >/dev/null
H peer add fieldB - --key "$BK" >/dev/null
A peer add hq - --key "$HK" --role admin >/dev/null
B peer add hq - --key "$HK" --role admin >/dev/null
grep -q "fieldA  -  role investigator" <<<"$(H peer list)" || die "peer list does not show fieldA"
ok "peers registered on three instances"

# reference data at HQ, pulled by both laptops before they go out
ENT=$(H add entity kind=company name="Example Components Ltd (invented)")
H sync export --peer fieldA -o hq-a0.sync 2>/dev/null
H sync export --peer fieldB -o hq-b0.sync 2>/dev/null
A sync import hq-a0.sync >/dev/null
B sync import hq-b0.sync >/dev/null
[ "$(A show "$ENT" --json | grep -c 'Example Components')" = 1 ] || die "A lacks the reference"
ok "both laptops pulled HQ's reference data"

# offline work
EA=$(A add event name="Strike A (invented)" country=UA documented=2024-07)
IA=$(A add item kind=weapon event="$EA" category=missile)
A add marking item="$IA" text="SN74HC00N 2315" method=printed >/dev/null
printf 'not a real photo\n' >note.txt
A attach "$IA" note.txt >/dev/null 2>&1
EB=$(B add event name="Strike B (invented)" country=UA documented=2024-08)
B add item kind=weapon event="$EB" category=drone >/dev/null
# both edit the reference entity: a conflict at HQ
A edit "$ENT" country=CN >/dev/null
B edit "$ENT" country=HK >/dev/null
ok "A and B documented offline"

A sync export --peer hq -o a1.sync 2>/dev/null
B sync export --peer hq -o b1.sync 2>/dev/null
grep -q "0 conflicts" <<<"$(H sync import a1.sync)" || die "A's push conflicted"
before=$(dump hq.db)
grep -q "imported already: nothing to do" <<<"$(H sync import a1.sync)" || die "second import not a no-op"
[ "$(dump hq.db)" = "$before" ] || die "the second import of the same package changed HQ"
ok "A -> HQ applied; the same package twice changes nothing"

out=$(H sync import b1.sync)
grep -q "1 conflicts" <<<"$out" || die "B's edit of the entity did not conflict: $out"
grep -q "$ENT (entity) in conflict with peer fieldB" <<<"$(H conflicts)" || die "conflicts does not list it"
grep -q "country *CN" <<<"$(H show "$ENT")" || die "HQ overwrote A's version"
grep -q "IN CONFLICT with peer fieldB" <<<"$(H show "$ENT")" || die "show does not say the conflict"
grep -q '"country":"HK"' <<<"$(H conflicts --json)" || die "B's version was not kept"
ok "a record changed on both sides is kept both ways, not overwritten"

grep -q "took theirs" <<<"$(H resolve "$ENT" --take theirs)" || die "resolve failed"
grep -q "country *HK" <<<"$(H show "$ENT")" || die "resolve did not take theirs"
grep -q "no open conflicts" <<<"$(H conflicts)" || die "the conflict stays open"
grep -q '"author":"hq-clerk"' <<<"$(H history "$ENT" --json)" || die "the resolution is not logged"
ok "HQ resolved the conflict as a logged change"

# provenance at HQ: every record that came from A or B names its origin
AO=$(sqlite3 a.db "SELECT value FROM ledger_meta WHERE key='origin'")
grep -q "origin: made in $AO .* by alice" <<<"$(H show "$IA")" || die "show does not name A's origin"
grep -q "brought in by hq-clerk" <<<"$(H show "$IA")" || die "show does not name who brought it in"
grep -q "synced from peer fieldA" <<<"$(H history "$IA")" || die "history does not name the origin"
grep -q '"author":"alice"' <<<"$(H history "$IA" --json)" || die "the original author was not kept"
missing=$(sqlite3 hq.db "SELECT count(*) FROM record r WHERE r.id NOT IN (SELECT record_id FROM
          sync_provenance) AND r.id <> '$ENT'")
[ "$missing" = 0 ] || die "$missing records at HQ name no origin"
ok "every record at HQ names its origin; author kept, importer recorded"

# both pull
H sync export --peer fieldA -o hq-a1.sync 2>/dev/null
H sync export --peer fieldB -o hq-b1.sync 2>/dev/null
out=$(A sync import hq-a1.sync)
grep -q "0 conflicts" <<<"$out" || die "A's pull conflicted: $out"
grep -Eq "[1-9][0-9]* our own" <<<"$out" || die "A's own changes were not recognised: $out"
grep -q "0 conflicts" <<<"$(B sync import hq-b1.sync)" || die "B's pull conflicted"
for x in A B H; do
    grep -q "country *HK" <<<"$($x show "$ENT")" || die "$x does not hold the resolution"
done
A show "$EB" >/dev/null || die "A lacks B's event"
B show "$IA" >/dev/null || die "B lacks A's item"
grep -q "made in $AO" <<<"$(B show "$IA")" || die "B does not say the item was made at A"
ok "both pulled: all three agree"

for x in a b hq; do
    rn --db $x.db verify >v.$x || { cat v.$x; die "verify failed on $x"; }
    grep -q "all consistent" v.$x || die "verify on $x not all consistent"
done
grep -q "provenance: .* synced changes checked" v.hq || die "verify did not check provenance"
ok "verify holds on all three"

# verify checks provenance: a changed origin index is found
sqlite3 hq.db "UPDATE sync_provenance SET origin_index = origin_index - 1 WHERE seq =
               (SELECT max(seq) FROM sync_provenance WHERE origin_index > 0)"
if rn --db hq.db verify >v.bad; then die "verify passed a changed provenance"; fi
grep -q "PROBLEM provenance" v.bad || die "verify did not name the provenance problem"
ok "verify reports provenance that does not match the kept checkpoints"
