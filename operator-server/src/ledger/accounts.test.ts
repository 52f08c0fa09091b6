import { AssertionError } from 'node:assert';
import { describe, expect, it } from 'vitest';
import { createCustomer, expectLedgerError, snapshotLedgerTables, useLedgerFixture } from './testing/ledger-fixture';
import { MAX_AMOUNT } from './validation';

describe('accounts', () => {
  const fixture = useLedgerFixture();

  it('creates an account at balance zero with its floor', () => {
    const { ledger, clock } = fixture();
    const created = createCustomer(ledger, 'cust:alice', 1_000n);
    const expected = {
      id: 'cust:alice',
      currency: 'EUR',
      kind: 'customer',
      minBalance: -1_000n,
      balance: 0n,
      held: 0n,
      available: 1_000n,
      createdAt: clock.nowMs,
    };
    expect(created).toEqual(expected);
    expect(ledger.getAccount('cust:alice')).toEqual(expected);
  });

  it('reports no available amount for an account without a floor', () => {
    const { ledger } = fixture();
    const funding = ledger.createAccount({ id: 'funding:SEK', currency: 'SEK', kind: 'funding', minBalance: null });
    expect(funding.minBalance).toBeNull();
    expect(funding.available).toBeNull();
  });

  it('returns the existing account when the same creation is repeated', () => {
    const { ledger, clock } = fixture();
    const first = createCustomer(ledger, 'cust:alice', 1_000n);
    clock.advance(5);
    expect(createCustomer(ledger, 'cust:alice', 1_000n)).toEqual(first);
  });

  it.each([
    ['currency', { currency: 'SEK', kind: 'customer', minBalance: -1_000n }],
    ['kind', { currency: 'EUR', kind: 'merchant', minBalance: -1_000n }],
    ['floor', { currency: 'EUR', kind: 'customer', minBalance: -2_000n }],
  ] as const)('refuses to recreate an account with a different %s', (_field, details) => {
    const { ledger } = fixture();
    createCustomer(ledger, 'cust:alice', 1_000n);
    expectLedgerError(() => ledger.createAccount({ id: 'cust:alice', ...details }), 'account_exists');
    expect(ledger.getAccount('cust:alice')).toMatchObject({ currency: 'EUR', kind: 'customer', minBalance: -1_000n });
  });

  it.each([
    ['a lowercase currency', { id: 'a', currency: 'eur', kind: 'customer', minBalance: 0n }],
    ['a 4-letter currency', { id: 'a', currency: 'EURO', kind: 'customer', minBalance: 0n }],
    ['an empty id', { id: '', currency: 'EUR', kind: 'customer', minBalance: 0n }],
    ['an id over 128 characters', { id: 'x'.repeat(129), currency: 'EUR', kind: 'customer', minBalance: 0n }],
    ['an unknown kind', { id: 'a', currency: 'EUR', kind: 'wallet', minBalance: 0n }],
  ])('rejects %s as a programming error and stores nothing', (_case, input) => {
    const { ledger, db } = fixture();
    const before = snapshotLedgerTables(db);
    // @ts-expect-error deliberately malformed input, as untyped JavaScript could pass it
    expect(() => ledger.createAccount(input)).toThrow(AssertionError);
    expect(snapshotLedgerTables(db)).toEqual(before);
  });

  it('accepts an id of exactly 128 characters', () => {
    const { ledger } = fixture();
    const id = 'x'.repeat(128);
    expect(createCustomer(ledger, id, 0n).id).toBe(id);
  });

  it.each([
    ['a positive floor', 1n],
    ['a floor beyond the ledger range', -MAX_AMOUNT - 1n],
    ['a number instead of a bigint', -5],
  ])('rejects %s', (_case, minBalance) => {
    const { ledger } = fixture();
    expectLedgerError(
      // @ts-expect-error the number case is deliberately not a bigint
      () => ledger.createAccount({ id: 'a', currency: 'EUR', kind: 'customer', minBalance }),
      'amount_invalid',
    );
    expect(ledger.findAccount('a')).toBeUndefined();
  });

  it('throws unknown_account from getAccount and undefined from findAccount', () => {
    const { ledger } = fixture();
    expectLedgerError(() => ledger.getAccount('cust:nobody'), 'unknown_account');
    expect(ledger.findAccount('cust:nobody')).toBeUndefined();
  });

  it('rejects malformed ids on reads too', () => {
    const { ledger } = fixture();
    expect(() => ledger.findAccount('')).toThrow(AssertionError);
    expect(() => ledger.findHold('x'.repeat(129))).toThrow(AssertionError);
    expect(() => ledger.findEntry('')).toThrow(AssertionError);
    expect(() => ledger.listHolds({ ref: '' })).toThrow(AssertionError);
    // @ts-expect-error deliberately not a hold status
    expect(() => ledger.listHolds({ status: 'open' })).toThrow(AssertionError);
    expect(() => ledger.listEntries({ limit: 0 })).toThrow(AssertionError);
    expect(() => ledger.listEntries({ sinceMs: -1 })).toThrow(AssertionError);
  });

  describe('setMinBalance', () => {
    it('raises a credit limit so that larger holds fit', () => {
      const { ledger } = fixture();
      createCustomer(ledger, 'cust:alice', 100n);
      expectLedgerError(
        () => ledger.placeHold({ id: 'h1', accountId: 'cust:alice', amount: 150n, ref: 'tx1' }),
        'insufficient_funds',
      );
      expect(ledger.setMinBalance('cust:alice', -200n).available).toBe(200n);
      expect(ledger.placeHold({ id: 'h1', accountId: 'cust:alice', amount: 150n, ref: 'tx1' }).status).toBe('pending');
    });

    it('lowers a limit down to exactly what is in use, but not below', () => {
      const { ledger } = fixture();
      createCustomer(ledger, 'cust:alice', 1_000n);
      ledger.placeHold({ id: 'h1', accountId: 'cust:alice', amount: 300n, ref: 'tx1' });
      expectLedgerError(() => ledger.setMinBalance('cust:alice', -299n), 'insufficient_funds');
      expect(ledger.getAccount('cust:alice').minBalance).toBe(-1_000n);
      expect(ledger.setMinBalance('cust:alice', -300n).available).toBe(0n);
    });

    it('removes the floor with null and refuses unknown accounts', () => {
      const { ledger } = fixture();
      createCustomer(ledger, 'cust:alice', 10n);
      expect(ledger.setMinBalance('cust:alice', null).available).toBeNull();
      expectLedgerError(() => ledger.setMinBalance('cust:nobody', 0n), 'unknown_account');
    });
  });
});
