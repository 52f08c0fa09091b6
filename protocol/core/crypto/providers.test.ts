import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes, utf8ToBytes } from '../encoding/bytes';
import { nobleCrypto } from './noble';
import { nodeCrypto } from '@opentab/test-kit';
import { RFC8032_ED25519_VECTORS } from './vectors/rfc8032';

const providers = [nobleCrypto, nodeCrypto];

describe.each(providers)('$name provider', (crypto) => {
  it.each(RFC8032_ED25519_VECTORS)('matches RFC 8032 $name', (vector) => {
    const secretKey = hexToBytes(vector.secretKey);
    const message = hexToBytes(vector.message);
    expect(bytesToHex(crypto.ed25519.publicKeyOf(secretKey))).toBe(vector.publicKey);
    expect(bytesToHex(crypto.ed25519.sign(message, secretKey))).toBe(vector.signature);
    expect(crypto.ed25519.verify(hexToBytes(vector.signature), message, hexToBytes(vector.publicKey))).toBe(true);
  });

  it('rejects a signature over another message, a flipped bit and malformed inputs without throwing', () => {
    const vector = RFC8032_ED25519_VECTORS[2];
    const signature = hexToBytes(vector.signature);
    const publicKey = hexToBytes(vector.publicKey);
    expect(crypto.ed25519.verify(signature, hexToBytes('af83'), publicKey)).toBe(false);
    const flipped = signature.slice();
    flipped[10]! ^= 1;
    expect(crypto.ed25519.verify(flipped, hexToBytes(vector.message), publicKey)).toBe(false);
    expect(crypto.ed25519.verify(signature.slice(0, 63), hexToBytes(vector.message), publicKey)).toBe(false);
    expect(crypto.ed25519.verify(signature, hexToBytes(vector.message), publicKey.slice(0, 31))).toBe(false);
    expect(crypto.ed25519.verify(signature, hexToBytes(vector.message), new Uint8Array(32).fill(255))).toBe(false);
  });

  it('computes SHA-256 (FIPS 180-2 "abc")', () => {
    expect(bytesToHex(crypto.sha256(utf8ToBytes('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('draws fresh random bytes', () => {
    expect(bytesToHex(crypto.randomBytes(16))).not.toBe(bytesToHex(crypto.randomBytes(16)));
    expect(crypto.randomBytes(7)).toHaveLength(7);
  });
});

describe('noble and node:crypto interoperate', () => {
  it('each verifies what the other signed, for fresh keys and messages', () => {
    for (let round = 0; round < 20; round++) {
      const message = nodeCrypto.randomBytes(round * 13);
      const nodeKey = nodeCrypto.ed25519.generateSecretKey();
      const nobleKey = nobleCrypto.ed25519.generateSecretKey();
      expect(bytesToHex(nobleCrypto.ed25519.publicKeyOf(nodeKey))).toBe(
        bytesToHex(nodeCrypto.ed25519.publicKeyOf(nodeKey)),
      );
      expect(
        nobleCrypto.ed25519.verify(
          nodeCrypto.ed25519.sign(message, nodeKey),
          message,
          nodeCrypto.ed25519.publicKeyOf(nodeKey),
        ),
      ).toBe(true);
      expect(
        nodeCrypto.ed25519.verify(
          nobleCrypto.ed25519.sign(message, nobleKey),
          message,
          nobleCrypto.ed25519.publicKeyOf(nobleKey),
        ),
      ).toBe(true);
    }
  });
});
