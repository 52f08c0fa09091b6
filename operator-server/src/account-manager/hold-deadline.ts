// The AM's own guarantee that every hold ends: a tab the MTA never cleared (the MTA gone or
// unreachable) lapses once its expiry plus the hold deadline has passed, and its hold is released.
// Should the clearing still come, it is charged without the hold (account-manager/clearing.ts).

import type { OperatorContext } from '../operator-context';

const BATCH_LIMIT = 500;

export function lapseOverdueHolds(context: OperatorContext, now_ms: number): number {
  const deadline_ms = context.config.tabs.holdDeadline_s * 1000;
  let lapsed = 0;
  for (const transaction of context.store.overdueTransactions(now_ms - deadline_ms, BATCH_LIMIT)) {
    const released = context.db.transaction(() => {
      if (!context.store.markTransactionLapsed(transaction.transactionId)) return false;
      context.ledger.releaseHold(`hold:${transaction.transactionId}`);
      return true;
    })();
    if (released) {
      lapsed++;
      context.log.warn('hold.lapsed', {
        tx: transaction.transactionId,
        tab: transaction.tabId,
        merchantOperator: transaction.merchantOperatorId,
      });
    }
  }
  return lapsed;
}
