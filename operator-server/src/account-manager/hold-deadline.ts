// The AM's own guarantee that every hold ends: a tab the MTA never cleared (the MTA gone or
// unreachable) lapses once its expiry plus the hold deadline has passed, and its hold is released.
// Should the clearing still come, it is charged without the hold (account-manager/clearing.ts).

import type { OperatorContext } from '../operator-context';

const BATCH_LIMIT = 500;

export async function lapseOverdueHolds(context: OperatorContext, now_ms: number): Promise<number> {
  const deadline_ms = context.config.tabs.holdDeadline_s * 1000;
  const { storage } = context;
  let lapsed = 0;
  for (const transaction of await storage.transactions.overdueTransactions(now_ms - deadline_ms, BATCH_LIMIT)) {
    // The conditional state change decides: of two sweeps (or a sweep and a late clearing), one lapses it.
    const released = await storage.transaction(async (tx) => {
      if (!(await tx.transactions.markTransactionLapsed(transaction.transactionId))) return false;
      await tx.ledger.releaseHold(`hold:${transaction.transactionId}`);
      return true;
    });
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
