import { describe, expect, it } from 'vitest';
import { nobleCrypto } from '../crypto/noble';
import { nodeCrypto } from '@opentab/test-kit';
import { bytesToHex, hexToBytes } from '../encoding/bytes';
import { toBase64url } from '../encoding/base64url';
import { HashChain, checkLink, hashSteps, provesIndex } from './hash-chain';

const seed = hexToBytes('00'.repeat(31) + '01');

describe('hash chain', () => {
  const chain = HashChain.fromSeed(nodeCrypto, seed, 100);

  it('puts the seed at the end and hashes down to the root', () => {
    expect(bytesToHex(chain.linkAt(100))).toBe(bytesToHex(seed));
    expect(bytesToHex(chain.linkAt(99))).toBe(bytesToHex(nodeCrypto.sha256(seed)));
    expect(bytesToHex(chain.linkAt(0))).toBe(bytesToHex(hashSteps(nodeCrypto, seed, 100)));
    expect(chain.commitment).toEqual({ root: toBase64url(hashSteps(nodeCrypto, seed, 100)), length: 100 });
  });

  it('is the same chain in the browser provider', () => {
    expect(HashChain.fromSeed(nobleCrypto, seed, 100).commitment).toEqual(chain.commitment);
  });

  it('accepts a link exactly k steps forward, with k hashes', () => {
    const known = { index: 3, link: chain.linkAt(3) };
    const check = checkLink(nodeCrypto, known, { index: 8, link: chain.encodedLinkAt(8) }, 100, 5);
    expect(check.ok).toBe(true);
  });

  it('refuses wrong, replayed, backward, over-long and beyond-chain links', () => {
    const known = { index: 3, link: chain.linkAt(3) };
    expect(checkLink(nodeCrypto, known, { index: 8, link: chain.encodedLinkAt(9) }, 100, 5)).toEqual({
      ok: false,
      problem: 'wrong_link',
    });
    expect(checkLink(nodeCrypto, known, { index: 3, link: chain.encodedLinkAt(3) }, 100, 5)).toEqual({
      ok: false,
      problem: 'not_forward',
    });
    expect(checkLink(nodeCrypto, known, { index: 2, link: chain.encodedLinkAt(2) }, 100, 5)).toEqual({
      ok: false,
      problem: 'not_forward',
    });
    expect(checkLink(nodeCrypto, known, { index: 9, link: chain.encodedLinkAt(9) }, 100, 5)).toEqual({
      ok: false,
      problem: 'too_many_steps',
    });
    expect(checkLink(nodeCrypto, known, { index: 101, link: chain.encodedLinkAt(100) }, 100, 500)).toEqual({
      ok: false,
      problem: 'beyond_chain',
    });
    expect(checkLink(nodeCrypto, known, { index: 4, link: 'not-a-link' }, 100, 5)).toEqual({
      ok: false,
      problem: 'malformed_link',
    });
  });

  it('proves an index from the root, and nothing else', () => {
    expect(provesIndex(nodeCrypto, chain.commitment, { index: 42, link: chain.encodedLinkAt(42) })).toBe(true);
    expect(provesIndex(nodeCrypto, chain.commitment, { index: 43, link: chain.encodedLinkAt(42) })).toBe(false);
    expect(provesIndex(nodeCrypto, chain.commitment, { index: 101, link: chain.encodedLinkAt(100) })).toBe(false);
    expect(provesIndex(nodeCrypto, chain.commitment, { index: 0, link: chain.commitment.root })).toBe(true);
  });

  it('refuses impossible chains', () => {
    expect(() => HashChain.fromSeed(nodeCrypto, seed, 0)).toThrow();
    expect(() => HashChain.fromSeed(nodeCrypto, new Uint8Array(31), 10)).toThrow();
    expect(() => chain.linkAt(101)).toThrow();
  });
});
