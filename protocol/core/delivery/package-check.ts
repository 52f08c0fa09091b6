// The customer agent's checks of a delivery (seed FIG 4, step 4), pure: is the package the
// merchant's, for this order, this product and this description, and is the downloaded ciphertext
// the one it signed? Any failure is answered with a not-accept naming the problem; nothing is paid.

import type { CryptoProvider } from '../crypto/provider';
import { canonicalJsonBytes } from '../encoding/canonical-json';
import { toBase64url } from '../encoding/base64url';
import { verifyEnvelope } from '../envelope';
import type { DeliveryOrder, DeliveryPackage, PackageProblem, ProductDescription } from '../messages/delivery';

/** What order and package name the description by: SHA-256 of the canonical JSON of the whole signed description. */
export function descriptionHashOf(crypto: CryptoProvider, description: ProductDescription): string {
  return toBase64url(crypto.sha256(canonicalJsonBytes(description)));
}

/** The package message against the order it answers and the description the customer read; null when it checks. */
export function checkPackage(
  crypto: CryptoProvider,
  expected: {
    readonly description: ProductDescription;
    readonly order: DeliveryOrder;
    readonly merchantPublicKey: Uint8Array;
  },
  delivered: DeliveryPackage,
): PackageProblem | null {
  const p = delivered.payload;
  const { description, order } = expected;
  if (!verifyEnvelope(crypto, delivered, expected.merchantPublicKey)) return 'bad-signature';
  if (p.orderId !== order.payload.id || p.tabId !== order.payload.tabId) return 'wrong-order';
  if (p.productId !== order.payload.productId || p.productId !== description.payload.productId) return 'wrong-product';
  if (
    p.descriptionHash !== order.payload.descriptionHash ||
    p.descriptionHash !== descriptionHashOf(crypto, description)
  )
    return 'wrong-description';
  if (p.ciphertextHash !== description.payload.ciphertextHash) return 'wrong-ciphertext';
  if (p.encryptedSize_bytes !== description.payload.encryptedSize_bytes) return 'wrong-size';
  return null;
}

/** The downloaded ciphertext (its SHA-256 and length, computed while it streamed) against the checked package. */
export function checkCiphertext(
  delivered: DeliveryPackage,
  downloaded: { readonly sha256: string; readonly size_bytes: number },
): PackageProblem | null {
  if (downloaded.size_bytes !== delivered.payload.encryptedSize_bytes) return 'wrong-size';
  if (downloaded.sha256 !== delivered.payload.ciphertextHash) return 'wrong-ciphertext';
  return null;
}
