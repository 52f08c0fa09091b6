// What the customer reads about how a closed tab cleared: the same words in the popup and the
// history.

import type { ClosedTabView } from '../messaging/views';
import { showAmount } from './format';

/** The closed tab's charge, when it cleared as disputed, beside what this wallet's receipts prove. */
export function disputedCharge(tab: ClosedTabView): string {
  const receipts = tab.spentCustomer ? `, your receipts add up to ${showAmount(tab.spentCustomer)}` : '';
  return `Disputed: charged ${showAmount(tab.charged)}${receipts}`;
}

/**
 * Why a tab cost what it did, where that needs saying: for a disputed tab the operator's decision
 * and its reason, else the operator's sentence; for an undisputed tab charged other than its
 * receipts (a merchant's refund, a corrected clearing) the operator's sentence on it.
 */
export function disputeExplained(tab: ClosedTabView): string | null {
  if (!tab.disputed) return correctionExplained(tab);
  if (tab.decision !== null) {
    const { decision, clearedBefore, clearedAfter, reason } = tab.decision;
    const what =
      decision === 'adjust'
        ? `the operator changed what the tab clears from ${showAmount(clearedBefore)} to ${showAmount(clearedAfter)}`
        : `the operator kept what the tab clears, ${showAmount(clearedAfter)}`;
    return `Decided: ${what}. Reason: ${reason}`;
  }
  if (tab.disputed && tab.clearingNote !== null)
    return `Your record and the merchant's disagreed: ${tab.clearingNote}. The operator charged no more than your payments prove.`;
  return null;
}

function correctionExplained(tab: ClosedTabView): string | null {
  const { charged, spentCustomer, clearingNote } = tab;
  if (clearingNote === null || charged === null || spentCustomer === null) return null;
  if (charged.currency === spentCustomer.currency && charged.value === spentCustomer.value) return null;
  return `Corrected: ${clearingNote}`;
}
