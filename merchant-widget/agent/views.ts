// The read-only shapes the merchant's own code sees of tabs and purchases: amounts as Money
// (bigint minor units with their currency), times in epoch ms.

import type { PurchaseListClaim } from '@opentab/protocol';
import type { Money } from '@opentab/protocol';
import type { StoredDisputeDecision } from './store';
import {
  remainingOf,
  type ClearingOutcome,
  type PurchaseRecord,
  type StopReason,
  type TabRecord,
  type TabStatus,
} from './tab-record';

export interface TabView {
  readonly tabId: string;
  readonly pseudonym: string;
  readonly status: TabStatus;
  /** Why the tab stopped; null while open (or when the MTA cleared it before it stopped here). */
  readonly stopReason: StopReason | null;
  readonly deposit: Money;
  readonly spent: Money;
  readonly remaining: Money;
  readonly purchaseCount: number;
  readonly lastChainIndex: number;
  readonly openedAt_ms: number;
  readonly expiresAt_ms: number;
  readonly stoppedAt_ms: number | null;
  readonly cleared: { readonly amount: Money; readonly outcome: ClearingOutcome; readonly clearedAt_ms: number } | null;
}

export interface PurchaseView {
  readonly purchaseId: string;
  readonly tabId: string;
  readonly seq: number;
  readonly itemId: string;
  readonly price: Money;
  readonly chainIndex: number;
  readonly createdAt_ms: number;
}

/**
 * What the merchant reveals to its MTA or an arbiter about a tab in a dispute: the list it holds
 * and the key it hashed it under (the all-zero key while no purchase brought one), so that they
 * can check it against the hash of a signed record (purchaseListMatches).
 */
export interface PurchaseListEvidence {
  readonly tabId: string;
  /** The hash of the list as it stands now: what the merchant's record states once the tab stopped. */
  readonly purchaseListHash: string;
  readonly claim: PurchaseListClaim;
}

export function tabView(tab: TabRecord): TabView {
  const money = (minor: bigint): Money => ({ currency: tab.currency, minor });
  const lifecycle = tab.lifecycle;
  return {
    tabId: tab.tabId,
    pseudonym: tab.pseudonym,
    status: lifecycle.status,
    stopReason: lifecycle.status === 'open' ? null : lifecycle.reason,
    deposit: money(tab.deposit_minor),
    spent: money(tab.spent_minor),
    remaining: money(remainingOf(tab)),
    purchaseCount: tab.purchaseCount,
    lastChainIndex: tab.lastChainIndex,
    openedAt_ms: tab.openedAt_ms,
    expiresAt_ms: tab.expiresAt_ms,
    stoppedAt_ms: lifecycle.status === 'open' ? null : lifecycle.stoppedAt_ms,
    cleared:
      lifecycle.status === 'cleared'
        ? { amount: money(lifecycle.cleared_minor), outcome: lifecycle.outcome, clearedAt_ms: lifecycle.clearedAt_ms }
        : null,
  };
}

export function purchaseView(currency: string, purchase: PurchaseRecord): PurchaseView {
  return {
    purchaseId: purchase.purchaseId,
    tabId: purchase.tabId,
    seq: purchase.seq,
    itemId: purchase.itemId,
    price: { currency, minor: purchase.price_minor },
    chainIndex: purchase.chainIndex,
    createdAt_ms: purchase.createdAt_ms,
  };
}

/** The operator's decision on a disputed tab, as the merchant reads it. */
export interface DisputeDecisionView {
  readonly tabId: string;
  readonly disputeId: string;
  readonly decision: 'uphold' | 'adjust';
  readonly clearedBefore: Money;
  readonly clearedAfter: Money;
  readonly revision: number;
  readonly reason: string;
  readonly decidedAt_ms: number;
}

export function disputeDecisionView(decision: StoredDisputeDecision, currency: string): DisputeDecisionView {
  return {
    tabId: decision.tabId,
    disputeId: decision.disputeId,
    decision: decision.decision,
    clearedBefore: { currency, minor: decision.clearedBefore_minor },
    clearedAfter: { currency, minor: decision.clearedAfter_minor },
    revision: decision.revision,
    reason: decision.reason,
    decidedAt_ms: decision.decidedAt_ms,
  };
}
