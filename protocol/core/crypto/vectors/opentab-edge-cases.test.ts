import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { hexToBytes } from '../../encoding/bytes';
import { checkPublicKey } from '../public-key-check';
import { OPENTAB_EDGE_CASES } from './opentab-edge-cases';

// Each edge case is what its comment says: a signature a lenient verifier accepts, refused for its
// key or for its R. Without this the vectors could be refused for a typo rather than their flaw.

const byId = (id: string) => OPENTAB_EDGE_CASES.find((edge) => edge.id === id)!;
const lenient = (edge: (typeof OPENTAB_EDGE_CASES)[number]) =>
  ed25519.verify(hexToBytes(edge.signature), hexToBytes(edge.message), hexToBytes(edge.publicKey), { zip215: true });

describe('Opentab edge cases', () => {
  it.each(OPENTAB_EDGE_CASES)('$id verifies under the cofactored equation, and its key is judged $key', (edge) => {
    expect(lenient(edge)).toBe(true);
    const check = checkPublicKey(hexToBytes(edge.publicKey));
    expect(check.ok ? 'sound' : check.problem).toBe(edge.key);
  });

  it('the identity key verifies the fixed signature on any message', () => {
    const edge = byId('identity-key');
    expect(lenient({ ...edge, message: '' })).toBe(true);
    expect(lenient({ ...edge, message: 'ff'.repeat(99) })).toBe(true);
  });

  it('mixed-order-r has an R with a small-order component, which @noble accepts even strictly', () => {
    const edge = byId('mixed-order-r');
    const r = ed25519.Point.fromBytes(hexToBytes(edge.signature.slice(0, 64)));
    expect([r.isSmallOrder(), r.isTorsionFree()]).toEqual([false, false]);
    expect(ed25519.verify(hexToBytes(edge.signature), hexToBytes(edge.message), hexToBytes(edge.publicKey), { zip215: false })).toBe(true);
  });
});
