import { describe, expect, it } from 'vitest';
import { parseMessage } from '@opentab/protocol';
import { BillingRecord, type DepositRecord, type WithdrawalRecord } from './billing-records';

const TAB_ID = 'tab_0123456789abcdef01234567';
const ORDER_ID = 'ord_0123456789abcdef01234567';

const withdrawal: WithdrawalRecord = {
  recordType: 'withdrawal',
  source: 'tab',
  recordId: 'withdrawal:op-se:op-se.3.1',
  operatorId: 'op-se',
  accountId: 'acct_0123456789abcdef01234567',
  transactionId: 'op-se.3.1',
  tabId: TAB_ID,
  merchantId: 'news',
  merchantOperatorId: 'op-eu',
  amount: { currency: 'SEK', value: '1.37' },
  hold: { currency: 'SEK', value: '57.00' },
  released: { currency: 'SEK', value: '55.63' },
  merchantAmount: { currency: 'EUR', value: '0.12' },
  rate: {
    tableId: '0123456789abcdef0123456789abcdef',
    base: 'EUR',
    customer: { currency: 'SEK', perBase: '11.40' },
    merchant: { currency: 'EUR', perBase: '1' },
  },
  outcome: 'agreed',
  clearedAt: '2026-11-29T10:00:00.000Z',
};

const deposit: DepositRecord = {
  recordType: 'deposit',
  source: 'tab',
  recordId: `deposit:op-eu:${TAB_ID}`,
  operatorId: 'op-eu',
  merchantId: 'news',
  tabId: TAB_ID,
  customerOperatorId: 'op-se',
  amount: { currency: 'EUR', value: '0.12' },
  outcome: 'disputed',
  clearedAt: '2026-11-29T10:00:00.000Z',
};

/** As a receiver sees it: JSON off the wire. */
function wire(record: object): unknown {
  return JSON.parse(JSON.stringify(record));
}

function refusal(input: unknown): readonly string[] {
  const parsed = parseMessage(BillingRecord, input);
  if (parsed.ok) throw new Error('the record was accepted');
  return parsed.error.details ?? [];
}

describe('billing record schema', () => {
  it('accepts a withdrawal and a deposit record, for a tab and for another kind of sale', () => {
    for (const record of [
      withdrawal,
      deposit,
      {
        ...withdrawal,
        source: 'direct-payment',
        recordId: 'withdrawal:op-se:direct-payment:op-se.3.2',
        transactionId: 'op-se.3.2',
        tabId: ORDER_ID,
      },
      {
        ...deposit,
        source: 'direct-payment',
        recordId: `deposit:op-eu:direct-payment:news:${ORDER_ID}`,
        tabId: ORDER_ID,
        outcome: 'agreed',
      },
    ]) {
      expect(parseMessage(BillingRecord, wire(record))).toEqual({ ok: true, value: record });
    }
  });

  it('reads a record queued before `source` existed as a tab record', () => {
    const { source: _w, ...oldWithdrawal } = withdrawal;
    const { source: _d, ...oldDeposit } = deposit;
    expect(parseMessage(BillingRecord, wire(oldWithdrawal))).toEqual({
      ok: true,
      value: { ...oldWithdrawal, source: 'tab' },
    });
    expect(parseMessage(BillingRecord, wire(oldDeposit))).toEqual({
      ok: true,
      value: { ...oldDeposit, source: 'tab' },
    });
  });

  it('refuses a float amount', () => {
    expect(refusal({ ...deposit, amount: { currency: 'EUR', value: 0.12 } })).toEqual([
      expect.stringMatching(/^amount\.value: /),
    ]);
    expect(refusal({ ...withdrawal, amount: 1.37 })[0]).toMatch(/^amount: /);
  });

  it('refuses an amount with more decimals than its currency has', () => {
    const parsed = parseMessage(BillingRecord, wire({ ...deposit, amount: { currency: 'EUR', value: '0.123' } }));
    expect(parsed.ok ? null : parsed.error.code).toBe('amount_invalid');
  });

  it('refuses a record with a field missing', () => {
    for (const field of ['recordId', 'tabId', 'amount', 'rate', 'outcome', 'clearedAt', 'accountId'] as const) {
      const { [field]: _, ...missing } = withdrawal;
      expect(refusal(wire(missing))).toEqual([expect.stringMatching(new RegExp(`^${field}: `))]);
    }
    const { customerOperatorId: _, ...missing } = deposit;
    expect(refusal(wire(missing))).toEqual([expect.stringMatching(/^customerOperatorId: /)]);
  });

  it('refuses an unknown record type', () => {
    expect(refusal({ ...deposit, recordType: 'refund' })).toEqual([expect.stringMatching(/^recordType: /)]);
    const { recordType: _, ...untyped } = deposit;
    expect(refusal(untyped)).toEqual([expect.stringMatching(/^recordType: /)]);
  });

  it('refuses an extra field, also one the other record type has', () => {
    expect(refusal({ ...deposit, note: 'hello' })).toEqual([expect.stringMatching(/^note: /)]);
    expect(refusal({ ...deposit, accountId: withdrawal.accountId })).toEqual([expect.stringMatching(/^accountId: /)]);
  });

  it('refuses malformed fields: a source that is no name, an unknown outcome, a bad timestamp, an empty tab id', () => {
    expect(refusal({ ...deposit, source: 'Card payment' })[0]).toMatch(/^source: /);
    expect(refusal({ ...deposit, outcome: 'maybe' })[0]).toMatch(/^outcome: /);
    expect(refusal({ ...deposit, clearedAt: 'yesterday' })[0]).toMatch(/^clearedAt: /);
    expect(refusal({ ...withdrawal, tabId: '' })[0]).toMatch(/^tabId: /);
    expect(refusal({ ...withdrawal, rate: { ...withdrawal.rate, extra: 1 } })[0]).toMatch(/^rate\.extra: /);
  });

  it('refuses a record whose ids contradict its type or source', () => {
    expect(refusal({ ...deposit, recordId: `withdrawal:op-eu:${TAB_ID}` })).toEqual([
      '(message): recordId: must start with the record type',
    ]);
    expect(refusal({ ...deposit, tabId: ORDER_ID })).toEqual([
      expect.stringContaining('tabId: must be a tab id in a tab record'),
    ]);
    expect(refusal({ ...deposit, source: 'direct-payment' })).toEqual([
      expect.stringContaining('tabId: must be a tab id in a tab record'),
    ]);
  });

  it('refuses what is not a record at all', () => {
    for (const input of [null, 'deposit', [], 42]) expect(parseMessage(BillingRecord, input).ok).toBe(false);
  });
});
