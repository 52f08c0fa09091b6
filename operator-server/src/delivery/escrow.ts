// The merchant escrows each order's K2 with the MTA, sealed to the MTA's escrow key, before its
// first package leaves: so an arbiter can have K2 even from a merchant that never sends it. The
// first escrow of an order stands, whichever process of the MTA kept it; a retry (the
// acknowledgement lost) is answered with its ack.

import {
  fromBase64url,
  fromBase64urlOfLength,
  OpentabError,
  openSealedKey,
  seal,
  SealedKeyError,
  verifyEnvelope,
  type DeliveryEscrow,
  type DeliveryEscrowAck,
  type DeliveryEscrowAckPayload,
  type K1Registration,
  type PayloadBody,
} from '@opentab/protocol';
import { assertFresh } from '../account-manager/customer-auth';
import type { OperatorContext } from '../operator-context';
import { assertMerchantInGoodStanding } from '../revocation/revocations';
import type { DeliveryAccess } from '../store/operator-records-storage';
import type { DeliverySigning, MtaDelivery } from './mta-delivery';

export async function receiveEscrow(
  context: OperatorContext,
  delivery: MtaDelivery,
  escrow: DeliveryEscrow,
  now_ms: number,
): Promise<DeliveryEscrowAck> {
  const p = escrow.payload;
  const merchant = await context.storage.merchants.merchant(p.merchantId);
  if (merchant === null) throw new OpentabError('unknown_merchant');
  // An escrow precedes a delivery not yet paid for: new business, which a revocation stops.
  await assertMerchantInGoodStanding(context.storage.revocations, merchant.merchantId);
  if (
    escrow.kid !== merchant.publicKey ||
    !verifyEnvelope(context.crypto, escrow, fromBase64urlOfLength(merchant.publicKey, 32))
  )
    throw new OpentabError('bad_signature', "The escrow is not signed with the merchant's registered key.");
  assertFresh(context, p.iat, now_ms);
  const { ack, kept } = await context.storage.transaction((tx) =>
    keepFirstEscrow(context, delivery, tx.delivery, escrow, now_ms),
  );
  if (kept) context.log.info('delivery.escrowed', { order: p.orderId, merchant: p.merchantId, tab: p.tabId });
  return ack;
}

/**
 * Keeps the escrow if it is the order's first, checked against the K1 this MTA registered for it.
 * Answers the acknowledgement of the escrow that stands: this one's only if the store kept it
 * (insert-once decides between processes), else the first one's.
 */
export async function keepFirstEscrow(
  signing: DeliverySigning,
  delivery: MtaDelivery,
  store: DeliveryAccess,
  escrow: DeliveryEscrow,
  now_ms: number,
): Promise<{ readonly ack: DeliveryEscrowAck; readonly kept: boolean }> {
  const p = escrow.payload;
  const registrationJson = await store.registrationJson(p.orderId);
  const registration = registrationJson === null ? null : (JSON.parse(registrationJson) as K1Registration);
  if (
    registration === null ||
    registration.payload.merchantId !== p.merchantId ||
    registration.payload.tabId !== p.tabId
  )
    throw new OpentabError('unknown_order', 'This MTA registered no K1 for that order of this merchant.');
  const stored = await store.escrow(p.orderId);
  if (stored !== null) return { ack: JSON.parse(stored.ackJson) as DeliveryEscrowAck, kept: false };
  const { secretKey } = await delivery.escrowKey(store, now_ms);
  try {
    openSealedKey(secretKey, fromBase64url(p.sealedKey), p.orderId);
  } catch (error) {
    if (error instanceof SealedKeyError)
      throw new OpentabError('invalid_message', 'The escrowed key is not sealed to this MTA for this order.');
    throw error;
  }
  const ack = seal(
    signing.crypto,
    signing.identity.signer,
    {
      type: 'delivery-escrow-ack',
      operatorId: signing.identity.operatorId,
      orderId: p.orderId,
      escrowId: p.id,
    } satisfies PayloadBody<DeliveryEscrowAckPayload>,
    now_ms,
  );
  if (await store.insertEscrow(p.orderId, p.merchantId, JSON.stringify(escrow), JSON.stringify(ack), now_ms))
    return { ack, kept: true };
  // Another escrow of the order was kept meanwhile (by another process): that one stands.
  const first = await store.escrow(p.orderId);
  return { ack: JSON.parse(first!.ackJson) as DeliveryEscrowAck, kept: false };
}
