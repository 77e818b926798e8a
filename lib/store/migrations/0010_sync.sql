-- SPDX-License-Identifier: Apache-2.0
-- Schema: sync between instances (lib/sync/, docs/SYNC.md): the peers this
-- instance trusts, what it saw from each (their checkpoints and leaf hashes,
-- kept so that `remnant verify` can recheck them), where every synced change
-- came from (provenance), the sync state of each record with each peer, and
-- the conflicts kept when a record changed on both sides.

-- A peer: its local name, URL (NULL: file only), verifier key, whose name
-- is the origin of its log, and the role its pushes are held to.
-- sent_size: this log's size at the last package made for it.
CREATE TABLE sync_peer (
  name TEXT PRIMARY KEY NOT NULL,
  url TEXT,
  vkey TEXT NOT NULL,
  origin TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  added TEXT NOT NULL,
  sent_size INTEGER NOT NULL DEFAULT 0 CHECK (sent_size >= 0)
) STRICT;

-- Every checkpoint accepted from a peer's log, with the key it verified
-- under (kept when the peer is removed: provenance cites it).
CREATE TABLE sync_checkpoint (
  origin TEXT NOT NULL,
  size INTEGER NOT NULL CHECK (size > 0),
  root BLOB NOT NULL CHECK (length(root) = 32),
  note TEXT NOT NULL,
  vkey TEXT NOT NULL,
  received TEXT NOT NULL,
  PRIMARY KEY (origin, size)
) STRICT;

-- The leaf hashes of a peer's log seen so far: from a full package, index 0
-- up without gaps (the tree every kept checkpoint of that peer is
-- recomputed from); from a public package only the public records' leaves,
-- each with its inclusion proof (hashes concatenated) in the kept
-- checkpoint of size proof_size.
CREATE TABLE sync_leaf (
  origin TEXT NOT NULL,
  idx INTEGER NOT NULL CHECK (idx >= 0),
  leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32),
  proof BLOB,
  proof_size INTEGER,
  PRIMARY KEY (origin, idx)
) STRICT, WITHOUT ROWID;

-- Provenance: the local log entry `seq` applied the change that entry
-- origin_index of log `origin` logged, accepted under that log's
-- checkpoint of size origin_checkpoint. author and time are the change's
-- own (kept from the entry); made_in / made_index name the log where the
-- change was first made when it came through a relay; brought_by is the
-- receiving account.
CREATE TABLE sync_provenance (
  seq INTEGER PRIMARY KEY NOT NULL,
  record_id TEXT NOT NULL,
  peer TEXT NOT NULL,
  origin TEXT NOT NULL,
  origin_index INTEGER NOT NULL CHECK (origin_index >= 0),
  origin_checkpoint INTEGER NOT NULL CHECK (origin_checkpoint > origin_index),
  origin_leaf BLOB NOT NULL CHECK (length(origin_leaf) = 32),
  author TEXT NOT NULL,
  time TEXT NOT NULL,
  made_in TEXT NOT NULL,
  made_index INTEGER NOT NULL,
  brought_by TEXT NOT NULL
) STRICT;
CREATE INDEX sync_provenance_record ON sync_provenance(record_id, seq);

-- The latest local entry of a record that a peer is known to hold (sent to
-- it, or applied from it). A change from the peer applies when the record's
-- latest local entry is still this one; otherwise it changed here too.
CREATE TABLE sync_record (
  peer_origin TEXT NOT NULL,
  record_id TEXT NOT NULL,
  local_seq INTEGER NOT NULL,
  PRIMARY KEY (peer_origin, record_id)
) STRICT, WITHOUT ROWID;

-- Conflicts: the record changed here and at the peer since the last sync.
-- Mine is the record in the store; theirs (NULL: they deleted it) is kept
-- here until a person resolves it; resolution is a logged change.
CREATE TABLE sync_conflict (
  record_id TEXT NOT NULL,
  opened INTEGER NOT NULL,        -- local log size when it was found
  type TEXT NOT NULL,
  peer TEXT NOT NULL,
  origin TEXT NOT NULL,
  origin_index INTEGER NOT NULL,
  mine_seq INTEGER,
  theirs TEXT,
  theirs_author TEXT NOT NULL,
  theirs_time TEXT NOT NULL,
  resolved_seq INTEGER,
  resolved_take TEXT,
  resolved_by TEXT,
  PRIMARY KEY (record_id, opened)
) STRICT;
CREATE INDEX sync_conflict_open ON sync_conflict(record_id) WHERE resolved_take IS NULL;
