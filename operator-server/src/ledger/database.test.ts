import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database';
import { Ledger } from './ledger';
import { migrateLedger } from './schema';

describe('openDatabase and migrateLedger', () => {
  const dirs: string[] = [];
  const tempFile = (): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentab-ledger-db-'));
    dirs.push(dir);
    return path.join(dir, 'operator.sqlite');
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('opens the file in WAL mode with NORMAL sync, foreign keys and a busy timeout', () => {
    const db = openDatabase(tempFile(), { busyTimeoutMs: 1_234 });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(1); // 1 = NORMAL
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(1_234);
    } finally {
      db.close();
    }
  });

  it('migrates idempotently and keeps existing rows', () => {
    const file = tempFile();
    const db = openDatabase(file);
    migrateLedger(db);
    new Ledger(db).createAccount({ id: 'fx:EUR', currency: 'EUR', kind: 'fx', minBalance: null });
    migrateLedger(db);
    migrateLedger(db);
    expect(new Ledger(db).getAccount('fx:EUR').kind).toBe('fx');
    const tables = db
      .prepare<[], { name: string }>(
        `SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'ledger_%' ORDER BY name`,
      )
      .all()
      .map((row) => row.name);
    expect(tables).toEqual(['ledger_accounts', 'ledger_entries', 'ledger_holds', 'ledger_postings']);
    db.close();
  });

  it('creates the indexes that keep lookups by ref and account history off full scans', () => {
    const db = openDatabase(tempFile());
    migrateLedger(db);
    const plan = (sql: string): string =>
      db
        .prepare<[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
        .all()
        .map((row) => row.detail)
        .join('; ');
    expect(plan(`SELECT * FROM ledger_holds WHERE ref = 'tx'`)).toContain('ledger_holds_by_ref');
    expect(plan(`SELECT * FROM ledger_entries WHERE ref = 'tx'`)).toContain('ledger_entries_by_ref');
    expect(
      plan(`SELECT entry_seq FROM ledger_postings WHERE account_id = 'a' AND created_at >= 5 ORDER BY created_at`),
    ).toContain('ledger_postings_by_account_time');
    db.close();
  });

  it('leaves the caller’s integer defaults alone', () => {
    const db = new Database(tempFile());
    const ledger = new Ledger(db);
    ledger.createAccount({ id: 'fx:EUR', currency: 'EUR', kind: 'fx', minBalance: null });
    expect(ledger.getAccount('fx:EUR').balance).toBe(0n);
    // The caller's own statements still read plain numbers.
    expect(db.prepare<[], { balance: unknown }>('SELECT balance FROM ledger_accounts').get()?.balance).toBe(0);
    db.close();
  });
});
