import { describe, expect, it } from 'vitest';
import { assertLedgerInvariants } from './invariants';
import type { Ledger } from './ledger';
import { createCustomer, createFunding, createMerchant, fund, useLedgerFixture } from './testing/ledger-fixture';

describe('invariant checks', () => {
  const fixture = useLedgerFixture();
  const setUp = (): Ledger => {
    const { ledger } = fixture();
    createCustomer(ledger, 'cust:alice', 1_000n);
    createMerchant(ledger, 'merch:news');
    createFunding(ledger);
    createFunding(ledger, 'SEK');
    fund(ledger, 'topup', 'merch:news', 100n);
    return ledger;
  };
  /** Writes past the ledger's own checks, as a bug or a hand-edit could. */
  const corrupt = (sql: string): void => {
    const { db } = fixture();
    db.pragma('ignore_check_constraints = ON');
    db.exec(sql);
    db.pragma('ignore_check_constraints = OFF');
  };

  it('reports a consistent ledger as clean', () => {
    const ledger = setUp();
    expect(ledger.checkInvariants()).toEqual({
      sumsByCurrency: { EUR: 0n, SEK: 0n },
      accountsBelowFloor: [],
      heldMismatches: [],
      balanceMismatches: [],
    });
    expect(() => assertLedgerInvariants(ledger)).not.toThrow();
  });

  it('detects a balance that no posting explains', () => {
    const ledger = setUp();
    corrupt(`UPDATE ledger_accounts SET balance = balance + 7 WHERE id = 'merch:news'`);
    const report = ledger.checkInvariants();
    expect(report.balanceMismatches).toEqual(['merch:news']);
    expect(report.sumsByCurrency).toEqual({ EUR: 7n, SEK: 0n });
    expect(() => assertLedgerInvariants(ledger)).toThrow(
      /balances in EUR sum to 7, not 0\n- account merch:news: balance differs from the sum of its postings/,
    );
  });

  it('detects a held column that differs from the pending holds', () => {
    const ledger = setUp();
    ledger.placeHold({ id: 'h1', accountId: 'cust:alice', amount: 10n, ref: 'tx1' });
    corrupt(`UPDATE ledger_accounts SET held = 3 WHERE id = 'cust:alice'`);
    expect(ledger.checkInvariants().heldMismatches).toEqual(['cust:alice']);
    expect(() => assertLedgerInvariants(ledger, { pendingHoldRefsAllowed: ['tx1'] })).toThrow(
      'account cust:alice: held differs from the sum of its pending holds',
    );
  });

  it('detects an account below its floor', () => {
    const ledger = setUp();
    corrupt(`UPDATE ledger_accounts SET min_balance = -5, held = 6 WHERE id = 'cust:alice'`);
    expect(ledger.checkInvariants().accountsBelowFloor).toEqual(['cust:alice']);
    expect(() => assertLedgerInvariants(ledger)).toThrow('account cust:alice is below its floor');
  });

  it('refuses at the storage level a write that would put an account below its floor', () => {
    const ledger = setUp();
    const { db } = fixture();
    expect(() => db.exec(`UPDATE ledger_accounts SET held = 101 WHERE id = 'merch:news'`)).toThrow(/CHECK constraint/);
    expect(() => db.exec(`UPDATE ledger_accounts SET balance = -1001 WHERE id = 'cust:alice'`)).toThrow(
      /CHECK constraint/,
    );
    expect(ledger.getAccount('merch:news')).toMatchObject({ balance: 100n, held: 0n });
    expect(ledger.getAccount('cust:alice').balance).toBe(0n);
  });

  it('treats a pending hold as a leak unless its ref is allowed', () => {
    const ledger = setUp();
    ledger.placeHold({ id: 'h1', accountId: 'cust:alice', amount: 10n, ref: 'tx1' });
    expect(() => assertLedgerInvariants(ledger)).toThrow('hold h1 (ref tx1, 10 on cust:alice) never ended');
    expect(() => assertLedgerInvariants(ledger, { pendingHoldRefsAllowed: ['tx1'] })).not.toThrow();
    expect(() =>
      assertLedgerInvariants(ledger, { pendingHoldRefsAllowed: (ref) => ref.startsWith('tx') }),
    ).not.toThrow();
    expect(() => assertLedgerInvariants(ledger, { pendingHoldRefsAllowed: ['tx2'] })).toThrow('hold h1');
    ledger.releaseHold('h1');
    expect(() => assertLedgerInvariants(ledger)).not.toThrow();
  });
});
