// The ledger's own invariants, read off the rows: every currency and every entry sums to zero,
// stored balances and held totals agree with the postings and holds they summarise, no account
// is below its floor, and every hold ends (none pending on an ended transaction or past its
// deadline). Plus SQLite's own integrity check of the file, on SQLite.

import { check, secondsSince, type CheckResult } from '@opentab/server-kit';
import {
  ENDED_TRANSACTION_STATES,
  type AuditTransaction,
  type OperatorAuditReads,
  type OperatorStoreReader,
} from './store-reader';

export interface HoldDeadlines {
  readonly now_ms: number;
  readonly settle_ms: number;
  /** The operator's tabs.holdDeadline_s, in ms: how long after expiry the AM keeps a hold no clearing ended. */
  readonly holdDeadline_ms: number;
}

export function sqliteIntegrity(reader: OperatorStoreReader): CheckResult {
  return check(
    'sqlite-integrity',
    reader.integrityProblems().map((problem) => `integrity_check: ${problem}`),
  );
}

export function ledgerBalanced(reader: Pick<OperatorAuditReads, 'ledgerReport' | 'unbalancedEntries'>): CheckResult {
  const report = reader.ledgerReport();
  return check('ledger-balanced', [
    ...Object.entries(report.sumsByCurrency)
      .filter(([, total]) => total !== 0n)
      .map(([currency, total]) => `balances in ${currency} sum to ${total}, not 0`),
    ...reader
      .unbalancedEntries()
      .map(
        (entry) =>
          `entry ${entry.entryId} moves ${entry.sum} ${entry.currency} out of nowhere (its postings do not sum to 0)`,
      ),
  ]);
}

export function ledgerTotals(reader: Pick<OperatorAuditReads, 'ledgerReport'>): CheckResult {
  const report = reader.ledgerReport();
  return check('ledger-totals', [
    ...report.balanceMismatches.map((id) => `account ${id}: its balance differs from the sum of its postings`),
    ...report.heldMismatches.map((id) => `account ${id}: its held amount differs from the sum of its pending holds`),
  ]);
}

export function creditLimits(reader: Pick<OperatorAuditReads, 'ledgerReport'>): CheckResult {
  return check(
    'credit-limits',
    reader.ledgerReport().accountsBelowFloor.map((id) => `account ${id} is below its floor (balance − held < limit)`),
  );
}

/**
 * Every hold ends: none pending once its transaction ended, none pending past the moment the AM
 * guarantees to have ended it (the tab's expiry + the hold deadline, when an uncleared hold
 * lapses, whatever the transaction's state), and none pending for long that belongs to no
 * transaction at all.
 */
export function holdsEnded(
  reader: Pick<OperatorAuditReads, 'holds'>,
  transactions: readonly AuditTransaction[],
  deadlines: HoldDeadlines,
): CheckResult {
  const byId = new Map(transactions.map((transaction) => [transaction.transactionId, transaction]));
  const violations: string[] = [];
  for (const hold of reader.holds()) {
    if (hold.status !== 'pending') continue;
    const what = `hold ${hold.holdId} (${hold.amount} on ${hold.accountId})`;
    const transaction = byId.get(hold.ref);
    if (transaction === undefined) {
      if (hold.createdAt_ms + deadlines.settle_ms < deadlines.now_ms)
        violations.push(
          `${what} is pending ${secondsSince(hold.createdAt_ms, deadlines.now_ms)} after it was placed and belongs to no transaction`,
        );
      continue;
    }
    if (ENDED_TRANSACTION_STATES.has(transaction.state)) {
      violations.push(`${what} is pending though transaction ${transaction.transactionId} is ${transaction.state}`);
      continue;
    }
    const due_ms = transaction.expiresAt_ms + deadlines.holdDeadline_ms;
    if (due_ms + deadlines.settle_ms < deadlines.now_ms) {
      violations.push(
        `${what} of ${transaction.state} transaction ${transaction.transactionId} is pending ${secondsSince(due_ms, deadlines.now_ms)} past the moment it had to end`,
      );
    }
  }
  return check('holds-ended', violations);
}
