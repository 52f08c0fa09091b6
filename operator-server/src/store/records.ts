// Typed rows of the operator's tables. Amounts are bigint minor units, times epoch ms.

import type { ChainTerms, LockedRate } from '../../../protocol/messages/primitives';
import type { CustomerRecord } from '../../../protocol/messages/customer';
import type { MerchantRecord } from '../../../protocol/messages/merchant';
import type { ClearingOutcome } from '../../../protocol/messages/peer';

export type TabLifecycle = 'opening' | 'open' | 'cleared' | 'failed';
/** The AM's transactions may also lapse: no clearing came before the hold deadline. */
export type TransactionLifecycle = TabLifecycle | 'lapsed';

export interface Customer {
  readonly accountId: string;
  readonly currency: string;
  readonly displayName: string;
  readonly publicKey: string | null;
  readonly createdAt: number;
}

export interface Merchant {
  readonly merchantId: string;
  readonly displayName: string;
  readonly currency: string;
  readonly origins: readonly string[];
  readonly agentUrl: string;
  readonly publicKey: string;
  readonly createdAt: number;
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
  readonly holdMinor: bigint;
  readonly customerCurrency: string;
  readonly depositMinor: bigint;
  readonly merchantCurrency: string;
  readonly rate: LockedRate;
  readonly tabPublicKey: string;
  readonly chain: ChainTerms;
  readonly pseudonym: string;
  readonly tabId: string | null;
  readonly merchantDisplayName: string | null;
  readonly openedAt: number;
  readonly expiresAt: number;
  readonly chargedMinor: bigint | null;
  readonly clearedAt: number | null;
  readonly clearingOutcome: ClearingOutcome | null;
  readonly customerRecord: CustomerRecord | null;
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
  readonly depositMinor: bigint;
  readonly currency: string;
  readonly chain: ChainTerms;
  readonly openedAt: number;
  readonly expiresAt: number;
  readonly concludeAfter: number;
  readonly customerRecord: CustomerRecord | null;
  readonly merchantRecord: MerchantRecord | null;
  readonly clearedMinor: bigint | null;
  readonly outcome: ClearingOutcome | null;
  readonly clearedAt: number | null;
}

export interface Dispute {
  readonly disputeId: string;
  readonly tabId: string;
  readonly createdAt: number;
  readonly clearedMinor: bigint;
  readonly reason: string;
  readonly customerRecord: CustomerRecord | null;
  readonly merchantRecord: MerchantRecord | null;
}
