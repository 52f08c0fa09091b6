// node:crypto provider for the operator server and the merchant agent. It lives in the server kit,
// which is Node only, so browser bundles never see node:crypto; browsers use @opentab/protocol's
// @noble provider, which gives the same bytes and the same verdicts.

import { createPrivateKey, createPublicKey, hash, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { toBase64url } from '@opentab/protocol';
import {
  ED25519_SECRET_KEY_BYTES,
  ED25519_SIGNATURE_BYTES,
  SHA256_BYTES,
  type CryptoProvider,
} from '@opentab/protocol';
import { isSoundPublicKey } from '@opentab/protocol';
import { sha256Of32 } from '@opentab/protocol';

/**
 * Building a KeyObject from raw bytes costs about as much as a verification, and the same few
 * keys (peer operators, merchants, open tabs) sign most messages, so key objects are cached.
 */
const KEY_CACHE_LIMIT = 10_000;

class KeyObjectCache {
  private readonly entries = new Map<string, KeyObject>();

  get(key: Uint8Array, build: (encoded: string) => KeyObject): KeyObject {
    const encoded = toBase64url(key);
    let keyObject = this.entries.get(encoded);
    if (keyObject === undefined) {
      keyObject = build(encoded);
      if (this.entries.size >= KEY_CACHE_LIMIT) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(encoded, keyObject);
    }
    return keyObject;
  }
}

const publicKeys = new KeyObjectCache();
const secretKeys = new KeyObjectCache();

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  return publicKeys.get(publicKey, (x) => createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' }));
}

/** RFC 8410 PKCS#8 wrapping of a raw 32-byte Ed25519 seed: the fixed DER prefix, then the seed. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function secretKeyObject(secretKey: Uint8Array): KeyObject {
  if (secretKey.length !== ED25519_SECRET_KEY_BYTES) throw new RangeError('Ed25519 secret key must be 32 bytes');
  return secretKeys.get(secretKey, () =>
    createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, secretKey]), format: 'der', type: 'pkcs8' }),
  );
}

function toUint8Array(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

export const nodeCrypto: CryptoProvider = {
  name: 'node',
  ed25519: {
    generateSecretKey: () => toUint8Array(randomBytes(ED25519_SECRET_KEY_BYTES)),
    publicKeyOf(secretKey) {
      const jwk = createPublicKey(secretKeyObject(secretKey)).export({ format: 'jwk' });
      return Uint8Array.from(Buffer.from(jwk.x!, 'base64url'));
    },
    sign: (message, secretKey) => toUint8Array(sign(null, message, secretKeyObject(secretKey))),
    verify(signature, message, publicKey) {
      // OpenSSL verifies under a small-order or non-canonical key too (public-key-check.ts).
      if (signature.length !== ED25519_SIGNATURE_BYTES || !isSoundPublicKey(publicKey)) return false;
      try {
        return verify(null, message, publicKeyObject(publicKey), signature);
      } catch {
        return false;
      }
    },
  },
  // A chain link (32 bytes) is hashed in JavaScript: the call into C++ costs more than the hash
  // (0.28 against 0.6 µs). Anything else by one-shot hash(), cheaper than a Hash object per call.
  sha256: (data) => (data.length === SHA256_BYTES ? sha256Of32(data) : toUint8Array(hash('sha256', data, 'buffer'))),
  randomBytes: (length) => toUint8Array(randomBytes(length)),
};
