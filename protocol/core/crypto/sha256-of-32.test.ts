import { createHash, randomBytes } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../encoding/bytes';
import { sha256Of32 } from './sha256-of-32';

describe('sha256Of32', () => {
  it('matches fixed vectors', () => {
    // SHA-256 of 32 zero bytes, and of the bytes 0x00..0x1f (computed with sha256sum).
    expect(bytesToHex(sha256Of32(new Uint8Array(32)))).toBe(
      '66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925',
    );
    expect(bytesToHex(sha256Of32(Uint8Array.from({ length: 32 }, (_, i) => i)))).toBe(
      '630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd',
    );
    expect(bytesToHex(sha256Of32(new Uint8Array(32).fill(0xff)))).toBe(
      'af9613760f72635fbdb44a5a0a63c39f12af30f950a6ee5c971be188e89c4051',
    );
  });

  it('agrees with node:crypto and @noble on random inputs and on chained steps', () => {
    for (let i = 0; i < 5_000; i++) {
      const input = new Uint8Array(randomBytes(32));
      const expected = createHash('sha256').update(input).digest('hex');
      expect(bytesToHex(sha256Of32(input))).toBe(expected);
      expect(bytesToHex(sha256(input))).toBe(expected);
    }
    let ours: Uint8Array = new Uint8Array(32);
    let theirs: Uint8Array = new Uint8Array(32);
    for (let i = 0; i < 1_000; i++) {
      ours = sha256Of32(ours);
      theirs = new Uint8Array(createHash('sha256').update(theirs).digest());
    }
    expect(bytesToHex(ours)).toBe(bytesToHex(theirs));
  });

  it('leaves its input as it was and returns a fresh array', () => {
    const input = new Uint8Array(randomBytes(32));
    const copy = input.slice();
    const first = sha256Of32(input);
    const second = sha256Of32(input);
    expect(input).toEqual(copy);
    expect(first).not.toBe(second);
    expect(first).toEqual(second);
  });

  it('refuses any other length', () => {
    for (const length of [0, 31, 33, 64]) expect(() => sha256Of32(new Uint8Array(length))).toThrow(RangeError);
  });
});
