// Secure delivery of digital goods (seed FIG 4, claims 24–27): every message between customer
// agent, its AM, the MTA and the merchant agent. Who signs what:
//   merchant key  — the product description, the package, K2 sealed to K1, the escrow;
//   tab key       — the order, K1's registration request, the accept and the not-accept;
//   MTA key       — K1's registration (with the tab key and the escrow key it vouches for).
// The accept carries the tab's purchase (its chain link): the purchase counts, and the merchant
// can claim it, only from the accept on (docs/DESIGN.md, "Secure delivery of digital goods").

import * as v from 'valibot';
import { base64urlLength } from '../encoding/base64url';
import { OperatorCertificate, MerchantCertificate } from './certificates';
import { Purchase, Receipt } from './merchant';
import {
  Amount,
  Digest,
  ItemId,
  ItemTitle,
  MerchantId,
  MessageId,
  OperatorId,
  PublicKey,
  TabId,
  TransactionId,
  envelopeOf,
  payloadHeader,
} from './primitives';

/** An X25519 public key (K1, an escrow key, an arbiter's key): 32 bytes of base64url. */
export const X25519PublicKey = v.pipe(
  v.string(),
  v.length(base64urlLength(32)),
  v.regex(/^[A-Za-z0-9_-]+$/, 'must be base64url'),
);

/** A 32-byte key sealed to an X25519 key (delivery/key-seal.ts): 32 + 24 + 32 + 16 bytes. */
export const SealedKey = v.pipe(
  v.string(),
  v.length(base64urlLength(104)),
  v.regex(/^[A-Za-z0-9_-]+$/, 'must be base64url'),
);

/** A file name the customer's browser saves under: no path, nothing hidden or reserved. */
export const DeliveryFileName = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,127}$/, 'must be 1-128 of A-Z, a-z, 0-9, space . _ ( ) -, no path'),
);

/** type/subtype, as in a Content-Type header without parameters. */
export const MediaType = v.pipe(
  v.string(),
  v.maxLength(127),
  v.regex(/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/, 'must be a media type such as application/pdf'),
);

/** Up to 16 GiB: a safe integer either side can count to. */
export const ByteSize = v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(16 * 1024 ** 3));
export const ChunkSize = v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(1024 * 1024));

/**
 * sign(prod.desc)^M: what the merchant says it sells, bound to the exact ciphertext by its hash. Signed
 * ahead of time, when the product is prepared; its hash (descriptionHashOf) is what order and package name.
 */
export const ProductDescriptionPayload = v.strictObject({
  ...payloadHeader('product-description'),
  merchantId: MerchantId,
  productId: ItemId,
  name: ItemTitle,
  summary: v.pipe(v.string(), v.maxLength(2000)),
  fileName: DeliveryFileName,
  mediaType: MediaType,
  size_bytes: ByteSize,
  encryptedSize_bytes: ByteSize,
  chunk_bytes: ChunkSize,
  ciphertextHash: Digest,
  price: Amount,
});
export type ProductDescriptionPayload = v.InferOutput<typeof ProductDescriptionPayload>;
export const ProductDescription = envelopeOf(ProductDescriptionPayload);
export type ProductDescription = v.InferOutput<typeof ProductDescription>;

/** The agent's public list of what it delivers this way. */
export const ProductList = v.strictObject({
  products: v.pipe(v.array(ProductDescription), v.maxLength(1000)),
});
export type ProductList = v.InferOutput<typeof ProductList>;

/** sign(order)^C, by the tab key, within an open tab: the customer read this description and orders it. */
export const DeliveryOrderPayload = v.strictObject({
  ...payloadHeader('delivery-order'),
  tabId: TabId,
  productId: ItemId,
  descriptionHash: Digest,
  price: Amount,
});
export type DeliveryOrderPayload = v.InferOutput<typeof DeliveryOrderPayload>;
export const DeliveryOrder = envelopeOf(DeliveryOrderPayload);
export type DeliveryOrder = v.InferOutput<typeof DeliveryOrder>;

/** Customer agent → its AM, by the tab key: a fresh K1 for this order, to be signed by the MTA (claim 25). */
export const K1RequestPayload = v.strictObject({
  ...payloadHeader('k1-request'),
  transactionId: TransactionId,
  tabId: TabId,
  orderId: MessageId,
  k1: X25519PublicKey,
});
export type K1RequestPayload = v.InferOutput<typeof K1RequestPayload>;
export const K1Request = envelopeOf(K1RequestPayload);
export type K1Request = v.InferOutput<typeof K1Request>;

/** AM → MTA: the customer's request inside the AM's signature, with the AM's CA certificate. */
export const K1RelayPayload = v.strictObject({
  ...payloadHeader('k1-relay'),
  operatorCertificate: OperatorCertificate,
  request: K1Request,
});
export type K1RelayPayload = v.InferOutput<typeof K1RelayPayload>;
export const K1Relay = envelopeOf(K1RelayPayload);
export type K1Relay = v.InferOutput<typeof K1Relay>;

/**
 * The MTA's signature on K1 (claim 25), passed to the merchant agent and back to the customer. It also
 * vouches for the tab key (so an arbiter can check order and accept without the tab's certificate) and
 * names the MTA's escrow key, to which the merchant seals K2 for the MTA.
 */
export const K1RegistrationPayload = v.strictObject({
  ...payloadHeader('k1-registration'),
  operatorId: OperatorId,
  merchantId: MerchantId,
  tabId: TabId,
  tabPublicKey: PublicKey,
  orderId: MessageId,
  k1: X25519PublicKey,
  escrowKey: X25519PublicKey,
});
export type K1RegistrationPayload = v.InferOutput<typeof K1RegistrationPayload>;
export const K1Registration = envelopeOf(K1RegistrationPayload);
export type K1Registration = v.InferOutput<typeof K1Registration>;

/**
 * sign([prod]^K2, prodID)^M: the merchant's signature over the ciphertext (by its hash), the product id
 * and the description's hash, for one order; the ciphertext itself is fetched from `contentPath`
 * (relative to the agent URL), streamed. `attempt` counts re-sends after a not-accept.
 */
export const DeliveryPackagePayload = v.strictObject({
  ...payloadHeader('delivery-package'),
  merchantId: MerchantId,
  tabId: TabId,
  orderId: MessageId,
  productId: ItemId,
  descriptionHash: Digest,
  ciphertextHash: Digest,
  encryptedSize_bytes: ByteSize,
  contentPath: v.pipe(v.string(), v.maxLength(300), v.regex(/^\/delivery\/content\/[A-Za-z0-9._:-]+$/)),
  attempt: v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(100)),
});
export type DeliveryPackagePayload = v.InferOutput<typeof DeliveryPackagePayload>;
export const DeliveryPackage = envelopeOf(DeliveryPackagePayload);
export type DeliveryPackage = v.InferOutput<typeof DeliveryPackage>;

/** The merchant's answer to an order: the package, or that K1 has not reached it yet (send the order again). */
export const DeliveryState = v.variant('status', [
  v.strictObject({ status: v.literal('awaiting-k1'), orderId: MessageId }),
  v.strictObject({ status: v.literal('package'), package: DeliveryPackage }),
  v.strictObject({ status: v.literal('aborted'), orderId: MessageId }),
]);
export type DeliveryState = v.InferOutput<typeof DeliveryState>;

/**
 * sign(accept, unique)^C: the package checked out. Time-stamped (iat) and unique (id); it carries the
 * tab purchase that pays for the product, so the purchase joins the hash chain now and not before.
 */
export const DeliveryAcceptPayload = v.strictObject({
  ...payloadHeader('delivery-accept'),
  tabId: TabId,
  orderId: MessageId,
  packageId: MessageId,
  ciphertextHash: Digest,
  purchase: Purchase,
});
export type DeliveryAcceptPayload = v.InferOutput<typeof DeliveryAcceptPayload>;
export const DeliveryAccept = envelopeOf(DeliveryAcceptPayload);
export type DeliveryAccept = v.InferOutput<typeof DeliveryAccept>;

/** Why a package failed the customer agent's check (delivery/package-check.ts). */
export const PackageProblem = v.picklist([
  'bad-signature',
  'wrong-order',
  'wrong-product',
  'wrong-description',
  'wrong-ciphertext',
  'wrong-size',
]);
export type PackageProblem = v.InferOutput<typeof PackageProblem>;

/** The package failed the check: the merchant re-sends (claim 27), up to its bound, then aborts the order. */
export const DeliveryRejectPayload = v.strictObject({
  ...payloadHeader('delivery-reject'),
  tabId: TabId,
  orderId: MessageId,
  packageId: MessageId,
  problem: PackageProblem,
});
export type DeliveryRejectPayload = v.InferOutput<typeof DeliveryRejectPayload>;
export const DeliveryReject = envelopeOf(DeliveryRejectPayload);
export type DeliveryReject = v.InferOutput<typeof DeliveryReject>;

/** [K2]^K1 (claim 26), sealed under the order id, with the receipt of the purchase the accept carried. */
export const DeliveryKeyPayload = v.strictObject({
  ...payloadHeader('delivery-key'),
  merchantId: MerchantId,
  tabId: TabId,
  orderId: MessageId,
  acceptId: MessageId,
  sealedKey: SealedKey,
  receipt: Receipt,
});
export type DeliveryKeyPayload = v.InferOutput<typeof DeliveryKeyPayload>;
export const DeliveryKey = envelopeOf(DeliveryKeyPayload);
export type DeliveryKey = v.InferOutput<typeof DeliveryKey>;

/** Merchant agent → MTA before the first package leaves: K2 sealed to the MTA's escrow key, for an arbiter. */
export const DeliveryEscrowPayload = v.strictObject({
  ...payloadHeader('delivery-escrow'),
  merchantId: MerchantId,
  tabId: TabId,
  orderId: MessageId,
  productId: ItemId,
  ciphertextHash: Digest,
  sealedKey: SealedKey,
});
export type DeliveryEscrowPayload = v.InferOutput<typeof DeliveryEscrowPayload>;
export const DeliveryEscrow = envelopeOf(DeliveryEscrowPayload);
export type DeliveryEscrow = v.InferOutput<typeof DeliveryEscrow>;

export const DeliveryEscrowAckPayload = v.strictObject({
  ...payloadHeader('delivery-escrow-ack'),
  operatorId: OperatorId,
  orderId: MessageId,
  escrowId: MessageId,
});
export type DeliveryEscrowAckPayload = v.InferOutput<typeof DeliveryEscrowAckPayload>;
export const DeliveryEscrowAck = envelopeOf(DeliveryEscrowAckPayload);
export type DeliveryEscrowAck = v.InferOutput<typeof DeliveryEscrowAck>;

/**
 * What the customer keeps and an arbiter checks offline: the merchant's certificate chain up to the
 * CA, the signed description, the order, the MTA-signed K1, the package and the accept.
 */
export const EvidenceBundle = v.strictObject({
  type: v.literal('opentab-delivery-evidence'),
  operatorCertificate: OperatorCertificate,
  merchantCertificate: MerchantCertificate,
  description: ProductDescription,
  order: DeliveryOrder,
  k1Registration: K1Registration,
  package: DeliveryPackage,
  accept: DeliveryAccept,
});
export type EvidenceBundle = v.InferOutput<typeof EvidenceBundle>;

/** An arbiter (signed by its registered key) asks the MTA for K2 of a bundle's order, sealed to its own X25519 key. */
export const KeyReleaseRequestPayload = v.strictObject({
  ...payloadHeader('key-release-request'),
  bundle: EvidenceBundle,
  arbiterKey: X25519PublicKey,
});
export type KeyReleaseRequestPayload = v.InferOutput<typeof KeyReleaseRequestPayload>;
export const KeyReleaseRequest = envelopeOf(KeyReleaseRequestPayload);
export type KeyReleaseRequest = v.InferOutput<typeof KeyReleaseRequest>;

export const KeyReleasePayload = v.strictObject({
  ...payloadHeader('key-release'),
  operatorId: OperatorId,
  orderId: MessageId,
  requestId: MessageId,
  sealedKey: SealedKey,
});
export type KeyReleasePayload = v.InferOutput<typeof KeyReleasePayload>;
export const KeyRelease = envelopeOf(KeyReleasePayload);
export type KeyRelease = v.InferOutput<typeof KeyRelease>;
