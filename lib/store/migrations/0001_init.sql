-- SPDX-License-Identifier: Apache-2.0
-- Schema version 1: one table per record type of lib/model/types.c,
-- keyed by the record id (WITHOUT ROWID: one B-tree a table).
-- A date field X is three columns: X_earliest and X_latest (day numbers
-- since 1970-01-01; NULL for an open end) and X_precision (day, week,
-- month, year). List fields hold a JSON array of strings.
-- References are foreign keys: a record cannot point at nothing, and a
-- record that others point at cannot be removed.

CREATE TABLE event (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  context TEXT,
  place TEXT,
  country TEXT,
  lat REAL,
  lon REAL,
  precision_m INTEGER,
  documented_earliest INTEGER, documented_latest INTEGER, documented_precision TEXT,
  incident_earliest INTEGER, incident_latest INTEGER, incident_precision TEXT,
  investigators TEXT,
  custody_holder TEXT,
  source TEXT,
  notes TEXT
) STRICT, WITHOUT ROWID;

CREATE TABLE attachment (
  id TEXT PRIMARY KEY NOT NULL,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  media_type TEXT NOT NULL,
  filename TEXT,
  item TEXT REFERENCES item(id),
  event TEXT REFERENCES event(id),
  captured_earliest INTEGER, captured_latest INTEGER, captured_precision TEXT,
  captured_by TEXT,
  notes TEXT
) STRICT, WITHOUT ROWID;
CREATE INDEX attachment_sha256 ON attachment(sha256);
CREATE INDEX attachment_item ON attachment(item);
CREATE INDEX attachment_event ON attachment(event);

CREATE TABLE item (
  id TEXT PRIMARY KEY NOT NULL,
  kind TEXT NOT NULL,
  event TEXT REFERENCES event(id),
  parent TEXT REFERENCES item(id),
  category TEXT,
  name TEXT,
  weapon_system TEXT,
  producing_state TEXT,
  manufacturer TEXT,
  manufacturer_country TEXT,
  produced_earliest INTEGER, produced_latest INTEGER, produced_precision TEXT,
  serial TEXT,
  lot TEXT,
  notes TEXT
) STRICT, WITHOUT ROWID;
CREATE INDEX item_event ON item(event);
CREATE INDEX item_parent ON item(parent);

CREATE TABLE marking (
  id TEXT PRIMARY KEY NOT NULL,
  item TEXT NOT NULL REFERENCES item(id),
  text TEXT NOT NULL,
  location TEXT,
  method TEXT,
  attachment TEXT REFERENCES attachment(id),
  notes TEXT
) STRICT, WITHOUT ROWID;
CREATE INDEX marking_item ON marking(item);
CREATE INDEX marking_attachment ON marking(attachment);

CREATE TABLE entity (
  id TEXT PRIMARY KEY NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  aliases TEXT,
  country TEXT,
  identifiers TEXT,
  notes TEXT
) STRICT, WITHOUT ROWID;

CREATE TABLE transfer (
  id TEXT PRIMARY KEY NOT NULL,
  supplier TEXT NOT NULL REFERENCES entity(id),
  recipient TEXT NOT NULL REFERENCES entity(id),
  scope TEXT,
  items TEXT,
  date_earliest INTEGER, date_latest INTEGER, date_precision TEXT,
  source TEXT,
  confidence REAL,
  notes TEXT
) STRICT, WITHOUT ROWID;
CREATE INDEX transfer_supplier ON transfer(supplier);
CREATE INDEX transfer_recipient ON transfer(recipient);

CREATE TABLE trace (
  id TEXT PRIMARY KEY NOT NULL,
  recipient TEXT NOT NULL REFERENCES entity(id),
  items TEXT,
  question TEXT,
  status TEXT,
  sent_earliest INTEGER, sent_latest INTEGER, sent_precision TEXT,
  due_earliest INTEGER, due_latest INTEGER, due_precision TEXT,
  answered_earliest INTEGER, answered_latest INTEGER, answered_precision TEXT,
  answer TEXT,
  notes TEXT
) STRICT, WITHOUT ROWID;
CREATE INDEX trace_recipient ON trace(recipient);

CREATE TABLE finding (
  id TEXT PRIMARY KEY NOT NULL,
  statement TEXT NOT NULL,
  evidence TEXT,
  author TEXT,
  reviewer TEXT,
  status TEXT,
  notes TEXT
) STRICT, WITHOUT ROWID;

CREATE TABLE sanction (
  id TEXT PRIMARY KEY NOT NULL,
  regime TEXT NOT NULL,
  instrument TEXT NOT NULL,
  adopted_earliest INTEGER, adopted_latest INTEGER, adopted_precision TEXT,
  target TEXT,
  prohibits TEXT,
  listed TEXT,
  source TEXT NOT NULL,
  notes TEXT
) STRICT, WITHOUT ROWID;

CREATE TABLE custody (
  id TEXT PRIMARY KEY NOT NULL,
  item TEXT REFERENCES item(id),
  event TEXT REFERENCES event(id),
  holder TEXT NOT NULL,
  action TEXT,
  date_earliest INTEGER, date_latest INTEGER, date_precision TEXT,
  notes TEXT
) STRICT, WITHOUT ROWID;
CREATE INDEX custody_item ON custody(item);
CREATE INDEX custody_event ON custody(event);

-- Every record's id and type, so that an id is unique across all types and
-- a lookup by id needs one probe.
CREATE TABLE record (
  id TEXT PRIMARY KEY NOT NULL,
  type TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Every searchable text (fields flagged RN_FIELD_SEARCH), one row a field,
-- kept by the store; search_fts indexes it by trigrams so that substring
-- and one-unknown-character queries use the index. The store adds a
-- transaction's new rows to search_fts in one statement at commit (FTS5
-- flushes on every statement, so row-by-row indexing is many times slower);
-- AUTOINCREMENT keeps ids rising, so "id > mark" is exactly the new rows.
CREATE TABLE search_text (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  rid TEXT NOT NULL,
  type TEXT NOT NULL,
  field TEXT NOT NULL,
  text TEXT NOT NULL
) STRICT;
CREATE INDEX search_text_rid ON search_text(rid);
CREATE VIRTUAL TABLE search_fts USING fts5(
  text, content='search_text', content_rowid='id', tokenize='trigram');
-- The trigram vocabulary, to expand a `?` over the characters that occur.
CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search_fts, 'row');
