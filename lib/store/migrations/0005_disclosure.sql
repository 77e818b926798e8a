-- SPDX-License-Identifier: Apache-2.0
-- Schema version 5: selective disclosure (docs/LEDGER.md, "Entry format v2").
-- A v2 entry's body commits to each field through a salted digest; the
-- disclosures (one per line: ["salt","name",value]) are kept here, beside
-- the body, so the full record can be rebuilt and checked, and a public
-- bundle can carry only the public fields' disclosures. NULL for v1 entries,
-- whose body carries the record itself. Like the body, never updated.
ALTER TABLE ledger_entry ADD COLUMN disclosures BLOB;
