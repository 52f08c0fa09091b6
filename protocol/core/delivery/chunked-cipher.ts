// The encrypted form of a product (seed FIG 4, [prod]^K2): XChaCha20-Poly1305 in chunks, so that
// neither the merchant (encrypting ahead of time) nor the customer (decrypting a download) ever
// holds a multi-megabyte product whole. The STREAM construction: every chunk's nonce is a random
// prefix of the product, the chunk's index and a final-chunk flag, so chunks cannot be reordered,
// dropped, or cut off at the end (the last chunk present must carry the flag). The header is the
// associated data of every chunk, which binds the chunk size.
//
// Layout: "OTD1" ‖ chunk size (u32 BE) ‖ nonce prefix (15) ‖ chunk₀ ‖ … ‖ chunkₙ, each chunk its
// ciphertext and 16-byte tag; every chunk but the last holds exactly `chunk size` plaintext bytes,
// the last 0 to `chunk size`.

import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { concatBytes } from '../encoding/bytes';

const MAGIC = [0x4f, 0x54, 0x44, 0x31]; // "OTD1"
const PREFIX_BYTES = 15;
export const PRODUCT_HEADER_BYTES = MAGIC.length + 4 + PREFIX_BYTES;
export const PRODUCT_TAG_BYTES = 16;
export const PRODUCT_KEY_BYTES = 32;
export const DEFAULT_PRODUCT_CHUNK_BYTES = 64 * 1024;
export const MAX_PRODUCT_CHUNK_BYTES = 1024 * 1024;

export class ProductCipherError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProductCipherError';
  }
}

/** The encrypted size of a product of `plainSize_bytes`: what a description states before anyone downloads. */
export function encryptedProductSize(plainSize_bytes: number, chunk_bytes: number): number {
  const chunks = Math.max(1, Math.ceil(plainSize_bytes / chunk_bytes));
  return PRODUCT_HEADER_BYTES + plainSize_bytes + chunks * PRODUCT_TAG_BYTES;
}

function chunkNonce(prefix: Uint8Array, index: number, final: boolean): Uint8Array {
  const nonce = new Uint8Array(24);
  nonce.set(prefix, 0);
  // Chunk indices stay far below 2^53: a 1 TB product in 64 KiB chunks has 2^24.
  new DataView(nonce.buffer).setBigUint64(PREFIX_BYTES, BigInt(index));
  nonce[23] = final ? 1 : 0;
  return nonce;
}

function checkKey(key: Uint8Array): void {
  if (key.length !== PRODUCT_KEY_BYTES) throw new ProductCipherError('A product key has 32 bytes.');
}

/** Push plaintext in pieces of any size; every call returns the ciphertext ready so far; `finish` the rest. */
export class ProductEncryptor {
  private readonly header: Uint8Array;
  private readonly prefix: Uint8Array;
  private pending: Uint8Array[] = [];
  private pendingLength = 0;
  private index = 0;
  private headerSent = false;
  private finished = false;

  constructor(
    private readonly key: Uint8Array,
    randomBytes: (length: number) => Uint8Array,
    private readonly chunk_bytes: number = DEFAULT_PRODUCT_CHUNK_BYTES,
  ) {
    checkKey(key);
    if (!Number.isInteger(chunk_bytes) || chunk_bytes < 1 || chunk_bytes > MAX_PRODUCT_CHUNK_BYTES)
      throw new ProductCipherError(`The chunk size must be 1 to ${MAX_PRODUCT_CHUNK_BYTES} bytes.`);
    this.prefix = randomBytes(PREFIX_BYTES);
    this.header = new Uint8Array(PRODUCT_HEADER_BYTES);
    this.header.set(MAGIC, 0);
    new DataView(this.header.buffer).setUint32(MAGIC.length, chunk_bytes);
    this.header.set(this.prefix, MAGIC.length + 4);
  }

  push(plain: Uint8Array): Uint8Array {
    if (this.finished) throw new ProductCipherError('The product was already finished.');
    this.pending.push(plain.slice());
    this.pendingLength += plain.length;
    const out: Uint8Array[] = [this.takeHeader()];
    // A full chunk is kept back until more follows: the last chunk, full or not, carries the flag.
    while (this.pendingLength > this.chunk_bytes) out.push(this.sealChunk(this.take(this.chunk_bytes), false));
    return concatBytes(...out);
  }

  finish(): Uint8Array {
    if (this.finished) throw new ProductCipherError('The product was already finished.');
    this.finished = true;
    return concatBytes(this.takeHeader(), this.sealChunk(this.take(this.pendingLength), true));
  }

  private takeHeader(): Uint8Array {
    if (this.headerSent) return new Uint8Array(0);
    this.headerSent = true;
    return this.header;
  }

  private take(length: number): Uint8Array {
    const all = concatBytes(...this.pending);
    this.pending = [all.subarray(length)];
    this.pendingLength = all.length - length;
    return all.subarray(0, length);
  }

  private sealChunk(plain: Uint8Array, final: boolean): Uint8Array {
    const nonce = chunkNonce(this.prefix, this.index++, final);
    return xchacha20poly1305(this.key, nonce, this.header).encrypt(plain);
  }
}

/**
 * Push ciphertext in pieces of any size; every call returns the plaintext it could authenticate so
 * far (one chunk is held back until it is known whether it is the last). `finish` authenticates the
 * last chunk: a product cut short ends on a chunk without the final flag, and is refused.
 */
export class ProductDecryptor {
  private header: Uint8Array | null = null;
  private prefix: Uint8Array = new Uint8Array(0);
  private chunk_bytes = 0;
  private buffered: Uint8Array = new Uint8Array(0);
  private index = 0;
  private finished = false;

  constructor(private readonly key: Uint8Array) {
    checkKey(key);
  }

  push(cipher: Uint8Array): Uint8Array {
    if (this.finished) throw new ProductCipherError('The product was already finished.');
    this.buffered = concatBytes(this.buffered, cipher);
    if (this.header === null) {
      if (this.buffered.length < PRODUCT_HEADER_BYTES) return new Uint8Array(0);
      this.readHeader(this.buffered.subarray(0, PRODUCT_HEADER_BYTES));
      this.buffered = this.buffered.subarray(PRODUCT_HEADER_BYTES);
    }
    const sealedChunk = this.chunk_bytes + PRODUCT_TAG_BYTES;
    const out: Uint8Array[] = [];
    while (this.buffered.length > sealedChunk) {
      out.push(this.openChunk(this.buffered.subarray(0, sealedChunk), false));
      this.buffered = this.buffered.subarray(sealedChunk);
    }
    this.buffered = this.buffered.slice();
    return concatBytes(...out);
  }

  finish(): Uint8Array {
    if (this.finished) throw new ProductCipherError('The product was already finished.');
    this.finished = true;
    if (this.header === null) throw new ProductCipherError('The product ends before its header.');
    if (this.buffered.length < PRODUCT_TAG_BYTES) throw new ProductCipherError('The product is cut short.');
    return this.openChunk(this.buffered, true);
  }

  private readHeader(header: Uint8Array): void {
    if (!MAGIC.every((byte, i) => header[i] === byte)) throw new ProductCipherError('This is not an Opentab product.');
    const chunk_bytes = new DataView(header.buffer, header.byteOffset).getUint32(MAGIC.length);
    if (chunk_bytes < 1 || chunk_bytes > MAX_PRODUCT_CHUNK_BYTES)
      throw new ProductCipherError('The product names an impossible chunk size.');
    this.header = header.slice();
    this.prefix = header.slice(MAGIC.length + 4);
    this.chunk_bytes = chunk_bytes;
  }

  private openChunk(sealed: Uint8Array, final: boolean): Uint8Array {
    const nonce = chunkNonce(this.prefix, this.index++, final);
    try {
      return xchacha20poly1305(this.key, nonce, this.header!).decrypt(sealed);
    } catch {
      throw new ProductCipherError(
        final
          ? 'The product is cut short or altered at its end.'
          : `Chunk ${this.index - 1} of the product is altered.`,
      );
    }
  }
}
