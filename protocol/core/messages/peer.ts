// Operator ↔ operator: the customer's AM and the merchant's MTA. Every payload carries the
// sender's CA-signed operator certificate, so a receiver needs nothing but the CA key to decide
// whether the sender is an operator at all (zone 1).

import * as v from 'valibot';
import { CustomerCertificate, MerchantCertificate, OperatorCertificate } from './certificates';
import { ClearingOutcome, ClearingRevision, ResolutionDecision } from './clearing';
import { CustomerRecord } from './customer';

// Defined beside the account view that shows them, and part of the peer messages' vocabulary.
export { ClearingOutcome, ClearingRevision, ResolutionDecision } from './clearing';
import {
  Amount,
  ChainTerms,
  LockedRate,
  MerchantId,
  MessageId,
  OperatorId,
  Sentence,
  TabId,
  Timestamp,
  TransactionId,
  envelopeOf,
  payloadHeader,
} from './primitives';

function peerPayload<T extends string>(type: T) {
  return { ...payloadHeader(type), operatorCertificate: OperatorCertificate };
}

/** Seed FIG 2, step 3: the AM has placed the hold and vouches for the customer. */
export const AmendedInitiationPayload = v.strictObject({
  ...peerPayload('amended-initiation'),
  transactionId: TransactionId,
  merchantId: MerchantId,
  deposit: v.strictObject({ customer: Amount, merchant: Amount }),
  rate: LockedRate,
  customerCertificate: CustomerCertificate,
  chain: ChainTerms,
  expiresAt: Timestamp,
  orderInfo: v.optional(v.pipe(v.string(), v.maxLength(256))),
});
export type AmendedInitiationPayload = v.InferOutput<typeof AmendedInitiationPayload>;
export const AmendedInitiation = envelopeOf(AmendedInitiationPayload);
export type AmendedInitiation = v.InferOutput<typeof AmendedInitiation>;

/** Seed FIG 2, step 5: MTA → AM once the merchant agent has acknowledged. */
export const TabAckPayload = v.strictObject({
  ...peerPayload('tab-ack'),
  amendedInitiationId: MessageId,
  transactionId: TransactionId,
  tabId: TabId,
  merchantCertificate: MerchantCertificate,
  depositMerchant: Amount,
  expiresAt: Timestamp,
});
export type TabAckPayload = v.InferOutput<typeof TabAckPayload>;
export const TabAck = envelopeOf(TabAckPayload);
export type TabAck = v.InferOutput<typeof TabAck>;

/** AM → MTA: the merchant's certificate, before any money is held. Answered with a MerchantCertificate. */
export const MerchantLookupPayload = v.strictObject({ ...peerPayload('merchant-lookup'), merchantId: MerchantId });
export type MerchantLookupPayload = v.InferOutput<typeof MerchantLookupPayload>;
export const MerchantLookup = envelopeOf(MerchantLookupPayload);
export type MerchantLookup = v.InferOutput<typeof MerchantLookup>;

/** AM → MTA: the customer's record, passed on unchanged inside the AM's own signature. */
export const CustomerRecordRelayPayload = v.strictObject({
  ...peerPayload('customer-record-relay'),
  record: CustomerRecord,
});
export type CustomerRecordRelayPayload = v.InferOutput<typeof CustomerRecordRelayPayload>;
export const CustomerRecordRelay = envelopeOf(CustomerRecordRelayPayload);
export type CustomerRecordRelay = v.InferOutput<typeof CustomerRecordRelay>;

/** Seed FIG 3, step 4: MTA → the customer's AM. `cleared` is in the merchant's currency. */
export const ClearingPayload = v.strictObject({
  ...peerPayload('clearing'),
  transactionId: TransactionId,
  tabId: TabId,
  cleared: Amount,
  outcome: ClearingOutcome,
  note: Sentence,
  revision: v.optional(ClearingRevision),
});
export type ClearingPayload = v.InferOutput<typeof ClearingPayload>;
export const Clearing = envelopeOf(ClearingPayload);
export type Clearing = v.InferOutput<typeof Clearing>;

/** The customer AM's confirmation, with what it charged (customer currency) at the locked rate. */
export const ClearingAckPayload = v.strictObject({
  ...peerPayload('clearing-ack'),
  clearingId: MessageId,
  transactionId: TransactionId,
  charge: Amount,
  released: Amount,
});
export type ClearingAckPayload = v.InferOutput<typeof ClearingAckPayload>;
export const ClearingAck = envelopeOf(ClearingAckPayload);
export type ClearingAck = v.InferOutput<typeof ClearingAck>;

/** The MTA's signed decision on a disputed tab: who decided what about which tab, and why. */
export const DisputeResolutionPayload = v.strictObject({
  ...payloadHeader('dispute-resolution'),
  operatorId: OperatorId,
  disputeId: v.pipe(v.string(), v.maxLength(200)),
  tabId: TabId,
  transactionId: TransactionId,
  customerOperatorId: OperatorId,
  merchantId: MerchantId,
  decision: ResolutionDecision,
  /** What the tab had cleared before the decision, and clears after it (merchant currency). */
  clearedBefore: Amount,
  clearedAfter: Amount,
  /** The clearing revision that carries the decision (on an uphold: the revision it upheld). */
  revision: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  reason: Sentence,
});
export type DisputeResolutionPayload = v.InferOutput<typeof DisputeResolutionPayload>;
export const SignedDisputeResolution = envelopeOf(DisputeResolutionPayload);
export type SignedDisputeResolution = v.InferOutput<typeof SignedDisputeResolution>;

/**
 * MTA → the customer's AM: the signed decision on a tab the customer disputed or was disputed
 * over, so the customer can read it. Sent for an uphold too, which moves no money.
 */
export const DisputeDecisionPayload = v.strictObject({
  ...peerPayload('dispute-decision'),
  resolution: SignedDisputeResolution,
});
export type DisputeDecisionPayload = v.InferOutput<typeof DisputeDecisionPayload>;
export const DisputeDecision = envelopeOf(DisputeDecisionPayload);
export type DisputeDecision = v.InferOutput<typeof DisputeDecision>;

/** The customer AM's confirmation that it keeps the decision for the customer's account. */
export const DisputeDecisionAckPayload = v.strictObject({
  ...peerPayload('dispute-decision-ack'),
  decisionId: MessageId,
  transactionId: TransactionId,
});
export type DisputeDecisionAckPayload = v.InferOutput<typeof DisputeDecisionAckPayload>;
export const DisputeDecisionAck = envelopeOf(DisputeDecisionAckPayload);
export type DisputeDecisionAck = v.InferOutput<typeof DisputeDecisionAck>;

export const RecordStatus = v.picklist(['recorded', 'cleared']);

/** MTA's answer to either record (customer or merchant). */
export const RecordAckPayload = v.strictObject({
  ...payloadHeader('record-ack'),
  operatorId: OperatorId,
  recordId: MessageId,
  tabId: TabId,
  status: RecordStatus,
});
export type RecordAckPayload = v.InferOutput<typeof RecordAckPayload>;
export const RecordAck = envelopeOf(RecordAckPayload);
export type RecordAck = v.InferOutput<typeof RecordAck>;
