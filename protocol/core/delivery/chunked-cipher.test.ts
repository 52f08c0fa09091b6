import { randomBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../encoding/bytes';
import {
  encryptedProductSize,
  PRODUCT_HEADER_BYTES,
  PRODUCT_TAG_BYTES,
  ProductCipherError,
  ProductDecryptor,
  ProductEncryptor,
} from './chunked-cipher';

const key = randomBytes(32);

/** Encrypts `plain` fed in pieces of `piece` bytes. */
function encrypt(plain: Uint8Array, chunk_bytes: number, piece = 7): Uint8Array {
  const encryptor = new ProductEncryptor(key, randomBytes, chunk_bytes);
  const out: Uint8Array[] = [];
  for (let at = 0; at < plain.length; at += piece) out.push(encryptor.push(plain.subarray(at, at + piece)));
  out.push(encryptor.finish());
  return concatBytes(...out);
}

function decrypt(cipher: Uint8Array, piece = 5, withKey = key): Uint8Array {
  const decryptor = new ProductDecryptor(withKey);
  const out: Uint8Array[] = [];
  for (let at = 0; at < cipher.length; at += piece) out.push(decryptor.push(cipher.subarray(at, at + piece)));
  out.push(decryptor.finish());
  return concatBytes(...out);
}

describe('chunked product encryption', () => {
  it.each([0, 1, 15, 16, 17, 48, 100])('round-trips %i bytes in 16-byte chunks, fed in odd pieces', (size) => {
    const plain = randomBytes(size);
    const cipher = encrypt(plain, 16);
    expect(cipher.length).toBe(encryptedProductSize(size, 16));
    expect(decrypt(cipher)).toEqual(plain);
  });

  it('refuses a product cut off at a chunk boundary (no final flag) and one cut mid-chunk', () => {
    const plain = randomBytes(64);
    const cipher = encrypt(plain, 16);
    const oneChunk = 16 + PRODUCT_TAG_BYTES;
    expect(() => decrypt(cipher.subarray(0, PRODUCT_HEADER_BYTES + 2 * oneChunk))).toThrow(ProductCipherError);
    expect(() => decrypt(cipher.subarray(0, cipher.length - 3))).toThrow(ProductCipherError);
    expect(() => decrypt(cipher.subarray(0, PRODUCT_HEADER_BYTES))).toThrow(ProductCipherError);
  });

  it('refuses an altered byte, swapped chunks, another key and an altered chunk size', () => {
    const plain = randomBytes(64);
    const cipher = encrypt(plain, 16);
    const altered = cipher.slice();
    altered[PRODUCT_HEADER_BYTES + 40]! ^= 1;
    expect(() => decrypt(altered)).toThrow(ProductCipherError);

    const oneChunk = 16 + PRODUCT_TAG_BYTES;
    const first = cipher.subarray(PRODUCT_HEADER_BYTES, PRODUCT_HEADER_BYTES + oneChunk);
    const second = cipher.subarray(PRODUCT_HEADER_BYTES + oneChunk, PRODUCT_HEADER_BYTES + 2 * oneChunk);
    const swapped = concatBytes(
      cipher.subarray(0, PRODUCT_HEADER_BYTES),
      second,
      first,
      cipher.subarray(PRODUCT_HEADER_BYTES + 2 * oneChunk),
    );
    expect(() => decrypt(swapped)).toThrow(ProductCipherError);
    expect(() => decrypt(cipher, 5, randomBytes(32))).toThrow(ProductCipherError);

    const resized = cipher.slice();
    resized[7] = 17;
    expect(() => decrypt(resized)).toThrow(ProductCipherError);
  });

  it('never holds more than about one chunk while decrypting a large product', () => {
    const chunk = 64 * 1024;
    const encryptor = new ProductEncryptor(key, randomBytes, chunk);
    const decryptor = new ProductDecryptor(key);
    let plainOut = 0;
    // 8 MiB through both, piece by piece: each push returns what it could, nothing accumulates.
    for (let i = 0; i < 128; i++) {
      const cipher = encryptor.push(new Uint8Array(chunk).fill(i));
      expect(cipher.length).toBeLessThanOrEqual(PRODUCT_HEADER_BYTES + 2 * (chunk + PRODUCT_TAG_BYTES));
      plainOut += decryptor.push(cipher).length;
    }
    plainOut += decryptor.push(encryptor.finish()).length;
    plainOut += decryptor.finish().length;
    expect(plainOut).toBe(128 * chunk);
  });
});
