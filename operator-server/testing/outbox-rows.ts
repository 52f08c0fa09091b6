// The outbox messages of one record, read through the operator's storage on either store.

import type { OperatorStorage } from '../src/store/operator-storage';
import type { OutboxMessageRow } from '../src/store/operator-store';

/** The messages of the record `recordId` (one per destination), oldest first. */
export async function outboxRowsOfRecord(storage: OperatorStorage, recordId: string): Promise<OutboxMessageRow[]> {
  const mentioning = await storage.tabs.outboxRowsMentioning(recordId);
  return mentioning.filter((row) => row.recordId === recordId);
}
