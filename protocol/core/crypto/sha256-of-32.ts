// SHA-256 (FIPS 180-4) of exactly 32 bytes: one chain step. A 32-byte message is one 64-byte
// block whose padding is fixed (0x80, zeros, the bit length 256), so the whole hash is a single
// compression with nothing to buffer. Written out here because every purchase the merchant
// checks, and every link a customer's chain is built from, is one such call: node:crypto takes
// ~0.6 µs, nearly all of it crossing into C++ and allocating its result, @noble's general
// streaming hash ~0.85 µs, this ~0.3 µs. Only public data is hashed here (links are revealed
// to the merchant), so it need not be constant-time. Checked against node:crypto and @noble on
// random inputs and against fixed vectors in sha256-of-32.test.ts.

/** The first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

/** The initial hash value: the first 32 bits of the fractional parts of the square roots of the first 8 primes. */
const IV = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

const INPUT_BYTES = 32;
/**
 * The message schedule, reused: the function is synchronous, so no two calls share it at once.
 * Int32Array (like K and IV) keeps every word a 32-bit integer for V8; a Uint32Array turns words
 * of 2^31 and more into doubles.
 */
const W = new Int32Array(64);

function rotr(x: number, n: number): number {
  return (x >>> n) | (x << (32 - n));
}

export function sha256Of32(input: Uint8Array): Uint8Array {
  if (input.length !== INPUT_BYTES)
    throw new RangeError(`sha256Of32 hashes exactly ${INPUT_BYTES} bytes, not ${input.length}`);
  for (let i = 0; i < 8; i++) {
    const o = i * 4;
    W[i] = (input[o]! << 24) | (input[o + 1]! << 16) | (input[o + 2]! << 8) | input[o + 3]!;
  }
  // The padding of a 256-bit message: a single 1 bit, zeros, then the length in bits.
  W[8] = 0x80000000;
  for (let i = 9; i < 15; i++) W[i] = 0;
  W[15] = INPUT_BYTES * 8;
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15]!;
    const w2 = W[i - 2]!;
    const s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
    const s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
  }
  let a = IV[0]!,
    b = IV[1]!,
    c = IV[2]!,
    d = IV[3]!,
    e = IV[4]!,
    f = IV[5]!,
    g = IV[6]!,
    h = IV[7]!;
  for (let i = 0; i < 64; i++) {
    const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  const out = new Uint8Array(32);
  writeWord(out, 0, a + IV[0]!);
  writeWord(out, 4, b + IV[1]!);
  writeWord(out, 8, c + IV[2]!);
  writeWord(out, 12, d + IV[3]!);
  writeWord(out, 16, e + IV[4]!);
  writeWord(out, 20, f + IV[5]!);
  writeWord(out, 24, g + IV[6]!);
  writeWord(out, 28, h + IV[7]!);
  return out;
}

/** Big-endian; the typed array keeps the low 8 bits of each shifted value. */
function writeWord(out: Uint8Array, offset: number, word: number): void {
  out[offset] = word >>> 24;
  out[offset + 1] = word >>> 16;
  out[offset + 2] = word >>> 8;
  out[offset + 3] = word;
}
