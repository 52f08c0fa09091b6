// Bytes sealed under a passphrase: scrypt turns the passphrase and a random salt into a key,
// XChaCha20-Poly1305 (random 24-byte nonce, so no nonce bookkeeping) encrypts and authenticates.
// The box is plain JSON so it fits IndexedDB and a backup file alike.

import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { fromBase64url, toBase64url } from '@opentab/protocol';
import { utf8ToBytes } from '@opentab/protocol';

export interface ScryptCost {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/**
 * N = 2^15, r = 8 (32 MiB) takes about a second in pure JavaScript on a laptop: slow enough to
 * make guessing expensive, fast enough for an unlock. The cost is stored in each box, so it can
 * be raised later without breaking old wallets.
 */
export const BROWSER_SCRYPT_COST: ScryptCost = { N: 2 ** 15, r: 8, p: 1 };

export interface PassphraseBox {
  readonly kdf: 'scrypt';
  readonly cost: ScryptCost;
  readonly salt: string;
  readonly cipher: 'xchacha20poly1305';
  readonly nonce: string;
  readonly ciphertext: string;
}

const KEY_BYTES = 32;
const SALT_BYTES = 16;
const NONCE_BYTES = 24;
const MAX_SCRYPT_N = 2 ** 20;

function deriveKey(passphrase: string, salt: Uint8Array, cost: ScryptCost): Promise<Uint8Array> {
  return scryptAsync(passphrase.normalize('NFKC'), salt, { ...cost, dkLen: KEY_BYTES });
}

/** `purpose` is authenticated with the data, so a vault box cannot be passed off as a backup. */
export async function sealWithPassphrase(
  plaintext: Uint8Array,
  passphrase: string,
  purpose: string,
  cost: ScryptCost = BROWSER_SCRYPT_COST,
): Promise<PassphraseBox> {
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const key = await deriveKey(passphrase, salt, cost);
  const ciphertext = xchacha20poly1305(key, nonce, utf8ToBytes(purpose)).encrypt(plaintext);
  key.fill(0);
  return {
    kdf: 'scrypt',
    cost: { N: cost.N, r: cost.r, p: cost.p },
    salt: toBase64url(salt),
    cipher: 'xchacha20poly1305',
    nonce: toBase64url(nonce),
    ciphertext: toBase64url(ciphertext),
  };
}

export type BoxOpening =
  | { ok: true; plaintext: Uint8Array }
  | { ok: false; problem: 'wrong_passphrase' | 'malformed_box' };

export async function openWithPassphrase(box: PassphraseBox, passphrase: string, purpose: string): Promise<BoxOpening> {
  let salt: Uint8Array;
  let nonce: Uint8Array;
  let ciphertext: Uint8Array;
  try {
    salt = fromBase64url(box.salt);
    nonce = fromBase64url(box.nonce);
    ciphertext = fromBase64url(box.ciphertext);
  } catch {
    return { ok: false, problem: 'malformed_box' };
  }
  const { N, r, p } = box.cost;
  // A hostile backup file must not make us allocate gigabytes.
  if (
    box.kdf !== 'scrypt' ||
    box.cipher !== 'xchacha20poly1305' ||
    nonce.length !== NONCE_BYTES ||
    N > MAX_SCRYPT_N ||
    r > 16 ||
    p > 4
  ) {
    return { ok: false, problem: 'malformed_box' };
  }
  const key = await deriveKey(passphrase, salt, box.cost);
  try {
    return { ok: true, plaintext: xchacha20poly1305(key, nonce, utf8ToBytes(purpose)).decrypt(ciphertext) };
  } catch {
    // Poly1305 cannot tell a wrong passphrase from a tampered box; both mean "not with this passphrase".
    return { ok: false, problem: 'wrong_passphrase' };
  } finally {
    key.fill(0);
  }
}
