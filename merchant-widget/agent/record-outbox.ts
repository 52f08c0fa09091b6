// Delivers merchant records to the MTA from the persisted outbox: at least once, until the MTA
// answers with a RecordAck signed by the operator key. A record is written to the outbox in the
// same transaction that stops its tab, so neither a crash nor a restart can lose it; this class
// only says how a record is sent and how its outcome is stored: the server kit's one outbox drains
// the table, retrying with capped, jittered exponential backoff. Each pass claims the records it
// sends with a lease (their next attempt moves past the call's timeout), so agent processes
// sharing one database never send the same record at once, and a record whose sender died is
// sent again once its lease runs out.

import { callRoute, RemoteCallError } from '@opentab/protocol';
import { OPERATOR_API } from '@opentab/protocol';
import type { CryptoProvider } from '@opentab/protocol';
import type { MerchantRecord } from '@opentab/protocol';
import type { RecordAck } from '@opentab/protocol';
import {
  OutboxDelivery,
  OutboxRunner,
  type OutboxSettlement,
  type OutboxStorage,
  type SendOutcome,
} from '@opentab/server-kit';
import type { AgentSettings } from './config';
import type { AgentEvents } from './events';
import type { OperatorKeys } from './operator-keys';
import type { MerchantSigner } from './signed-answers';
import type { AgentStore, OutboxEntry } from './store';

type OutboxSettings = Pick<
  AgentSettings,
  | 'operatorBaseUrl'
  | 'operatorTransport'
  | 'operatorId'
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
  readonly operatorKeys: OperatorKeys;
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

type RecordSettlement = OutboxSettlement<OutboxEntry, RecordAck, MerchantRecord>;

export class RecordOutbox {
  private readonly runner: OutboxRunner<OutboxEntry, RecordAck, MerchantRecord>;

  constructor(private readonly deps: RecordOutboxDependencies) {
    const { settings } = deps;
    const delivery = new OutboxDelivery<OutboxEntry, RecordAck, MerchantRecord>({
      storage: recordOutboxStorage(deps.store),
      backoff: { base_ms: settings.recordRetryBase_ms, max_ms: settings.recordRetryMax_ms },
      batchSize: BATCH_SIZE,
      parallel: PARALLEL_DELIVERIES,
      lease_ms: settings.recordCallTimeout_ms + LEASE_MARGIN_MS,
      clock: settings.clock,
      ...(deps.random === undefined ? {} : { random: deps.random }),
      onSettled: (settlements) => this.announce(settlements),
    });
    this.runner = new OutboxRunner({
      delivery,
      send: (entry) => this.send(entry),
      clock: settings.clock,
      maxSleep_ms: settings.recordRetryMax_ms,
      warn: (message, error) => settings.logger.warn(message, error),
    });
  }

  /** Picks up whatever an earlier run left undelivered. */
  start(): void {
    this.runner.start();
  }

  /** A record was enqueued (or is due): deliver it as soon as the current pass ends. */
  wake(): void {
    this.runner.wake();
  }

  /** Attempts every unacknowledged record now, ignoring backoff; resolves when the attempt is over. */
  flush(): Promise<void> {
    return this.runner.flush();
  }

  /** Stops the timer and waits for a delivery in flight, so the store can be closed after. */
  close(): Promise<void> {
    return this.runner.close();
  }

  private async send(entry: OutboxEntry): Promise<SendOutcome<RecordAck, MerchantRecord>> {
    const outcome = await this.attemptDelivery(JSON.parse(entry.envelopeJson) as MerchantRecord);
    if (outcome.delivered) return { kind: 'delivered', receipt: outcome.ack };
    if ('refusedForGood' in outcome) {
      const { code, message } = outcome.refusedForGood;
      this.deps.settings.logger.warn(
        `the MTA refused the record of ${entry.tabId} for good (${code}); the tab is void`,
        message,
      );
      await this.deps.onRefusedForGood(entry.tabId, code, message);
      return { kind: 'concluded' };
    }
    // The MTA never accepted the stale original, so the fresh one replaces it and goes out at once.
    if (outcome.resealed !== undefined)
      return { kind: 'failed', error: outcome.error, when: 'at-once', retry: outcome.resealed };
    return { kind: 'failed', error: outcome.error };
  }

  private announce(settlements: readonly RecordSettlement[]): void {
    for (const settlement of settlements) {
      const { tabId, recordId } = settlement.entry;
      if (settlement.kind === 'delivered')
        this.deps.events.emit('record-acknowledged', { tabId, recordId, status: settlement.receipt.payload.status });
      else if (settlement.reason === 'backoff')
        this.deps.events.emit('record-delivery-failed', {
          tabId,
          recordId,
          attempts: settlement.attempts,
          error: settlement.error,
          nextAttemptAt_ms: settlement.nextAttemptAt_ms,
        });
    }
  }

  private async attemptDelivery(record: MerchantRecord): Promise<DeliveryOutcome> {
    const { settings, signer } = this.deps;
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
    await this.deps.operatorKeys.learnAbout([ack.kid]);
    const problem = ackProblem(this.deps.operatorKeys, settings, record, ack);
    return problem === null ? { delivered: true, ack } : { delivered: false, error: problem };
  }
}

function ackProblem(
  operatorKeys: OperatorKeys,
  settings: OutboxSettings,
  record: MerchantRecord,
  ack: RecordAck,
): string | null {
  if (!operatorKeys.verifies(ack, settings.clock.now_ms())) return 'the record ack is not signed by the operator key';
  if (ack.payload.operatorId !== settings.operatorId) return `the record ack names operator ${ack.payload.operatorId}`;
  if (ack.payload.recordId !== record.payload.id || ack.payload.tabId !== record.payload.tabId)
    return 'the record ack is for another record';
  return null;
}

/** The agent's record_outbox table (one record per tab) as the kit's outbox storage. */
function recordOutboxStorage(store: AgentStore): OutboxStorage<OutboxEntry, RecordAck, MerchantRecord> {
  return {
    claimDue: (dueBy_ms, limit, leaseUntil_ms) => store.claimDueRecords(dueBy_ms, limit, leaseUntil_ms),
    nextDue_ms: () => store.nextRecordDue_ms(),
    settle: (settlements, now_ms) =>
      store.transaction(async (tx) => {
        for (const settlement of settlements) {
          const { tabId, recordId } = settlement.entry;
          if (settlement.kind === 'delivered') {
            await tx.markRecordAcknowledged(tabId, recordId, JSON.stringify(settlement.receipt), now_ms);
            continue;
          }
          const resealed = settlement.retry;
          if (resealed !== undefined)
            await tx.replaceRecordEnvelope(tabId, resealed.payload.id, JSON.stringify(resealed));
          await tx.markRecordAttemptFailed(tabId, settlement.attempts, settlement.nextAttemptAt_ms, settlement.error);
        }
      }),
  };
}
