import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { BRIDGE_CALLS } from '@opentab/protocol';
import { MerchantInfo, Receipt } from '@opentab/protocol';
import { MERCHANT_INFO } from '@opentab/test-kit/widget';
import { isBridgeResult, isMerchantInfo, isReceipt, readBridgeError } from './wire-checks';

// The hand checks must accept everything the protocol schemas accept (or the widget would refuse
// real answers) and refuse anything the widget could not display safely.

const RECEIPT = {
  payload: {
    type: 'receipt',
    id: '0123456789abcdef0123456789abcdef',
    iat: '2024-06-28T12:00:00Z',
    merchantId: 'demo-news',
    tabId: 'tab_0123456789abcdef01234567',
    purchaseId: 'fedcba9876543210fedcba9876543210',
    seq: 1,
    itemId: 'article-42',
    price: { currency: 'EUR', value: '0.05' },
    chainIndex: 5,
    spent: { currency: 'EUR', value: '0.05' },
    remaining: { currency: 'EUR', value: '4.95' },
    accessToken: 'token',
  },
  kid: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', // a sound key (RFC 8032 TEST 1's)
  sig: 'A'.repeat(86),
};

const ENTITLEMENT = { itemId: 'article-42', accessToken: 'token', entitledUntil: '2024-07-28T12:00:00.000Z' };

describe('hand checks against the protocol schemas', () => {
  it('accept what the schemas accept', () => {
    expect(v.is(MerchantInfo, MERCHANT_INFO) && isMerchantInfo(MERCHANT_INFO)).toBe(true);
    expect(v.is(Receipt, RECEIPT) && isReceipt(RECEIPT)).toBe(true);
    const results = {
      hello: { protocolVersion: 1, walletState: 'locked' },
      convert: {
        currency: null,
        rateStatus: 'missing',
        converted: [null, { currency: 'SEK', value: '0.57' }],
        validUntil: null,
      },
      pay: { kind: 'paid', receipt: RECEIPT },
      paymentStatus: { status: 'paid', receipt: RECEIPT },
      entitlements: { entitlements: [ENTITLEMENT] },
      tabStatus: { open: false, deposit: null, spent: null, remaining: null, expiresAt: null },
      closeTab: { closed: true },
    } as const;
    for (const [call, result] of Object.entries(results) as Array<[keyof typeof results, unknown]>) {
      expect(v.is(BRIDGE_CALLS[call].result, result), call).toBe(true);
      expect(isBridgeResult(call, result), call).toBe(true);
    }
    const owned = { kind: 'owned', ...ENTITLEMENT };
    expect(v.is(BRIDGE_CALLS.pay.result, owned) && isBridgeResult('pay', owned)).toBe(true);
  });

  it('take a conversion with its rate source, with none, and from an extension that never sends one; refuse one they cannot read', () => {
    const conversion = {
      currency: 'SEK',
      rateStatus: 'current',
      converted: [{ currency: 'SEK', value: '0.57' }],
      validUntil: '2024-06-28T16:00:00.000Z',
    };
    const source = { publisher: 'ecb', publishedOn: '2024-06-28', sample: false };
    for (const result of [
      { ...conversion, rateSource: source },
      { ...conversion, rateSource: { ...source, sample: true } },
      { ...conversion, rateSource: null },
      conversion,
    ]) {
      expect([result, v.is(BRIDGE_CALLS.convert.result, result), isBridgeResult('convert', result)]).toEqual([
        result,
        true,
        true,
      ]);
    }
    for (const rateSource of [
      { ...source, publisher: 'fed' },
      { ...source, publishedOn: '28 Jun 2024' },
      { ...source, sample: 'no' },
      'ECB',
    ]) {
      const result = { ...conversion, rateSource };
      expect([rateSource, v.is(BRIDGE_CALLS.convert.result, result), isBridgeResult('convert', result)]).toEqual([
        rateSource,
        false,
        false,
      ]);
    }
  });

  it('take the pay answer of an extension from before protocol 3 (a receipt, no kind) as paid', () => {
    expect(isBridgeResult('pay', { receipt: RECEIPT })).toBe(true);
  });

  it('refuse an owned answer or an entitlement the widget could not hand on', () => {
    for (const bad of [
      { ...ENTITLEMENT, accessToken: '' },
      { ...ENTITLEMENT, accessToken: 'x'.repeat(513) },
      { ...ENTITLEMENT, itemId: '<img>' },
      { ...ENTITLEMENT, entitledUntil: 42 },
    ]) {
      expect(isBridgeResult('pay', { kind: 'owned', ...bad }), JSON.stringify(bad).slice(0, 80)).toBe(false);
      expect(isBridgeResult('entitlements', { entitlements: [bad] })).toBe(false);
    }
    expect(isBridgeResult('pay', { kind: 'owned', receipt: RECEIPT })).toBe(false);
  });

  it.each([
    [
      'a price given as a number',
      { ...MERCHANT_INFO, catalogue: [{ itemId: 'a', title: 't', price: { currency: 'EUR', value: 0.05 } }] },
    ],
    [
      'a price in exponent notation',
      { ...MERCHANT_INFO, catalogue: [{ itemId: 'a', title: 't', price: { currency: 'EUR', value: '5e-2' } }] },
    ],
    [
      'a negative price',
      { ...MERCHANT_INFO, catalogue: [{ itemId: 'a', title: 't', price: { currency: 'EUR', value: '-0.05' } }] },
    ],
    [
      'an item id with markup in it',
      { ...MERCHANT_INFO, catalogue: [{ itemId: '<img>', title: 't', price: { currency: 'EUR', value: '1' } }] },
    ],
    ['no catalogue', { ...MERCHANT_INFO, catalogue: undefined }],
    ['a lowercase currency', { ...MERCHANT_INFO, currency: 'eur' }],
    [
      'an item kind it does not know',
      {
        ...MERCHANT_INFO,
        catalogue: [{ itemId: 'a', title: 't', price: { currency: 'EUR', value: '1' }, kind: 'subscription' }],
      },
    ],
  ])('refuse merchant info with %s, as the schema does', (_case, info) => {
    expect(v.is(MerchantInfo, info)).toBe(false);
    expect(isMerchantInfo(info)).toBe(false);
  });

  it('take a payment status as the schema does: pending, none, or paid with a receipt', () => {
    const statuses = [
      { status: 'pending' },
      { status: 'none' },
      { status: 'paid', receipt: RECEIPT },
      { status: 'paid' },
      { status: 'refused' },
      {},
    ];
    expect(statuses.map((status) => isBridgeResult('paymentStatus', status))).toEqual(
      statuses.map((status) => v.is(BRIDGE_CALLS.paymentStatus.result, status)),
    );
    expect(statuses.map((status) => isBridgeResult('paymentStatus', status))).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it('refuse a receipt that is not a receipt', () => {
    const wrongType = { ...RECEIPT, payload: { ...RECEIPT.payload, type: 'purchase' } };
    const unsigned = { payload: RECEIPT.payload };
    for (const receipt of [wrongType, unsigned, null, 'receipt']) expect(isReceipt(receipt)).toBe(false);
  });

  it('read bridge errors, capping the message length', () => {
    expect(readBridgeError({ code: 'busy', message: 'x'.repeat(2_000) })?.message).toHaveLength(500);
    expect(readBridgeError({ code: 'busy' })).toBeNull();
  });
});
