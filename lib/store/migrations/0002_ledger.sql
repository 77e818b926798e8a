-- SPDX-License-Identifier: Apache-2.0
-- Schema version 2: the evidence log (lib/ledger/, docs/LEDGER.md).
-- Append-only: rows of ledger_entry and ledger_checkpoint are never updated
-- or deleted (the triggers below refuse it); ledger_tree holds the one
-- current tree state and only moves forward.

-- Facts about this log. 'origin' names it in every checkpoint and is the
-- name of its signing key; it never changes once the first checkpoint exists.
CREATE TABLE ledger_meta (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
) STRICT;
INSERT INTO ledger_meta(key, value)
  VALUES ('origin', 'remnant.invalid/log/' || lower(hex(randomblob(8))));

-- One row per change of any record, in log order. seq is the leaf index
-- (0-based, no gaps). body is the entry's canonical bytes (the leaf data);
-- leaf_hash = SHA-256(0x00 || body). record_id, type and op repeat what the
-- body says, for lookups; verify checks that they agree.
CREATE TABLE ledger_entry (
  seq INTEGER PRIMARY KEY NOT NULL CHECK (seq >= 0),
  record_id TEXT NOT NULL,
  type TEXT NOT NULL,
  op TEXT NOT NULL CHECK (op IN ('c', 'u', 'd')),
  body BLOB NOT NULL,
  leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32)
) STRICT;
CREATE INDEX ledger_entry_record ON ledger_entry(record_id, seq);

-- The sealed tree: its size and frontier (the roots of the perfect subtrees
-- of [0, size), highest first; see lib/ledger/merkle.c).
CREATE TABLE ledger_tree (
  id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
  size INTEGER NOT NULL CHECK (size >= 0),
  frontier BLOB NOT NULL
) STRICT;
INSERT INTO ledger_tree(id, size, frontier) VALUES (1, 0, x'');

-- One checkpoint per sealed transaction: the signed note (C2SP
-- tlog-checkpoint; unsigned when the instance has no key: then the note is
-- the body alone). Every column here is checked by `remnant verify` (root
-- against the recomputed tree, the note against root, size and keys), so
-- no column can change unnoticed; times live in the entries, which are
-- hashed, not here.
CREATE TABLE ledger_checkpoint (
  size INTEGER PRIMARY KEY NOT NULL CHECK (size > 0),
  root BLOB NOT NULL CHECK (length(root) = 32),
  note TEXT NOT NULL
) STRICT;

-- Every public key that has signed checkpoints of this log (rotation keeps
-- the old ones, so old checkpoints still verify). Each must verify at least
-- one checkpoint's signature.
CREATE TABLE ledger_key (
  vkey TEXT PRIMARY KEY NOT NULL
) STRICT;

-- Cosignatures witnesses gave (the witness's verifier key and the note
-- signature line, whose signed timestamp says when).
CREATE TABLE ledger_cosignature (
  size INTEGER NOT NULL REFERENCES ledger_checkpoint(size),
  witness TEXT NOT NULL,
  line TEXT NOT NULL,
  PRIMARY KEY (size, witness)
) STRICT;

CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_entry
BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END;
CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON ledger_entry
BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END;
CREATE TRIGGER ledger_checkpoint_no_delete BEFORE DELETE ON ledger_checkpoint
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER ledger_tree_forward BEFORE UPDATE ON ledger_tree
WHEN NEW.size < OLD.size
BEGIN SELECT RAISE(ABORT, 'the log tree only grows'); END;
