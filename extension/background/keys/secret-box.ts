// Tab secrets (tab key, hash-chain seed) at rest: encrypted with a key derived from the identity
// key, so they are readable exactly while the wallet is unlocked, and survive a browser restart
// (unlike storage.session) without ever being stored in clear.

import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { fromBase64url, toBase64url } from '@opentab/protocol';
import { utf8ToBytes } from '@opentab/protocol';

export interface SealedSecret {
  readonly nonce: string;
  readonly ciphertext: string;
}

const TAB_SECRETS_INFO = utf8ToBytes('opentab/tab-secrets/v1');

export function deriveTabSecretsKey(identitySecretKey: Uint8Array): Uint8Array {
  return hkdf(sha256, identitySecretKey, undefined, TAB_SECRETS_INFO, 32);
}

/** `context` (the tab's local id) is authenticated, so secrets cannot be swapped between tabs. */
export function sealSecret(key: Uint8Array, plaintext: Uint8Array, context: string): SealedSecret {
  const nonce = randomBytes(24);
  const ciphertext = xchacha20poly1305(key, nonce, utf8ToBytes(context)).encrypt(plaintext);
  return { nonce: toBase64url(nonce), ciphertext: toBase64url(ciphertext) };
}

export function openSecret(key: Uint8Array, sealed: SealedSecret, context: string): Uint8Array {
  return xchacha20poly1305(key, fromBase64url(sealed.nonce), utf8ToBytes(context)).decrypt(
    fromBase64url(sealed.ciphertext),
  );
}
