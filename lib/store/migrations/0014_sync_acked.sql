-- SPDX-License-Identifier: Apache-2.0
-- Schema: what a peer is known to hold of this log (lib/sync/, docs/SYNC.md,
-- "Files: resumable"): acked_size, the size of this log that the peer has
-- accepted (a push it answered, the size it pulls from, a change of this log
-- it sent back). A package by file leaves out the files that attachments
-- logged before it name: the peer holds them.
ALTER TABLE sync_peer ADD COLUMN acked_size INTEGER NOT NULL DEFAULT 0
  CHECK (acked_size >= 0);
