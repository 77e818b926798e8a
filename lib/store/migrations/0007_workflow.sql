-- SPDX-License-Identifier: Apache-2.0
-- Schema: the review and trace-request workflows (lib/store/lifecycle.c,
-- docs/ANALYSIS.md). Findings gain their version link and their withdrawal;
-- trace requests the date of each move of their lifecycle. The status
-- values themselves are checked by the model (lib/model/types.c), not here.

ALTER TABLE finding ADD COLUMN supersedes TEXT REFERENCES finding(id);
ALTER TABLE finding ADD COLUMN withdrawn_reason TEXT;
ALTER TABLE finding ADD COLUMN withdrawn_earliest INTEGER;
ALTER TABLE finding ADD COLUMN withdrawn_latest INTEGER;
ALTER TABLE finding ADD COLUMN withdrawn_precision TEXT;
CREATE INDEX IF NOT EXISTS finding_supersedes ON finding(supersedes);

ALTER TABLE trace ADD COLUMN acknowledged_earliest INTEGER;
ALTER TABLE trace ADD COLUMN acknowledged_latest INTEGER;
ALTER TABLE trace ADD COLUMN acknowledged_precision TEXT;
ALTER TABLE trace ADD COLUMN overdue_since_earliest INTEGER;
ALTER TABLE trace ADD COLUMN overdue_since_latest INTEGER;
ALTER TABLE trace ADD COLUMN overdue_since_precision TEXT;
ALTER TABLE trace ADD COLUMN no_answer_earliest INTEGER;
ALTER TABLE trace ADD COLUMN no_answer_latest INTEGER;
ALTER TABLE trace ADD COLUMN no_answer_precision TEXT;
ALTER TABLE trace ADD COLUMN closed_earliest INTEGER;
ALTER TABLE trace ADD COLUMN closed_latest INTEGER;
ALTER TABLE trace ADD COLUMN closed_precision TEXT;
