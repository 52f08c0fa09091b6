// PayWord-style hash chain: the per-purchase proof of payment. The customer picks a random seed
// and hashes it `length` times; the last value is the root, committed in the signed initiation.
// Link i is the value with i hashes still to go to the root, so link 0 is the root and paying k
// units reveals the link k steps further: whoever holds link i can hash it (i − j) times and
// must reach link j. Revealing a link is free for the customer, checking one costs the merchant
// k SHA-256 calls and no signature.

import { bytesEqual } from '../encoding/bytes';
import { fromBase64urlOfLength, toBase64url } from '../encoding/base64url';
import { SHA256_BYTES, type CryptoProvider } from '../crypto/provider';

/** A chain longer than this is refused everywhere: it bounds the work an initiation can demand. */
export const MAX_CHAIN_LENGTH = 1_000_000;

export interface ChainCommitment {
  /** base64url of link 0. */
  readonly root: string;
  readonly length: number;
}

/** Hashes `value` `steps` times. */
export function hashSteps(crypto: CryptoProvider, value: Uint8Array, steps: number): Uint8Array {
  if (!Number.isSafeInteger(steps) || steps < 0)
    throw new RangeError('hashSteps: steps must be a non-negative integer');
  let current = value;
  for (let i = 0; i < steps; i++) current = crypto.sha256(current);
  return current;
}

/**
 * The customer's side: all links of a chain, kept in one buffer (32 bytes a link) so revealing
 * any link is a slice, not a re-hash from the seed.
 */
export class HashChain {
  private constructor(
    readonly length: number,
    private readonly links: Uint8Array,
  ) {}

  static fromSeed(crypto: CryptoProvider, seed: Uint8Array, length: number): HashChain {
    if (seed.length !== SHA256_BYTES) throw new RangeError('hash chain seed must be 32 bytes');
    if (!Number.isSafeInteger(length) || length < 1 || length > MAX_CHAIN_LENGTH) {
      throw new RangeError(`hash chain length must be 1..${MAX_CHAIN_LENGTH}`);
    }
    const links = new Uint8Array((length + 1) * SHA256_BYTES);
    let current = seed;
    links.set(current, length * SHA256_BYTES);
    for (let index = length - 1; index >= 0; index--) {
      current = crypto.sha256(current);
      links.set(current, index * SHA256_BYTES);
    }
    return new HashChain(length, links);
  }

  linkAt(index: number): Uint8Array {
    if (!Number.isSafeInteger(index) || index < 0 || index > this.length)
      throw new RangeError(`no chain link ${index}`);
    return this.links.slice(index * SHA256_BYTES, (index + 1) * SHA256_BYTES);
  }

  encodedLinkAt(index: number): string {
    return toBase64url(this.linkAt(index));
  }

  get commitment(): ChainCommitment {
    return { root: this.encodedLinkAt(0), length: this.length };
  }
}

export interface ChainPosition {
  readonly index: number;
  /** base64url of the link at `index`. */
  readonly link: string;
}

export type LinkCheck =
  | { ok: true; link: Uint8Array }
  | { ok: false; problem: 'not_forward' | 'beyond_chain' | 'too_many_steps' | 'malformed_link' | 'wrong_link' };

/**
 * Checks that `next` lies exactly (next.index − known.index) hashes beyond `known`. The number
 * of steps is bounded by the caller (`maxSteps`: what the price allows) before any hashing.
 */
export function checkLink(
  crypto: CryptoProvider,
  known: { index: number; link: Uint8Array },
  next: ChainPosition,
  chainLength: number,
  maxSteps: number,
): LinkCheck {
  const steps = next.index - known.index;
  if (!Number.isSafeInteger(next.index) || steps <= 0) return { ok: false, problem: 'not_forward' };
  if (next.index > chainLength) return { ok: false, problem: 'beyond_chain' };
  if (steps > maxSteps) return { ok: false, problem: 'too_many_steps' };
  let link: Uint8Array;
  try {
    link = fromBase64urlOfLength(next.link, SHA256_BYTES);
  } catch {
    return { ok: false, problem: 'malformed_link' };
  }
  return bytesEqual(hashSteps(crypto, link, steps), known.link)
    ? { ok: true, link }
    : { ok: false, problem: 'wrong_link' };
}

/** True when the link hashes to the committed root in exactly `position.index` steps: what a record's chain proof shows. */
export function provesIndex(crypto: CryptoProvider, commitment: ChainCommitment, position: ChainPosition): boolean {
  if (!Number.isSafeInteger(position.index) || position.index < 0 || position.index > commitment.length) return false;
  try {
    const link = fromBase64urlOfLength(position.link, SHA256_BYTES);
    const root = fromBase64urlOfLength(commitment.root, SHA256_BYTES);
    return bytesEqual(hashSteps(crypto, link, position.index), root);
  } catch {
    return false;
  }
}
