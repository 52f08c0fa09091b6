// Ed25519 verification (RFC 8032 §5.1.7) on @noble/curves' point arithmetic, judged the way
// node:crypto (OpenSSL), Chromium (BoringSSL) and Firefox (NSS) judge it, so that a signature has
// one verdict wherever Opentab checks it: a sound key (public-key-check.ts), S below the group
// order L, and [S]B − [k]A encoding, byte for byte, to R. @noble's own ed25519.verify checks the
// cofactored equation [8]([S]B − R − [k]A) = 0 instead, which also accepts an R with a small-order
// component, even with zip215: false (vectors/opentab-edge-cases.ts, "mixed-order-r"). Comparing
// encodings also refuses a non-canonical R, since the computed point is encoded canonically.

import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, concatBytes, equalBytes } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { ED25519_SIGNATURE_BYTES } from './provider';
import { checkPublicKey } from './public-key-check';

const { Point } = ed25519;
const GROUP_ORDER = Point.Fn.ORDER;
const HALF = ED25519_SIGNATURE_BYTES / 2;

/** Only public values go through here (keys, signatures, messages), so variable time is fine. */
export function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== ED25519_SIGNATURE_BYTES) return false;
  const key = checkPublicKey(publicKey);
  if (!key.ok) return false;
  const encodedR = signature.subarray(0, HALF);
  const s = bytesToNumberLE(signature.subarray(HALF));
  if (s >= GROUP_ORDER) return false;
  const k = Point.Fn.create(bytesToNumberLE(sha512(concatBytes(encodedR, publicKey, message))));
  const computedR = Point.BASE.multiplyUnsafe(s).subtract(key.point.multiplyUnsafe(k));
  return equalBytes(computedR.toBytes(), encodedR);
}
