// Transactional outbox: a message is written in the same SQLite transaction as the change it
// reports, then delivered at least once by `deliverDue` through the server kit's one outbox
// (claim with a lease, send, record the outcome, back off with jitter between attempts). Billing
// records, clearing messages to peers and notices to merchant agents all leave through here, so
// none is lost to a crash or an unreachable receiver.

import type Database from 'better-sqlite3';
import {
  type BackoffPolicy,
  dueRowsSql,
  OutboxDelivery,
  type OutboxStorage,
  SqliteOutbox,
  type OutboxTableEntry,
  type UndeliveredMessage,
} from '@opentab/server-kit';

export type OutboxDestination =
  | { kind: 'billing'; sinkIndex: number }
  | { kind: 'peer-clearing'; operatorId: string }
  /** The MTA's signed decision on a disputed tab, for the customer's AM to show the customer. */
  | { kind: 'peer-dispute-decision'; operatorId: string }
  | { kind: 'merchant-notice'; merchantId: string }
  /** The signed decision on a disputed tab, for the merchant agent (mta/merchant-dispute-decision.ts). */
  | { kind: 'merchant-dispute-decision'; merchantId: string }
  /** The MTA asks a merchant agent for its record of a stopping tab; the answer is the record. */
  | { kind: 'merchant-record-request'; merchantId: string }
  /** This operator's key rotation notice, to one peer (identity/key-rotation.ts). */
  | { kind: 'peer-key-rotation'; operatorId: string }
  /** A message of an operator extension (OperatorExtension.deliver sends it); `target` is the extension's to read. */
  | { kind: 'extension'; extension: string; target: string };

export type OutboxDeliverer = (destination: OutboxDestination, payload: unknown) => Promise<void>;

/** Half a second after the first failure, doubling to at most five minutes, jittered (retryDelay_ms). */
export const OUTBOX_BACKOFF: BackoffPolicy = { base_ms: 500, max_ms: 5 * 60 * 1000 };
const BATCH_LIMIT = 100;

/** How a destination is written in the outbox table, on SQLite and PostgreSQL alike. */
export function encodeDestination(destination: OutboxDestination): string {
  switch (destination.kind) {
    case 'billing':
      return `billing:${destination.sinkIndex}`;
    case 'peer-clearing':
      return `peer-clearing:${destination.operatorId}`;
    case 'peer-dispute-decision':
      return `peer-dispute-decision:${destination.operatorId}`;
    case 'merchant-notice':
      return `merchant-notice:${destination.merchantId}`;
    case 'merchant-record-request':
      return `merchant-record-request:${destination.merchantId}`;
    case 'merchant-dispute-decision':
      return `merchant-dispute-decision:${destination.merchantId}`;
    case 'peer-key-rotation':
      return `peer-key-rotation:${destination.operatorId}`;
    case 'extension':
      return `extension:${destination.extension}:${destination.target}`;
  }
}

function decodeDestination(text: string): OutboxDestination {
  const colon = text.indexOf(':');
  const kind = text.slice(0, colon);
  const target = text.slice(colon + 1);
  if (kind === 'billing') return { kind, sinkIndex: Number(target) };
  if (kind === 'peer-clearing') return { kind, operatorId: target };
  if (kind === 'peer-dispute-decision') return { kind, operatorId: target };
  if (kind === 'merchant-notice') return { kind, merchantId: target };
  if (kind === 'merchant-record-request') return { kind, merchantId: target };
  if (kind === 'merchant-dispute-decision') return { kind, merchantId: target };
  if (kind === 'peer-key-rotation') return { kind, operatorId: target };
  if (kind === 'extension') {
    const colon = target.indexOf(':');
    return { kind, extension: target.slice(0, colon), target: target.slice(colon + 1) };
  }
  throw new Error(`unknown outbox destination ${text}`);
}

export type { UndeliveredMessage } from '@opentab/server-kit';

export interface OutboxRow {
  readonly seq: number;
  readonly recordId: string;
  readonly destination: OutboxDestination;
  readonly payload: unknown;
  readonly attempts: number;
  readonly deliveredAt: number | null;
  readonly lastError: string | null;
}

/** The query a pass reads due rows with (the kit's, over this table). */
export const DUE_ROWS_SQL = dueRowsSql('outbox');

/**
 * The longest a delivery may take (a merchant notice's call times out after ten seconds) and a
 * margin: a row claimed by a deliverer that died is sent again once this has passed.
 */
export const OUTBOX_LEASE_MS = 15_000;

/** The kit's delivery engine over the outbox table of either store, with the operator's batch, backoff and lease. */
export function operatorOutboxDelivery(storage: OutboxStorage<OutboxTableEntry>): OutboxDelivery<OutboxTableEntry> {
  return new OutboxDelivery({
    storage,
    backoff: OUTBOX_BACKOFF,
    batchSize: BATCH_LIMIT,
    // A whole batch at once, and its outcomes in one commit.
    parallel: BATCH_LIMIT,
    lease_ms: OUTBOX_LEASE_MS,
  });
}

/** One pass of `delivery`: each message due is sent to its decoded destination. How many were delivered. */
export async function deliverDueMessages(
  delivery: OutboxDelivery<OutboxTableEntry>,
  now_ms: number,
  deliver: OutboxDeliverer,
): Promise<number> {
  const pass = await delivery.deliverDue(async (entry) => {
    await deliver(decodeDestination(entry.destination), entry.payload);
    return { kind: 'delivered', receipt: undefined };
  }, now_ms);
  return pass.delivered;
}

/** The operator's outbox: its kinds of destination over the kit's SQLite outbox and delivery engine. */
export class Outbox {
  private readonly table: SqliteOutbox;
  private readonly delivery: OutboxDelivery<OutboxTableEntry>;

  constructor(db: Database.Database) {
    this.table = new SqliteOutbox(db, 'outbox');
    this.delivery = operatorOutboxDelivery(this.table.storage);
  }

  /**
   * Call inside the transaction that makes the change; a second enqueue of the same record and
   * destination is ignored. `firstAttemptAt_ms` later than now leaves the first attempt to the
   * caller (see markDelivered): the outbox steps in only if that attempt did not succeed in time.
   */
  enqueue(
    recordId: string,
    destination: OutboxDestination,
    payload: unknown,
    now_ms: number,
    firstAttemptAt_ms: number = now_ms,
  ): void {
    this.table.enqueue(recordId, encodeDestination(destination), payload, now_ms, firstAttemptAt_ms);
  }

  /** The caller delivered the message itself; false when it was not pending (already delivered, or never enqueued). */
  markDelivered(recordId: string, destination: OutboxDestination, now_ms: number): boolean {
    return this.table.markDelivered(recordId, encodeDestination(destination), now_ms);
  }

  pending(): number {
    return this.table.pending();
  }

  /** Messages not delivered yet, oldest first; `failedOnly`: those whose delivery failed at least once. */
  undelivered(failedOnly: boolean, limit: number): UndeliveredMessage[] {
    return this.table.undelivered(failedOnly, limit);
  }

  /**
   * Makes undelivered messages due now instead of at their backoff (the staff, once a receiver is
   * back): the named records, or every message that failed before. How many were brought forward.
   */
  retryNow(now_ms: number, recordIds?: readonly string[]): number {
    return this.table.retryNow(now_ms, recordIds);
  }

  rowsOfRecord(recordId: string): OutboxRow[] {
    return this.table
      .rowsOfRecord(recordId)
      .map((row) => ({ ...row, destination: decodeDestination(row.destination) }));
  }

  /** Delivers what is due, a whole batch at once; one pass at a time. Returns how many were delivered. */
  deliverDue(now_ms: number, deliver: OutboxDeliverer): Promise<number> {
    return deliverDueMessages(this.delivery, now_ms, deliver);
  }
}
