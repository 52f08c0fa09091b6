import { describe, expect, it } from 'vitest';
import { HashChain } from '../../../protocol/chain/hash-chain';
import { seal, signEnvelope } from '../../../protocol/envelope';
import type { InitiationPayload, TabOpened } from '../../../protocol/messages/customer';
import { depositInMerchantCurrency } from '../../../protocol/rates/conversion';
import { formatTimestamp } from '../../../protocol/time';
import { SEK_TO_EUR, crypto, merchantCertificate, newSigner } from '../testing/fixtures';
import { chainPlanFor, checkTabOpened, holdForNewTab, initiationBody, minimumHoldFor } from './initiation';

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

  it('makes the chain exactly as long as the deposit in merchant minor units', () => {
    // 20.00 SEK × (1 / 11.4475) = 1.747… EUR → floor 174 cents
    expect(chainPlanFor(2_000n, SEK_TO_EUR)).toEqual({ ok: true, length: 174, depositMerchant_minor: 174n });
    expect(chainPlanFor(5n, SEK_TO_EUR)).toMatchObject({ ok: false });
  });
});

describe('checkTabOpened', () => {
  const operator = newSigner();
  const merchantOperator = newSigner();
  const certificate = merchantCertificate(merchantOperator, newSigner(), now);
  const chain = HashChain.fromSeed(crypto, crypto.randomBytes(32), 174);
  const body = initiationBody({
    accountId: 'acct_0123456789abcdef01234567',
    sessionId: 'op-sek.1',
    merchant: { merchantId: 'news', operatorId: 'op-eur' },
    customerCurrency: 'SEK',
    hold_minor: 2_000n,
    rateTableId: SEK_TO_EUR.tableId,
    merchantCurrency: 'EUR',
    tabPublicKey: newSigner().kid,
    chain: chain.commitment,
    timeout_s: 3600,
  });
  const initiation = signEnvelope(newSigner(), { ...body, id: 'aa'.repeat(16), iat: formatTimestamp(now) } satisfies InitiationPayload);
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

  it('states the chain unit as one merchant minor unit', () => {
    expect(body.chain).toEqual({ root: chain.commitment.root, unit: { currency: 'EUR', value: '0.01' }, length: 174 });
    expect(body.deposit).toEqual({ currency: 'SEK', value: '20.00' });
  });

  it('accepts the answer that matches every term', () => {
    expect(checkTabOpened(crypto, answer(), expected)).toEqual({ ok: true, expiresAt_ms: now + 3_600_000 });
  });

  it.each([
    ['another signer', () => answer({}, newSigner()), /not signed by your operator/],
    ['another initiation', () => answer({ initiationId: 'bb'.repeat(16) }), /different initiation/],
    ['another deposit', () => answer({ deposit: { customer: { currency: 'SEK', value: '30.00' }, merchant: { currency: 'EUR', value: '1.74' } } }), /different deposit/],
    ['another merchant deposit', () => answer({ deposit: { customer: { currency: 'SEK', value: '20.00' }, merchant: { currency: 'EUR', value: '1.75' } } }), /floor/],
    ['another rate', () => answer({ rate: { ...SEK_TO_EUR, customer: { currency: 'SEK', perBase: '11' } } }), /different rate/],
    ['another chain', () => answer({ chain: { ...initiation.payload.chain, length: 175 } }), /hash chain/],
    ['a certificate by another merchant operator', () => answer({ merchantCertificate: merchantCertificate(newSigner(), newSigner(), now) }), /vouched/],
  ])('refuses an answer with %s', (_, make, reason) => {
    expect(checkTabOpened(crypto, make(), expected)).toMatchObject({ ok: false, reason: expect.stringMatching(reason) });
  });
});
