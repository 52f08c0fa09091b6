import type Database from 'better-sqlite3';
import { ACCOUNT_KINDS, HOLD_STATUSES } from './types';
import { MAX_AMOUNT } from './validation';

const quoted = (values: readonly string[]): string => values.map((value) => `'${value}'`).join(', ');

// The CHECK constraints repeat the rules the Ledger class enforces, so that a bug in it (or a
// hand-written UPDATE) fails loudly instead of corrupting money. The floor check is what makes
// "nobody below their floor" hold at the storage level.
const LEDGER_SCHEMA = `
CREATE TABLE IF NOT EXISTS ledger_accounts (
  id          TEXT    PRIMARY KEY,
  currency    TEXT    NOT NULL CHECK (currency GLOB '[A-Z][A-Z][A-Z]'),
  kind        TEXT    NOT NULL CHECK (kind IN (${quoted(ACCOUNT_KINDS)})),
  min_balance INTEGER CHECK (min_balance BETWEEN -${MAX_AMOUNT} AND 0),
  balance     INTEGER NOT NULL DEFAULT 0 CHECK (balance BETWEEN -${MAX_AMOUNT} AND ${MAX_AMOUNT}),
  held        INTEGER NOT NULL DEFAULT 0 CHECK (held BETWEEN 0 AND ${MAX_AMOUNT}),
  created_at  INTEGER NOT NULL,
  CHECK (min_balance IS NULL OR balance - held >= min_balance)
) STRICT;

CREATE TABLE IF NOT EXISTS ledger_holds (
  id               TEXT    PRIMARY KEY,
  account_id       TEXT    NOT NULL REFERENCES ledger_accounts (id),
  amount           INTEGER NOT NULL CHECK (amount BETWEEN 1 AND ${MAX_AMOUNT}),
  ref              TEXT    NOT NULL,
  status           TEXT    NOT NULL CHECK (status IN (${quoted(HOLD_STATUSES)})),
  captured_amount  INTEGER CHECK (captured_amount BETWEEN 0 AND amount),
  capture_entry_id TEXT,
  created_at       INTEGER NOT NULL,
  ended_at         INTEGER,
  CHECK ((status = 'pending') = (ended_at IS NULL)),
  CHECK ((status = 'captured') = (captured_amount IS NOT NULL))
) STRICT;
CREATE INDEX IF NOT EXISTS ledger_holds_by_ref ON ledger_holds (ref);
CREATE INDEX IF NOT EXISTS ledger_holds_by_account ON ledger_holds (account_id, status);
CREATE INDEX IF NOT EXISTS ledger_holds_by_status ON ledger_holds (status, created_at);

-- seq gives a stable order for entries written in the same millisecond and keeps postings
-- small (an integer instead of the caller's id string).
CREATE TABLE IF NOT EXISTS ledger_entries (
  seq        INTEGER PRIMARY KEY,
  id         TEXT    NOT NULL UNIQUE,
  memo       TEXT    NOT NULL,
  ref        TEXT,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS ledger_entries_by_ref ON ledger_entries (ref);
CREATE INDEX IF NOT EXISTS ledger_entries_by_time ON ledger_entries (created_at, seq);

-- created_at is copied from the entry so that an account's history is one index range scan.
CREATE TABLE IF NOT EXISTS ledger_postings (
  entry_seq  INTEGER NOT NULL REFERENCES ledger_entries (seq),
  position   INTEGER NOT NULL,
  account_id TEXT    NOT NULL REFERENCES ledger_accounts (id),
  amount     INTEGER NOT NULL CHECK (amount != 0 AND amount BETWEEN -${MAX_AMOUNT} AND ${MAX_AMOUNT}),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (entry_seq, position),
  UNIQUE (entry_seq, account_id)
) STRICT;
CREATE INDEX IF NOT EXISTS ledger_postings_by_account_time ON ledger_postings (account_id, created_at, entry_seq);

-- Entries are append-only: corrections are new entries, never edits.
CREATE TRIGGER IF NOT EXISTS ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_postings_no_update BEFORE UPDATE ON ledger_postings
BEGIN SELECT RAISE(ABORT, 'ledger postings are append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_postings_no_delete BEFORE DELETE ON ledger_postings
BEGIN SELECT RAISE(ABORT, 'ledger postings are append-only'); END;
`;

/** Creates the ledger tables, indexes and triggers if missing; safe to run on every start. */
export function migrateLedger(db: Database.Database): void {
  db.transaction(() => db.exec(LEDGER_SCHEMA)).immediate();
}
