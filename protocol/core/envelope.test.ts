import { describe, expect, it } from 'vitest';
import { nobleCrypto } from './crypto/noble';
import { nodeCrypto } from '@opentab/test-kit';
import {
  seal,
  signEnvelope,
  type PayloadBody,
  signerFromSecretKey,
  verifyEnvelope,
  verifyEnvelopeBySelfNamedKey,
} from './envelope';
import { checkIssuedAt } from './time';
import { checkOperatorCertificate } from './trust';
import type { OperatorCertificatePayload } from './messages/certificates';

const payload = {
  type: 'logon' as const,
  id: '0123456789abcdef0123456789abcdef',
  iat: '2026-11-29T10:00:00.000Z',
  accountId: 'acct_000000000000000000000001',
};

describe.each([
  ['noble signs, node verifies', nobleCrypto, nodeCrypto],
  ['node signs, noble verifies', nodeCrypto, nobleCrypto],
])('signed envelopes: %s', (_, signing, verifying) => {
  const signer = signerFromSecretKey(signing, signing.ed25519.generateSecretKey());
  const envelope = signEnvelope(signer, payload);

  it('verifies against the signer key and names it as kid', () => {
    expect(verifyEnvelope(verifying, envelope, signer.publicKey)).toBe(true);
    expect(verifyEnvelopeBySelfNamedKey(verifying, envelope)).toBe(true);
  });

  it('signs the canonical form, so key order does not matter', () => {
    const reordered = {
      ...envelope,
      payload: { accountId: payload.accountId, iat: payload.iat, id: payload.id, type: payload.type },
    };
    expect(verifyEnvelope(verifying, reordered, signer.publicKey)).toBe(true);
  });

  it('fails for a changed payload, another key, a swapped kid or a garbled signature', () => {
    const other = signerFromSecretKey(signing, signing.ed25519.generateSecretKey());
    const changed = { ...envelope, payload: { ...payload, accountId: 'acct_000000000000000000000002' } };
    expect(verifyEnvelope(verifying, changed, signer.publicKey)).toBe(false);
    expect(verifyEnvelope(verifying, envelope, other.publicKey)).toBe(false);
    expect(verifyEnvelope(verifying, { ...envelope, kid: other.kid }, signer.publicKey)).toBe(false);
    // Change the first character to a different one, whatever it was: the garbling must always change the bytes.
    const garbled = (envelope.sig[0] === 'A' ? 'B' : 'A') + envelope.sig.slice(1);
    expect(verifyEnvelope(verifying, { ...envelope, sig: garbled }, signer.publicKey)).toBe(false);
    expect(verifyEnvelope(verifying, { ...envelope, sig: '!!' }, signer.publicKey)).toBe(false);
  });
});

describe('message header and freshness', () => {
  it('seal adds a fresh random id and the current time', () => {
    const signer = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
    const a = seal(nodeCrypto, signer, { type: 'logon' as const, accountId: 'x' }, Date.parse('2026-11-29T10:00:00Z'));
    const b = seal(nodeCrypto, signer, { type: 'logon' as const, accountId: 'x' });
    expect(a.payload.iat).toBe('2026-11-29T10:00:00.000Z');
    expect(a.payload.id).toMatch(/^[0-9a-f]{32}$/);
    expect(a.payload.id).not.toBe(b.payload.id);
  });

  it('accepts iat within the skew window and refuses outside it', () => {
    const now = Date.parse('2026-11-29T10:00:00Z');
    expect(checkIssuedAt('2026-11-29T09:56:00Z', now)).toBe('fresh');
    expect(checkIssuedAt('2026-11-29T10:04:00+00:00', now)).toBe('fresh');
    expect(checkIssuedAt('2026-11-29T09:54:00Z', now)).toBe('too_old');
    expect(checkIssuedAt('2026-11-29T10:06:00Z', now)).toBe('in_future');
    expect(checkIssuedAt('yesterday', now)).toBe('unreadable');
    expect(checkIssuedAt('2026-11-29 10:00:00', now)).toBe('unreadable');
  });
});

describe('operator certificates', () => {
  const ca = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
  const operator = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
  const now = Date.parse('2026-11-29T10:00:00Z');
  const certificate = seal(
    nodeCrypto,
    ca,
    {
      type: 'operator-certificate',
      operatorId: 'op-se',
      publicKey: operator.kid,
      baseUrl: 'http://127.0.0.1:1',
      currencies: ['SEK'],
      validUntil: '2027-11-29T10:00:00Z',
    } satisfies PayloadBody<OperatorCertificatePayload>,
    now,
  );

  it('trusts a certificate the CA signed, and hands back the operator key', () => {
    const check = checkOperatorCertificate(nodeCrypto, ca.publicKey, certificate, now);
    expect(check.ok && check.certificate.operatorId === 'op-se' && check.publicKey).toEqual(operator.publicKey);
  });

  it('refuses a certificate signed by another key or expired', () => {
    const rogue = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
    expect(checkOperatorCertificate(nodeCrypto, rogue.publicKey, certificate, now)).toEqual({
      ok: false,
      problem: 'not_signed_by_ca',
    });
    expect(checkOperatorCertificate(nodeCrypto, ca.publicKey, signEnvelope(rogue, certificate.payload), now)).toEqual({
      ok: false,
      problem: 'not_signed_by_ca',
    });
    expect(checkOperatorCertificate(nodeCrypto, ca.publicKey, certificate, Date.parse('2028-01-01T00:00:00Z'))).toEqual(
      { ok: false, problem: 'expired' },
    );
  });
});
