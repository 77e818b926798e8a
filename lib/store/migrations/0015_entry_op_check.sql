-- SPDX-License-Identifier: Apache-2.0
-- Schema: ledger_entry with its op check written without IN (issue 14, log
-- append; docs/BENCHMARKS.md "Log append in SQLite").
--
-- ledger_entry's check op IN ('c', 'u', 'd') (0002_ledger.sql) made SQLite
-- (3.40) build an ephemeral B-tree of the three values at every execution of
-- the INSERT, that is once per appended entry: about 2 us, a third of an
-- append's CPU. The check op = 'c' OR op = 'u' OR op = 'd' accepts exactly
-- the same values (op is TEXT NOT NULL in a STRICT table) and costs three
-- comparisons. SQLite cannot change a check in place, so the table is
-- rebuilt: same columns in the same order, same types, every other check,
-- the same rows (seq is the rowid, so every entry keeps its key), the same
-- indexes and append-only triggers. Nothing else names ledger_entry in the
-- schema (no view, no trigger of another table, no foreign key), and a
-- DROP TABLE fires no trigger, so the rebuild is the whole change. The DROP
-- removes every index and trigger on the table: each is recreated below
-- (tests/unit/test_tiles.c, test_migration_op_check, compares them before
-- and after, so one added by an earlier migration and not recreated here
-- fails it; a view or another table's trigger naming ledger_entry would make
-- the RENAME fail).
CREATE TABLE ledger_entry_0015 (
  seq INTEGER PRIMARY KEY NOT NULL CHECK (seq >= 0),
  record_id TEXT NOT NULL,
  type TEXT NOT NULL,
  op TEXT NOT NULL CHECK (op = 'c' OR op = 'u' OR op = 'd'),
  body BLOB NOT NULL,
  leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32),
  disclosures BLOB,
  time INTEGER CHECK (time IS NULL OR time >= 0),
  prev BLOB CHECK (prev IS NULL OR length(prev) = 32)
) STRICT;
INSERT INTO ledger_entry_0015(seq, record_id, type, op, body, leaf_hash, disclosures, time, prev)
  SELECT seq, record_id, type, op, body, leaf_hash, disclosures, time, prev
  FROM ledger_entry ORDER BY seq;
DROP TABLE ledger_entry;
ALTER TABLE ledger_entry_0015 RENAME TO ledger_entry;
-- as in 0002_ledger.sql and 0008_tiles.sql
CREATE INDEX ledger_entry_record ON ledger_entry(record_id, seq);
CREATE INDEX ledger_entry_deleted ON ledger_entry(record_id, seq) WHERE op = 'd';
CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_entry
BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END;
CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON ledger_entry
BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END;
