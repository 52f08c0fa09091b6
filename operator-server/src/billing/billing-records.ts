// What the account manager reports to its billing systems (the seed's "API in the account
// manager"): one withdrawal record per cleared customer transaction, one deposit record per
// cleared merchant tab. Each carries a record id so a receiver can drop duplicates.
//
// The prior-art baseline the benchmark compares tabs against (seed FIG 1, direct payments) writes
// the same two records, once per purchase instead of once per tab: `source` says which kind of
// sale a record bills, and with it what its id fields hold.

import type { WireAmount } from '../../../protocol/money/amount';
import type { ClearingOutcome } from '../../../protocol/messages/peer';
import type { LockedRate } from '../../../protocol/messages/primitives';

/**
 * What a record bills.
 * - `'tab'`: a cleared tab (seed FIG 3, step 4): one withdrawal at the customer's AM and one
 *   deposit at the merchant's operator per tab.
 * - `'direct-payment'`: one purchase paid by the prior-art baseline (seed FIG 1,
 *   `protocol/api/direct-payment-api.ts`): one withdrawal at the customer's AM when it captures
 *   the charge, one deposit at the merchant's operator when it credits the merchant, per purchase.
 *   Its `tabId` is the merchant's order id (`ord_…`), `transactionId` the payment id, and
 *   `outcome` is always `'agreed'` (the merchant signed the order, the customer its payment).
 *
 * Records enqueued before the field existed carry none; they are all `'tab'` records.
 */
export type BillingSource = 'tab' | 'direct-payment';

export interface WithdrawalRecord {
  readonly recordType: 'withdrawal';
  /** See BillingSource; it says what `transactionId` and `tabId` are. */
  readonly source: BillingSource;
  readonly recordId: string;
  readonly operatorId: string;
  readonly accountId: string;
  /**
   * The customer-side id at this AM: the tab's transaction id, or (`'direct-payment'`) the payment
   * id of the receipt. Both come from the session's one transaction sequence, so they never collide.
   */
  readonly transactionId: string;
  /**
   * The merchant-side id, the same in the withdrawal and the deposit of one sale: the tab id, or
   * (`'direct-payment'`) the merchant's order id that the payment paid.
   */
  readonly tabId: string;
  readonly merchantId: string;
  readonly merchantOperatorId: string;
  /** Charged to the customer, in the customer's currency. */
  readonly amount: WireAmount;
  /** What was held; a direct payment holds exactly its charge (nothing is released). */
  readonly hold: WireAmount;
  readonly released: WireAmount;
  /** What the merchant side cleared, in the merchant's currency (a direct payment: the order's price). */
  readonly merchantAmount: WireAmount;
  readonly rate: LockedRate;
  readonly outcome: ClearingOutcome;
  /** When the charge was captured. */
  readonly clearedAt: string;
}

export interface DepositRecord {
  readonly recordType: 'deposit';
  /** See BillingSource; it says what `tabId` is. */
  readonly source: BillingSource;
  readonly recordId: string;
  readonly operatorId: string;
  readonly merchantId: string;
  /** The tab id, or (`'direct-payment'`) the merchant's order id that was paid. */
  readonly tabId: string;
  readonly customerOperatorId: string;
  /** Credited to the merchant, in the merchant's currency. */
  readonly amount: WireAmount;
  readonly outcome: ClearingOutcome;
  /** When the merchant was credited. */
  readonly clearedAt: string;
}

export type BillingRecord = WithdrawalRecord | DepositRecord;
