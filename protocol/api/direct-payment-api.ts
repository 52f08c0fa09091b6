// PRIOR-ART BASELINE (seed FIG 1), not part of the Opentab flow: one full authorize-hold-capture
// payment per purchase, for the benchmark to compare tabs against on the same servers and store.
// The customer signs a payment order; its AM converts, holds, asks the merchant's MTA to credit
// the merchant, captures, and answers with a signed receipt. No tab, no hash chain, no pseudonym.

import * as v from 'valibot';
import { OperatorCertificate } from '../messages/certificates';
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
} from '../messages/primitives';
import { SMALL_BODY_BYTES, route } from './route';

/** Customer → its AM, signed by the customer's identity key: pay this one item now. */
export const DirectPaymentOrderPayload = v.strictObject({
  ...payloadHeader('direct-payment-order'),
  accountId: AccountId,
  sessionId: SessionId,
  merchantId: MerchantId,
  merchantOperatorId: OperatorId,
  itemId: ItemId,
  /** In the merchant's currency, as the merchant prices it. */
  price: Amount,
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
  merchantId: MerchantId,
  itemId: ItemId,
  /** What the merchant is credited, in its currency. */
  amount: Amount,
});
export type DirectPaymentCreditPayload = v.InferOutput<typeof DirectPaymentCreditPayload>;
export const DirectPaymentCredit = envelopeOf(DirectPaymentCreditPayload);
export type DirectPaymentCredit = v.InferOutput<typeof DirectPaymentCredit>;

/** Merchant MTA → customer AM, signed by the MTA: the merchant's account was credited. */
export const DirectPaymentCreditedPayload = v.strictObject({
  ...payloadHeader('direct-payment-credited'),
  operatorCertificate: OperatorCertificate,
  creditId: MessageId,
  paymentId: TransactionId,
  merchantId: MerchantId,
  amount: Amount,
});
export type DirectPaymentCreditedPayload = v.InferOutput<typeof DirectPaymentCreditedPayload>;
export const DirectPaymentCredited = envelopeOf(DirectPaymentCreditedPayload);
export type DirectPaymentCredited = v.InferOutput<typeof DirectPaymentCredited>;

/** Customer AM → customer, signed by the AM: what was paid and what it cost in the customer's currency. */
export const DirectPaymentReceiptPayload = v.strictObject({
  ...payloadHeader('direct-payment-receipt'),
  operatorId: OperatorId,
  orderId: MessageId,
  paymentId: TransactionId,
  merchantId: MerchantId,
  itemId: ItemId,
  price: Amount,
  charged: Amount,
  rate: LockedRate,
});
export type DirectPaymentReceiptPayload = v.InferOutput<typeof DirectPaymentReceiptPayload>;
export const DirectPaymentReceipt = envelopeOf(DirectPaymentReceiptPayload);
export type DirectPaymentReceipt = v.InferOutput<typeof DirectPaymentReceipt>;

export const DIRECT_PAYMENT_API = {
  directPayment: route({
    method: 'POST', path: '/v1/customer/direct-payments',
    summary: 'Prior-art baseline (seed FIG 1): authorize, hold and capture one purchase at once, without a tab.',
    auth: 'customer-signature', request: DirectPaymentOrder, response: DirectPaymentReceipt, maxBody_bytes: SMALL_BODY_BYTES,
  }),
  peerDirectPayment: route({
    method: 'POST', path: '/v1/peer/direct-payment',
    summary: "Prior-art baseline: the customer's AM has held the money; credit the merchant.",
    auth: 'operator-signature', request: DirectPaymentCredit, response: DirectPaymentCredited, maxBody_bytes: SMALL_BODY_BYTES,
  }),
} as const;
