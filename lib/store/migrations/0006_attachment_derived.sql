-- SPDX-License-Identifier: Apache-2.0
-- Schema version 6: an attachment made from another one (docs/PHOTOS.md).
-- The public's copy of a photo, with its location and device metadata
-- removed, is an attachment of its own (its own blob, named by its own
-- SHA-256) whose `derived_from` is the original and whose `derivation` is
-- 'public-metadata-stripped'. The original is never changed.

ALTER TABLE attachment ADD COLUMN derived_from TEXT REFERENCES attachment(id);
ALTER TABLE attachment ADD COLUMN derivation TEXT;
CREATE INDEX attachment_derived_from ON attachment(derived_from);
