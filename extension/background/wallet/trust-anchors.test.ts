import { describe, expect, it } from 'vitest';
import { crypto, newSigner, operatorCertificate } from '../testing/fixtures';
import type { Enrolment } from './enrolment-record';
import { ownCertificateProblem, trustAnchorsOf } from './trust-anchors';

const now = Date.parse('2026-06-01T12:00:00Z');
const ca = newSigner();
const operator = newSigner();
const certificate = operatorCertificate(ca, operator, now, 'op-sek');
const enrolment: Enrolment = {
  operatorId: 'op-sek',
  baseUrl: 'https://op-sek.example',
  currency: 'SEK',
  operatorPublicKey: operator.kid,
  operatorCertificate: certificate,
  accountId: 'acct_0123456789abcdef01234567',
  enrolledAt_ms: now,
};

describe('trust anchors', () => {
  it("pin the CA that signed the own operator's certificate", () => {
    expect(ownCertificateProblem(crypto, certificate, now)).toBeNull();
    expect(trustAnchorsOf(crypto, enrolment)).toEqual({
      operatorId: 'op-sek',
      operatorKey: operator.publicKey,
      caPublicKey: ca.publicKey,
    });
  });

  it('refuse at enrolment a certificate its signer did not sign, or an expired one', () => {
    const tampered = { ...certificate, payload: { ...certificate.payload, baseUrl: 'https://elsewhere.example' } };
    expect(ownCertificateProblem(crypto, tampered, now)).toBe(
      "the operator's certificate is not signed by the CA it names",
    );
    expect(ownCertificateProblem(crypto, certificate, now + 31 * 86_400_000)).toBe(
      "the operator's certificate has expired",
    );
  });

  it('keep the CA after the certificate expired, and are none for a stored certificate that does not bear out the enrolment', () => {
    expect(trustAnchorsOf(crypto, { ...enrolment, enrolledAt_ms: now - 365 * 86_400_000 })?.caPublicKey).toEqual(
      ca.publicKey,
    );
    expect(
      trustAnchorsOf(crypto, {
        ...enrolment,
        operatorCertificate: { ...certificate, payload: { ...certificate.payload, baseUrl: 'https://x.example' } },
      }),
    ).toBeNull();
    expect(trustAnchorsOf(crypto, { ...enrolment, operatorPublicKey: newSigner().kid })).toBeNull();
  });
});
