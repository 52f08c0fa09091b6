// Shared fixtures for the ledger's own tests: a real SQLite file per test in a fresh temp dir.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, expect } from 'vitest';
import { openDatabase } from '../database';
import { LedgerError, type LedgerErrorCode } from '../errors';
import { Ledger } from '../ledger';
import type { Account } from '../types';

export class ManualClock {
  constructor(public nowMs = 1_700_000_000_000) {}
  readonly now_ms = (): number => this.nowMs;
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

export class LedgerFixture {
  readonly clock = new ManualClock();
  db: Database.Database;
  ledger: Ledger;

  private constructor(
    readonly dir: string,
    readonly file: string,
  ) {
    this.db = openDatabase(file);
    this.ledger = new Ledger(this.db, { clock: this.clock });
  }

  static create(): LedgerFixture {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentab-ledger-'));
    return new LedgerFixture(dir, path.join(dir, 'ledger.sqlite'));
  }

  /** Closes the connection and opens the file again, as after a process restart. */
  reopen(): void {
    this.db.close();
    this.db = openDatabase(this.file);
    this.ledger = new Ledger(this.db, { clock: this.clock });
  }

  dispose(): void {
    if (this.db.open) this.db.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Registers hooks that give every test its own ledger file; call inside a describe block. */
export function useLedgerFixture(): () => LedgerFixture {
  let fixture: LedgerFixture | undefined;
  beforeEach(() => {
    fixture = LedgerFixture.create();
  });
  afterEach(() => {
    fixture?.dispose();
    fixture = undefined;
  });
  return () => {
    if (fixture === undefined) throw new Error('ledger fixture used outside a test');
    return fixture;
  };
}

export function createCustomer(ledger: Ledger, id: string, creditLimit: bigint, currency = 'EUR'): Account {
  return ledger.createAccount({ id, currency, kind: 'customer', minBalance: -creditLimit });
}

export function createMerchant(ledger: Ledger, id: string, currency = 'EUR'): Account {
  return ledger.createAccount({ id, currency, kind: 'merchant', minBalance: 0n });
}

export function createFunding(ledger: Ledger, currency = 'EUR'): Account {
  return ledger.createAccount({ id: `funding:${currency}`, currency, kind: 'funding', minBalance: null });
}

/** Moves money from the currency's funding account, as a top-up or card payment would. */
export function fund(ledger: Ledger, entryId: string, accountId: string, amount: bigint, currency = 'EUR'): void {
  ledger.postEntry({
    id: entryId,
    memo: 'top-up',
    postings: [
      { accountId: `funding:${currency}`, amount: -amount },
      { accountId, amount },
    ],
  });
}

export function expectLedgerError(action: () => unknown, code: LedgerErrorCode): LedgerError {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected LedgerError ${code}`).toBeInstanceOf(LedgerError);
  const ledgerError = thrown as LedgerError;
  expect(ledgerError.code, ledgerError.message).toBe(code);
  return ledgerError;
}

/** Every ledger row, for asserting that a refused operation changed nothing. */
export function snapshotLedgerTables(db: Database.Database): Record<string, unknown[]> {
  const tables = {
    ledger_accounts: 'id',
    ledger_holds: 'id',
    ledger_entries: 'seq',
    ledger_postings: 'entry_seq, position',
  };
  return Object.fromEntries(
    Object.entries(tables).map(([table, order]) => [
      table,
      db.prepare(`SELECT * FROM ${table} ORDER BY ${order}`).safeIntegers(true).all(),
    ]),
  );
}
