import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../encoding/bytes';
import { nobleCrypto } from './noble';
import { nodeCrypto } from '@opentab/test-kit';
import { checkPublicKey, weakKeySentence, type WeakKeyProblem } from './public-key-check';
import { RFC8032_ED25519_VECTORS } from './vectors/rfc8032';

const problemOf = (hex: string): WeakKeyProblem | 'sound' => {
  const check = checkPublicKey(hexToBytes(hex));
  return check.ok ? 'sound' : check.problem;
};

/** The eight points of order dividing 8, canonically encoded (the list libsodium refuses too). */
const SMALL_ORDER_POINTS = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
];

describe('checkPublicKey', () => {
  it('takes the RFC 8032 keys and keys of fresh secrets from either provider', () => {
    for (const vector of RFC8032_ED25519_VECTORS) expect(problemOf(vector.publicKey)).toBe('sound');
    for (const provider of [nodeCrypto, nobleCrypto]) {
      for (let i = 0; i < 10; i++) {
        const publicKey = provider.ed25519.publicKeyOf(provider.ed25519.generateSecretKey());
        expect(problemOf(bytesToHex(publicKey))).toBe('sound');
      }
    }
  });

  it('refuses all eight points of small order, the identity first', () => {
    const refused = SMALL_ORDER_POINTS.map(problemOf);
    expect(refused).toEqual(SMALL_ORDER_POINTS.map(() => 'small_order'));
    // They are the multiples of a point of order 8, so the list is complete.
    const generator = ed25519.Point.fromBytes(hexToBytes(SMALL_ORDER_POINTS[5]!));
    const multiples = Array.from({ length: 8 }, (_, i) =>
      bytesToHex(i === 0 ? ed25519.Point.ZERO.toBytes() : generator.multiplyUnsafe(BigInt(i)).toBytes()),
    );
    expect(new Set(multiples)).toEqual(new Set(SMALL_ORDER_POINTS));
  });

  it('refuses a sound key plus a point of small order (mixed order)', () => {
    const sound = ed25519.Point.fromBytes(hexToBytes(RFC8032_ED25519_VECTORS[0].publicKey));
    for (const torsion of SMALL_ORDER_POINTS.slice(1)) {
      const mixed = sound.add(ed25519.Point.fromBytes(hexToBytes(torsion)));
      expect(problemOf(bytesToHex(mixed.toBytes()))).toBe('mixed_order');
    }
    // ed25519-speccheck's mixed-order key.
    expect(problemOf('cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d')).toBe('mixed_order');
  });

  it('refuses non-canonical encodings: y of p or more, and x = 0 with the sign bit set', () => {
    expect(problemOf('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f')).toBe('non_canonical'); // y = p
    expect(problemOf('eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f')).toBe('non_canonical'); // y = p + 1
    expect(problemOf('ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff')).toBe('non_canonical');
    expect(problemOf('0100000000000000000000000000000000000000000000000000000000000080')).toBe('non_canonical');
  });

  it('refuses a y with no point on the curve, and any other length', () => {
    expect(problemOf('0200000000000000000000000000000000000000000000000000000000000000')).toBe('not_a_point');
    expect(checkPublicKey(new Uint8Array(31))).toEqual({ ok: false, problem: 'wrong_length' });
    expect(checkPublicKey(new Uint8Array(33))).toEqual({ ok: false, problem: 'wrong_length' });
  });

  it('gives the same verdict the second time (from its cache) and a sentence for every problem', () => {
    expect(problemOf(SMALL_ORDER_POINTS[0]!)).toBe('small_order');
    expect(problemOf(RFC8032_ED25519_VECTORS[1].publicKey)).toBe('sound');
    expect(problemOf(RFC8032_ED25519_VECTORS[1].publicKey)).toBe('sound');
    for (const problem of ['wrong_length', 'not_a_point', 'non_canonical', 'small_order', 'mixed_order'] as const) {
      expect(weakKeySentence(problem)).toMatch(/^(is|has) /);
    }
  });
});
