import { describe, expect, it } from 'vitest';
import { SHOP_ORIGIN, crypto, merchantCertificate, newSigner, vouch } from '../testing/fixtures';
import { checkMerchantVouch } from './merchant-check';

const now = Date.parse('2026-06-01T12:00:00Z');
const operator = newSigner();
const merchantOperator = newSigner();
const merchantKey = newSigner();
const ownOperator = { operatorId: 'op-sek', publicKey: operator.publicKey };
const merchant = { merchantId: 'news', operatorId: 'op-eur' };

describe('checkMerchantVouch', () => {
  const certificate = merchantCertificate(merchantOperator, merchantKey, now);

  it('accepts a certificate the own operator vouched for, on a listed origin', () => {
    expect(checkMerchantVouch(crypto, vouch(operator, certificate, now), ownOperator, merchant, SHOP_ORIGIN, now)).toEqual({ ok: true, certificate });
  });

  it('refuses an origin the certificate does not list, naming the allowed ones', () => {
    const check = checkMerchantVouch(crypto, vouch(operator, certificate, now), ownOperator, merchant, 'https://evil.example', now);
    expect(check).toMatchObject({ ok: false, code: 'origin_not_allowed', reason: expect.stringContaining(SHOP_ORIGIN) });
  });

  it('refuses a vouch by anyone but the own operator', () => {
    const check = checkMerchantVouch(crypto, vouch(newSigner(), certificate, now), ownOperator, merchant, SHOP_ORIGIN, now);
    expect(check).toMatchObject({ ok: false, code: 'merchant_refused' });
  });

  it('refuses a certificate for another merchant, a forged one and an expired one', () => {
    const other = checkMerchantVouch(crypto, vouch(operator, certificate, now), ownOperator, { ...merchant, merchantId: 'other' }, SHOP_ORIGIN, now);
    expect(other).toMatchObject({ ok: false, code: 'merchant_refused' });
    const forged = { ...certificate, payload: { ...certificate.payload, origins: ['https://evil.example'] } };
    expect(checkMerchantVouch(crypto, vouch(operator, forged, now), ownOperator, merchant, 'https://evil.example', now)).toMatchObject({
      ok: false,
      code: 'merchant_refused',
    });
    expect(checkMerchantVouch(crypto, vouch(operator, certificate, now), ownOperator, merchant, SHOP_ORIGIN, now + 2 * 86_400_000)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/expired/),
    });
  });

  it('refuses a certificate that sends purchases or takes payments over plain http off this computer, naming the address', () => {
    const cleartextAgent = merchantCertificate(merchantOperator, merchantKey, now, [SHOP_ORIGIN], 'http://news.example/opentab');
    expect(checkMerchantVouch(crypto, vouch(operator, cleartextAgent, now), ownOperator, merchant, SHOP_ORIGIN, now)).toEqual({
      ok: false,
      code: 'merchant_refused',
      reason: 'Opentab cannot trust this merchant: its certificate names http://news.example/opentab, an unencrypted address (Opentab pays only over https).',
    });
    const cleartextOrigin = merchantCertificate(merchantOperator, merchantKey, now, [SHOP_ORIGIN, 'http://news.example']);
    expect(checkMerchantVouch(crypto, vouch(operator, cleartextOrigin, now), ownOperator, merchant, SHOP_ORIGIN, now)).toMatchObject({
      ok: false,
      code: 'merchant_refused',
      reason: expect.stringContaining('names http://news.example, an unencrypted address'),
    });
    // A shop on this computer (the demo world) may use plain http.
    const local = merchantCertificate(merchantOperator, merchantKey, now, ['http://127.0.0.1:7103'], 'http://127.0.0.1:7103/opentab');
    expect(checkMerchantVouch(crypto, vouch(operator, local, now), ownOperator, merchant, 'http://127.0.0.1:7103', now)).toEqual({ ok: true, certificate: local });
  });
});
