// Which 32 bytes Opentab takes as an Ed25519 public key: the canonical encoding of a point of the
// prime-order subgroup other than the identity. Any other key lets its holder deny its own
// signatures or split verifiers: under the identity or another point of small order one fixed
// signature verifies for every message; under a key with a small-order component cofactored and
// cofactorless verifiers disagree; a non-canonical encoding is a second name for a point that
// verifiers decode differently. Every intake refuses such a key (through the PublicKey schema, or
// directly where a key is not read from a message) and every provider's verify refuses it too.

import { ed25519 } from '@noble/curves/ed25519.js';
import { ED25519_PUBLIC_KEY_BYTES } from './provider';

type Point = InstanceType<typeof ed25519.Point>;

export type WeakKeyProblem = 'wrong_length' | 'not_a_point' | 'non_canonical' | 'small_order' | 'mixed_order';

export type PublicKeyCheck =
  | { readonly ok: true; readonly point: Point }
  | { readonly ok: false; readonly problem: WeakKeyProblem };

const PROBLEM_SENTENCES: Record<WeakKeyProblem, string> = {
  wrong_length: `is not ${ED25519_PUBLIC_KEY_BYTES} bytes long`,
  not_a_point: 'is not a point of the Ed25519 curve',
  non_canonical: 'is a non-canonical encoding of its point',
  small_order: 'is a point of small order, under which one signature verifies for any message',
  mixed_order: 'has a small-order component, so verifiers would disagree on its signatures',
};

/** What is wrong with such a key, to follow the key's name: `The CA key ${weakKeySentence(problem)}.` */
export function weakKeySentence(problem: WeakKeyProblem): string {
  return PROBLEM_SENTENCES[problem];
}

/**
 * The torsion check is a full scalar multiplication (~1 ms with @noble), and the same few keys
 * (operators, merchants, open tabs) come back with every message, so verdicts are kept.
 */
const VERDICT_CACHE_LIMIT = 4096;
const verdicts = new Map<string, PublicKeyCheck>();

export function checkPublicKey(publicKey: Uint8Array): PublicKeyCheck {
  if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES) return { ok: false, problem: 'wrong_length' };
  const id = String.fromCharCode(...publicKey);
  let verdict = verdicts.get(id);
  if (verdict === undefined) {
    verdict = judge(publicKey);
    if (verdicts.size >= VERDICT_CACHE_LIMIT) verdicts.delete(verdicts.keys().next().value!);
    verdicts.set(id, verdict);
  }
  return verdict;
}

export function isSoundPublicKey(publicKey: Uint8Array): boolean {
  return checkPublicKey(publicKey).ok;
}

function judge(publicKey: Uint8Array): PublicKeyCheck {
  let point: Point;
  try {
    // zip215 = false: RFC 8032 §5.1.3 decoding, which refuses y ≥ p and x = 0 with the sign bit set.
    point = ed25519.Point.fromBytes(publicKey, false);
  } catch {
    return { ok: false, problem: decodesLeniently(publicKey) ? 'non_canonical' : 'not_a_point' };
  }
  if (point.isSmallOrder()) return { ok: false, problem: 'small_order' };
  if (!point.isTorsionFree()) return { ok: false, problem: 'mixed_order' };
  return { ok: true, point };
}

function decodesLeniently(publicKey: Uint8Array): boolean {
  try {
    ed25519.Point.fromBytes(publicKey, true);
    return true;
  } catch {
    return false;
  }
}
