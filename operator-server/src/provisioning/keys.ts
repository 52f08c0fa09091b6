// Key material on disk: one base64url line per secret key, readable by the owner only.

import { readFileSync, writeFileSync } from 'node:fs';
import { fromBase64urlOfLength, toBase64url } from '@opentab/protocol';
import type { CryptoProvider } from '@opentab/protocol';

export interface KeyPair {
  readonly secretKey: string;
  readonly publicKey: string;
}

export function generateKeyPair(crypto: CryptoProvider): KeyPair {
  const secret = crypto.ed25519.generateSecretKey();
  return { secretKey: toBase64url(secret), publicKey: toBase64url(crypto.ed25519.publicKeyOf(secret)) };
}

export function writeSecretKey(path: string, secretKey: string): void {
  writeFileSync(path, `${secretKey}\n`, { mode: 0o600 });
}

export function readKeyPair(crypto: CryptoProvider, path: string): KeyPair {
  const secretKey = readFileSync(path, 'utf8').trim();
  return { secretKey, publicKey: toBase64url(crypto.ed25519.publicKeyOf(fromBase64urlOfLength(secretKey, 32))) };
}
