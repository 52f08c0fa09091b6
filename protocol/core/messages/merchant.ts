// The merchant agent's conversations: with its MTA (tab information, records, clearing) and
// with the customer agent (purchases, terminate). Purchases are the hot path and carry no
// signature: the hash-chain link is the proof of payment.

import * as v from 'valibot';
import { TabCustomerCertificate } from './certificates';
import {
  AccessPeriod_s,
  AccessToken,
  Amount,
  ChainIndex,
  ChainTerms,
  Count,
  CurrencyCode,
  DisplayName,
  Digest,
  ItemId,
  ItemTitle,
  MerchantId,
  MessageId,
  OperatorId,
  Pseudonym,
  PurchaseListKey,
  Sequence,
  TabId,
  Timestamp,
  envelopeOf,
  payloadHeader,
} from './primitives';
import { ClearingOutcome, ClearingRevision } from './peer';

/** Seed FIG 2, step 4: MTA → merchant agent. Deposit in the merchant's currency. */
export const TabInformationPayload = v.strictObject({
  ...payloadHeader('tab-information'),
  operatorId: OperatorId,
  merchantId: MerchantId,
  tabId: TabId,
  pseudonym: Pseudonym,
  customerCertificate: TabCustomerCertificate,
  deposit: Amount,
  chain: ChainTerms,
  expiresAt: Timestamp,
});
export type TabInformationPayload = v.InferOutput<typeof TabInformationPayload>;
export const TabInformation = envelopeOf(TabInformationPayload);
export type TabInformation = v.InferOutput<typeof TabInformation>;

export const TabInformationAckPayload = v.strictObject({
  ...payloadHeader('tab-information-ack'),
  merchantId: MerchantId,
  tabId: TabId,
  informationId: MessageId,
});
export type TabInformationAckPayload = v.InferOutput<typeof TabInformationAckPayload>;
export const TabInformationAck = envelopeOf(TabInformationAckPayload);
export type TabInformationAck = v.InferOutput<typeof TabInformationAck>;

/**
 * Customer agent → merchant agent, once per click. `chainIndex` is cumulative units paid after
 * this purchase. `listKey` keys the tab's purchase-list hash: the same on every purchase of the
 * tab, sent to the merchant agent and to no operator, so that both records' hash hides the list
 * from the operators (protocol/core/chain/purchase-list.ts). The agent keeps the first one it accepts
 * and refuses a purchase on the tab that names another (`list_key_mismatch`).
 */
export const Purchase = v.strictObject({
  type: v.literal('purchase'),
  id: MessageId,
  tabId: TabId,
  seq: Sequence,
  itemId: ItemId,
  price: Amount,
  chainIndex: ChainIndex,
  chainLink: Digest,
  listKey: PurchaseListKey,
});
export type Purchase = v.InferOutput<typeof Purchase>;

export const ReceiptPayload = v.strictObject({
  ...payloadHeader('receipt'),
  merchantId: MerchantId,
  tabId: TabId,
  purchaseId: MessageId,
  seq: Sequence,
  itemId: ItemId,
  price: Amount,
  chainIndex: ChainIndex,
  spent: Amount,
  remaining: Amount,
  /** Opaque to everyone but the merchant, whose own routes check it (agent.verifyAccess). */
  accessToken: AccessToken,
  /**
   * Present when the item is an entitlement: until when its access token opens it (the token's
   * own expiry). The customer agent keeps the token until then and answers a page that asks to
   * pay for the item again with it, charging nothing. Absent for a consumable, sold each time.
   */
  entitledUntil: v.optional(Timestamp),
});
export type ReceiptPayload = v.InferOutput<typeof ReceiptPayload>;
export const Receipt = envelopeOf(ReceiptPayload);
export type Receipt = v.InferOutput<typeof Receipt>;

/** At most this many receipts in one answer to a ReceiptsRequest; the customer agent asks again after the last one. */
export const MAX_RECEIPTS_PER_ANSWER = 50;

/**
 * Customer agent → merchant agent, signed by the tab key: the receipts of this tab's purchases
 * after sequence number `afterSeq`. The customer agent sends a purchase while it stores it, so a
 * browser that stops in between leaves the merchant one purchase ahead of the wallet; the wallet
 * asks for what it paid for when the merchant shows it is ahead (a refused sequence number, a
 * count in TabClosed) and records it like any receipt.
 */
export const ReceiptsRequestPayload = v.strictObject({
  ...payloadHeader('receipts-request'),
  tabId: TabId,
  afterSeq: Count,
});
export type ReceiptsRequestPayload = v.InferOutput<typeof ReceiptsRequestPayload>;
export const ReceiptsRequest = envelopeOf(ReceiptsRequestPayload);
export type ReceiptsRequest = v.InferOutput<typeof ReceiptsRequest>;

/**
 * A receipt with the chain link its purchase revealed. The link is the proof: only the customer's
 * chain yields it, so a merchant cannot make a wallet record a purchase that wallet never sent.
 */
export const PaidReceipt = v.strictObject({ receipt: Receipt, chainLink: Digest });
export type PaidReceipt = v.InferOutput<typeof PaidReceipt>;

/** In sequence order, each receipt exactly as first answered; `more` when the list stops at MAX_RECEIPTS_PER_ANSWER. */
export const ReceiptList = v.strictObject({
  tabId: TabId,
  receipts: v.pipe(v.array(PaidReceipt), v.maxLength(MAX_RECEIPTS_PER_ANSWER)),
  more: v.boolean(),
});
export type ReceiptList = v.InferOutput<typeof ReceiptList>;

/** Customer agent → merchant agent, signed by the tab key: stop the tab now. */
export const TerminatePayload = v.strictObject({ ...payloadHeader('terminate'), tabId: TabId });
export type TerminatePayload = v.InferOutput<typeof TerminatePayload>;
export const Terminate = envelopeOf(TerminatePayload);
export type Terminate = v.InferOutput<typeof Terminate>;

export const StopReason = v.picklist(['exhausted', 'merchant-stop', 'customer-terminate', 'timeout']);
export type StopReason = v.InferOutput<typeof StopReason>;

/** The merchant's summary when its tab stops (answer to terminate; also what its record states). */
export const TabClosedPayload = v.strictObject({
  ...payloadHeader('tab-closed'),
  merchantId: MerchantId,
  tabId: TabId,
  reason: StopReason,
  spent: Amount,
  count: Count,
  purchaseListHash: Digest,
  lastChainIndex: ChainIndex,
});
export type TabClosedPayload = v.InferOutput<typeof TabClosedPayload>;
export const TabClosed = envelopeOf(TabClosedPayload);
export type TabClosed = v.InferOutput<typeof TabClosed>;

/** Seed FIG 3, step 2: merchant agent → MTA, signed by the merchant key. */
export const MerchantRecordPayload = v.strictObject({
  ...payloadHeader('merchant-record'),
  merchantId: MerchantId,
  tabId: TabId,
  reason: StopReason,
  purchaseListHash: Digest,
  count: Count,
  total: Amount,
  lastChainIndex: ChainIndex,
  lastChainLink: Digest,
});
export type MerchantRecordPayload = v.InferOutput<typeof MerchantRecordPayload>;
export const MerchantRecord = envelopeOf(MerchantRecordPayload);
export type MerchantRecord = v.InferOutput<typeof MerchantRecord>;

/**
 * MTA → merchant agent: the tab is stopping (the customer sent its record, or the tab is due and
 * the MTA has no merchant record yet); stop it if it is still open and answer with the merchant
 * record. The customer's word alone never ends what the merchant can claim: the MTA asks.
 */
export const RecordRequestPayload = v.strictObject({
  ...payloadHeader('record-request'),
  operatorId: OperatorId,
  merchantId: MerchantId,
  tabId: TabId,
});
export type RecordRequestPayload = v.InferOutput<typeof RecordRequestPayload>;
export const RecordRequest = envelopeOf(RecordRequestPayload);
export type RecordRequest = v.InferOutput<typeof RecordRequest>;

/** MTA → merchant agent after clearing: what the merchant's account was credited. */
export const TabClearedPayload = v.strictObject({
  ...payloadHeader('tab-cleared'),
  operatorId: OperatorId,
  merchantId: MerchantId,
  tabId: TabId,
  cleared: Amount,
  outcome: ClearingOutcome,
  /** Absent on a first clearing; a correction states the new total under a higher revision. */
  revision: v.optional(ClearingRevision),
});
export type TabClearedPayload = v.InferOutput<typeof TabClearedPayload>;
export const TabCleared = envelopeOf(TabClearedPayload);
export type TabCleared = v.InferOutput<typeof TabCleared>;

/**
 * How a catalogue item is sold. An `entitlement` is bought once: its access token opens it for
 * `access_s` seconds, and the customer agent answers a second pay for it with the token it holds.
 * A `consumable` is sold each time it is paid for.
 */
export const CatalogueItemInfo = v.variant('kind', [
  v.strictObject({
    itemId: ItemId,
    title: ItemTitle,
    price: Amount,
    kind: v.literal('entitlement'),
    access_s: AccessPeriod_s,
  }),
  v.strictObject({ itemId: ItemId, title: ItemTitle, price: Amount, kind: v.literal('consumable') }),
]);
export type CatalogueItemInfo = v.InferOutput<typeof CatalogueItemInfo>;

/**
 * Public, unsigned: what the widget needs to show the merchant's buttons. Prices come from here,
 * never from markup. `chainUnit` (in `currency`) is what one hash-chain link is worth at this
 * merchant, the greatest common divisor of the catalogue's prices: the customer agent reads it
 * from the agent URL of the merchant certificate when it opens a tab, so a purchase reveals
 * price ÷ unit links.
 */
export const MerchantInfo = v.strictObject({
  merchantId: MerchantId,
  operatorId: OperatorId,
  displayName: DisplayName,
  currency: CurrencyCode,
  catalogue: v.pipe(v.array(CatalogueItemInfo), v.maxLength(10_000)),
  chainUnit: Amount,
});
export type MerchantInfo = v.InferOutput<typeof MerchantInfo>;
