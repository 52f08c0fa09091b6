import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../encoding/bytes';
import { x25519PublicKeyOf } from './key-seal';
import { RFC7748_DIFFIE_HELLMAN, RFC7748_SCALAR_MULT } from './vectors/rfc7748';
import { XCHACHA_DRAFT_A31 } from './vectors/xchacha-draft';

describe('RFC 7748 X25519', () => {
  it.each(RFC7748_SCALAR_MULT)('§5.2 scalar $scalar', ({ scalar, u, output }) => {
    expect(bytesToHex(x25519.getSharedSecret(hexToBytes(scalar), hexToBytes(u)))).toBe(output);
  });

  it('§6.1 Diffie-Hellman: both public keys and the one shared secret', () => {
    const v = RFC7748_DIFFIE_HELLMAN;
    expect(bytesToHex(x25519PublicKeyOf(hexToBytes(v.alicePrivate)))).toBe(v.alicePublic);
    expect(bytesToHex(x25519PublicKeyOf(hexToBytes(v.bobPrivate)))).toBe(v.bobPublic);
    expect(bytesToHex(x25519.getSharedSecret(hexToBytes(v.alicePrivate), hexToBytes(v.bobPublic)))).toBe(v.shared);
    expect(bytesToHex(x25519.getSharedSecret(hexToBytes(v.bobPrivate), hexToBytes(v.alicePublic)))).toBe(v.shared);
  });
});

describe('draft-irtf-cfrg-xchacha A.3.1', () => {
  const v = XCHACHA_DRAFT_A31;
  const aead = () => xchacha20poly1305(hexToBytes(v.key), hexToBytes(v.nonce), hexToBytes(v.aad));

  it('encrypts to the printed ciphertext and tag', () => {
    expect(bytesToHex(aead().encrypt(hexToBytes(v.plaintext)))).toBe(v.ciphertext + v.tag);
  });

  it('decrypts them, and refuses one flipped bit', () => {
    const sealed = hexToBytes(v.ciphertext + v.tag);
    expect(bytesToHex(aead().decrypt(sealed))).toBe(v.plaintext);
    sealed[3]! ^= 1;
    expect(() => aead().decrypt(sealed)).toThrow();
  });
});
