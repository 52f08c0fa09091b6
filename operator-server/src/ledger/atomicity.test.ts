import { describe, expect, it } from 'vitest';
import { openDatabase } from './database';
import { LedgerError } from './errors';
import { assertLedgerInvariants } from './invariants';
import { Ledger } from './ledger';
import {
  createCustomer,
  createFunding,
  createMerchant,
  expectLedgerError,
  fund,
  snapshotLedgerTables,
  useLedgerFixture,
} from './testing/ledger-fixture';

describe('atomicity and durability', () => {
  const fixture = useLedgerFixture();
  const setUp = (): Ledger => {
    const { ledger, db } = fixture();
    createCustomer(ledger, 'cust:alice', 1_000n);
    createMerchant(ledger, 'merch:news');
    createFunding(ledger);
    // Stands in for the caller's own table, e.g. an outbox.
    db.exec('CREATE TABLE outbox (id TEXT PRIMARY KEY) STRICT');
    return ledger;
  };
  const outboxIds = (): string[] =>
    fixture()
      .db.prepare<[], { id: string }>('SELECT id FROM outbox ORDER BY id')
      .all()
      .map((row) => row.id);

  it('rolls back ledger writes together with the caller’s when the outer transaction throws later', () => {
    const ledger = setUp();
    const { db } = fixture();
    const before = snapshotLedgerTables(db);
    const clearTab = db.transaction(() => {
      ledger.placeHold({ id: 'h1', accountId: 'cust:alice', amount: 600n, ref: 'tx1' });
      ledger.captureHold({
        holdId: 'h1',
        amount: 250n,
        entryId: 'e1',
        memo: 'clearing',
        postings: [
          { accountId: 'cust:alice', amount: -250n },
          { accountId: 'merch:news', amount: 250n },
        ],
      });
      db.prepare('INSERT INTO outbox (id) VALUES (?)').run('withdrawal:tx1');
      throw new Error('billing sink record could not be built');
    });
    expect(() => clearTab()).toThrow('billing sink record could not be built');
    expect(snapshotLedgerTables(db)).toEqual(before);
    expect(outboxIds()).toEqual([]);
  });

  it('commits ledger and caller writes together', () => {
    const ledger = setUp();
    const { db } = fixture();
    db.transaction(() => {
      ledger.placeHold({ id: 'h1', accountId: 'cust:alice', amount: 600n, ref: 'tx1' });
      db.prepare('INSERT INTO outbox (id) VALUES (?)').run('hold:tx1');
    })();
    expect(ledger.getHold('h1').status).toBe('pending');
    expect(outboxIds()).toEqual(['hold:tx1']);
  });

  it('undoes only the failed call when the caller catches a ledger error inside its transaction', () => {
    const ledger = setUp();
    const { db } = fixture();
    db.transaction(() => {
      ledger.placeHold({ id: 'h1', accountId: 'cust:alice', amount: 600n, ref: 'tx1' });
      try {
        ledger.postEntry({
          id: 'e1',
          memo: 'overdrawn merchant',
          postings: [
            { accountId: 'funding:EUR', amount: 5n },
            { accountId: 'merch:news', amount: -5n },
          ],
        });
      } catch (error) {
        if (!(error instanceof LedgerError)) throw error;
      }
      db.prepare('INSERT INTO outbox (id) VALUES (?)').run('hold:tx1');
    })();
    expect(ledger.getAccount('cust:alice').held).toBe(600n);
    expect(ledger.getAccount('funding:EUR').balance).toBe(0n);
    expect(ledger.findEntry('e1')).toBeUndefined();
    expect(outboxIds()).toEqual(['hold:tx1']);
    assertLedgerInvariants(ledger, { pendingHoldRefsAllowed: ['tx1'] });
  });

  it('keeps accounts, holds and entries after the file is reopened', () => {
    const ledger = setUp();
    fund(ledger, 'topup', 'cust:alice', 100n);
    ledger.placeHold({ id: 'h1', accountId: 'cust:alice', amount: 700n, ref: 'tx1' });
    ledger.placeHold({ id: 'h2', accountId: 'cust:alice', amount: 300n, ref: 'tx2' });
    ledger.captureHold({
      holdId: 'h2',
      amount: 300n,
      entryId: 'e2',
      memo: 'clearing',
      postings: [
        { accountId: 'cust:alice', amount: -300n },
        { accountId: 'merch:news', amount: 300n },
      ],
    });
    const accountsBefore = ['cust:alice', 'merch:news', 'funding:EUR'].map((id) => ledger.getAccount(id));
    const holdsBefore = ledger.listHolds();
    const entriesBefore = ledger.listEntries();

    fixture().reopen();
    const reopened = fixture().ledger;
    expect(['cust:alice', 'merch:news', 'funding:EUR'].map((id) => reopened.getAccount(id))).toEqual(accountsBefore);
    expect(reopened.listHolds()).toEqual(holdsBefore);
    expect(reopened.listEntries()).toEqual(entriesBefore);
    // The reserved amount is still enforced after the restart.
    expect(reopened.getAccount('cust:alice').available).toBe(100n);
    expectLedgerError(
      () => reopened.placeHold({ id: 'h3', accountId: 'cust:alice', amount: 101n, ref: 'tx3' }),
      'insufficient_funds',
    );
    assertLedgerInvariants(reopened, { pendingHoldRefsAllowed: ['tx1'] });
  });

  it('prevents double spending across two connections to the same file', () => {
    const ledger = setUp();
    const other = new Ledger(openDatabase(fixture().file));
    try {
      ledger.placeHold({ id: 'h1', accountId: 'cust:alice', amount: 600n, ref: 'tx1' });
      expectLedgerError(
        () => other.placeHold({ id: 'h2', accountId: 'cust:alice', amount: 600n, ref: 'tx2' }),
        'insufficient_funds',
      );
      expect(other.placeHold({ id: 'h2', accountId: 'cust:alice', amount: 400n, ref: 'tx2' }).status).toBe('pending');
      expectLedgerError(
        () => ledger.placeHold({ id: 'h3', accountId: 'cust:alice', amount: 1n, ref: 'tx3' }),
        'insufficient_funds',
      );
      expect(ledger.getAccount('cust:alice').held).toBe(1_000n);
    } finally {
      other.db.close();
    }
  });
});
