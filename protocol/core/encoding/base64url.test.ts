import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64url, fromBase64urlOfLength, toBase64url } from './base64url';

describe('base64url', () => {
  it('matches RFC 4648 test vectors (unpadded, url alphabet)', () => {
    const vectors: Array<[string, string]> = [
      ['', ''],
      ['f', 'Zg'],
      ['fo', 'Zm8'],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg'],
      ['fooba', 'Zm9vYmE'],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, encoded] of vectors) {
      expect(toBase64url(new TextEncoder().encode(plain))).toBe(encoded);
      expect(new TextDecoder().decode(fromBase64url(encoded))).toBe(plain);
    }
    expect(toBase64url(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
  });

  it('round-trips any bytes and agrees with Node', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const encoded = toBase64url(bytes);
        expect(encoded).toBe(Buffer.from(bytes).toString('base64url'));
        expect(fromBase64url(encoded)).toEqual(bytes);
      }),
    );
  });

  it('refuses padding, foreign characters, impossible lengths and non-canonical spellings', () => {
    for (const bad of ['Zg==', 'Zm9v+', 'Z', 'Zh', 'a b', 'Zm9vYh']) expect(() => fromBase64url(bad)).toThrow();
    expect(() => fromBase64urlOfLength('Zm9v', 4)).toThrow(/expected 4 bytes/);
  });
});
