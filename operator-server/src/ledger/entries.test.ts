import { AssertionError } from 'node:assert';
import { describe, expect, it } from 'vitest';
import type { Ledger } from './ledger';
import {
  createCustomer,
  createFunding,
  createMerchant,
  expectLedgerError,
  fund,
  snapshotLedgerTables,
  useLedgerFixture,
} from './testing/ledger-fixture';
import type { NewJournalEntry } from './types';
import { MAX_AMOUNT } from './validation';

describe('journal entries', () => {
  const fixture = useLedgerFixture();
  const setUp = (): Ledger => {
    const { ledger } = fixture();
    createCustomer(ledger, 'cust:alice', 1_000n);
    createMerchant(ledger, 'merch:news');
    createMerchant(ledger, 'merch:se', 'SEK');
    createFunding(ledger);
    createFunding(ledger, 'SEK');
    ledger.createAccount({ id: 'fx:EUR', currency: 'EUR', kind: 'fx', minBalance: null });
    ledger.createAccount({ id: 'fx:SEK', currency: 'SEK', kind: 'fx', minBalance: null });
    return ledger;
  };
  const payout = (amount: bigint, id = 'payout'): NewJournalEntry => ({
    id,
    memo: 'merchant payout',
    ref: 'batch-1',
    postings: [
      { accountId: 'merch:news', amount: -amount },
      { accountId: 'funding:EUR', amount },
    ],
  });

  it('posts a balanced entry and moves both balances', () => {
    const ledger = setUp();
    const entry = ledger.postEntry({
      id: 'e1',
      memo: 'customer spends on credit',
      ref: 'tx1',
      postings: [
        { accountId: 'cust:alice', amount: -300n },
        { accountId: 'merch:news', amount: 300n },
      ],
    });
    expect(entry).toEqual({
      id: 'e1',
      memo: 'customer spends on credit',
      ref: 'tx1',
      createdAt: fixture().clock.nowMs,
      postings: [
        { accountId: 'cust:alice', amount: -300n, currency: 'EUR' },
        { accountId: 'merch:news', amount: 300n, currency: 'EUR' },
      ],
    });
    expect(ledger.findEntry('e1')).toEqual(entry);
    expect(ledger.getAccount('cust:alice')).toMatchObject({ balance: -300n, available: 700n });
    expect(ledger.getAccount('merch:news').balance).toBe(300n);
  });

  it('stores a missing ref as null', () => {
    const ledger = setUp();
    fund(ledger, 'e1', 'merch:news', 5n);
    expect(ledger.findEntry('e1')?.ref).toBeNull();
  });

  it('refuses an unbalanced entry and changes nothing', () => {
    const ledger = setUp();
    const before = snapshotLedgerTables(fixture().db);
    const error = expectLedgerError(
      () =>
        ledger.postEntry({
          id: 'e1',
          memo: 'typo',
          postings: [
            { accountId: 'funding:EUR', amount: -100n },
            { accountId: 'merch:news', amount: 101n },
          ],
        }),
      'unbalanced_entry',
    );
    expect(error.message).toContain('EUR by 1');
    expect(snapshotLedgerTables(fixture().db)).toEqual(before);
  });

  it('refuses an entry whose numbers cancel out only across currencies', () => {
    const ledger = setUp();
    const before = snapshotLedgerTables(fixture().db);
    expectLedgerError(
      () =>
        ledger.postEntry({
          id: 'e1',
          memo: 'EUR out, SEK in',
          postings: [
            { accountId: 'funding:EUR', amount: -100n },
            { accountId: 'merch:se', amount: 100n },
          ],
        }),
      'unbalanced_entry',
    );
    expect(snapshotLedgerTables(fixture().db)).toEqual(before);
  });

  it('refuses a cross-currency entry that balances in one currency only', () => {
    const ledger = setUp();
    const before = snapshotLedgerTables(fixture().db);
    const error = expectLedgerError(
      () =>
        ledger.postEntry({
          id: 'e1',
          memo: 'fx with a wrong leg',
          postings: [
            { accountId: 'funding:EUR', amount: -100n },
            { accountId: 'fx:EUR', amount: 100n },
            { accountId: 'fx:SEK', amount: -1_150n },
            { accountId: 'merch:se', amount: 1_149n },
          ],
        }),
      'unbalanced_entry',
    );
    expect(error.message).toContain('SEK by -1');
    expect(snapshotLedgerTables(fixture().db)).toEqual(before);
  });

  it('posts a cross-currency entry that balances in each currency', () => {
    const ledger = setUp();
    ledger.postEntry({
      id: 'e1',
      memo: 'fx',
      postings: [
        { accountId: 'funding:EUR', amount: -100n },
        { accountId: 'fx:EUR', amount: 100n },
        { accountId: 'fx:SEK', amount: -1_150n },
        { accountId: 'merch:se', amount: 1_150n },
      ],
    });
    expect(ledger.balancesByCurrency()).toEqual({
      EUR: { total: 0n, held: 0n, balanceByKind: { customer: 0n, merchant: 0n, funding: -100n, fx: 100n } },
      SEK: { total: 0n, held: 0n, balanceByKind: { merchant: 1_150n, funding: 0n, fx: -1_150n } },
    });
  });

  it('refuses a posting whose declared currency differs from its account', () => {
    const ledger = setUp();
    expectLedgerError(
      () =>
        ledger.postEntry({
          id: 'e1',
          memo: 'wrong currency',
          postings: [
            { accountId: 'funding:EUR', amount: -100n, currency: 'EUR' },
            { accountId: 'merch:news', amount: 100n, currency: 'SEK' },
          ],
        }),
      'currency_mismatch',
    );
    expect(ledger.findEntry('e1')).toBeUndefined();
  });

  it('refuses a debit below the floor even after an earlier posting of the entry was applied', () => {
    const ledger = setUp();
    fund(ledger, 'topup', 'merch:news', 50n);
    const before = snapshotLedgerTables(fixture().db);
    // The credit comes first, so it is written before the debit is refused.
    expectLedgerError(
      () =>
        ledger.postEntry({
          id: 'e1',
          memo: 'overdrawn payout',
          postings: [
            { accountId: 'funding:EUR', amount: 51n },
            { accountId: 'merch:news', amount: -51n },
          ],
        }),
      'insufficient_funds',
    );
    expect(snapshotLedgerTables(fixture().db)).toEqual(before);
    expect(ledger.postEntry(payout(50n)).postings[0]?.amount).toBe(-50n);
    expect(ledger.getAccount('merch:news').balance).toBe(0n);
  });

  it('counts pending holds against a debit', () => {
    const ledger = setUp();
    ledger.placeHold({ id: 'h1', accountId: 'cust:alice', amount: 600n, ref: 'tx1' });
    const spend = (amount: bigint, id: string): NewJournalEntry => ({
      id,
      memo: 'direct spend',
      postings: [
        { accountId: 'cust:alice', amount: -amount },
        { accountId: 'merch:news', amount },
      ],
    });
    expectLedgerError(() => ledger.postEntry(spend(401n, 'e1')), 'insufficient_funds');
    expect(ledger.postEntry(spend(400n, 'e2')).id).toBe('e2');
    expect(ledger.getAccount('cust:alice')).toMatchObject({ balance: -400n, held: 600n, available: 0n });
  });

  it('refuses a balance beyond the ledger range', () => {
    const ledger = setUp();
    ledger.postEntry({
      id: 'e1',
      memo: 'huge',
      postings: [
        { accountId: 'funding:EUR', amount: -MAX_AMOUNT },
        { accountId: 'fx:EUR', amount: MAX_AMOUNT },
      ],
    });
    const error = expectLedgerError(
      () =>
        ledger.postEntry({
          id: 'e2',
          memo: 'one more',
          postings: [
            { accountId: 'funding:EUR', amount: -1n },
            { accountId: 'fx:EUR', amount: 1n },
          ],
        }),
      'amount_invalid',
    );
    expect(error.message).toContain('outside the ledger range');
    expect(ledger.getAccount('fx:EUR').balance).toBe(MAX_AMOUNT);
  });

  it('refuses an unknown account', () => {
    const ledger = setUp();
    expectLedgerError(
      () =>
        ledger.postEntry({
          id: 'e1',
          memo: 'to nowhere',
          postings: [
            { accountId: 'funding:EUR', amount: -1n },
            { accountId: 'merch:ghost', amount: 1n },
          ],
        }),
      'unknown_account',
    );
    expect(ledger.findEntry('e1')).toBeUndefined();
  });

  it('refuses a zero posting as an invalid amount', () => {
    const ledger = setUp();
    const zero = { ...payout(5n), postings: [...payout(5n).postings, { accountId: 'fx:EUR', amount: 0n }] };
    expectLedgerError(() => ledger.postEntry(zero), 'amount_invalid');
  });

  it.each([
    ['a single posting', [{ accountId: 'funding:EUR', amount: 1n }]],
    [
      'the same account twice',
      [
        { accountId: 'funding:EUR', amount: -1n },
        { accountId: 'merch:news', amount: 2n },
        { accountId: 'funding:EUR', amount: -1n },
      ],
    ],
  ])('rejects %s as a programming error', (_case, postings) => {
    const ledger = setUp();
    expect(() => ledger.postEntry({ id: 'e1', memo: 'bad', postings })).toThrow(AssertionError);
    expect(ledger.findEntry('e1')).toBeUndefined();
  });

  describe('idempotency', () => {
    it('returns the stored entry for a repeated identical request and posts once', () => {
      const ledger = setUp();
      fund(ledger, 'topup', 'merch:news', 100n);
      const first = ledger.postEntry(payout(40n));
      fixture().clock.advance(10);
      expect(ledger.postEntry(payout(40n))).toEqual(first);
      expect(ledger.getAccount('merch:news').balance).toBe(60n);
    });

    it.each([
      ['amounts', { ...payout(41n) }],
      ['memo', { ...payout(40n), memo: 'other' }],
      ['ref', { ...payout(40n), ref: 'batch-2' }],
      ['currency', { ...payout(40n), postings: payout(40n).postings.map((p) => ({ ...p, currency: 'SEK' })) }],
    ])('reports a conflict when the id is reused with different %s', (_field, input) => {
      const ledger = setUp();
      fund(ledger, 'topup', 'merch:news', 100n);
      ledger.postEntry(payout(40n));
      expectLedgerError(() => ledger.postEntry(input), 'conflict');
      expect(ledger.getAccount('merch:news').balance).toBe(60n);
    });
  });

  it('keeps entries and postings append-only at the storage level', () => {
    const ledger = setUp();
    fund(ledger, 'e1', 'merch:news', 5n);
    const { db } = fixture();
    expect(() => db.exec(`UPDATE ledger_entries SET memo = 'edited'`)).toThrow(/append-only/);
    expect(() => db.exec(`DELETE FROM ledger_entries`)).toThrow(/append-only/);
    expect(() => db.exec(`UPDATE ledger_postings SET amount = 6`)).toThrow(/append-only/);
    expect(() => db.exec(`DELETE FROM ledger_postings`)).toThrow(/append-only/);
    expect(ledger.findEntry('e1')?.memo).toBe('top-up');
  });

  describe('listEntries', () => {
    const postHistory = (ledger: Ledger): void => {
      const clock = fixture().clock;
      fund(ledger, 'e1', 'merch:news', 10n); // t0
      clock.advance(100);
      fund(ledger, 'e2', 'cust:alice', 20n); // t0 + 100
      fund(ledger, 'e3', 'merch:news', 30n); // t0 + 100, same millisecond
      clock.advance(100);
      ledger.postEntry({ ...payout(5n, 'e4'), ref: 'batch-9' }); // t0 + 200
    };
    const ids = (entries: { id: string }[]) => entries.map((entry) => entry.id);

    it('lists every entry oldest first with its postings', () => {
      const ledger = setUp();
      postHistory(ledger);
      const entries = ledger.listEntries();
      expect(ids(entries)).toEqual(['e1', 'e2', 'e3', 'e4']);
      expect(entries[3]?.postings).toEqual([
        { accountId: 'merch:news', amount: -5n, currency: 'EUR' },
        { accountId: 'funding:EUR', amount: 5n, currency: 'EUR' },
      ]);
    });

    it('filters by account, ref, time window and limit', () => {
      const ledger = setUp();
      const t0 = fixture().clock.nowMs;
      postHistory(ledger);
      expect(ids(ledger.listEntries({ accountId: 'merch:news' }))).toEqual(['e1', 'e3', 'e4']);
      expect(ids(ledger.listEntries({ accountId: 'cust:alice' }))).toEqual(['e2']);
      expect(ids(ledger.listEntries({ ref: 'batch-9' }))).toEqual(['e4']);
      expect(ids(ledger.listEntries({ sinceMs: t0 + 100 }))).toEqual(['e2', 'e3', 'e4']);
      expect(ids(ledger.listEntries({ untilMs: t0 + 200 }))).toEqual(['e1', 'e2', 'e3']);
      expect(ids(ledger.listEntries({ sinceMs: t0 + 100, untilMs: t0 + 101 }))).toEqual(['e2', 'e3']);
      expect(ids(ledger.listEntries({ accountId: 'merch:news', sinceMs: t0 + 1, limit: 1 }))).toEqual(['e3']);
      expect(ids(ledger.listEntries({ limit: 2 }))).toEqual(['e1', 'e2']);
      expect(ids(ledger.listEntries({ accountId: 'merch:news', ref: 'batch-9', untilMs: t0 + 200 }))).toEqual([]);
    });
  });
});
