import { describe, expect, it } from 'vitest';
import { SHOP_ORIGIN, crypto, merchantCertificate, newSigner, operatorCertificate, vouch } from '../testing/fixtures';
import type { TrustAnchors } from '../wallet/trust-anchors';
import { checkMerchantVouch } from './merchant-check';

const now = Date.parse('2026-06-01T12:00:00Z');
const ca = newSigner();
const operator = newSigner();
const merchantOperator = newSigner();
const merchantKey = newSigner();
const anchors: TrustAnchors = { operatorId: 'op-sek', operatorKey: operator.publicKey, caPublicKey: ca.publicKey };
const merchant = { merchantId: 'news', operatorId: 'op-eur' };

describe('checkMerchantVouch', () => {
  const certificate = merchantCertificate(merchantOperator, merchantKey, now);
  const certified = operatorCertificate(ca, merchantOperator, now);

  it('accepts a certificate the own operator vouched for, signed by an operator the CA certified, on a listed origin', () => {
    expect(
      checkMerchantVouch(crypto, vouch(operator, certificate, certified, now), anchors, merchant, SHOP_ORIGIN, now),
    ).toEqual({
      ok: true,
      certificate,
      operatorCertificate: certified,
    });
  });

  it('refuses an origin the certificate does not list, naming the allowed ones', () => {
    const check = checkMerchantVouch(
      crypto,
      vouch(operator, certificate, certified, now),
      anchors,
      merchant,
      'https://evil.example',
      now,
    );
    expect(check).toMatchObject({
      ok: false,
      code: 'origin_not_allowed',
      reason: expect.stringContaining(SHOP_ORIGIN),
    });
  });

  it('refuses a vouch by anyone but the own operator', () => {
    const check = checkMerchantVouch(
      crypto,
      vouch(newSigner(), certificate, certified, now),
      anchors,
      merchant,
      SHOP_ORIGIN,
      now,
    );
    expect(check).toMatchObject({ ok: false, code: 'merchant_refused' });
  });

  it('refuses a certificate for another merchant, a forged one and an expired one', () => {
    const other = checkMerchantVouch(
      crypto,
      vouch(operator, certificate, certified, now),
      anchors,
      { ...merchant, merchantId: 'other' },
      SHOP_ORIGIN,
      now,
    );
    expect(other).toMatchObject({ ok: false, code: 'merchant_refused' });
    const forged = { ...certificate, payload: { ...certificate.payload, origins: ['https://evil.example'] } };
    expect(
      checkMerchantVouch(
        crypto,
        vouch(operator, forged, certified, now),
        anchors,
        merchant,
        'https://evil.example',
        now,
      ),
    ).toMatchObject({
      ok: false,
      code: 'merchant_refused',
    });
    expect(
      checkMerchantVouch(
        crypto,
        vouch(operator, certificate, certified, now),
        anchors,
        merchant,
        SHOP_ORIGIN,
        now + 2 * 86_400_000,
      ),
    ).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/merchant certificate has expired/),
    });
  });

  // The own AM signs the vouch, so it could vouch for any key it likes; the CA pinned at enrolment decides.
  describe('the merchant operator, checked against the CA', () => {
    it('refuses a merchant certificate signed by a key the CA did not certify, even with a genuine operator certificate beside it', () => {
      const selfMade = merchantCertificate(operator, merchantKey, now);
      expect(
        checkMerchantVouch(crypto, vouch(operator, selfMade, certified, now), anchors, merchant, SHOP_ORIGIN, now),
      ).toMatchObject({
        ok: false,
        code: 'merchant_refused',
        reason: expect.stringContaining("not signed by the merchant's operator"),
      });
    });

    it('refuses an operator certificate from another CA', () => {
      const rogue = operatorCertificate(newSigner(), merchantOperator, now);
      expect(
        checkMerchantVouch(crypto, vouch(operator, certificate, rogue, now), anchors, merchant, SHOP_ORIGIN, now),
      ).toMatchObject({
        ok: false,
        code: 'merchant_refused',
        reason: expect.stringContaining('not signed by the CA your wallet trusts'),
      });
    });

    it("refuses another operator's certificate, and an expired one", () => {
      const otherOperator = operatorCertificate(ca, merchantOperator, now, 'op-usd');
      expect(
        checkMerchantVouch(
          crypto,
          vouch(operator, certificate, otherOperator, now),
          anchors,
          merchant,
          SHOP_ORIGIN,
          now,
        ),
      ).toMatchObject({
        ok: false,
        reason: expect.stringContaining('for op-usd, not op-eur'),
      });
      const expired = operatorCertificate(ca, merchantOperator, now - 86_400_000, 'op-eur', 3_600_000);
      expect(
        checkMerchantVouch(crypto, vouch(operator, certificate, expired, now), anchors, merchant, SHOP_ORIGIN, now),
      ).toMatchObject({
        ok: false,
        reason: expect.stringContaining("operator's certificate has expired"),
      });
    });
  });

  it('refuses a certificate that sends purchases or takes payments over plain http off this computer, naming the address', () => {
    const cleartextAgent = merchantCertificate(
      merchantOperator,
      merchantKey,
      now,
      [SHOP_ORIGIN],
      'http://news.example/opentab',
    );
    expect(
      checkMerchantVouch(crypto, vouch(operator, cleartextAgent, certified, now), anchors, merchant, SHOP_ORIGIN, now),
    ).toEqual({
      ok: false,
      code: 'merchant_refused',
      reason:
        'Opentab cannot trust this merchant: its certificate names http://news.example/opentab, an unencrypted address (Opentab pays only over https).',
    });
    const cleartextOrigin = merchantCertificate(merchantOperator, merchantKey, now, [
      SHOP_ORIGIN,
      'http://news.example',
    ]);
    expect(
      checkMerchantVouch(crypto, vouch(operator, cleartextOrigin, certified, now), anchors, merchant, SHOP_ORIGIN, now),
    ).toMatchObject({
      ok: false,
      code: 'merchant_refused',
      reason: expect.stringContaining('names http://news.example, an unencrypted address'),
    });
    // A shop on this computer (the demo world) may use plain http.
    const local = merchantCertificate(
      merchantOperator,
      merchantKey,
      now,
      ['http://127.0.0.1:7103'],
      'http://127.0.0.1:7103/opentab',
    );
    expect(
      checkMerchantVouch(
        crypto,
        vouch(operator, local, certified, now),
        anchors,
        merchant,
        'http://127.0.0.1:7103',
        now,
      ),
    ).toEqual({ ok: true, certificate: local, operatorCertificate: certified });
  });
});
