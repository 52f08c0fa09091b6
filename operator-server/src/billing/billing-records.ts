// What the account manager reports to its billing systems (the seed's "API in the account
// manager"): one withdrawal record per cleared customer transaction, one deposit record per
// cleared merchant tab. Each carries a record id so a receiver can drop duplicates.

import type { WireAmount } from '../../../protocol/money/amount';
import type { ClearingOutcome } from '../../../protocol/messages/peer';
import type { LockedRate } from '../../../protocol/messages/primitives';

export interface WithdrawalRecord {
  readonly recordType: 'withdrawal';
  readonly recordId: string;
  readonly operatorId: string;
  readonly accountId: string;
  readonly transactionId: string;
  readonly tabId: string;
  readonly merchantId: string;
  readonly merchantOperatorId: string;
  /** Charged to the customer, in the customer's currency. */
  readonly amount: WireAmount;
  readonly hold: WireAmount;
  readonly released: WireAmount;
  /** What the merchant side cleared, in the merchant's currency. */
  readonly merchantAmount: WireAmount;
  readonly rate: LockedRate;
  readonly outcome: ClearingOutcome;
  readonly clearedAt: string;
}

export interface DepositRecord {
  readonly recordType: 'deposit';
  readonly recordId: string;
  readonly operatorId: string;
  readonly merchantId: string;
  readonly tabId: string;
  readonly customerOperatorId: string;
  /** Credited to the merchant, in the merchant's currency. */
  readonly amount: WireAmount;
  readonly outcome: ClearingOutcome;
  readonly clearedAt: string;
}

export type BillingRecord = WithdrawalRecord | DepositRecord;
