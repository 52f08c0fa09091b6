// Sealing a short key to an X25519 public key (seed FIG 4: K2 sealed to the customer's K1, and to
// the MTA's escrow key): a fresh ephemeral X25519 key per seal, HKDF-SHA256 over the shared secret,
// XChaCha20-Poly1305 with the caller's context as associated data, so a sealed key opens only for
// the purpose it was sealed for. Browser-safe: @noble only.

import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '../encoding/bytes';

export const X25519_KEY_BYTES = 32;
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
const SEAL_INFO = utf8ToBytes('opentab/sealed-key/v1');

export interface X25519KeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

export function x25519KeyPair(randomBytes: (length: number) => Uint8Array): X25519KeyPair {
  const secretKey = randomBytes(X25519_KEY_BYTES);
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

export function x25519PublicKeyOf(secretKey: Uint8Array): Uint8Array {
  return x25519.getPublicKey(secretKey);
}

/** Thrown when a sealed key does not open: wrong recipient, wrong context, or altered bytes. */
export class SealedKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealedKeyError';
  }
}

/** The shared secret, refusing a small-order peer key (its secret would be all zeros, known to anyone). */
function sharedSecret(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== X25519_KEY_BYTES) throw new SealedKeyError('An X25519 public key has 32 bytes.');
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(secretKey, publicKey);
  } catch {
    throw new SealedKeyError('The X25519 public key is of small order.');
  }
  if (shared.every((byte) => byte === 0)) throw new SealedKeyError('The X25519 public key is of small order.');
  return shared;
}

function wrappingKey(shared: Uint8Array, ephemeralPublic: Uint8Array, recipientPublic: Uint8Array): Uint8Array {
  return hkdf(sha256, shared, concatBytes(ephemeralPublic, recipientPublic), SEAL_INFO, 32);
}

/** ephemeral public key (32) ‖ nonce (24) ‖ ciphertext and tag (key length + 16). */
export function sealKey(
  randomBytes: (length: number) => Uint8Array,
  recipientPublic: Uint8Array,
  key: Uint8Array,
  context: string,
): Uint8Array {
  const ephemeral = x25519KeyPair(randomBytes);
  const shared = sharedSecret(ephemeral.secretKey, recipientPublic);
  const nonce = randomBytes(NONCE_BYTES);
  const sealed = xchacha20poly1305(
    wrappingKey(shared, ephemeral.publicKey, recipientPublic),
    nonce,
    utf8ToBytes(context),
  ).encrypt(key);
  return concatBytes(ephemeral.publicKey, nonce, sealed);
}

export function openSealedKey(recipientSecret: Uint8Array, sealed: Uint8Array, context: string): Uint8Array {
  if (sealed.length < X25519_KEY_BYTES + NONCE_BYTES + TAG_BYTES)
    throw new SealedKeyError('The sealed key is too short.');
  const ephemeralPublic = sealed.subarray(0, X25519_KEY_BYTES);
  const nonce = sealed.subarray(X25519_KEY_BYTES, X25519_KEY_BYTES + NONCE_BYTES);
  const body = sealed.subarray(X25519_KEY_BYTES + NONCE_BYTES);
  const shared = sharedSecret(recipientSecret, ephemeralPublic);
  const recipientPublic = x25519.getPublicKey(recipientSecret);
  try {
    return xchacha20poly1305(
      wrappingKey(shared, ephemeralPublic, recipientPublic),
      nonce,
      utf8ToBytes(context),
    ).decrypt(body);
  } catch {
    throw new SealedKeyError('The sealed key does not open with this key and context.');
  }
}
