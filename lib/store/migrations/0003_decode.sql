-- SPDX-License-Identifier: Apache-2.0
-- Schema version 3: decoded markings and analysts' claims.

-- An analyst's claim about an item (record type `claim`): kept beside the
-- decoder's reading, never in place of it.
CREATE TABLE claim (
  id TEXT PRIMARY KEY NOT NULL,
  item TEXT NOT NULL REFERENCES item(id),
  field TEXT NOT NULL,
  value TEXT,
  date_earliest INTEGER, date_latest INTEGER, date_precision TEXT,
  country TEXT,
  reason TEXT NOT NULL,
  overrides TEXT,
  marking TEXT REFERENCES marking(id),
  author TEXT,
  notes TEXT
) STRICT, WITHOUT ROWID;
CREATE INDEX claim_item ON claim(item);
CREATE INDEX claim_marking ON claim(marking);

-- The decoder's candidates for each marking, best first (rank 0). Derived
-- data: recomputed whenever the marking is written, from the rule files in
-- force then. `rule` names the rule (its public source is in decode_rule);
-- `explanation` is kept for the best candidate of each field (the one a
-- claim can rest on) and NULL for the others, which `remnant decode` of the
-- marking explains again: storing every explanation doubled the cost of an
-- import.
CREATE TABLE candidate (
  marking TEXT NOT NULL REFERENCES marking(id) ON DELETE CASCADE,
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

-- Each rule that produced a stored candidate, with its source, as loaded.
CREATE TABLE decode_rule (
  rule TEXT PRIMARY KEY NOT NULL,
  source TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- The decoder's claim for each item and field: its best candidate over all
-- the item's markings.
CREATE VIEW machine_claim AS
SELECT item, field, value, earliest, latest, precision, country, confidence, rule,
       explanation, (SELECT source FROM decode_rule r WHERE r.rule = x.rule) AS source, marking
FROM (SELECT m.item AS item, c.*,
             row_number() OVER (PARTITION BY m.item, c.field
                                ORDER BY c.confidence DESC, c.marking, c.rank) AS pick
      FROM candidate c JOIN marking m ON m.id = c.marking) AS x
WHERE pick = 1;
