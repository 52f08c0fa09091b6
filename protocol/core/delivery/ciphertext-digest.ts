// The SHA-256 and length of a ciphertext as it streams by (a download, a file read in pieces), for
// the customer agent's check against the signed package (checkCiphertext) without holding it whole.

import { sha256 } from '@noble/hashes/sha2.js';
import { toBase64url } from '../encoding/base64url';

export class CiphertextDigest {
  private readonly hash = sha256.create();
  private size_bytes = 0;

  update(piece: Uint8Array): void {
    this.hash.update(piece);
    this.size_bytes += piece.length;
  }

  /** What checkCiphertext compares; the digest cannot be updated after. */
  result(): { readonly sha256: string; readonly size_bytes: number } {
    return { sha256: toBase64url(this.hash.digest()), size_bytes: this.size_bytes };
  }
}
