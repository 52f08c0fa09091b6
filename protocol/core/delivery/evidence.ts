// An arbiter's offline check of a delivery's evidence bundle (seed: "the consumer can't send false
// information"; "the merchant can't deny what it described"). Everything is checked from the CA key
// down: the merchant operator's certificate, the merchant's certificate it signed, then every
// message by the key that must have signed it, and that they all speak of one order, one product,
// one description and one ciphertext. Pure and browser-safe: the extension runs it before export.

import type { CryptoProvider } from '../crypto/provider';
import { fromBase64url } from '../encoding/base64url';
import { verifyEnvelope, type Envelope } from '../envelope';
import type { EvidenceBundle } from '../messages/delivery';
import { descriptionHashOf } from './package-check';

export type EvidenceVerdict =
  | { readonly ok: true; readonly orderId: string; readonly productId: string; readonly merchantId: string }
  | { readonly ok: false; readonly problems: readonly string[] };

function signedBy(crypto: CryptoProvider, envelope: Envelope, publicKey: string): boolean {
  try {
    return verifyEnvelope(crypto, envelope, fromBase64url(publicKey));
  } catch {
    return false;
  }
}

export function verifyEvidenceBundle(
  crypto: CryptoProvider,
  bundle: EvidenceBundle,
  caPublicKey: string,
): EvidenceVerdict {
  const problems: string[] = [];
  const operator = bundle.operatorCertificate.payload;
  const merchant = bundle.merchantCertificate.payload;
  const description = bundle.description.payload;
  const order = bundle.order.payload;
  const registration = bundle.k1Registration.payload;
  const delivered = bundle.package.payload;
  const accept = bundle.accept.payload;

  if (!signedBy(crypto, bundle.operatorCertificate, caPublicKey))
    problems.push('the operator certificate is not signed by the CA');
  if (!signedBy(crypto, bundle.merchantCertificate, operator.publicKey) || merchant.operatorId !== operator.operatorId)
    problems.push("the merchant certificate is not signed by the merchant's operator");
  if (!signedBy(crypto, bundle.description, merchant.publicKey) || description.merchantId !== merchant.merchantId)
    problems.push('the product description is not signed by the merchant');
  if (
    !signedBy(crypto, bundle.k1Registration, operator.publicKey) ||
    registration.operatorId !== operator.operatorId ||
    registration.merchantId !== merchant.merchantId
  )
    problems.push("K1's registration is not signed by the merchant's operator");
  if (!signedBy(crypto, bundle.order, registration.tabPublicKey))
    problems.push('the order is not signed by the tab key');
  if (!signedBy(crypto, bundle.package, merchant.publicKey) || delivered.merchantId !== merchant.merchantId)
    problems.push('the package is not signed by the merchant');
  if (!signedBy(crypto, bundle.accept, registration.tabPublicKey))
    problems.push('the accept is not signed by the tab key');

  const descriptionHash = descriptionHashOf(crypto, bundle.description);
  const sameOrder = [registration.orderId, delivered.orderId, accept.orderId].every((id) => id === order.id);
  const sameTab = [registration.tabId, delivered.tabId, accept.tabId, accept.purchase.tabId].every(
    (id) => id === order.tabId,
  );
  if (!sameOrder || !sameTab) problems.push('the messages are not all about one order on one tab');
  if (![order.productId, delivered.productId, accept.purchase.itemId].every((id) => id === description.productId))
    problems.push('the messages are not all about the described product');
  if (order.descriptionHash !== descriptionHash || delivered.descriptionHash !== descriptionHash)
    problems.push('order and package do not name this description');
  if (
    delivered.ciphertextHash !== description.ciphertextHash ||
    accept.ciphertextHash !== description.ciphertextHash ||
    delivered.encryptedSize_bytes !== description.encryptedSize_bytes
  )
    problems.push('the package is not the ciphertext the description names');
  if (accept.packageId !== bundle.package.payload.id) problems.push('the accept is not for this package');
  if (
    order.price.currency !== description.price.currency ||
    order.price.value !== description.price.value ||
    accept.purchase.price.currency !== description.price.currency ||
    accept.purchase.price.value !== description.price.value
  )
    problems.push('the price paid is not the described price');

  return problems.length === 0
    ? { ok: true, orderId: order.id, productId: description.productId, merchantId: merchant.merchantId }
    : { ok: false, problems };
}
