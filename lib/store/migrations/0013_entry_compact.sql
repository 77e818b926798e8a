-- SPDX-License-Identifier: Apache-2.0
-- Schema version 13: the compact stored form of format-2 log entries
-- (lib/ledger/stored.c, docs/LEDGER.md "Stored form and canonical form").
-- A compact row keeps body = x'' and, instead of the entry's canonical
-- bytes, what they are rebuilt from exactly: the columns seq, record_id,
-- type, op and disclosures as before, plus the entry's time (milliseconds
-- since 1970, UTC) and prev (the previous entry's leaf hash, NULL for a
-- record's first). The digests are the SHA-256 of the disclosures, so they
-- are not stored. A full row (format 1, or an entry migration did not
-- compact) keeps its body and has both new columns NULL. leaf_hash is
-- SHA-256(0x00 || the canonical bytes) in both forms; `remnant verify`
-- rebuilds every entry and checks it against leaf_hash and the tree.
-- When this migration is applied, lib/store/sqlite.c calls
-- rn__ledger_compact, which compacts each existing format-2 row whose
-- rebuilt bytes equal its body (the others stay full).
ALTER TABLE ledger_entry ADD COLUMN time INTEGER CHECK (time IS NULL OR time >= 0);
ALTER TABLE ledger_entry ADD COLUMN prev BLOB CHECK (prev IS NULL OR length(prev) = 32);
