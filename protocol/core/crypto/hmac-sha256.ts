// HMAC-SHA256 (RFC 2104) over the provider's SHA-256, so that browser and server compute it with
// the same primitive they already trust, and the CryptoProvider interface stays as small as it is.

import { concatBytes } from '../encoding/bytes';
import type { CryptoProvider } from './provider';

/** SHA-256 works on 64-byte blocks; a longer key is hashed first (RFC 2104 §2). */
const BLOCK_BYTES = 64;
const INNER_PAD = 0x36;
const OUTER_PAD = 0x5c;

export function hmacSha256(crypto: CryptoProvider, key: Uint8Array, message: Uint8Array): Uint8Array {
  const blockKey = new Uint8Array(BLOCK_BYTES);
  blockKey.set(key.length > BLOCK_BYTES ? crypto.sha256(key) : key);
  const inner = blockKey.map((byte) => byte ^ INNER_PAD);
  const outer = blockKey.map((byte) => byte ^ OUTER_PAD);
  return crypto.sha256(concatBytes(outer, crypto.sha256(concatBytes(inner, message))));
}
