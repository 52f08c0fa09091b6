import { describe, expect, it } from 'vitest';
import { nodeCrypto } from '@opentab/server-kit';
import { verifyEnvelope } from '@opentab/protocol';
import { fromBase64url } from '@opentab/protocol';
import { WEAK_KEYS } from '@opentab/test-kit';
import { ConfigError } from '../config/config';
import { signOperatorCertificate } from './certificate-authority';
import { generateKeyPair } from './keys';

const ca = generateKeyPair(nodeCrypto);
const request = (publicKey: string) => ({
  operatorId: 'op-se',
  publicKey,
  baseUrl: 'https://op-se.example',
  currencies: ['SEK'],
  validFor_days: 30,
});

describe('signOperatorCertificate', () => {
  it('certifies a sound key', () => {
    const operator = generateKeyPair(nodeCrypto);
    const certificate = signOperatorCertificate(nodeCrypto, ca.secretKey, request(operator.publicKey), Date.now());
    expect(certificate.payload.publicKey).toBe(operator.publicKey);
    expect(verifyEnvelope(nodeCrypto, certificate, fromBase64url(ca.publicKey))).toBe(true);
  });

  it('refuses to certify a weak key or no key at all, saying why', () => {
    expect(() => signOperatorCertificate(nodeCrypto, ca.secretKey, request(WEAK_KEYS.identity), Date.now())).toThrow(
      /the public key to certify is a point of small order/,
    );
    expect(() =>
      signOperatorCertificate(nodeCrypto, ca.secretKey, request(WEAK_KEYS.nonCanonical), Date.now()),
    ).toThrow(/non-canonical encoding/);
    expect(() => signOperatorCertificate(nodeCrypto, ca.secretKey, request('not-a-key'), Date.now())).toThrow(
      ConfigError,
    );
  });
});
