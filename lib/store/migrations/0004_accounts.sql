-- SPDX-License-Identifier: Apache-2.0
-- Schema: accounts of the HTTP server (src/server/accounts.c, docs/API.md).
-- Accounts are not evidence: they are not records, not logged in the
-- evidence log and not exported. Secrets are never stored: passwords as
-- Argon2id strings (crypto_pwhash_str), session and API tokens as their
-- BLAKE2b-256 hashes, looked up by hash.
-- IF NOT EXISTS: the migration is idempotent, so a renumbering of the
-- migration files during development cannot make it fail.

CREATE TABLE IF NOT EXISTS account (
  name TEXT PRIMARY KEY NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
  role TEXT NOT NULL CHECK (role IN ('admin', 'investigator', 'analyst', 'reviewer')),
  pwhash TEXT NOT NULL,
  created INTEGER NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS account_session (
  token_hash BLOB PRIMARY KEY NOT NULL CHECK (length(token_hash) = 32),
  name TEXT NOT NULL REFERENCES account(name) ON DELETE CASCADE,
  expires INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS account_session_name ON account_session(name);

CREATE TABLE IF NOT EXISTS account_token (
  token_hash BLOB PRIMARY KEY NOT NULL CHECK (length(token_hash) = 32),
  name TEXT NOT NULL REFERENCES account(name) ON DELETE CASCADE,
  label TEXT NOT NULL DEFAULT '',
  created INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS account_token_name ON account_token(name);
