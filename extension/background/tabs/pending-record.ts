import type { CustomerRecord } from '@opentab/protocol';

/** A signed customer record waiting for the operator's ack; re-sent unchanged until it is taken. */
export interface PendingRecord {
  readonly localTabId: string;
  readonly transactionId: string;
  readonly record: CustomerRecord;
  readonly attempts: number;
  readonly lastProblem: string | null;
  readonly createdAt_ms: number;
}
