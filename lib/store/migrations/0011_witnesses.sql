-- SPDX-License-Identifier: Apache-2.0
-- Schema version 11: the witnesses this log asks for cosignatures
-- (c2sp.org/tlog-witness; docs/LEDGER.md, "Witnessing"; lib/ledger/witness_ask.c).
-- What they give is stored in ledger_cosignature (0002), checked first.

-- One row per witness: a local name, the submission prefix (requests go to
-- <url>/add-checkpoint), its cosignature/v1 verifier key, and the size of
-- the latest checkpoint it cosigned for this log (0: none yet), from which
-- the next consistency proof starts.
CREATE TABLE ledger_witness (
  name TEXT PRIMARY KEY NOT NULL,
  url TEXT NOT NULL,
  vkey TEXT NOT NULL UNIQUE,
  size INTEGER NOT NULL DEFAULT 0 CHECK (size >= 0)
) STRICT;

-- How many witnesses must cosign a checkpoint (0: none required).
CREATE TABLE ledger_witness_policy (
  id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
  quorum INTEGER NOT NULL CHECK (quorum >= 0)
) STRICT;
INSERT INTO ledger_witness_policy(id, quorum) VALUES (1, 0);
