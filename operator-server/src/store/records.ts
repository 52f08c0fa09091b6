// Typed rows of the operator's tables. Amounts are bigint minor units, times epoch ms.

import type { ChainTerms, LockedRate } from '@opentab/protocol';
import type { CustomerRecord } from '@opentab/protocol';
import type { MerchantRecord } from '@opentab/protocol';
import type { AmendedInitiationPayload, ClearingOutcome, SignedDisputeResolution, TabAck } from '@opentab/protocol';
import type { PayloadBody } from '@opentab/protocol';
import type { TransactionState } from '../account-manager/transaction-states';
import type { TabState } from '../mta/tab-states';

export type TabLifecycle = TabState;
/** The AM's transactions may also lapse: no clearing came before the hold deadline. */
export type TransactionLifecycle = TransactionState;

/** What the AM sends the MTA for a transaction: sealed afresh (new id, current iat) at every attempt. */
export type AmendedInitiationBody = PayloadBody<AmendedInitiationPayload>;

/** Why a transaction failed: the refusal the customer's replayed initiation is answered with. */
export interface TransactionFailure {
  readonly code: string;
  readonly message: string;
}

/** Suspended: no new tabs (tabs already open run to their clearing). Closed: nothing more, for good. */
export type CustomerStatus = 'active' | 'suspended' | 'closed';
/** Suspended: the MTA registers no new tabs for the merchant (open tabs still clear and pay it). */
export type MerchantStatus = 'active' | 'suspended';

export interface Customer {
  readonly accountId: string;
  readonly currency: string;
  readonly displayName: string;
  readonly publicKey: string | null;
  readonly createdAt: number;
  readonly status: CustomerStatus;
  readonly statusReason: string | null;
}

export interface Merchant {
  readonly merchantId: string;
  readonly displayName: string;
  readonly currency: string;
  readonly origins: readonly string[];
  readonly agentUrl: string;
  readonly publicKey: string;
  readonly createdAt: number;
  /** Absent when registering: a new merchant is active, an update keeps its status. */
  readonly status?: MerchantStatus;
  readonly statusReason?: string | null;
}

export interface Session {
  readonly sessionId: string;
  readonly seq: number;
  readonly accountId: string;
  readonly expiresAt: number;
}

/** The AM's record of one deposit. */
export interface Transaction {
  readonly transactionId: string;
  readonly sessionId: string;
  readonly accountId: string;
  readonly merchantId: string;
  readonly merchantOperatorId: string;
  readonly state: TransactionLifecycle;
  readonly hold_minor: bigint;
  readonly customerCurrency: string;
  readonly deposit_minor: bigint;
  readonly merchantCurrency: string;
  readonly rate: LockedRate;
  readonly tabPublicKey: string;
  readonly chain: ChainTerms;
  readonly pseudonym: string;
  readonly tabId: string | null;
  readonly merchantDisplayName: string | null;
  readonly openedAt: number;
  readonly expiresAt: number;
  readonly charged_minor: bigint | null;
  readonly clearedAt: number | null;
  readonly clearingOutcome: ClearingOutcome | null;
  readonly customerRecord: CustomerRecord | null;
  /** The customer's initiation message id: one initiation is at most one transaction (null on rows from
   * before it was kept). */
  readonly initiationId: string | null;
  readonly chainRoot: string | null;
  readonly amendedInitiation: AmendedInitiationBody | null;
  /** The MTA's acknowledgement, kept so a replayed initiation is answered without asking again. */
  readonly tabAck: TabAck | null;
  readonly failure: TransactionFailure | null;
  /** What the MTA's latest clearing revision said in merchant currency; null before any clearing. */
  readonly cleared_minor: bigint | null;
  readonly clearingRevision: number;
  /** The MTA's sentence on its latest clearing revision: why the records disagreed, or what changed. */
  readonly clearingNote: string | null;
  /** The MTA's signed decision, when the operator resolved the tab's dispute. */
  readonly disputeDecision: SignedDisputeResolution | null;
}

/** The MTA's record of one trading session. */
export interface Tab {
  readonly tabId: string;
  readonly merchantId: string;
  readonly customerOperatorId: string;
  readonly transactionId: string;
  readonly state: TabLifecycle;
  readonly pseudonym: string;
  readonly tabPublicKey: string;
  readonly deposit_minor: bigint;
  readonly currency: string;
  readonly chain: ChainTerms;
  readonly openedAt: number;
  readonly expiresAt: number;
  readonly concludeAfter: number;
  readonly customerRecord: CustomerRecord | null;
  readonly merchantRecord: MerchantRecord | null;
  readonly cleared_minor: bigint | null;
  readonly outcome: ClearingOutcome | null;
  readonly clearedAt: number | null;
  readonly chainRoot: string | null;
  /** When the MTA asked the merchant agent for its record (null: not asked). */
  readonly merchantAskedAt: number | null;
  /** The merchant agent answered that it has no record of this tab: waiting longer brings none. */
  readonly merchantHasNoRecord: boolean;
  readonly clearingRevision: number;
}

/** A merchant's refund as its MTA took it (docs/DESIGN.md, Refunds). */
export interface StoredRefund {
  readonly refundId: string;
  readonly tabId: string;
  readonly amount_minor: bigint;
  readonly reason: string;
  readonly receivedAt: number;
  /** The clearing revision it was given back as; null when taken before the clearing. */
  readonly revision: number | null;
}

/** A record that reached a tab after its clearing: kept whatever its effect, never dropped. */
export interface LateRecord {
  readonly recordId: string;
  readonly tabId: string;
  readonly party: 'customer' | 'merchant';
  readonly record: CustomerRecord | MerchantRecord;
  readonly receivedAt: number;
  /** What it did: 'corrected:<revision>', 'no-change', 'after-window', or 'after-resolution'. */
  readonly effect: string;
}

export interface Dispute {
  readonly disputeId: string;
  readonly tabId: string;
  readonly createdAt: number;
  readonly cleared_minor: bigint;
  readonly reason: string;
  readonly customerRecord: CustomerRecord | null;
  readonly merchantRecord: MerchantRecord | null;
}

/** The operator's decision on a disputed tab: what the tab finally clears, signed and kept once per tab. */
export interface DisputeResolution {
  readonly tabId: string;
  readonly disputeId: string;
  readonly decision: 'uphold' | 'adjust';
  readonly clearedBefore_minor: bigint;
  readonly clearedAfter_minor: bigint;
  /** The clearing revision that carried the decision to both sides (the revision before, on an uphold). */
  readonly revision: number;
  readonly reason: string;
  /** The sealed `dispute-resolution` envelope, as JSON. */
  readonly envelope: string;
  readonly decidedAt: number;
}
