// The bytes of a delivery, in the delivery page: the ciphertext downloaded as it streams (hashed on
// the way for the package check), then decrypted chunk by chunk, then offered as a download under
// the described name and type. Neither the ciphertext nor the product is ever one array in script
// memory: pieces are folded into Blobs every few megabytes, and the browser keeps Blob data
// outside the script heap (Chromium moves large Blobs to disk). A page cannot stream into the
// Downloads folder without asking where to save, so the finished Blob is what the download reads.

import { CiphertextDigest, ProductDecryptor } from '@opentab/protocol';

/** How much a page holds in pieces before folding them into its Blob. */
const FOLD_BYTES = 4 * 1024 * 1024;

export type Progress = (done_bytes: number, total_bytes: number) => void;

class BlobBuilder {
  private blob = new Blob([]);
  private pieces: Uint8Array[] = [];
  private held_bytes = 0;

  push(piece: Uint8Array): void {
    if (piece.length === 0) return;
    this.pieces.push(piece);
    this.held_bytes += piece.length;
    if (this.held_bytes >= FOLD_BYTES) this.fold();
  }

  finish(type: string): Blob {
    this.fold();
    return new Blob([this.blob], { type });
  }

  private fold(): void {
    this.blob = new Blob([this.blob, ...(this.pieces as BlobPart[])]);
    this.pieces = [];
    this.held_bytes = 0;
  }
}

async function eachPiece(stream: ReadableStream<Uint8Array>, use: (piece: Uint8Array) => void): Promise<void> {
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    use(value);
  }
}

/** The package's ciphertext, with the SHA-256 and size checkCiphertext compares against the signed package. */
export async function downloadCiphertext(
  url: string,
  expected_bytes: number,
  progress: Progress,
): Promise<{ blob: Blob; sha256: string; size_bytes: number }> {
  // A re-sent package must be fetched again, not taken from the cache that kept a damaged copy.
  const response = await fetch(url, { cache: 'no-store', credentials: 'omit' });
  if (!response.ok || response.body === null)
    throw new Error(`The shop answered the download with ${response.status}.`);
  const digest = new CiphertextDigest();
  const builder = new BlobBuilder();
  let received_bytes = 0;
  await eachPiece(response.body, (piece) => {
    digest.update(piece);
    builder.push(piece);
    received_bytes += piece.length;
    progress(received_bytes, expected_bytes);
  });
  return { blob: builder.finish('application/octet-stream'), ...digest.result() };
}

/** The product, decrypted chunk by chunk; throws when any byte was altered or the end is missing. */
export async function decryptProduct(
  ciphertext: Blob | ReadableStream<Uint8Array>,
  key: Uint8Array,
  mediaType: string,
  total_bytes: number,
  progress: Progress,
): Promise<Blob> {
  const decryptor = new ProductDecryptor(key);
  const builder = new BlobBuilder();
  let read_bytes = 0;
  const stream = ciphertext instanceof Blob ? ciphertext.stream() : ciphertext;
  await eachPiece(stream, (piece) => {
    builder.push(decryptor.push(piece));
    read_bytes += piece.length;
    progress(read_bytes, total_bytes);
  });
  builder.push(decryptor.finish());
  return builder.finish(mediaType);
}

/** Hands the file to the browser's downloads under `fileName`. */
export function saveFile(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // The download reads the Blob after the click; a minute is ample even for a large product.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
