// A merchant's refund of what a tab paid, and its MTA's answer (docs/DESIGN.md, Refunds). The
// purchase list and both records stay as they were: the refund is the merchant's own signed word
// that it keeps less, which the MTA subtracts from the clearing, or, after the clearing, gives back
// as a new revision of it.

import * as v from 'valibot';
import { Amount, MerchantId, MessageId, OperatorId, Sentence, TabId, envelopeOf, payloadHeader } from './primitives';
import { ClearingRevision } from './peer';

/** Chosen by the merchant once per refund (128 random bits, like a message id); a retry names it again. */
export const RefundId = MessageId;

/** Merchant agent → its MTA, signed by the merchant key. A retry may carry a new message id and time. */
export const RefundPayload = v.strictObject({
  ...payloadHeader('refund'),
  merchantId: MerchantId,
  tabId: TabId,
  refundId: RefundId,
  amount: Amount,
  reason: v.pipe(Sentence, v.minLength(1)),
});
export type RefundPayload = v.InferOutput<typeof RefundPayload>;
export const Refund = envelopeOf(RefundPayload);
export type Refund = v.InferOutput<typeof Refund>;

/**
 * 'before-clearing': kept, and subtracted when the tab clears. 'after-clearing': given back at once
 * as clearing revision `revision`.
 */
export const RefundTiming = v.picklist(['before-clearing', 'after-clearing']);
export type RefundTiming = v.InferOutput<typeof RefundTiming>;

/** MTA → merchant agent, signed by the operator key: the refund is taken (or was, for a retry). */
export const RefundAckPayload = v.strictObject({
  ...payloadHeader('refund-ack'),
  operatorId: OperatorId,
  refundId: RefundId,
  tabId: TabId,
  amount: Amount,
  timing: RefundTiming,
  revision: v.optional(ClearingRevision),
});
export type RefundAckPayload = v.InferOutput<typeof RefundAckPayload>;
export const RefundAck = envelopeOf(RefundAckPayload);
export type RefundAck = v.InferOutput<typeof RefundAck>;
