import { randomBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { openSealedKey, SealedKeyError, sealKey, x25519KeyPair } from './key-seal';

describe('sealKey / openSealedKey', () => {
  const recipient = x25519KeyPair(randomBytes);
  const key = randomBytes(32);

  it('opens to the key for the recipient and the context it was sealed for', () => {
    const sealed = sealKey(randomBytes, recipient.publicKey, key, 'order-1');
    expect(sealed.length).toBe(32 + 24 + 32 + 16);
    expect(openSealedKey(recipient.secretKey, sealed, 'order-1')).toEqual(key);
  });

  it('seals the same key differently every time (a fresh ephemeral key and nonce)', () => {
    const a = sealKey(randomBytes, recipient.publicKey, key, 'order-1');
    const b = sealKey(randomBytes, recipient.publicKey, key, 'order-1');
    expect(a).not.toEqual(b);
  });

  it('refuses another recipient, another context, and altered bytes', () => {
    const sealed = sealKey(randomBytes, recipient.publicKey, key, 'order-1');
    expect(() => openSealedKey(x25519KeyPair(randomBytes).secretKey, sealed, 'order-1')).toThrow(SealedKeyError);
    expect(() => openSealedKey(recipient.secretKey, sealed, 'order-2')).toThrow(SealedKeyError);
    const altered = sealed.slice();
    altered[70]! ^= 1;
    expect(() => openSealedKey(recipient.secretKey, altered, 'order-1')).toThrow(SealedKeyError);
    expect(() => openSealedKey(recipient.secretKey, sealed.subarray(0, 60), 'order-1')).toThrow(SealedKeyError);
  });

  it('refuses to seal to a small-order key, whose shared secret anyone knows', () => {
    expect(() => sealKey(randomBytes, new Uint8Array(32), key, 'order-1')).toThrow(SealedKeyError);
  });
});
