// A billing record leaves through the outbox, one row per configured sink, enqueued inside the
// caller's SQLite transaction (the one that makes the ledger change the record reports). The
// outbox keeps one row per (record id, sink), so enqueueing the same record again adds nothing.

import type { OperatorContext } from '../operator-context';
import type { OutboxAccess } from '../store/operator-storage';
import type { BillingRecord } from './billing-records';

export function enqueueBillingRecord(context: OperatorContext, record: BillingRecord, now_ms: number): void {
  context.config.billingSinks.forEach((_, sinkIndex) =>
    context.outbox.enqueue(record.recordId, { kind: 'billing', sinkIndex }, record, now_ms),
  );
}

/** The same, through the outbox of a store transaction. */
export async function enqueueBillingRecordIn(
  outbox: OutboxAccess,
  context: OperatorContext,
  record: BillingRecord,
  now_ms: number,
): Promise<void> {
  for (const sinkIndex of context.config.billingSinks.keys())
    await outbox.enqueue(record.recordId, { kind: 'billing', sinkIndex }, record, now_ms);
}
