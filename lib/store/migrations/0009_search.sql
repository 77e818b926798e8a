-- SPDX-License-Identifier: Apache-2.0
-- Schema: the search index without positions (issue 14).
--
-- search_fts was a trigram index with full detail (every trigram's
-- positions in every text) and a size row per text. The store never ranks
-- and always checks the candidate rows against the query itself (LIKE on
-- search_text.text, lib/store/sqlite.c sq_search), so the index only has to
-- say which texts hold all of a query's trigrams: detail=none keeps just
-- that (about half the index, and an OR over the expansions of a `?` reads
-- row lists without position lists), columnsize=0 drops the per-text size
-- rows nothing reads. Same texts, same hits; queries are written as ANDs of
-- trigrams instead of phrases (detail=none has no phrase queries).
--
-- search_char: every character that occurs in a searchable text (ASCII
-- letters in lower case, as the index folds them), written by the store with
-- each text and never removed (a character no text holds any more only
-- costs a term that matches nothing). A `?` in a query is expanded over
-- these instead of over the trigram vocabulary, whose every read counts the
-- texts of each term (about 0.1 s at a million items).
CREATE TABLE search_char (
  c TEXT PRIMARY KEY NOT NULL
) STRICT, WITHOUT ROWID;
DROP TABLE search_vocab;
DROP TABLE search_fts;
CREATE VIRTUAL TABLE search_fts USING fts5(
  text, content='search_text', content_rowid='id', tokenize='trigram',
  detail=none, columnsize=0);
CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search_fts, 'row');
INSERT INTO search_fts(search_fts) VALUES ('rebuild');
-- The characters of the texts already indexed: those of their trigrams (a
-- text too short for a trigram cannot hold a query with a `?` in a window
-- of three). Read once from the vocabulary, in the index's folding.
INSERT OR IGNORE INTO search_char(c)
  SELECT substr(term, 1, 1) FROM search_vocab UNION
  SELECT substr(term, 2, 1) FROM search_vocab UNION
  SELECT substr(term, 3, 1) FROM search_vocab;
