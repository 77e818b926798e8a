-- SPDX-License-Identifier: Apache-2.0
-- Schema version 8: the Merkle tree's hashes as C2SP tlog-tiles
-- (https://c2sp.org/tlog-tiles, height 8; lib/ledger/tiles.c, docs/LEDGER.md).
-- Tile (level, idx) holds, in order, the hashes of the tree's nodes at
-- height 8*level with indexes idx*256 .. idx*256+width-1 (width =
-- length(hashes)/32, 1..256): at level 0 the leaf hashes, above the roots
-- of full tiles one level down. Written in the same transaction as the
-- entries: outside a write transaction the tiles are exactly those of the
-- sealed tree (ledger_tree.size). A tile only grows: the hashes already in
-- it never change (the trigger refuses anything else), so a tile of width W
-- is also every partial tile of width < W. Existing logs get their tiles
-- when this migration is applied (lib/store/sqlite.c calls
-- rn__tiles_build); `remnant verify` recomputes every tile (V9).
CREATE TABLE ledger_tile (
  level INTEGER NOT NULL CHECK (level >= 0 AND level < 8),
  idx INTEGER NOT NULL CHECK (idx >= 0),
  hashes BLOB NOT NULL CHECK (length(hashes) >= 32 AND length(hashes) <= 8192
                              AND length(hashes) % 32 = 0),
  PRIMARY KEY (level, idx)
) STRICT;

CREATE TRIGGER ledger_tile_grow BEFORE UPDATE ON ledger_tile
WHEN NEW.level != OLD.level OR NEW.idx != OLD.idx
  OR length(NEW.hashes) < length(OLD.hashes)
  OR substr(NEW.hashes, 1, length(OLD.hashes)) != OLD.hashes
BEGIN SELECT RAISE(ABORT, 'a tile only grows'); END;
CREATE TRIGGER ledger_tile_no_delete BEFORE DELETE ON ledger_tile
BEGIN SELECT RAISE(ABORT, 'tiles are append-only'); END;

-- A record's previous entry, for a create (lib/ledger/log.c L3): a record
-- that is not alive can only have been deleted, so its previous entry is its
-- last delete, found in this small index instead of among all entries.
CREATE INDEX ledger_entry_deleted ON ledger_entry(record_id, seq) WHERE op = 'd';
