// The extension's delivery page and popup → background: the customer's side of secure delivery
// (seed FIG 4). Apart from ui-calls.ts: its own channel, handled by background/delivery/. The page
// moves the bytes (download, hash, decrypt, save); the background holds the keys and sends every
// signed message.

import * as v from 'valibot';
import type { PackageProblem, WireAmount } from '@opentab/protocol';
import type { CallResult } from './result';
import type { BridgeErrorCode } from '@opentab/protocol';

export const DELIVERY_CALL_CHANNEL = 'opentab:delivery-call';

/**
 * offered: the description is shown, nothing is signed yet; ordered: order and K1 are out, packages
 * are being checked; accepted: the accept paid, the key came; delivered: the file was saved;
 * aborted: the merchant's re-sends ran out (nothing charged); declined: the customer said no;
 * failed: something after the accept went wrong (the evidence is kept for an arbiter).
 */
export type DeliveryStatus = 'offered' | 'ordered' | 'accepted' | 'delivered' | 'aborted' | 'declined' | 'failed';

export interface DeliveryView {
  readonly localId: string;
  readonly status: DeliveryStatus;
  readonly merchantId: string;
  readonly merchantDisplayName: string;
  /** What the merchant signed (sign(prod.desc)^M), as the customer reads it before ordering. */
  readonly product: {
    readonly productId: string;
    readonly name: string;
    readonly summary: string;
    readonly fileName: string;
    readonly mediaType: string;
    readonly size_bytes: number;
    readonly price: WireAmount;
  };
  /** The merchant key that signed the description (base64url), the one of its certificate. */
  readonly signedBy: string;
  /** The problems of the packages refused so far, in order. */
  readonly rejected: readonly PackageProblem[];
  readonly createdAt_ms: number;
  /** Until when the product may be downloaded again and its evidence is kept; null before the accept. */
  readonly accessUntil_ms: number | null;
  readonly failure: string | null;
}

/** What the page does next. */
export type DeliveryStep =
  /** Download the package's ciphertext, hashing it, and report its hash and size (checkDownload). */
  | {
      readonly kind: 'download';
      readonly url: string;
      readonly packageId: string;
      readonly encryptedSize_bytes: number;
      readonly attempt: number;
    }
  /** Accepted and paid: K2 (base64url) decrypts the ciphertext downloaded. */
  | { readonly kind: 'key'; readonly key: string }
  /** The merchant gave up after its last re-send; nothing was charged. */
  | { readonly kind: 'aborted' };

/** Everything to download the product again within its access period. */
export interface Redownload {
  readonly url: string;
  readonly ciphertextHash: string;
  readonly encryptedSize_bytes: number;
  readonly key: string;
}

const LocalId = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/));
const ById = v.strictObject({ localId: LocalId });

/** Each call's parameters, checked in the background even though only the extension's own pages send them. */
export const DELIVERY_CALL_PARAMS = {
  getDelivery: ById,
  listDeliveries: v.strictObject({}),
  orderDelivery: ById,
  declineDelivery: ById,
  checkDownload: v.strictObject({
    localId: LocalId,
    packageId: v.pipe(v.string(), v.maxLength(64)),
    sha256: v.pipe(v.string(), v.maxLength(64)),
    size_bytes: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  }),
  deliverySaved: ById,
  deliveryFailed: v.strictObject({ localId: LocalId, message: v.pipe(v.string(), v.maxLength(500)) }),
  redownload: ById,
  exportEvidence: ById,
} as const;

export interface DeliveryCalls {
  getDelivery: { params: v.InferOutput<typeof ById>; result: DeliveryView };
  listDeliveries: { params: Record<string, never>; result: readonly DeliveryView[] };
  orderDelivery: { params: v.InferOutput<typeof ById>; result: DeliveryStep };
  declineDelivery: { params: v.InferOutput<typeof ById>; result: DeliveryView };
  checkDownload: { params: v.InferOutput<(typeof DELIVERY_CALL_PARAMS)['checkDownload']>; result: DeliveryStep };
  deliverySaved: { params: v.InferOutput<typeof ById>; result: DeliveryView };
  deliveryFailed: { params: v.InferOutput<(typeof DELIVERY_CALL_PARAMS)['deliveryFailed']>; result: DeliveryView };
  redownload: { params: v.InferOutput<typeof ById>; result: Redownload };
  exportEvidence: { params: v.InferOutput<typeof ById>; result: { readonly fileName: string; readonly json: string } };
}

export type DeliveryCall = keyof DeliveryCalls;

export interface DeliveryCallMessage<C extends DeliveryCall = DeliveryCall> {
  readonly channel: typeof DELIVERY_CALL_CHANNEL;
  readonly call: C;
  readonly params: unknown;
}

export type DeliveryCallResult<C extends DeliveryCall = DeliveryCall> = CallResult<
  DeliveryCalls[C]['result'],
  BridgeErrorCode
>;

export function isDeliveryCallMessage(message: unknown): message is DeliveryCallMessage {
  if (typeof message !== 'object' || message === null) return false;
  const candidate = message as Record<string, unknown>;
  return candidate.channel === DELIVERY_CALL_CHANNEL && typeof candidate.call === 'string';
}
