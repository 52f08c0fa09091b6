// Every Ed25519 test vector Opentab checks its verifiers against, in one shape, each with the
// verdict Opentab requires: RFC 8032 §7.1, Wycheproof's ed25519_test.json, ed25519-speccheck's
// cases.json and Opentab's own edge cases (README.md names sources and licences). The same list
// runs in Node (ed25519-vectors.test.ts) and in Chromium and Firefox (ed25519-vectors.browser.test.ts).

import { hexToBytes } from '../../encoding/bytes';
import { OPENTAB_EDGE_CASES } from './opentab-edge-cases';
import { RFC8032_ED25519_VECTORS } from './rfc8032';
import speccheckCases from './speccheck-cases.json';
import wycheproof from './wycheproof-ed25519_test.json';

export interface Ed25519Vector {
  /** Source and the source's own name for the case, e.g. "wycheproof tc151". */
  readonly name: string;
  readonly publicKey: string;
  readonly message: string;
  readonly signature: string;
  /** Opentab's verdict: true only for a canonical signature by a sound key (public-key-check.ts). */
  readonly valid: boolean;
}

/**
 * Why Opentab refuses each speccheck case (indices as in its README's condition table): the key
 * of every case but 6 and 7 is of small order or has a small-order component; 6 and 7 have S ≥ L.
 * So every case is refused, where cofactored and cofactorless verifiers split on 4, 5, 9 and 10.
 */
export const SPECCHECK_REFUSALS = [
  'small-order A (and R), S = 0',
  'small-order A',
  'mixed-order A (small-order R)',
  'mixed-order A',
  'mixed-order A; only the cofactored equation holds',
  'mixed-order A; only the cofactored equation holds, unless 8h is pre-reduced',
  'S > L',
  'S much larger than L',
  'mixed-order A; non-canonical R, reduced for the hash',
  'mixed-order A; non-canonical R, not reduced for the hash',
  'non-canonical small-order A, reduced for the hash',
  'non-canonical small-order A, not reduced for the hash',
] as const;

function rfc8032(): Ed25519Vector[] {
  return RFC8032_ED25519_VECTORS.map((vector) => ({
    name: `rfc8032 ${vector.name}`,
    publicKey: vector.publicKey,
    message: vector.message,
    signature: vector.signature,
    valid: true,
  }));
}

function wycheproofCases(): Ed25519Vector[] {
  return wycheproof.testGroups.flatMap((group) =>
    group.tests.map((test) => ({
      name: `wycheproof tc${test.tcId} (${test.comment || test.flags.join(', ')})`,
      publicKey: group.publicKey.pk,
      message: test.msg,
      signature: test.sig,
      valid: test.result === 'valid',
    })),
  );
}

function speccheck(): Ed25519Vector[] {
  return speccheckCases.map((test, index) => ({
    name: `speccheck ${index} (${SPECCHECK_REFUSALS[index] ?? 'unlisted'})`,
    publicKey: test.pub_key,
    message: test.message,
    signature: test.signature,
    valid: false,
  }));
}

function edgeCases(): Ed25519Vector[] {
  return OPENTAB_EDGE_CASES.map((test) => ({
    name: `opentab ${test.id}`,
    publicKey: test.publicKey,
    message: test.message,
    signature: test.signature,
    valid: false,
  }));
}

export const ED25519_VECTORS: readonly Ed25519Vector[] = [...rfc8032(), ...wycheproofCases(), ...speccheck(), ...edgeCases()];

export type Verify = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean | Promise<boolean>;

/** The verdict of `verify` on every vector, in order. */
export async function verdictsOf(verify: Verify): Promise<boolean[]> {
  const verdicts: boolean[] = [];
  for (const vector of ED25519_VECTORS) {
    verdicts.push(await verify(hexToBytes(vector.signature), hexToBytes(vector.message), hexToBytes(vector.publicKey)));
  }
  return verdicts;
}

/** Names of the vectors on which `verdicts` differs from Opentab's verdict: empty when all agree. */
export function wrongVerdicts(verdicts: readonly boolean[]): string[] {
  return ED25519_VECTORS.filter((vector, index) => verdicts[index] !== vector.valid).map((vector) => `${vector.name}: expected ${vector.valid ? 'valid' : 'invalid'}`);
}
