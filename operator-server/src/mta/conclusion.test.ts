import { describe, expect, it } from 'vitest';
import { HashChain } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import { toBase64url } from '@opentab/protocol';
import type { CustomerRecordPayload } from '@opentab/protocol';
import type { MerchantRecordPayload } from '@opentab/protocol';
import { concludeTab, type ConclusionInput } from './conclusion';

const chain = HashChain.fromSeed(nodeCrypto, new Uint8Array(32).fill(7), 500);
const header = { id: '0'.repeat(32), iat: '2026-11-29T10:00:00Z' };
const hash = toBase64url(nodeCrypto.sha256(new TextEncoder().encode('list')));

function customer(index: number, total = index, overrides: Partial<CustomerRecordPayload> = {}): CustomerRecordPayload {
  return {
    ...header,
    type: 'customer-record',
    transactionId: 'op-se.1.1',
    tabId: 'tab_000000000000000000000001',
    purchaseListHash: hash,
    count: 3,
    total: { currency: 'EUR', value: (total / 100).toFixed(2) },
    lastChainIndex: index,
    lastChainLink: chain.encodedLinkAt(index),
    ...overrides,
  };
}

function merchant(index: number, total = index, overrides: Partial<MerchantRecordPayload> = {}): MerchantRecordPayload {
  return {
    ...header,
    type: 'merchant-record',
    merchantId: 'news',
    tabId: 'tab_000000000000000000000001',
    reason: 'customer-terminate',
    purchaseListHash: hash,
    count: 3,
    total: { currency: 'EUR', value: (total / 100).toFixed(2) },
    lastChainIndex: index,
    lastChainLink: chain.encodedLinkAt(index),
    ...overrides,
  };
}

const base: ConclusionInput = {
  deposit_minor: 400n,
  currency: 'EUR',
  unit_minor: 1n,
  chain: chain.commitment,
  customerRecord: null,
  merchantRecord: null,
};

describe('concludeTab (the MTA comparison rule)', () => {
  it('agreeing records with a proving link clear their total', () => {
    expect(concludeTab(nodeCrypto, { ...base, customerRecord: customer(120), merchantRecord: merchant(120) })).toEqual({
      cleared_minor: 120n,
      outcome: 'agreed',
      disputeReason: null,
    });
  });

  it('a merchant total above what the link proves clears the proven amount, as a dispute', () => {
    const conclusion = concludeTab(nodeCrypto, {
      ...base,
      customerRecord: customer(120),
      merchantRecord: merchant(120, 300),
    });
    expect(conclusion).toMatchObject({ cleared_minor: 120n, outcome: 'disputed' });
    expect(conclusion.disputeReason).toContain('totals differ');
  });

  it('the further valid link counts: a customer cannot under-report what it released', () => {
    expect(
      concludeTab(nodeCrypto, {
        ...base,
        customerRecord: customer(50, 50, { count: 1 }),
        merchantRecord: merchant(120),
      }),
    ).toMatchObject({ cleared_minor: 120n, outcome: 'disputed' });
  });

  it('never more than the merchant claims, even when the customer proves more', () => {
    expect(
      concludeTab(nodeCrypto, {
        ...base,
        customerRecord: customer(200),
        merchantRecord: merchant(150, 150, { count: 2 }),
      }),
    ).toMatchObject({ cleared_minor: 150n, outcome: 'disputed' });
  });

  it('never more than the deposit', () => {
    const small = { ...base, deposit_minor: 100n };
    expect(
      concludeTab(nodeCrypto, { ...small, customerRecord: customer(300), merchantRecord: merchant(300) }),
    ).toMatchObject({ cleared_minor: 100n, outcome: 'disputed' });
  });

  it('a forged link proves nothing', () => {
    const forged = merchant(120, 120, { lastChainLink: toBase64url(new Uint8Array(32)) });
    const conclusion = concludeTab(nodeCrypto, {
      ...base,
      customerRecord: customer(120, 120, { lastChainLink: toBase64url(new Uint8Array(32)) }),
      merchantRecord: forged,
    });
    expect(conclusion).toMatchObject({ cleared_minor: 0n, outcome: 'disputed' });
  });

  it('a single record clears on its own proof; a single unsound record is a dispute', () => {
    expect(concludeTab(nodeCrypto, { ...base, merchantRecord: merchant(80) })).toEqual({
      cleared_minor: 80n,
      outcome: 'customer-record-missing',
      disputeReason: null,
    });
    expect(concludeTab(nodeCrypto, { ...base, customerRecord: customer(80) })).toEqual({
      cleared_minor: 80n,
      outcome: 'merchant-record-missing',
      disputeReason: null,
    });
    const unsound = concludeTab(nodeCrypto, { ...base, merchantRecord: merchant(80, 200) });
    expect(unsound.cleared_minor).toBe(80n);
    expect(unsound.disputeReason).toContain('not backed');
  });

  it('no records clear nothing', () => {
    expect(concludeTab(nodeCrypto, base)).toEqual({ cleared_minor: 0n, outcome: 'no-records', disputeReason: null });
  });

  it('a total in the wrong currency counts as no claim', () => {
    expect(
      concludeTab(nodeCrypto, {
        ...base,
        merchantRecord: merchant(80, 80, { total: { currency: 'SEK', value: '0.80' } }),
      }).cleared_minor,
    ).toBe(0n);
  });
});
