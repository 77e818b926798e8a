-- SPDX-License-Identifier: Apache-2.0
-- Schema version 5: selective disclosure (docs/LEDGER.md, "Entry format v2").
-- A v2 entry's body commits to each field through a salted digest; the
-- disclosures (one per line: ["salt","name",value]) are kept here, beside
-- the body, so the full record can be rebuilt and checked, and a public
-- bundle can carry only the public fields' disclosures. NULL for v1 entries,
-- whose body carries the record itself. Like the body, never updated.
ALTER TABLE ledger_entry ADD COLUMN disclosures BLOB;

-- Key rotations (docs/LEDGER.md, "Keys"): a signed note
-- "remnant key rotation\n<origin>\nold <vkey>\nnew <vkey>\n" carrying a
-- signature by the old key and one by the new. `remnant verify` trusts a
-- key on record only when a chain of such links joins it to a trust anchor
-- from outside the database (the key file, --trust FILE, --key): a key
-- inserted into ledger_key without one is reported as untrusted.
CREATE TABLE ledger_key_link (
  old TEXT NOT NULL,
  new TEXT NOT NULL,
  note TEXT NOT NULL,
  PRIMARY KEY (old, new)
) STRICT;
CREATE TRIGGER ledger_key_link_no_update BEFORE UPDATE ON ledger_key_link
BEGIN SELECT RAISE(ABORT, 'key rotations are append-only'); END;
CREATE TRIGGER ledger_key_link_no_delete BEFORE DELETE ON ledger_key_link
BEGIN SELECT RAISE(ABORT, 'key rotations are append-only'); END;
