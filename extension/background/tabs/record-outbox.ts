// Signed customer records on their way to the operator. A record is stored before it is sent and
// removed only once the operator acknowledged it, so a stopped worker or an unreachable operator
// delays clearing but never loses the customer's side of it.

import type { CryptoProvider } from '@opentab/protocol';
import type { CustomerRecord } from '@opentab/protocol';
import type { AlarmPort, Clock } from '../ports';
import type { AgentDatabase } from '../storage/database';
import type { OperatorLink } from '../wallet/operator-link';
import { recordAckProblem } from './conclusion';
import type { PendingRecord } from './pending-record';
import type { TabBook } from './tab-book';

const RETRY_AFTER_MS = 60_000;

export class RecordOutbox {
  constructor(
    private readonly db: AgentDatabase,
    private readonly link: OperatorLink,
    private readonly alarms: AlarmPort,
    private readonly clock: Clock,
    private readonly book: TabBook,
    private readonly crypto: CryptoProvider,
  ) {}

  async enqueue(localTabId: string, transactionId: string, record: CustomerRecord): Promise<void> {
    const pending: PendingRecord = {
      localTabId,
      transactionId,
      record,
      attempts: 0,
      lastProblem: null,
      createdAt_ms: this.clock.now_ms(),
    };
    await this.db.outbox.put(localTabId, pending);
  }

  pending(): Promise<PendingRecord[]> {
    return this.db.outbox.all();
  }

  /** Tries to deliver one record; true when the operator has it. */
  async deliver(localTabId: string): Promise<boolean> {
    const pending = await this.db.outbox.get(localTabId);
    if (!pending) return true;
    try {
      const ack = await this.link.customerRecord(pending.record);
      const tab = await this.book.get(localTabId);
      if (!tab) throw new Error('the tab of this record is no longer known');
      const problem = recordAckProblem(this.crypto, ack, pending.record, tab);
      if (problem !== null) throw new Error(problem);
      await this.db.outbox.delete(localTabId);
      return true;
    } catch (error) {
      await this.db.outbox.put(localTabId, {
        ...pending,
        attempts: pending.attempts + 1,
        lastProblem: (error as Error).message,
      });
      await this.alarms.schedule('outbox-retry', this.clock.now_ms() + RETRY_AFTER_MS);
      return false;
    }
  }

  /** Delivers every pending record; returns how many are still waiting. */
  async retryAll(): Promise<number> {
    let waiting = 0;
    for (const pending of await this.pending()) {
      if (!(await this.deliver(pending.localTabId))) waiting++;
    }
    return waiting;
  }
}
