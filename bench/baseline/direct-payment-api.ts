// PRIOR-ART BASELINE (seed FIG 1), not part of the Opentab flow: one full authorize-hold-capture
// payment per purchase, for the benchmark to compare tabs against on the same servers and store.
// Steps 2–3 of FIG 1: the customer signs a payment order naming the merchant's signed order
// (step 1, direct-order-api.ts); its AM converts, holds, and asks the merchant's MTA to credit the
// merchant. The MTA checks the merchant's signature on the order, credits, notifies the merchant
// agent (step 4) and answers; the AM captures and answers with a signed receipt. No tab, no hash
// chain, no pseudonym.

import * as v from 'valibot';
import { OperatorCertificate } from '@opentab/protocol';
import {
  AccountId,
  Amount,
  ItemId,
  LockedRate,
  MerchantId,
  MessageId,
  OperatorId,
  SessionId,
  TransactionId,
  envelopeOf,
  payloadHeader,
} from '@opentab/protocol';
import { DirectOrder, OrderId } from './direct-order-api';
import { SMALL_BODY_BYTES, route } from '@opentab/protocol';

/** Customer → its AM, signed by the customer's identity key: pay this merchant order now. */
export const DirectPaymentOrderPayload = v.strictObject({
  ...payloadHeader('direct-payment-order'),
  accountId: AccountId,
  sessionId: SessionId,
  /**
   * The merchant-signed order, as the merchant agent answered it: merchant, its operator, item and
   * price come from here. The AM cannot check the merchant's key; the merchant's MTA does.
   */
  merchantOrder: DirectOrder,
  /** The rate table the customer saw the converted price in; the AM converts with exactly that one. */
  rateTableId: MessageId,
});
export type DirectPaymentOrderPayload = v.InferOutput<typeof DirectPaymentOrderPayload>;
export const DirectPaymentOrder = envelopeOf(DirectPaymentOrderPayload);
export type DirectPaymentOrder = v.InferOutput<typeof DirectPaymentOrder>;

/** Customer AM → merchant MTA, signed by the AM: the money is held, credit the merchant. */
export const DirectPaymentCreditPayload = v.strictObject({
  ...payloadHeader('direct-payment-credit'),
  operatorCertificate: OperatorCertificate,
  paymentId: TransactionId,
  /** The merchant-signed order being paid; the MTA checks the signature against the merchant's registered key. */
  merchantOrder: DirectOrder,
  /** What the merchant is credited, in its currency: the order's price. */
  amount: Amount,
});
export type DirectPaymentCreditPayload = v.InferOutput<typeof DirectPaymentCreditPayload>;
export const DirectPaymentCredit = envelopeOf(DirectPaymentCreditPayload);
export type DirectPaymentCredit = v.InferOutput<typeof DirectPaymentCredit>;

/**
 * Merchant MTA → customer AM, signed by the MTA: the merchant's account was credited.
 * `merchantNotified` is false when the merchant agent had not acknowledged the payment notice by
 * the time of this answer; the MTA keeps delivering it (at least once) until it does.
 */
export const DirectPaymentCreditedPayload = v.strictObject({
  ...payloadHeader('direct-payment-credited'),
  operatorCertificate: OperatorCertificate,
  creditId: MessageId,
  paymentId: TransactionId,
  merchantId: MerchantId,
  orderId: OrderId,
  amount: Amount,
  merchantNotified: v.boolean(),
});
export type DirectPaymentCreditedPayload = v.InferOutput<typeof DirectPaymentCreditedPayload>;
export const DirectPaymentCredited = envelopeOf(DirectPaymentCreditedPayload);
export type DirectPaymentCredited = v.InferOutput<typeof DirectPaymentCredited>;

/** Customer AM → customer, signed by the AM: what was paid and what it cost in the customer's currency. */
export const DirectPaymentReceiptPayload = v.strictObject({
  ...payloadHeader('direct-payment-receipt'),
  operatorId: OperatorId,
  /** The id of the customer's payment order. */
  orderId: MessageId,
  paymentId: TransactionId,
  merchantId: MerchantId,
  merchantOrderId: OrderId,
  itemId: ItemId,
  price: Amount,
  charged: Amount,
  rate: LockedRate,
  /** Whether the merchant had acknowledged the payment when this receipt was made (see DirectPaymentCredited). */
  merchantNotified: v.boolean(),
});
export type DirectPaymentReceiptPayload = v.InferOutput<typeof DirectPaymentReceiptPayload>;
export const DirectPaymentReceipt = envelopeOf(DirectPaymentReceiptPayload);
export type DirectPaymentReceipt = v.InferOutput<typeof DirectPaymentReceipt>;

export const DIRECT_PAYMENT_API = {
  directPayment: route({
    method: 'POST',
    path: '/v1/customer/direct-payments',
    summary:
      'Prior-art baseline (seed FIG 1, step 2): authorize, hold and capture the payment of one merchant order at once, without a tab.',
    auth: 'customer-signature',
    request: DirectPaymentOrder,
    response: DirectPaymentReceipt,
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
  peerDirectPayment: route({
    method: 'POST',
    path: '/v1/peer/direct-payment',
    summary:
      "Prior-art baseline (seed FIG 1, steps 3–4): the customer's AM has held the money; credit the merchant and notify its agent.",
    auth: 'operator-signature',
    request: DirectPaymentCredit,
    response: DirectPaymentCredited,
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
} as const;
