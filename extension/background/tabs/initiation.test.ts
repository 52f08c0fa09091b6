import { describe, expect, it } from 'vitest';
import { HashChain, MAX_CHAIN_LENGTH } from '@opentab/protocol';
import { seal, signEnvelope } from '@opentab/protocol';
import type { InitiationPayload, TabOpened } from '@opentab/protocol';
import { depositInMerchantCurrency } from '@opentab/protocol';
import { formatTimestamp } from '@opentab/protocol';
import { SEK_TO_EUR, crypto, merchantCertificate, newSigner } from '../testing/fixtures';
import {
  chainPlanFor,
  chainUnitFor,
  checkTabOpened,
  holdForNewTab,
  initiationBody,
  minimumHoldFor,
  type InitiationTerms,
} from './initiation';

const now = Date.parse('2026-06-01T12:00:00Z');

describe('deposit and chain', () => {
  it('finds the smallest hold that covers a price after floor(hold × rate)', () => {
    for (const price of [1n, 5n, 25n, 100n, 12_345n]) {
      const hold = minimumHoldFor(price, SEK_TO_EUR);
      expect(depositInMerchantCurrency(hold, SEK_TO_EUR)).toBeGreaterThanOrEqual(price);
      expect(depositInMerchantCurrency(hold - 1n, SEK_TO_EUR)).toBeLessThan(price);
    }
  });

  it('holds the default deposit unless the first purchase needs more', () => {
    expect(holdForNewTab(2_000n, 5n, SEK_TO_EUR)).toBe(2_000n);
    expect(holdForNewTab(2_000n, 500n, SEK_TO_EUR)).toBe(minimumHoldFor(500n, SEK_TO_EUR));
  });

  it('makes the chain exactly as long as the deposit when a link is one merchant minor unit', () => {
    // 20.00 SEK × (1 / 11.4475) = 1.747… EUR → floor 174 cents
    expect(chainPlanFor(2_000n, SEK_TO_EUR, 1n)).toEqual({
      ok: true,
      length: 174,
      unit_minor: 1n,
      depositMerchant_minor: 174n,
    });
    expect(chainPlanFor(5n, SEK_TO_EUR, 1n)).toMatchObject({ ok: false });
  });

  it('rounds the chain up to whole units, so that length × unit covers the deposit', () => {
    // 174 cents at 5 cents a link: 35 links cover 175 cents ≥ 174; 34 would cover only 170.
    expect(chainPlanFor(2_000n, SEK_TO_EUR, 5n)).toEqual({
      ok: true,
      length: 35,
      unit_minor: 5n,
      depositMerchant_minor: 174n,
    });
    // 20.04 SEK → floor 175.07… = 175 cents: exactly 35 links.
    expect(chainPlanFor(2_004n, SEK_TO_EUR, 5n)).toEqual({
      ok: true,
      length: 35,
      unit_minor: 5n,
      depositMerchant_minor: 175n,
    });
    expect(() => chainPlanFor(2_000n, SEK_TO_EUR, 0n)).toThrow();
  });

  it('bounds the chain by MAX_CHAIN_LENGTH links, whatever their unit', () => {
    // 200,000.00 SEK → floor 1,747,106 cents: too many one-cent links, few enough five-cent ones.
    const hold = 20_000_000n;
    expect(chainPlanFor(hold, SEK_TO_EUR, 1n)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/1000000 links/),
    });
    const plan = chainPlanFor(hold, SEK_TO_EUR, 5n);
    expect(plan).toMatchObject({ ok: true, unit_minor: 5n });
    if (plan.ok) expect(BigInt(plan.length) * 5n).toBeGreaterThanOrEqual(plan.depositMerchant_minor);
    if (plan.ok) expect(plan.length).toBeLessThanOrEqual(MAX_CHAIN_LENGTH);
  });
});

describe('the chain unit of a new tab', () => {
  const eur = (value: string) => ({ currency: 'EUR', value });

  it("takes the merchant's published unit when it divides the first price", () => {
    expect(chainUnitFor(eur('0.05'), 'EUR', 5n)).toBe(5n);
    expect(chainUnitFor(eur('0.05'), 'EUR', 15n)).toBe(5n);
    expect(chainUnitFor(eur('0.01'), 'EUR', 15n)).toBe(1n);
  });

  it('narrows a unit that does not divide the first price to their greatest common divisor', () => {
    expect(chainUnitFor(eur('0.05'), 'EUR', 7n)).toBe(1n);
    expect(chainUnitFor(eur('0.10'), 'EUR', 15n)).toBe(5n);
    expect(chainUnitFor(eur('0.25'), 'EUR', 10n)).toBe(5n);
  });

  it('falls back to one minor unit for a unit that is missing, in another currency, or zero', () => {
    expect(chainUnitFor(null, 'EUR', 5n)).toBe(1n);
    expect(chainUnitFor({ currency: 'SEK', value: '0.05' }, 'EUR', 5n)).toBe(1n);
    expect(chainUnitFor(eur('0.00'), 'EUR', 5n)).toBe(1n);
    expect(chainUnitFor(eur('0.005'), 'EUR', 5n)).toBe(1n);
  });
});

describe('checkTabOpened', () => {
  const operator = newSigner();
  const merchantOperator = newSigner();
  const certificate = merchantCertificate(merchantOperator, newSigner(), now);
  const chain = HashChain.fromSeed(crypto, crypto.randomBytes(32), 174);
  const terms: InitiationTerms = {
    accountId: 'acct_0123456789abcdef01234567',
    sessionId: 'op-sek.1',
    merchant: { merchantId: 'news', operatorId: 'op-eur' },
    customerCurrency: 'SEK',
    hold_minor: 2_000n,
    rateTableId: SEK_TO_EUR.tableId,
    merchantCurrency: 'EUR',
    tabPublicKey: newSigner().kid,
    chain: chain.commitment,
    chainUnit_minor: 1n,
    timeout_s: 3600,
  };
  const body = initiationBody(terms);
  const initiation = signEnvelope(newSigner(), {
    ...body,
    id: 'aa'.repeat(16),
    iat: formatTimestamp(now),
  } satisfies InitiationPayload);
  const answer = (overrides: Partial<TabOpened['payload']> = {}, signer = operator): TabOpened =>
    seal(crypto, signer, {
      type: 'tab-opened',
      operatorId: 'op-sek',
      initiationId: initiation.payload.id,
      transactionId: 'op-sek.1.1',
      tabId: 'tab_0123456789abcdef01234567',
      merchantCertificate: certificate,
      deposit: { customer: { currency: 'SEK', value: '20.00' }, merchant: { currency: 'EUR', value: '1.74' } },
      rate: SEK_TO_EUR,
      chain: initiation.payload.chain,
      expiresAt: formatTimestamp(now + 3_600_000),
      ...overrides,
    });
  const expected = {
    operatorId: 'op-sek',
    operatorKey: operator.publicKey,
    initiation: initiation.payload,
    rate: SEK_TO_EUR,
    depositMerchant_minor: 174n,
    vouchedCertificateKid: certificate.kid,
  };

  it('states the chain unit it was given, in the merchant currency', () => {
    expect(body.chain).toEqual({ root: chain.commitment.root, unit: { currency: 'EUR', value: '0.01' }, length: 174 });
    expect(body.deposit).toEqual({ currency: 'SEK', value: '20.00' });
    const fiveCents = HashChain.fromSeed(crypto, crypto.randomBytes(32), 35);
    const withUnit = initiationBody({ ...terms, chain: fiveCents.commitment, chainUnit_minor: 5n });
    expect(withUnit.chain).toEqual({
      root: fiveCents.commitment.root,
      unit: { currency: 'EUR', value: '0.05' },
      length: 35,
    });
  });

  it('accepts the answer that matches every term', () => {
    expect(checkTabOpened(crypto, answer(), expected)).toEqual({ ok: true, expiresAt_ms: now + 3_600_000 });
  });

  it.each([
    ['another signer', () => answer({}, newSigner()), /not signed by your operator/],
    ['another initiation', () => answer({ initiationId: 'bb'.repeat(16) }), /different initiation/],
    [
      'another deposit',
      () =>
        answer({
          deposit: { customer: { currency: 'SEK', value: '30.00' }, merchant: { currency: 'EUR', value: '1.74' } },
        }),
      /different deposit/,
    ],
    [
      'another merchant deposit',
      () =>
        answer({
          deposit: { customer: { currency: 'SEK', value: '20.00' }, merchant: { currency: 'EUR', value: '1.75' } },
        }),
      /floor/,
    ],
    [
      'another rate',
      () => answer({ rate: { ...SEK_TO_EUR, customer: { currency: 'SEK', perBase: '11' } } }),
      /different rate/,
    ],
    ['another chain', () => answer({ chain: { ...initiation.payload.chain, length: 175 } }), /hash chain/],
    [
      'a certificate by another merchant operator',
      () => answer({ merchantCertificate: merchantCertificate(newSigner(), newSigner(), now) }),
      /vouched/,
    ],
  ])('refuses an answer with %s', (_, make, reason) => {
    expect(checkTabOpened(crypto, make(), expected)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(reason),
    });
  });
});
