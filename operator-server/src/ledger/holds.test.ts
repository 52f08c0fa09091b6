import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
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
import type { CaptureHoldInput } from './types';
import { MAX_AMOUNT } from './validation';

const LIMIT = 1_000n;

/** Capture postings that move `amount` from the customer to the merchant, both in EUR. */
function captureToMerchant(holdId: string, amount: bigint, entryId = `entry:${holdId}`): CaptureHoldInput {
  return {
    holdId,
    amount,
    entryId,
    memo: 'tab clearing',
    postings:
      amount === 0n
        ? []
        : [
            { accountId: 'cust:alice', amount: -amount },
            { accountId: 'merch:news', amount },
          ],
  };
}

describe('holds', () => {
  const fixture = useLedgerFixture();
  const setUp = (): Ledger => {
    const { ledger } = fixture();
    createCustomer(ledger, 'cust:alice', LIMIT);
    createMerchant(ledger, 'merch:news');
    createFunding(ledger);
    return ledger;
  };
  const hold = (ledger: Ledger, id: string, amount: bigint, accountId = 'cust:alice') =>
    ledger.placeHold({ id, accountId, amount, ref: `tx:${id}` });

  describe('placing', () => {
    it('reserves an amount within the credit limit', () => {
      const ledger = setUp();
      const placed = hold(ledger, 'h1', 600n);
      expect(placed).toEqual({
        id: 'h1',
        accountId: 'cust:alice',
        amount: 600n,
        ref: 'tx:h1',
        status: 'pending',
        capturedAmount: null,
        captureEntryId: null,
        createdAt: fixture().clock.nowMs,
        endedAt: null,
      });
      expect(ledger.getHold('h1')).toEqual(placed);
      expect(ledger.getAccount('cust:alice')).toMatchObject({ balance: 0n, held: 600n, available: 400n });
    });

    it('accepts a hold of exactly the remaining limit and refuses one unit more', () => {
      const ledger = setUp();
      hold(ledger, 'h1', 600n);
      expectLedgerError(() => hold(ledger, 'h2', 401n), 'insufficient_funds');
      expect(hold(ledger, 'h2', 400n).status).toBe('pending');
      expect(ledger.getAccount('cust:alice').available).toBe(0n);
      expectLedgerError(() => hold(ledger, 'h3', 1n), 'insufficient_funds');
    });

    it('refuses a hold beyond the floor and stores nothing', () => {
      const ledger = setUp();
      const before = snapshotLedgerTables(fixture().db);
      const error = expectLedgerError(() => hold(ledger, 'h1', LIMIT + 1n), 'insufficient_funds');
      expect(error.message).toContain('cust:alice');
      expect(snapshotLedgerTables(fixture().db)).toEqual(before);
      expect(ledger.findHold('h1')).toBeUndefined();
    });

    it('counts the balance: a funded customer may hold balance plus limit', () => {
      const ledger = setUp();
      fund(ledger, 'topup1', 'cust:alice', 500n);
      expectLedgerError(() => hold(ledger, 'h1', 1_501n), 'insufficient_funds');
      expect(hold(ledger, 'h1', 1_500n).amount).toBe(1_500n);
    });

    it('lets a merchant (floor 0) hold only what it has', () => {
      const ledger = setUp();
      expectLedgerError(() => hold(ledger, 'h1', 1n, 'merch:news'), 'insufficient_funds');
      fund(ledger, 'topup1', 'merch:news', 10n);
      expect(hold(ledger, 'h1', 10n, 'merch:news').status).toBe('pending');
    });

    it('lets an account without a floor hold any in-range amount', () => {
      const ledger = setUp();
      expect(hold(ledger, 'h1', MAX_AMOUNT, 'funding:EUR').status).toBe('pending');
      // The held column itself stays within range.
      expectLedgerError(() => hold(ledger, 'h2', 1n, 'funding:EUR'), 'amount_invalid');
    });

    it.each([
      ['zero', 0n],
      ['negative', -5n],
      ['beyond the ledger range', MAX_AMOUNT + 1n],
      ['a number', 5],
    ])('rejects an amount that is %s', (_case, amount) => {
      const ledger = setUp();
      expectLedgerError(
        // @ts-expect-error the number case is deliberately not a bigint
        () => ledger.placeHold({ id: 'h1', accountId: 'cust:alice', amount, ref: 'tx' }),
        'amount_invalid',
      );
      expect(ledger.findHold('h1')).toBeUndefined();
    });

    it('refuses an unknown account', () => {
      const ledger = setUp();
      expectLedgerError(() => hold(ledger, 'h1', 5n, 'cust:nobody'), 'unknown_account');
      expect(ledger.findHold('h1')).toBeUndefined();
    });

    it('refuses an unknown account also on a connection without foreign keys', () => {
      const db = new Database(fixture().file);
      db.pragma('foreign_keys = OFF');
      const ledger = new Ledger(db);
      expectLedgerError(() => hold(ledger, 'h1', 5n, 'cust:nobody'), 'unknown_account');
      expect(ledger.findHold('h1')).toBeUndefined();
      db.close();
    });

    it('refuses a hold in another currency than the account', () => {
      const ledger = setUp();
      expectLedgerError(
        () => ledger.placeHold({ id: 'h1', accountId: 'cust:alice', amount: 5n, ref: 'tx', currency: 'SEK' }),
        'currency_mismatch',
      );
      expect(ledger.getAccount('cust:alice').held).toBe(0n);
      expect(
        ledger.placeHold({ id: 'h1', accountId: 'cust:alice', amount: 5n, ref: 'tx', currency: 'EUR' }).amount,
      ).toBe(5n);
    });
  });

  describe('idempotency', () => {
    it('returns the existing hold for a repeated identical request and reserves once', () => {
      const ledger = setUp();
      const first = hold(ledger, 'h1', 600n);
      fixture().clock.advance(10);
      expect(hold(ledger, 'h1', 600n)).toEqual(first);
      expect(ledger.getAccount('cust:alice').held).toBe(600n);
      expect(ledger.listHolds()).toHaveLength(1);
    });

    it('answers a retry with the first outcome even when funds have run out since', () => {
      const ledger = setUp();
      hold(ledger, 'h1', 600n);
      hold(ledger, 'h2', 400n);
      expect(hold(ledger, 'h1', 600n).status).toBe('pending');
    });

    it('returns the hold in its current state after it ended', () => {
      const ledger = setUp();
      hold(ledger, 'h1', 600n);
      ledger.releaseHold('h1');
      expect(hold(ledger, 'h1', 600n).status).toBe('released');
      expect(ledger.getAccount('cust:alice').held).toBe(0n);
    });

    it.each([
      ['amount', { id: 'h1', accountId: 'cust:alice', amount: 601n, ref: 'tx:h1' }],
      ['account', { id: 'h1', accountId: 'merch:news', amount: 600n, ref: 'tx:h1' }],
      ['ref', { id: 'h1', accountId: 'cust:alice', amount: 600n, ref: 'tx:other' }],
    ])('reports a conflict when the id is reused with a different %s', (_field, input) => {
      const ledger = setUp();
      hold(ledger, 'h1', 600n);
      expectLedgerError(() => ledger.placeHold(input), 'conflict');
      expect(ledger.getAccount('cust:alice').held).toBe(600n);
    });
  });

  describe('capture', () => {
    it('captures part of a hold, posts it and frees the remainder in one step', () => {
      const ledger = setUp();
      hold(ledger, 'h1', 600n);
      const { hold: captured, entry } = ledger.captureHold(captureToMerchant('h1', 250n));
      expect(captured).toMatchObject({ status: 'captured', capturedAmount: 250n, captureEntryId: 'entry:h1' });
      expect(captured.endedAt).toBe(fixture().clock.nowMs);
      expect(ledger.getHold('h1')).toEqual(captured);
      expect(entry).toEqual({
        id: 'entry:h1',
        memo: 'tab clearing',
        ref: 'tx:h1',
        createdAt: fixture().clock.nowMs,
        postings: [
          { accountId: 'cust:alice', amount: -250n, currency: 'EUR' },
          { accountId: 'merch:news', amount: 250n, currency: 'EUR' },
        ],
      });
      expect(ledger.findEntry('entry:h1')).toEqual(entry);
      expect(ledger.getAccount('cust:alice')).toMatchObject({ balance: -250n, held: 0n, available: 750n });
      expect(ledger.getAccount('merch:news').balance).toBe(250n);
    });

    it('captures a full hold that uses the whole credit limit', () => {
      const ledger = setUp();
      hold(ledger, 'h1', LIMIT);
      ledger.captureHold(captureToMerchant('h1', LIMIT));
      expect(ledger.getAccount('cust:alice')).toMatchObject({ balance: -LIMIT, held: 0n, available: 0n });
      expectLedgerError(() => hold(ledger, 'h2', 1n), 'insufficient_funds');
    });

    it('records a zero capture as captured, posting nothing', () => {
      const ledger = setUp();
      hold(ledger, 'h1', 600n);
      const result = ledger.captureHold(captureToMerchant('h1', 0n));
      expect(result.entry).toBeNull();
      expect(result.hold).toMatchObject({ status: 'captured', capturedAmount: 0n, captureEntryId: null });
      expect(ledger.findEntry('entry:h1')).toBeUndefined();
      expect(ledger.getAccount('cust:alice')).toMatchObject({ balance: 0n, held: 0n });
      expect(ledger.listEntries()).toHaveLength(0);
    });

    it('refuses postings on a zero capture', () => {
      const ledger = setUp();
      hold(ledger, 'h1', 600n);
      expectLedgerError(() => ledger.captureHold({ ...captureToMerchant('h1', 5n), amount: 0n }), 'amount_invalid');
      expect(ledger.getHold('h1').status).toBe('pending');
    });

    it('refuses to capture more than the hold', () => {
      const ledger = setUp();
      hold(ledger, 'h1', 600n);
      expectLedgerError(() => ledger.captureHold(captureToMerchant('h1', 601n)), 'amount_invalid');
      expect(ledger.getHold('h1').status).toBe('pending');
      expect(ledger.getAccount('cust:alice')).toMatchObject({ balance: 0n, held: 600n });
    });

    it('refuses postings that do not debit the held account by exactly the amount', () => {
      const ledger = setUp();
      hold(ledger, 'h1', 600n);
      const before = snapshotLedgerTables(fixture().db);
      const wrongAmount = {
        ...captureToMerchant('h1', 250n),
        postings: [
          { accountId: 'cust:alice', amount: -200n },
          { accountId: 'merch:news', amount: 200n },
        ],
      };
      expectLedgerError(() => ledger.captureHold(wrongAmount), 'amount_invalid');
      const wrongAccount = {
        ...captureToMerchant('h1', 250n),
        postings: [
          { accountId: 'funding:EUR', amount: -250n },
          { accountId: 'merch:news', amount: 250n },
        ],
      };
      expectLedgerError(() => ledger.captureHold(wrongAccount), 'amount_invalid');
      expect(snapshotLedgerTables(fixture().db)).toEqual(before);
    });

    it('leaves the hold pending when the capture entry does not balance', () => {
      const ledger = setUp();
      hold(ledger, 'h1', 600n);
      const before = snapshotLedgerTables(fixture().db);
      const unbalanced = {
        ...captureToMerchant('h1', 250n),
        postings: [
          { accountId: 'cust:alice', amount: -250n },
          { accountId: 'merch:news', amount: 249n },
        ],
      };
      expectLedgerError(() => ledger.captureHold(unbalanced), 'unbalanced_entry');
      expect(snapshotLedgerTables(fixture().db)).toEqual(before);
    });

    it('refuses a capture entry id that another entry already uses', () => {
      const ledger = setUp();
      fund(ledger, 'entry:taken', 'cust:alice', 5n);
      hold(ledger, 'h1', 600n);
      expectLedgerError(() => ledger.captureHold(captureToMerchant('h1', 250n, 'entry:taken')), 'conflict');
      expect(ledger.getHold('h1').status).toBe('pending');
    });

    it('captures across currencies through fx accounts', () => {
      const ledger = setUp();
      createMerchant(ledger, 'merch:se', 'SEK');
      ledger.createAccount({ id: 'fx:EUR', currency: 'EUR', kind: 'fx', minBalance: null });
      ledger.createAccount({ id: 'fx:SEK', currency: 'SEK', kind: 'fx', minBalance: null });
      hold(ledger, 'h1', 100n);
      ledger.captureHold({
        holdId: 'h1',
        amount: 100n,
        entryId: 'e1',
        memo: 'cross-currency tab',
        postings: [
          { accountId: 'cust:alice', amount: -100n, currency: 'EUR' },
          { accountId: 'fx:EUR', amount: 100n, currency: 'EUR' },
          { accountId: 'fx:SEK', amount: -1_150n, currency: 'SEK' },
          { accountId: 'merch:se', amount: 1_150n, currency: 'SEK' },
        ],
      });
      expect(ledger.getAccount('merch:se').balance).toBe(1_150n);
      expect(ledger.checkInvariants().sumsByCurrency).toEqual({ EUR: 0n, SEK: 0n });
    });

    it('returns the first result when the same capture is repeated', () => {
      const ledger = setUp();
      hold(ledger, 'h1', 600n);
      const first = ledger.captureHold(captureToMerchant('h1', 250n));
      fixture().clock.advance(50);
      expect(ledger.captureHold(captureToMerchant('h1', 250n))).toEqual(first);
      expect(ledger.getAccount('merch:news').balance).toBe(250n);
      expect(ledger.listEntries()).toHaveLength(1);
    });

    it('returns the first result when a zero capture is repeated', () => {
      const ledger = setUp();
      hold(ledger, 'h1', 600n);
      const first = ledger.captureHold(captureToMerchant('h1', 0n));
      expect(ledger.captureHold(captureToMerchant('h1', 0n))).toEqual(first);
    });

    it.each([
      ['amount', captureToMerchant('h1', 251n)],
      ['entry id', captureToMerchant('h1', 250n, 'entry:other')],
      ['memo', { ...captureToMerchant('h1', 250n), memo: 'something else' }],
      ['zero amount', captureToMerchant('h1', 0n)],
    ])('reports a conflict when a captured hold is captured again with a different %s', (_field, input) => {
      const ledger = setUp();
      hold(ledger, 'h1', 600n);
      ledger.captureHold(captureToMerchant('h1', 250n));
      expectLedgerError(() => ledger.captureHold(input), 'conflict');
      expect(ledger.getAccount('merch:news').balance).toBe(250n);
    });

    it('refuses to capture a released hold and to release a captured one', () => {
      const ledger = setUp();
      hold(ledger, 'h1', 600n);
      hold(ledger, 'h2', 100n);
      ledger.releaseHold('h1');
      ledger.captureHold(captureToMerchant('h2', 100n));
      expectLedgerError(() => ledger.captureHold(captureToMerchant('h1', 100n)), 'hold_not_pending');
      expectLedgerError(() => ledger.releaseHold('h2'), 'hold_not_pending');
      expect(ledger.getHold('h1').status).toBe('released');
      expect(ledger.getHold('h2').status).toBe('captured');
    });

    it('refuses an unknown hold', () => {
      const ledger = setUp();
      expectLedgerError(() => ledger.captureHold(captureToMerchant('h404', 1n)), 'unknown_hold');
      expectLedgerError(() => ledger.getHold('h404'), 'unknown_hold');
    });
  });

  describe('release', () => {
    it('ends a pending hold and frees its amount', () => {
      const ledger = setUp();
      hold(ledger, 'h1', 600n);
      fixture().clock.advance(7);
      const released = ledger.releaseHold('h1');
      expect(released).toMatchObject({ status: 'released', capturedAmount: null, endedAt: fixture().clock.nowMs });
      expect(ledger.getHold('h1')).toEqual(released);
      expect(ledger.getAccount('cust:alice')).toMatchObject({ balance: 0n, held: 0n, available: LIMIT });
      expect(hold(ledger, 'h2', LIMIT).status).toBe('pending');
    });

    it('is idempotent', () => {
      const ledger = setUp();
      hold(ledger, 'h1', 600n);
      const first = ledger.releaseHold('h1');
      fixture().clock.advance(7);
      expect(ledger.releaseHold('h1')).toEqual(first);
      expect(ledger.getAccount('cust:alice').held).toBe(0n);
    });

    it('refuses an unknown hold', () => {
      const ledger = setUp();
      expectLedgerError(() => ledger.releaseHold('h404'), 'unknown_hold');
    });
  });

  it('lists holds by account, ref and status, oldest first', () => {
    const ledger = setUp();
    fund(ledger, 'topup', 'merch:news', 50n);
    const clock = fixture().clock;
    hold(ledger, 'h1', 10n);
    clock.advance(1);
    hold(ledger, 'h2', 20n);
    clock.advance(1);
    ledger.placeHold({ id: 'h3', accountId: 'merch:news', amount: 30n, ref: 'tx:h1' });
    ledger.releaseHold('h2');

    const ids = (holds: { id: string }[]) => holds.map((h) => h.id);
    expect(ids(ledger.listHolds())).toEqual(['h1', 'h2', 'h3']);
    expect(ids(ledger.listHolds({ accountId: 'cust:alice' }))).toEqual(['h1', 'h2']);
    expect(ids(ledger.listHolds({ ref: 'tx:h1' }))).toEqual(['h1', 'h3']);
    expect(ids(ledger.listHolds({ status: 'pending' }))).toEqual(['h1', 'h3']);
    expect(ids(ledger.listHolds({ accountId: 'cust:alice', status: 'released' }))).toEqual(['h2']);
    expect(ids(ledger.listHolds({ accountId: 'merch:news', ref: 'tx:h2' }))).toEqual([]);
  });
});
