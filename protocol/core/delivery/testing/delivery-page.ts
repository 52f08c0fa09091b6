// Runs in a browser page (bundled by delivery.browser.test.ts): the customer agent's delivery crypto
// with @noble, as the extension would run it. It checks the published vectors, makes a fresh K1,
// has the test's server seal K2 to it, streams the ciphertext from the server through the digest
// and the decryptor, and leaves what it found on window for the test to compare with Node's.

import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { bytesToHex, hexToBytes } from '../../encoding/bytes';
import { fromBase64url, toBase64url } from '../../encoding/base64url';
import { ProductDecryptor } from '../chunked-cipher';
import { CiphertextDigest } from '../ciphertext-digest';
import { openSealedKey, x25519KeyPair } from '../key-seal';
import { RFC7748_DIFFIE_HELLMAN, RFC7748_SCALAR_MULT } from '../vectors/rfc7748';
import { XCHACHA_DRAFT_A31 } from '../vectors/xchacha-draft';

export interface BrowserDelivery {
  readonly vectorsPass: boolean;
  readonly ciphertext: { readonly sha256: string; readonly size_bytes: number };
  readonly plainSha256: string;
  readonly plainSize_bytes: number;
  /** The largest plaintext the decryptor returned at once: what was held of the plaintext at any time. */
  readonly largestPiece_bytes: number;
  /** The largest piece the browser's stream handed over. */
  readonly largestRead_bytes: number;
}

function vectorsPass(): boolean {
  const x = RFC7748_SCALAR_MULT.every(
    (v) => bytesToHex(x25519.getSharedSecret(hexToBytes(v.scalar), hexToBytes(v.u))) === v.output,
  );
  const dh = RFC7748_DIFFIE_HELLMAN;
  const shared =
    bytesToHex(x25519.getSharedSecret(hexToBytes(dh.alicePrivate), hexToBytes(dh.bobPublic))) === dh.shared;
  const a = XCHACHA_DRAFT_A31;
  const sealed = xchacha20poly1305(hexToBytes(a.key), hexToBytes(a.nonce), hexToBytes(a.aad)).encrypt(
    hexToBytes(a.plaintext),
  );
  return x && shared && bytesToHex(sealed) === a.ciphertext + a.tag;
}

async function run(): Promise<BrowserDelivery> {
  const k1 = x25519KeyPair(randomBytes);
  const sealed = await (await fetch('/k1', { method: 'POST', body: toBase64url(k1.publicKey) })).text();
  const key = openSealedKey(k1.secretKey, fromBase64url(sealed), 'order-1');

  const response = await fetch('/product.otd');
  const reader = response.body!.getReader();
  const digest = new CiphertextDigest();
  const decryptor = new ProductDecryptor(key);
  const plainHash = sha256.create();
  let plainSize = 0;
  let largest = 0;
  let largestRead = 0;
  const take = (plain: Uint8Array) => {
    plainHash.update(plain);
    plainSize += plain.length;
    largest = Math.max(largest, plain.length);
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    largestRead = Math.max(largestRead, value.length);
    digest.update(value);
    take(decryptor.push(value));
  }
  take(decryptor.finish());
  return {
    vectorsPass: vectorsPass(),
    ciphertext: digest.result(),
    plainSha256: toBase64url(plainHash.digest()),
    plainSize_bytes: plainSize,
    largestPiece_bytes: largest,
    largestRead_bytes: largestRead,
  };
}

(globalThis as unknown as { delivery: Promise<BrowserDelivery> }).delivery = run();
