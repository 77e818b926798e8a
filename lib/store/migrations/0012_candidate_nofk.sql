-- SPDX-License-Identifier: Apache-2.0
-- Schema: the decoder's candidates without a foreign key (issue 14, import).
--
-- candidate.marking was a foreign key to marking(id) ON DELETE CASCADE. The
-- store writes a marking's candidates only itself (lib/store/decoded.c),
-- right after the marking in the same transaction, so the key could never
-- fail; but SQLite checked it on every candidate row, one probe of the
-- marking table each (about 3 candidates a marking; 4% of an import's
-- instructions). The cascade is kept as a trigger: deleting a marking
-- deletes its candidates, as before. Same columns, same rows, same view.
DROP VIEW machine_claim;
CREATE TABLE candidate_0012 (
  marking TEXT NOT NULL,
  rank INTEGER NOT NULL,
  field TEXT NOT NULL,
  value TEXT NOT NULL,
  earliest INTEGER, latest INTEGER, precision TEXT,
  country TEXT,
  confidence REAL NOT NULL,
  rule TEXT NOT NULL,
  explanation TEXT,
  PRIMARY KEY (marking, rank)
) STRICT, WITHOUT ROWID;
INSERT INTO candidate_0012 SELECT marking, rank, field, value, earliest, latest, precision,
  country, confidence, rule, explanation FROM candidate;
DROP TABLE candidate;
ALTER TABLE candidate_0012 RENAME TO candidate;
CREATE TRIGGER marking_candidates_cascade AFTER DELETE ON marking
BEGIN
  DELETE FROM candidate WHERE marking = old.id;
END;
-- as in 0003_decode.sql
CREATE VIEW machine_claim AS
SELECT item, field, value, earliest, latest, precision, country, confidence, rule,
       explanation, (SELECT source FROM decode_rule r WHERE r.rule = x.rule) AS source, marking
FROM (SELECT m.item AS item, c.*,
             row_number() OVER (PARTITION BY m.item, c.field
                                ORDER BY c.confidence DESC, c.marking, c.rank) AS pick
      FROM candidate c JOIN marking m ON m.id = c.marking) AS x
WHERE pick = 1;
