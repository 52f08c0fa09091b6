// Delivers merchant records to the MTA from the persisted outbox: at least once, until the MTA
// answers with a RecordAck signed by the operator key. A record is written to the outbox in the
// same transaction that stops its tab, so neither a crash nor a restart can lose it; this class
// only drains the table, retrying with capped, jittered exponential backoff. Each pass claims the
// records it sends with a lease (their next attempt moves past the call's timeout), so agent
// processes sharing one database never send the same record at once, and a record whose sender
// died is sent again once its lease runs out.

import { callRoute, RemoteCallError } from '@opentab/protocol';
import { OPERATOR_API } from '@opentab/protocol';
import type { CryptoProvider } from '@opentab/protocol';
import { verifyEnvelope } from '@opentab/protocol';
import type { MerchantRecord } from '@opentab/protocol';
import type { RecordAck } from '@opentab/protocol';
import { retryDelay_ms } from '@opentab/server-kit';
import type { AgentSettings } from './config';
import type { AgentEvents } from './events';
import type { MerchantSigner } from './signed-answers';
import type { AgentStore, OutboxEntry } from './store';

type OutboxSettings = Pick<
  AgentSettings,
  | 'operatorBaseUrl'
  | 'operatorTransport'
  | 'operatorId'
  | 'operatorPublicKey'
  | 'recordRetryBase_ms'
  | 'recordRetryMax_ms'
  | 'recordCallTimeout_ms'
  | 'clock'
  | 'logger'
>;

export interface RecordOutboxDependencies {
  readonly store: AgentStore;
  readonly crypto: CryptoProvider;
  readonly signer: MerchantSigner;
  readonly events: AgentEvents;
  readonly settings: OutboxSettings;
  readonly random?: () => number;
  /** The MTA refused the record for a reason no retry can change (the tab never opened there). */
  readonly onRefusedForGood: (tabId: string, code: string, message: string) => Promise<void>;
}

type DeliveryOutcome =
  | { delivered: true; ack: RecordAck }
  | { delivered: false; error: string; resealed?: MerchantRecord }
  | { delivered: false; refusedForGood: { code: string; message: string } };

/** Refusals that are the MTA's final word on a record: retrying cannot make it accept. */
const FINAL_REFUSALS: ReadonlySet<string> = new Set(['tab_not_opened']);

const BATCH_SIZE = 64;
const PARALLEL_DELIVERIES = 8;
/** A claimed record is not due for other processes until its call has timed out and this much more has passed. */
const LEASE_MARGIN_MS = 5_000;

export class RecordOutbox {
  private timer: NodeJS.Timeout | null = null;
  private pass: Promise<void> | null = null;
  private passRequested = false;
  private closed = false;

  constructor(private readonly deps: RecordOutboxDependencies) {}

  /** Picks up whatever an earlier run left undelivered. */
  start(): void {
    this.wake();
  }

  /** A record was enqueued (or is due): deliver it as soon as the current pass ends. */
  wake(): void {
    if (this.closed) return;
    this.clearTimer();
    if (this.pass !== null) {
      this.passRequested = true;
      return;
    }
    this.pass = this.guarded(this.runPasses());
  }

  /** Attempts every unacknowledged record now, ignoring backoff; resolves when the attempt is over. */
  async flush(): Promise<void> {
    while (this.pass !== null) await this.pass;
    if (this.closed) return;
    this.clearTimer();
    this.pass = this.guarded(this.deliverDue(Number.MAX_SAFE_INTEGER));
    await this.pass;
  }

  /** Stops the timer and waits for a delivery in flight, so the store can be closed after. */
  async close(): Promise<void> {
    this.closed = true;
    this.clearTimer();
    await this.pass;
  }

  /** A pass must never reject: nobody awaits the timer's pass, and the next one retries anyway. */
  private guarded(pass: Promise<void>): Promise<void> {
    return pass
      .catch((error: unknown) => this.deps.settings.logger.warn('record delivery pass failed', error))
      .then(() => this.nextDue_ms())
      .then((due_ms) => {
        this.pass = null;
        // A wake that came while the next due time was being read would otherwise be lost.
        if (this.passRequested) this.wake();
        else this.scheduleNextPass(due_ms);
      });
  }

  private async nextDue_ms(): Promise<number | null> {
    try {
      return await this.deps.store.nextRecordDue_ms();
    } catch (error) {
      this.deps.settings.logger.warn('reading when the next record is due failed', error);
      return this.deps.settings.clock.now_ms() + this.deps.settings.recordRetryMax_ms;
    }
  }

  private async runPasses(): Promise<void> {
    do {
      this.passRequested = false;
      await this.deliverDue(this.deps.settings.clock.now_ms());
    } while (this.passRequested && !this.closed);
  }

  private scheduleNextPass(due_ms: number | null): void {
    if (this.closed || due_ms === null) return;
    // Capped so that a clock that jumps backwards cannot put delivery to sleep for long.
    const delay_ms = Math.min(
      Math.max(due_ms - this.deps.settings.clock.now_ms(), 0),
      this.deps.settings.recordRetryMax_ms,
    );
    this.timer = setTimeout(() => this.wake(), delay_ms);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private async deliverDue(dueBy_ms: number): Promise<void> {
    const { store, settings } = this.deps;
    const leaseUntil_ms = settings.clock.now_ms() + settings.recordCallTimeout_ms + LEASE_MARGIN_MS;
    const due = await store.claimDueRecords(dueBy_ms, BATCH_SIZE, leaseUntil_ms);
    for (let start = 0; start < due.length && !this.closed; start += PARALLEL_DELIVERIES) {
      await Promise.all(due.slice(start, start + PARALLEL_DELIVERIES).map((entry) => this.deliverOne(entry)));
    }
  }

  private async deliverOne(entry: OutboxEntry): Promise<void> {
    const record = JSON.parse(entry.envelopeJson) as MerchantRecord;
    const outcome = await this.attemptDelivery(record);
    const { store, settings, events } = this.deps;
    const now_ms = settings.clock.now_ms();
    if (outcome.delivered) {
      await store.transaction((tx) =>
        tx.markRecordAcknowledged(entry.tabId, entry.recordId, JSON.stringify(outcome.ack), now_ms),
      );
      events.emit('record-acknowledged', {
        tabId: entry.tabId,
        recordId: entry.recordId,
        status: outcome.ack.payload.status,
      });
      return;
    }
    if (this.closed) {
      // Closing: the next start (or another process) sends it again at once rather than after the lease.
      await store.transaction((tx) =>
        tx.markRecordAttemptFailed(entry.tabId, entry.attempts, now_ms, 'delivery interrupted: the agent closed'),
      );
      return;
    }
    if ('refusedForGood' in outcome) {
      settings.logger.warn(
        `the MTA refused the record of ${entry.tabId} for good (${outcome.refusedForGood.code}); the tab is void`,
        outcome.refusedForGood.message,
      );
      await this.deps.onRefusedForGood(entry.tabId, outcome.refusedForGood.code, outcome.refusedForGood.message);
      return;
    }
    const attempts = entry.attempts + 1;
    if (outcome.resealed !== undefined) {
      // The MTA never accepted the stale original, so the fresh one replaces it and goes out at once.
      const resealed = outcome.resealed;
      await store.transaction(async (tx) => {
        await tx.replaceRecordEnvelope(entry.tabId, resealed.payload.id, JSON.stringify(resealed));
        await tx.markRecordAttemptFailed(entry.tabId, attempts, now_ms, outcome.error);
      });
      this.passRequested = true;
      return;
    }
    const nextAttemptAt_ms =
      now_ms +
      retryDelay_ms(
        attempts,
        { base_ms: settings.recordRetryBase_ms, max_ms: settings.recordRetryMax_ms },
        this.deps.random,
      );
    await store.transaction((tx) => tx.markRecordAttemptFailed(entry.tabId, attempts, nextAttemptAt_ms, outcome.error));
    events.emit('record-delivery-failed', {
      tabId: entry.tabId,
      recordId: entry.recordId,
      attempts,
      error: outcome.error,
      nextAttemptAt_ms,
    });
  }

  private async attemptDelivery(record: MerchantRecord): Promise<DeliveryOutcome> {
    const { crypto, settings, signer } = this.deps;
    let ack: RecordAck;
    try {
      ack = await callRoute(settings.operatorBaseUrl, OPERATOR_API.merchantRecord, record, {
        timeout_ms: settings.recordCallTimeout_ms,
        transport: settings.operatorTransport,
      });
    } catch (error) {
      if (!(error instanceof RemoteCallError)) return { delivered: false, error: `delivery failed: ${String(error)}` };
      const failure = error.failure;
      if (failure.kind === 'refused' && failure.code === 'stale_message') {
        return {
          delivered: false,
          error: failure.message,
          resealed: signer.resealedMerchantRecord(record, settings.clock.now_ms()),
        };
      }
      if (failure.kind === 'refused' && FINAL_REFUSALS.has(failure.code))
        return { delivered: false, refusedForGood: { code: failure.code, message: failure.message } };
      if (failure.kind === 'refused')
        settings.logger.warn(
          `the MTA refused the record of ${record.payload.tabId} (${failure.code}); retrying`,
          failure.message,
        );
      return { delivered: false, error: `${failure.kind}: ${failure.message}` };
    }
    const problem = ackProblem(crypto, settings, record, ack);
    return problem === null ? { delivered: true, ack } : { delivered: false, error: problem };
  }
}

function ackProblem(
  crypto: CryptoProvider,
  settings: OutboxSettings,
  record: MerchantRecord,
  ack: RecordAck,
): string | null {
  if (!verifyEnvelope(crypto, ack, settings.operatorPublicKey))
    return 'the record ack is not signed by the operator key';
  if (ack.payload.operatorId !== settings.operatorId) return `the record ack names operator ${ack.payload.operatorId}`;
  if (ack.payload.recordId !== record.payload.id || ack.payload.tabId !== record.payload.tabId)
    return 'the record ack is for another record';
  return null;
}
