// The few primitives the protocol needs, behind one interface: @noble/* in browsers, node:crypto
// on servers (Ed25519 verification there is roughly 15x faster). Both produce identical bytes;
// the interoperability test signs with one and verifies with the other.

export interface Ed25519 {
  /** 32 random bytes: the RFC 8032 private key seed. */
  generateSecretKey(): Uint8Array;
  publicKeyOf(secretKey: Uint8Array): Uint8Array;
  sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
  /**
   * False (never throws) for a malformed key or signature: callers answer bad_signature either way.
   * Every provider gives the same verdict on every input: only under a sound key
   * (public-key-check.ts), and by the cofactorless equation (ed25519-verify.ts).
   */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  /**
   * The same check where a faster asynchronous one exists (the browser's native Ed25519, see
   * webcrypto-ed25519.ts); verifyEnvelopeAsync uses it, and `verify` where it is absent.
   */
  verifyAsync?(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean>;
}

export interface CryptoProvider {
  readonly name: 'noble' | 'node';
  readonly ed25519: Ed25519;
  sha256(data: Uint8Array): Uint8Array;
  randomBytes(length: number): Uint8Array;
}

export const ED25519_PUBLIC_KEY_BYTES = 32;
export const ED25519_SECRET_KEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;
export const SHA256_BYTES = 32;
