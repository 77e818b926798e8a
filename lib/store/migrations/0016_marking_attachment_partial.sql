-- SPDX-License-Identifier: Apache-2.0
-- Schema: the index of markings by photo holds only the markings that name
-- one (issue 14, import; docs/BENCHMARKS.md "Import: the search index in one
-- segment").
--
-- marking.attachment is NULL for a marking documented without a photo of it:
-- every marking of `remnant generate`'s data, and most in the field. The full
-- index (0001_init.sql) held one entry per marking all the same, which a bulk
-- import builds at its commit (1.25M entries at 1M items) and every later
-- write of a marking updates. Its only readers look markings up by a given
-- attachment: the foreign key's check when an attachment is deleted, and the
-- store's check for records still referring to it (lib/store/sqlite.c,
-- check_referrers: attachment = ?). A term `attachment = ?` implies
-- `attachment IS NOT NULL`, so SQLite uses the partial index for both
-- (https://www.sqlite.org/partialindex.html, "Queries Using Partial
-- Indexes"); tests/unit/test_store.c checks the plan.
DROP INDEX marking_attachment;
CREATE INDEX marking_attachment ON marking(attachment) WHERE attachment IS NOT NULL;
