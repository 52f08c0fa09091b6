// Nothing may stay unfinished past its bound: an AM transaction is cleared, failed or lapsed by
// its expiry + hold deadline; an MTA tab is registered within one call to the merchant agent and
// cleared once its conclusion time has come (the background job's promise); an outbox message is
// delivered. `settle_ms` is the slack allowed beyond each bound before a state counts as stuck.

import { MERCHANT_ACK_TIMEOUT_MS } from '../mta/tab-registration';
import { check, secondsSince, type CheckResult } from '@opentab/server-kit';
import {
  ENDED_TRANSACTION_STATES,
  FINAL_TAB_STATES,
  type AuditTab,
  type AuditTransaction,
  type UndeliveredOutboxRow,
} from './store-reader';

export interface SettleBounds {
  readonly now_ms: number;
  readonly settle_ms: number;
  readonly holdDeadline_ms: number;
}

export function statesSettled(
  transactions: readonly AuditTransaction[],
  tabs: readonly AuditTab[],
  bounds: SettleBounds,
): CheckResult {
  const late = (due_ms: number) => due_ms + bounds.settle_ms < bounds.now_ms;
  const violations: string[] = [];
  for (const transaction of transactions) {
    if (ENDED_TRANSACTION_STATES.has(transaction.state)) continue;
    const due_ms = transaction.expiresAt_ms + bounds.holdDeadline_ms;
    if (late(due_ms))
      violations.push(
        `transaction ${transaction.transactionId} is still ${transaction.state} ${secondsSince(due_ms, bounds.now_ms)} after it had to be cleared or lapsed`,
      );
  }
  for (const tab of tabs) {
    if (FINAL_TAB_STATES.has(tab.state)) continue;
    const due_ms = tab.state === 'opening' ? tab.openedAt_ms + MERCHANT_ACK_TIMEOUT_MS : tab.concludeAfter_ms;
    if (late(due_ms))
      violations.push(
        `tab ${tab.tabId} (transaction ${tab.transactionId}) is still ${tab.state} ${secondsSince(due_ms, bounds.now_ms)} after it was due to ${tab.state === 'opening' ? 'open or fail' : 'clear'}`,
      );
  }
  return check('states-settled', violations);
}

export function outboxDrained(
  undelivered: readonly UndeliveredOutboxRow[],
  bounds: Pick<SettleBounds, 'now_ms' | 'settle_ms'>,
): CheckResult {
  return check(
    'outbox-drained',
    undelivered
      .filter((row) => row.createdAt_ms + bounds.settle_ms < bounds.now_ms)
      .map(
        (row) =>
          `outbox ${row.recordId} → ${row.destination} undelivered for ${secondsSince(row.createdAt_ms, bounds.now_ms)} after ${row.attempts} attempts (last error: ${row.lastError ?? 'none'})`,
      ),
  );
}
