// A billing record leaves through the outbox, one row per configured sink, enqueued inside the
// caller's transaction (the one that makes the ledger change the record reports). The outbox
// keeps one row per (record id, sink), so enqueueing the same record again adds nothing.

import type { OperatorContext } from '../operator-context';
import type { Outbox } from '../outbox/outbox';
import type { OutboxAccess } from '../store/operator-storage';
import type { BillingRecord } from './billing-records';

/** Through the outbox of a store transaction. */
export async function enqueueBillingRecordIn(
  outbox: OutboxAccess,
  context: OperatorContext,
  record: BillingRecord,
  now_ms: number,
): Promise<void> {
  for (const sinkIndex of context.config.billingSinks.keys())
    await outbox.enqueue(record.recordId, { kind: 'billing', sinkIndex }, record, now_ms);
}

/** The same on the SQLite file's outbox, inside an extension's synchronous transaction. */
export function enqueueBillingRecord(
  outbox: Outbox,
  context: OperatorContext,
  record: BillingRecord,
  now_ms: number,
): void {
  for (const sinkIndex of context.config.billingSinks.keys())
    outbox.enqueue(record.recordId, { kind: 'billing', sinkIndex }, record, now_ms);
}
