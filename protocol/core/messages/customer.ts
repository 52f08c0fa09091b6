// Customer agent (the extension) ↔ its own account manager. Every request is signed by the
// customer's identity key, except where noted; the AM's answers that the customer must be able
// to prove later (the opened tab, the vouched merchant) are signed by the AM.

import * as v from 'valibot';
import { MerchantCertificate, OperatorCertificate } from './certificates';
import { ClearingOutcome, ClearingRevision, ResolutionDecision } from './clearing';
import {
  AccountId,
  Amount,
  ChainTerms,
  CurrencyCode,
  Digest,
  DisplayName,
  LockedRate,
  MerchantId,
  MessageId,
  OperatorId,
  PublicKey,
  SessionId,
  SignedAmount,
  Count,
  ChainIndex,
  TabId,
  Timestamp,
  Sentence,
  TransactionId,
  envelopeOf,
  payloadHeader,
} from './primitives';

/** Signed by the key being enrolled, proving the customer holds it. */
export const EnrollPayload = v.strictObject({
  ...payloadHeader('enroll'),
  code: v.pipe(v.string(), v.regex(/^[A-Z0-9-]{8,64}$/, 'must be an enrolment code')),
  publicKey: PublicKey,
});
export type EnrollPayload = v.InferOutput<typeof EnrollPayload>;
export const EnrollRequest = envelopeOf(EnrollPayload);
export type EnrollRequest = v.InferOutput<typeof EnrollRequest>;

export const EnrollResult = v.strictObject({
  accountId: AccountId,
  operatorId: OperatorId,
  currency: CurrencyCode,
  operatorCertificate: OperatorCertificate,
});
export type EnrollResult = v.InferOutput<typeof EnrollResult>;

export const LogonPayload = v.strictObject({ ...payloadHeader('logon'), accountId: AccountId });
export type LogonPayload = v.InferOutput<typeof LogonPayload>;
export const LogonRequest = envelopeOf(LogonPayload);
export type LogonRequest = v.InferOutput<typeof LogonRequest>;

export const LogonResult = v.strictObject({ sessionId: SessionId, expiresAt: Timestamp });
export type LogonResult = v.InferOutput<typeof LogonResult>;

export const AccountQueryPayload = v.strictObject({
  ...payloadHeader('account-query'),
  accountId: AccountId,
  sessionId: SessionId,
});
export type AccountQueryPayload = v.InferOutput<typeof AccountQueryPayload>;
export const AccountQuery = envelopeOf(AccountQueryPayload);
export type AccountQuery = v.InferOutput<typeof AccountQuery>;

/** 'lapsed': the MTA never cleared the tab within the operator's hold deadline, so the hold was released. */
export const TabState = v.picklist(['opening', 'open', 'closing', 'cleared', 'failed', 'lapsed']);
export type TabState = v.InferOutput<typeof TabState>;

/** The operator's decision on the tab's dispute, as the merchant's operator signed it. */
export const TabDisputeDecision = v.strictObject({
  operatorId: OperatorId,
  decision: ResolutionDecision,
  /** What the tab cleared before the decision and after it, in the merchant's currency. */
  clearedBefore: Amount,
  clearedAfter: Amount,
  reason: Sentence,
  decidedAt: Timestamp,
});
export type TabDisputeDecision = v.InferOutput<typeof TabDisputeDecision>;

/**
 * How a tab's clearing came out for the customer: `disputed` when the two records disagreed and
 * the merchant's operator cleared only what a chain link proves. `charged` is the tab's `charged`.
 */
export const TabClearing = v.strictObject({
  outcome: ClearingOutcome,
  /** What the merchant's operator cleared, in the merchant's currency (its latest revision). */
  cleared: Amount,
  revision: ClearingRevision,
  /** That operator's sentence on its latest revision: why the records disagreed, or what changed. */
  note: v.nullable(Sentence),
  decision: v.nullable(TabDisputeDecision),
});
export type TabClearing = v.InferOutput<typeof TabClearing>;

export const AccountTab = v.strictObject({
  transactionId: TransactionId,
  tabId: v.nullable(TabId),
  merchantId: MerchantId,
  merchantOperatorId: OperatorId,
  merchantDisplayName: v.nullable(DisplayName),
  state: TabState,
  hold: Amount,
  depositMerchant: v.nullable(Amount),
  charged: v.nullable(Amount),
  openedAt: Timestamp,
  expiresAt: Timestamp,
  clearedAt: v.nullable(Timestamp),
  /** How the tab cleared; null until it did. */
  clearing: v.nullable(TabClearing),
});
export type AccountTab = v.InferOutput<typeof AccountTab>;

export const HistoryEntry = v.strictObject({
  entryId: v.pipe(v.string(), v.maxLength(160)),
  at: Timestamp,
  kind: v.picklist(['charge', 'credit', 'adjustment']),
  amount: SignedAmount,
  transactionId: v.nullable(TransactionId),
  merchantDisplayName: v.nullable(DisplayName),
  memo: v.pipe(v.string(), v.maxLength(200)),
});
export type HistoryEntry = v.InferOutput<typeof HistoryEntry>;

export const AccountView = v.strictObject({
  accountId: AccountId,
  operatorId: OperatorId,
  currency: CurrencyCode,
  balance: SignedAmount,
  creditLimit: Amount,
  held: Amount,
  available: Amount,
  tabs: v.pipe(v.array(AccountTab), v.maxLength(1000)),
  history: v.pipe(v.array(HistoryEntry), v.maxLength(1000)),
});
export type AccountView = v.InferOutput<typeof AccountView>;

/** Ask the own AM for a merchant's certificate before opening a tab, so the origin can be checked first. */
export const MerchantQueryPayload = v.strictObject({
  ...payloadHeader('merchant-query'),
  accountId: AccountId,
  sessionId: SessionId,
  merchantId: MerchantId,
  merchantOperatorId: OperatorId,
});
export type MerchantQueryPayload = v.InferOutput<typeof MerchantQueryPayload>;
export const MerchantQuery = envelopeOf(MerchantQueryPayload);
export type MerchantQuery = v.InferOutput<typeof MerchantQuery>;

/**
 * The AM's signature over the merchant's certificate and the CA-signed certificate of the merchant's
 * operator that signed it: the customer agent believes the vouch only if that operator's certificate
 * verifies against the CA its own operator's certificate was signed by (pinned at enrolment).
 */
export const MerchantVouchPayload = v.strictObject({
  ...payloadHeader('merchant-vouch'),
  operatorId: OperatorId,
  merchantCertificate: MerchantCertificate,
  merchantOperatorCertificate: OperatorCertificate,
});
export type MerchantVouchPayload = v.InferOutput<typeof MerchantVouchPayload>;
export const MerchantVouch = envelopeOf(MerchantVouchPayload);
export type MerchantVouch = v.InferOutput<typeof MerchantVouch>;

/** Seed FIG 2, step 2: open a tab with a deposit in the customer's currency. */
export const InitiationPayload = v.strictObject({
  ...payloadHeader('initiation'),
  accountId: AccountId,
  sessionId: SessionId,
  merchantId: MerchantId,
  merchantOperatorId: OperatorId,
  deposit: Amount,
  /** The id of the rate table the customer saw; the AM converts with exactly that table. */
  rateTableId: MessageId,
  tabPublicKey: PublicKey,
  chain: ChainTerms,
  timeout_s: v.pipe(v.number(), v.safeInteger(), v.minValue(10), v.maxValue(7 * 24 * 3600)),
  orderInfo: v.optional(v.pipe(v.string(), v.maxLength(256))),
});
export type InitiationPayload = v.InferOutput<typeof InitiationPayload>;
export const Initiation = envelopeOf(InitiationPayload);
export type Initiation = v.InferOutput<typeof Initiation>;

/** The AM's answer once the whole chain has acknowledged: the tab is open. */
export const TabOpenedPayload = v.strictObject({
  ...payloadHeader('tab-opened'),
  operatorId: OperatorId,
  initiationId: MessageId,
  transactionId: TransactionId,
  tabId: TabId,
  merchantCertificate: MerchantCertificate,
  deposit: v.strictObject({ customer: Amount, merchant: Amount }),
  rate: LockedRate,
  chain: ChainTerms,
  expiresAt: Timestamp,
});
export type TabOpenedPayload = v.InferOutput<typeof TabOpenedPayload>;
export const TabOpened = envelopeOf(TabOpenedPayload);
export type TabOpened = v.InferOutput<typeof TabOpened>;

/** Seed FIG 3: the customer's account of the tab, signed by the tab key. */
export const CustomerRecordPayload = v.strictObject({
  ...payloadHeader('customer-record'),
  transactionId: TransactionId,
  tabId: TabId,
  purchaseListHash: Digest,
  count: Count,
  total: Amount,
  lastChainIndex: ChainIndex,
  lastChainLink: Digest,
});
export type CustomerRecordPayload = v.InferOutput<typeof CustomerRecordPayload>;
export const CustomerRecord = envelopeOf(CustomerRecordPayload);
export type CustomerRecord = v.InferOutput<typeof CustomerRecord>;
