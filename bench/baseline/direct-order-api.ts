// PRIOR-ART BASELINE (seed FIG 1), not part of the Opentab flow: the merchant's side of a
// per-purchase payment, for the benchmark to compare tabs against on the same servers and stores.
// Step 1: the customer orders one catalogue item at the merchant agent and gets a merchant-signed
// order. Steps 2–3 (direct-payment-api.ts): the customer's AM pays it through the merchant's MTA.
// Step 4: the MTA notifies the merchant agent, which marks the order paid and acknowledges signed;
// the customer then fetches the goods: the merchant's signed receipt with an access token, the
// same token a tab purchase's receipt carries. Routes are relative to the agent's mount path.

import * as v from 'valibot';
import {
  Amount,
  ItemId,
  MerchantId,
  MessageId,
  OperatorId,
  TransactionId,
  envelopeOf,
  payloadHeader,
} from '@opentab/protocol';
import { SMALL_BODY_BYTES, route } from '@opentab/protocol';

/** The merchant agent's id for one direct order; 96 random bits, as tab ids. */
export const OrderId = v.pipe(v.string(), v.regex(/^ord_[0-9a-f]{24}$/, 'must be an order id'));

/** Customer → merchant agent (seed FIG 1, step 1), unsigned like a purchase: order this one item. */
export const DirectOrderRequest = v.strictObject({
  type: v.literal('direct-order-request'),
  /** Random; a replay gets the first order. Also the customer's claim on the goods: it never leaves customer
   * and merchant. */
  id: MessageId,
  itemId: ItemId,
});
export type DirectOrderRequest = v.InferOutput<typeof DirectOrderRequest>;

/** Merchant agent → customer, signed by the merchant key: what the customer's AM pays and the MTA checks. */
export const DirectOrderPayload = v.strictObject({
  ...payloadHeader('direct-order'),
  merchantId: MerchantId,
  /** The merchant's operator, whose MTA takes the payment. */
  operatorId: OperatorId,
  orderId: OrderId,
  itemId: ItemId,
  /** The catalogue price, in the merchant's currency. */
  price: Amount,
});
export type DirectOrderPayload = v.InferOutput<typeof DirectOrderPayload>;
export const DirectOrder = envelopeOf(DirectOrderPayload);
export type DirectOrder = v.InferOutput<typeof DirectOrder>;

/** MTA → merchant agent (seed FIG 1, step 4), signed by the operator key: the order is paid, the merchant credited. */
export const DirectPaymentNoticePayload = v.strictObject({
  ...payloadHeader('direct-payment-notice'),
  operatorId: OperatorId,
  merchantId: MerchantId,
  orderId: OrderId,
  /** The customer AM's id of the payment. */
  paymentId: TransactionId,
  /** What the merchant was credited: the order's price. */
  amount: Amount,
});
export type DirectPaymentNoticePayload = v.InferOutput<typeof DirectPaymentNoticePayload>;
export const DirectPaymentNotice = envelopeOf(DirectPaymentNoticePayload);
export type DirectPaymentNotice = v.InferOutput<typeof DirectPaymentNotice>;

/** Merchant agent → MTA, signed by the merchant key: the order is recorded as paid (on disk). */
export const DirectPaymentNoticeAckPayload = v.strictObject({
  ...payloadHeader('direct-payment-notice-ack'),
  merchantId: MerchantId,
  orderId: OrderId,
  noticeId: MessageId,
  paymentId: TransactionId,
});
export type DirectPaymentNoticeAckPayload = v.InferOutput<typeof DirectPaymentNoticeAckPayload>;
export const DirectPaymentNoticeAck = envelopeOf(DirectPaymentNoticeAckPayload);
export type DirectPaymentNoticeAck = v.InferOutput<typeof DirectPaymentNoticeAck>;

/** Customer → merchant agent: the goods of a paid order. `requestId` is the id of the order request, which proves it is the customer's order. */
export const DirectGoodsRequest = v.strictObject({
  type: v.literal('direct-goods-request'),
  orderId: OrderId,
  requestId: MessageId,
});
export type DirectGoodsRequest = v.InferOutput<typeof DirectGoodsRequest>;

/** Merchant agent → customer, signed by the merchant key: the sale, with the access token that releases the content. */
export const DirectOrderReceiptPayload = v.strictObject({
  ...payloadHeader('direct-order-receipt'),
  merchantId: MerchantId,
  orderId: OrderId,
  paymentId: TransactionId,
  itemId: ItemId,
  price: Amount,
  /** The same scheme as a tab receipt's token: the merchant's pages check it with agent.verifyAccess. */
  accessToken: v.pipe(v.string(), v.maxLength(512)),
});
export type DirectOrderReceiptPayload = v.InferOutput<typeof DirectOrderReceiptPayload>;
export const DirectOrderReceipt = envelopeOf(DirectOrderReceiptPayload);
export type DirectOrderReceipt = v.InferOutput<typeof DirectOrderReceipt>;

export const DIRECT_ORDER_API = {
  directOrder: route({
    method: 'POST',
    path: '/direct/order',
    summary:
      'Prior-art baseline (seed FIG 1, step 1): order one catalogue item for payment through the operators, without a tab.',
    auth: 'public',
    request: DirectOrderRequest,
    response: DirectOrder,
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
  directPaymentNotice: route({
    method: 'POST',
    path: '/mta/direct-payment-notice',
    summary:
      'Prior-art baseline (seed FIG 1, step 4): the MTA says a direct order is paid; answered with a signed ack.',
    auth: 'operator-signature',
    request: DirectPaymentNotice,
    response: DirectPaymentNoticeAck,
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
  directGoods: route({
    method: 'POST',
    path: '/direct/goods',
    summary:
      "Prior-art baseline: the goods of a paid direct order, as the merchant's signed receipt with an access token.",
    auth: 'public',
    request: DirectGoodsRequest,
    response: DirectOrderReceipt,
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
} as const;
