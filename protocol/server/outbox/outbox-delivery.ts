// The one outbox delivery engine of the operator and the merchant agent. A message is written in
// the same transaction as the change it reports (each party's store does that); this engine drains
// what is due: it claims a batch with a lease, so that of several processes sharing one database
// only one sends an entry, and one whose sender died is sent again once the lease runs out; it
// sends a few at a time, then records each chunk's outcomes in one storage call: delivered, or
// failed with the next attempt after the one backoff (retryDelay_ms). Storage is a small
// asynchronous interface each party's store implements over its own table.

import type { Clock } from '@opentab/protocol';
import { type BackoffPolicy, retryDelay_ms } from '../retry-delay';

/** What the engine needs of a stored entry; the rest is the party's. */
export interface OutboxEntry {
  /** Failed attempts so far (and, where the party counts it, the one that succeeded). */
  readonly attempts: number;
}

/** What the sender made of one attempt. */
export type SendOutcome<Receipt = undefined, Retry = never> =
  | { readonly kind: 'delivered'; readonly receipt: Receipt }
  /**
   * `at-once`: the attempt failed in a way the next one repairs (a fresh signature, say), so it
   * is due again now, not after the backoff; `retry` is what the storage writes along with it.
   */
  | { readonly kind: 'failed'; readonly error: string; readonly when?: 'backoff' | 'at-once'; readonly retry?: Retry }
  /** The sender settled the entry itself (a final refusal it recorded): nothing to write. */
  | { readonly kind: 'concluded' };

export type OutboxSender<E extends OutboxEntry, Receipt = undefined, Retry = never> = (
  entry: E,
) => Promise<SendOutcome<Receipt, Retry>>;

/** One outcome as the storage records it; `attempts` is the entry's count after this attempt. */
export type OutboxSettlement<E extends OutboxEntry, Receipt = undefined, Retry = never> =
  | { readonly kind: 'delivered'; readonly entry: E; readonly attempts: number; readonly receipt: Receipt }
  | {
      readonly kind: 'failed';
      readonly entry: E;
      readonly attempts: number;
      readonly nextAttemptAt_ms: number;
      readonly error: string;
      /** `interrupted`: the engine was stopping; the attempt does not count and the entry is due at once. */
      readonly reason: 'backoff' | 'at-once' | 'interrupted';
      readonly retry?: Retry;
    };

export interface OutboxStorage<E extends OutboxEntry, Receipt = undefined, Retry = never> {
  /**
   * Up to `limit` undelivered entries due by `dueBy_ms`, oldest due first, each leased: not due
   * for any deliverer again before `leaseUntil_ms` unless its outcome is recorded first.
   */
  claimDue(dueBy_ms: number, limit: number, leaseUntil_ms: number): Promise<readonly E[]>;
  /** Records the outcomes in one transaction; `now_ms` is when a delivery is marked done. */
  settle(settlements: readonly OutboxSettlement<E, Receipt, Retry>[], now_ms: number): Promise<void>;
  /** When the earliest undelivered entry is due, or null when none is left. */
  nextDue_ms(): Promise<number | null>;
}

export interface OutboxDeliveryOptions<E extends OutboxEntry, Receipt, Retry> {
  readonly storage: OutboxStorage<E, Receipt, Retry>;
  readonly backoff: BackoffPolicy;
  /** Entries claimed per pass. */
  readonly batchSize: number;
  /** Entries sent at once; each such chunk's outcomes are recorded together. */
  readonly parallel: number;
  /** How long a claim keeps an entry from other deliverers: longer than a send may take. */
  readonly lease_ms: number;
  /** When outcomes are recorded; without one, the time the pass was started with. */
  readonly clock?: Clock;
  readonly random?: () => number;
  /** Told of every chunk's outcomes once they are stored (events, logs). */
  readonly onSettled?: (settlements: readonly OutboxSettlement<E, Receipt, Retry>[]) => void;
}

export interface OutboxPass {
  readonly delivered: number;
  /** Some entry asked to be sent again at once: the caller should start another pass. */
  readonly dueAgain: boolean;
}

const IDLE_PASS: OutboxPass = { delivered: 0, dueAgain: false };

export class OutboxDelivery<E extends OutboxEntry, Receipt = undefined, Retry = never> {
  private delivering = false;
  private stopping = false;

  constructor(private readonly options: OutboxDeliveryOptions<E, Receipt, Retry>) {
    if (!(options.batchSize >= 1 && options.parallel >= 1 && options.lease_ms > 0))
      throw new RangeError('an outbox needs batchSize >= 1, parallel >= 1 and lease_ms > 0');
  }

  /**
   * One pass: claims what is due by `dueBy_ms` (by default `now_ms`) and sends it. One pass at a
   * time: a call while one is under way sends nothing.
   */
  async deliverDue(
    send: OutboxSender<E, Receipt, Retry>,
    now_ms: number,
    dueBy_ms: number = now_ms,
  ): Promise<OutboxPass> {
    if (this.delivering || this.stopping) return IDLE_PASS;
    this.delivering = true;
    try {
      const { storage, batchSize, parallel, lease_ms } = this.options;
      const due = await storage.claimDue(dueBy_ms, batchSize, now_ms + lease_ms);
      let delivered = 0;
      let dueAgain = false;
      for (let start = 0; start < due.length && !this.stopping; start += parallel) {
        const chunk = due.slice(start, start + parallel);
        const outcomes = await Promise.all(chunk.map((entry) => sendGuarded(send, entry)));
        const settledAt_ms = this.options.clock?.now_ms() ?? now_ms;
        const settlements: OutboxSettlement<E, Receipt, Retry>[] = [];
        outcomes.forEach((outcome, index) => {
          const settlement = this.settlementOf(chunk[index]!, outcome, settledAt_ms);
          if (settlement === null) return;
          if (settlement.kind === 'delivered') delivered++;
          if (settlement.kind === 'failed' && settlement.reason === 'at-once') dueAgain = true;
          settlements.push(settlement);
        });
        if (settlements.length === 0) continue;
        await storage.settle(settlements, settledAt_ms);
        this.options.onSettled?.(settlements);
      }
      return { delivered, dueAgain };
    } finally {
      this.delivering = false;
    }
  }

  /** Starts no further sends; failures of those in flight do not count against their entries. */
  stop(): void {
    this.stopping = true;
  }

  nextDue_ms(): Promise<number | null> {
    return this.options.storage.nextDue_ms();
  }

  private settlementOf(
    entry: E,
    outcome: SendOutcome<Receipt, Retry>,
    now_ms: number,
  ): OutboxSettlement<E, Receipt, Retry> | null {
    const attempts = entry.attempts + 1;
    switch (outcome.kind) {
      case 'concluded':
        return null;
      case 'delivered':
        return { kind: 'delivered', entry, attempts, receipt: outcome.receipt };
      case 'failed': {
        const retry = outcome.retry === undefined ? {} : { retry: outcome.retry };
        if (this.stopping)
          // The next start (or another process) sends it again at once rather than after the lease.
          return {
            kind: 'failed',
            entry,
            attempts: entry.attempts,
            nextAttemptAt_ms: now_ms,
            error: `delivery interrupted: ${outcome.error}`,
            reason: 'interrupted',
            ...retry,
          };
        const reason = outcome.when ?? 'backoff';
        const nextAttemptAt_ms =
          reason === 'at-once' ? now_ms : now_ms + retryDelay_ms(attempts, this.options.backoff, this.options.random);
        return {
          kind: 'failed',
          entry,
          attempts,
          nextAttemptAt_ms,
          error: outcome.error.slice(0, 500),
          reason,
          ...retry,
        };
      }
    }
  }
}

/** A sender that throws failed its attempt; the pass goes on with the others. */
async function sendGuarded<E extends OutboxEntry, Receipt, Retry>(
  send: OutboxSender<E, Receipt, Retry>,
  entry: E,
): Promise<SendOutcome<Receipt, Retry>> {
  try {
    return await send(entry);
  } catch (error) {
    return { kind: 'failed', error: error instanceof Error ? error.message : String(error) };
  }
}
