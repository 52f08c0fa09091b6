// What the background shows its own pages. Amounts travel as wire amounts (decimal strings):
// runtime messages are JSON in Chrome, which has no bigint.

import type { WireAmount } from '@opentab/protocol';
import type { RateStatus } from '@opentab/protocol';
import type { RateTableSource } from '@opentab/protocol';
import type { HistoryEntry } from '@opentab/protocol';
import type { ClearingOutcome, TabDisputeDecision } from '@opentab/protocol';

export type WalletState = 'uninitialised' | 'locked' | 'unenrolled' | 'ready';

export interface MerchantRef {
  readonly merchantId: string;
  readonly operatorId: string;
}

/** Merchant ids are unique per operator only: the same id at two operators is two merchants. */
export function sameMerchant(a: MerchantRef, b: MerchantRef): boolean {
  return a.merchantId === b.merchantId && a.operatorId === b.operatorId;
}

/** One string per merchant, for maps and locks keyed by merchant. */
export function merchantKey(merchant: MerchantRef): string {
  return `${merchant.operatorId}/${merchant.merchantId}`;
}

export interface OperatorView {
  readonly operatorId: string;
  readonly baseUrl: string;
  readonly currency: string;
  readonly accountId: string;
}

export interface AccountSummaryView {
  /** May be negative ("-12.30") when credit is in use. */
  readonly balance: WireAmount;
  readonly available: WireAmount;
  readonly creditLimit: WireAmount;
  readonly held: WireAmount;
}

export type TabPhase = 'opening' | 'open';

export interface TabView {
  readonly transactionId: string;
  readonly merchant: MerchantRef;
  readonly merchantDisplayName: string;
  readonly phase: TabPhase;
  readonly depositCustomer: WireAmount;
  readonly depositMerchant: WireAmount;
  readonly spent: WireAmount;
  readonly remaining: WireAmount;
  /** The remaining deposit at the locked rate, in the customer's currency. */
  readonly remainingCustomer: WireAmount;
  /** Whose rate was locked and of which day (null: the table did not say); absent for tabs opened before it
   * was kept. */
  readonly rateSource?: RateTableSource | null;
  readonly openedAt: string;
  /** null while the operator has not yet answered the initiation. */
  readonly expiresAt: string | null;
}

export interface PurchaseView {
  readonly at: string;
  readonly transactionId: string;
  readonly merchantDisplayName: string;
  readonly itemId: string;
  /** The title the merchant's catalogue gave the item when it was bought; null when not known (show the item id). */
  readonly title: string | null;
  readonly price: WireAmount;
  /** The price at its tab's locked rate, in the customer's currency; null when that tab is not in this wallet. */
  readonly priceCustomer: WireAmount | null;
  /**
   * `pending`: sent, and the merchant has not answered yet; Opentab keeps sending it (the same
   * purchase) until it does, and it counts only once paid. `at` is when it was first sent.
   */
  readonly status: 'paid' | 'pending';
}

export interface HistoryView {
  /** What this browser paid, item by item (operators never see items), after the purchases still pending. */
  readonly purchases: readonly PurchaseView[];
  /** The operator's account statement (charges per tab), when it could be reached. */
  readonly statement: readonly HistoryEntry[] | null;
  readonly statementProblem: string | null;
  /** Every closed tab the operator's account lists, with how it cleared; empty when it could not be reached. */
  readonly closedTabs: readonly ClosedTabView[];
}

/** A tab that has closed, with what it finally cost once its operator cleared it. */
export interface ClosedTabView {
  readonly transactionId: string;
  readonly merchantDisplayName: string;
  /** What its receipts add up to, in the merchant's currency and at its locked rate in the customer's; null for a
   * tab this wallet does not hold (opened in another browser). */
  readonly spent: WireAmount | null;
  readonly spentCustomer: WireAmount | null;
  /** What the operator charged; null while it has not cleared the tab. */
  readonly charged: WireAmount | null;
  readonly clearedAt: string | null;
  /** How the operators cleared it (`agreed`, `disputed`, …); null while it is not cleared. */
  readonly outcome: ClearingOutcome | null;
  /** Cleared as disputed, or for another amount than the receipts in this wallet prove. */
  readonly disputed: boolean;
  /** The merchant operator's sentence on its clearing: why the records disagreed, or what changed. */
  readonly clearingNote: string | null;
  /** The operator's decision on the tab's dispute, with its reason; null while none was made. */
  readonly decision: TabDisputeDecision | null;
}

export interface RateStatusView {
  readonly status: RateStatus;
  readonly issuedAt: string | null;
  readonly validUntil: string | null;
  /** Who published the cached table's rates and for which day; null without a table, or for one that does not say. */
  readonly source: RateTableSource | null;
  /** The operator's own sentence when it refused to publish rates (too old, or none) since the cached table. */
  readonly refusal: string | null;
  /** The cached table's rates against the customer's currency, one "1 EUR = 11.3595 SEK" each. */
  readonly quotes: readonly string[];
}

export interface OverviewView {
  readonly walletState: WalletState;
  readonly operator: OperatorView | null;
  readonly account: AccountSummaryView | null;
  /** Why `account` is missing although the wallet is ready (operator unreachable, ...). */
  readonly accountProblem: string | null;
  /** While `account` is missing: the figures last read from the operator, and when. */
  readonly lastKnownAccount: { readonly account: AccountSummaryView; readonly at: string } | null;
  readonly tabs: readonly TabView[];
  /** The purchases still pending, then the latest paid. */
  readonly recentPurchases: readonly PurchaseView[];
  /** The latest tabs that closed, the latest first, with what each cost. */
  readonly closedTabs: readonly ClosedTabView[];
  readonly rates: RateStatusView;
  /** Customer records not yet accepted by the operator; they are retried. */
  readonly pendingRecords: number;
}

export interface LimitsView {
  readonly maxDepositPerTab: WireAmount | null;
  readonly dailyCap: WireAmount | null;
  readonly monthlyCap: WireAmount | null;
  readonly defaultDeposit: WireAmount;
}

/** A merchant the customer knows: one with tabs in this wallet, an allowance, or a block. */
export interface MerchantView extends MerchantRef {
  readonly displayName: string;
  /** Tabs with a deposit up to this open without asking; null when the customer is asked. */
  readonly allowance: WireAmount | null;
  readonly blocked: boolean;
  /** When the latest tab here was opened; null for a merchant only allowed or blocked. */
  readonly lastTabAt: string | null;
}

export interface SettingsView {
  readonly currency: string | null;
  readonly limits: LimitsView | null;
  readonly tabTimeout_s: number;
  readonly idleLock_min: number;
  /** Every merchant with tabs, an allowance or a block, the latest tab first: where the customer allows,
   * blocks and unblocks. */
  readonly merchants: readonly MerchantView[];
  readonly heldToday: WireAmount | null;
  readonly heldThisMonth: WireAmount | null;
}

/** What the click that asks for a tab is buying. */
export interface ConfirmationItem {
  readonly itemId: string;
  /** The merchant's catalogue title; null when the merchant's agent did not say (show the item id). */
  readonly title: string | null;
  readonly price: WireAmount;
  /** The price at the rate the new tab would lock, in the customer's currency. */
  readonly priceCustomer: WireAmount;
  /** For a product sold by secure delivery: what the merchant signed about it (absent for other items). */
  readonly delivered?: SignedProductSummary;
}

/** A merchant-signed product description, as the customer reads it before ordering. */
export interface SignedProductSummary {
  readonly name: string;
  readonly summary: string;
  readonly fileName: string;
  readonly mediaType: string;
  readonly size_bytes: number;
}

/** The open tab whose deposit cannot pay the item: approving closes it before the new one opens. */
export interface ReplacedTabView {
  readonly spent: WireAmount;
  readonly spentCustomer: WireAmount;
  readonly remaining: WireAmount;
  readonly remainingCustomer: WireAmount;
}

/** The deposit a tab would hold, in both currencies: what the customer typed, as it would be held. */
export interface DepositQuote {
  readonly depositCustomer: WireAmount;
  readonly depositMerchant: WireAmount;
}

export interface ConfirmationView {
  readonly requestId: string;
  readonly item: ConfirmationItem;
  /** null: there is no tab at this merchant to close. */
  readonly replacing: ReplacedTabView | null;
  /** The least deposit that pays the item. */
  readonly minimumDeposit: WireAmount;
  /** The most the customer's limits let this tab hold; null when no limit applies. */
  readonly maximumDeposit: WireAmount | null;
  readonly merchant: MerchantRef;
  readonly merchantDisplayName: string;
  /** The page origin, checked against the merchant certificate before this window opened. */
  readonly verifiedOrigin: string;
  readonly depositCustomer: WireAmount;
  readonly depositMerchant: WireAmount;
  /** describeRate: for people only. */
  readonly rate: string;
  /** Whose rate it is and of which day; null for a table that does not say. */
  readonly rateSource: RateTableSource | null;
  readonly timeout_s: number;
  /** Offered for "approve and allow up to X here without asking". */
  readonly suggestedAllowance: WireAmount;
}

/** `deposit`: the deposit the customer chose instead of the one offered (a decimal in the customer's currency). */
export type ConfirmDecision =
  | { readonly kind: 'approve'; readonly deposit?: string }
  | { readonly kind: 'approve-and-allow'; readonly upTo: string; readonly deposit?: string }
  | { readonly kind: 'decline' };
