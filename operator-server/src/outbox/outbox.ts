// Transactional outbox: a message is written in the same SQLite transaction as the change it
// reports, then delivered at least once by `deliverDue`, with capped exponential backoff and
// jitter between attempts. Billing records, clearing messages to peers and notices to merchant
// agents all leave through here, so none is lost to a crash or an unreachable receiver.

import type Database from 'better-sqlite3';
import { retryDelay_ms, type BackoffPolicy } from '@opentab/server-kit';

export type OutboxDestination =
  | { kind: 'billing'; sinkIndex: number }
  | { kind: 'peer-clearing'; operatorId: string }
  /** The MTA's signed decision on a disputed tab, for the customer's AM to show the customer. */
  | { kind: 'peer-dispute-decision'; operatorId: string }
  | { kind: 'merchant-notice'; merchantId: string }
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

function encodeDestination(destination: OutboxDestination): string {
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
  if (kind === 'peer-key-rotation') return { kind, operatorId: target };
  if (kind === 'extension') {
    const colon = target.indexOf(':');
    return { kind, extension: target.slice(0, colon), target: target.slice(colon + 1) };
  }
  throw new Error(`unknown outbox destination ${text}`);
}

export interface UndeliveredMessage {
  readonly recordId: string;
  /** As stored: `<kind>:<target>`. */
  readonly destination: string;
  readonly createdAt: number;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
}

export interface OutboxRow {
  readonly seq: number;
  readonly recordId: string;
  readonly destination: OutboxDestination;
  readonly payload: unknown;
  readonly attempts: number;
  readonly deliveredAt: number | null;
  readonly lastError: string | null;
}

/**
 * Ordered the way the partial index outbox_due is, so a pass reads only undelivered rows:
 * ORDER BY seq alone made SQLite walk the whole table in rowid order, every delivered row
 * included, on every pass (15 ms at 300k rows, every tick).
 */
export const DUE_ROWS_SQL =
  'SELECT seq, record_id, destination, payload, attempts FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, seq LIMIT ?';

export class Outbox {
  private readonly insert;
  private readonly due;
  private readonly delivered;
  private readonly failed;
  private readonly pendingCount;
  private readonly byRecord;
  private readonly deliveredElsewhere;
  private readonly recordOutcomes;
  private readonly undeliveredRows;
  private readonly retrySoon;
  private readonly retryAllFailing;
  private delivering = false;

  constructor(db: Database.Database) {
    this.insert = db.prepare(
      'INSERT OR IGNORE INTO outbox (record_id, destination, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.due = db.prepare<
      [number, number],
      { seq: number; record_id: string; destination: string; payload: string; attempts: number }
    >(DUE_ROWS_SQL);
    this.delivered = db.prepare(
      'UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE seq = ?',
    );
    this.failed = db.prepare(
      'UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE seq = ?',
    );
    this.pendingCount = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NULL');
    this.byRecord = db.prepare<
      [string],
      {
        seq: number;
        record_id: string;
        destination: string;
        payload: string;
        attempts: number;
        delivered_at: number | null;
        last_error: string | null;
      }
    >('SELECT * FROM outbox WHERE record_id = ? ORDER BY seq');
    this.deliveredElsewhere = db.prepare(
      'UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE record_id = ? AND destination = ? AND delivered_at IS NULL',
    );
    this.undeliveredRows = db.prepare<
      [number, number],
      {
        record_id: string;
        destination: string;
        created_at: number;
        attempts: number;
        next_attempt_at: number;
        last_error: string | null;
      }
    >(
      `SELECT record_id, destination, created_at, attempts, next_attempt_at, last_error FROM outbox
       WHERE delivered_at IS NULL AND attempts >= ? ORDER BY seq LIMIT ?`,
    );
    this.retrySoon = db.prepare(
      'UPDATE outbox SET next_attempt_at = ? WHERE record_id = ? AND delivered_at IS NULL AND next_attempt_at > ?',
    );
    this.retryAllFailing = db.prepare(
      'UPDATE outbox SET next_attempt_at = ? WHERE delivered_at IS NULL AND attempts > 0 AND next_attempt_at > ?',
    );
    // One commit for a whole pass: a commit per row cost more than the UPDATE itself under load.
    this.recordOutcomes = db.transaction((marks: ReadonlyArray<() => void>) => {
      for (const mark of marks) mark();
    });
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
    this.insert.run(recordId, encodeDestination(destination), JSON.stringify(payload), now_ms, firstAttemptAt_ms);
  }

  /** The caller delivered the message itself; false when it was not pending (already delivered, or never enqueued). */
  markDelivered(recordId: string, destination: OutboxDestination, now_ms: number): boolean {
    return this.deliveredElsewhere.run(now_ms, recordId, encodeDestination(destination)).changes === 1;
  }

  pending(): number {
    return this.pendingCount.get()!.n;
  }

  /** Messages not delivered yet, oldest first; `failedOnly`: those whose delivery failed at least once. */
  undelivered(failedOnly: boolean, limit: number): UndeliveredMessage[] {
    return this.undeliveredRows.all(failedOnly ? 1 : 0, limit).map((row) => ({
      recordId: row.record_id,
      destination: row.destination,
      createdAt: row.created_at,
      attempts: row.attempts,
      nextAttemptAt: row.next_attempt_at,
      lastError: row.last_error,
    }));
  }

  /**
   * Makes undelivered messages due now instead of at their backoff (the staff, once a receiver is
   * back): the named records, or every message that failed before. How many were brought forward.
   */
  retryNow(now_ms: number, recordIds?: readonly string[]): number {
    if (recordIds === undefined) return this.retryAllFailing.run(now_ms, now_ms).changes;
    let changes = 0;
    for (const recordId of recordIds) changes += this.retrySoon.run(now_ms, recordId, now_ms).changes;
    return changes;
  }

  rowsOfRecord(recordId: string): OutboxRow[] {
    return this.byRecord.all(recordId).map((row) => ({
      seq: row.seq,
      recordId: row.record_id,
      destination: decodeDestination(row.destination),
      payload: JSON.parse(row.payload) as unknown,
      attempts: row.attempts,
      deliveredAt: row.delivered_at,
      lastError: row.last_error,
    }));
  }

  /** Delivers what is due, concurrently per batch; one pass at a time. Returns how many were delivered. */
  async deliverDue(now_ms: number, deliver: OutboxDeliverer): Promise<number> {
    if (this.delivering) return 0;
    this.delivering = true;
    try {
      const rows = this.due.all(now_ms, BATCH_LIMIT);
      const outcomes = await Promise.allSettled(
        rows.map((row) => deliver(decodeDestination(row.destination), JSON.parse(row.payload))),
      );
      let deliveredCount = 0;
      const marks = outcomes.map((outcome, index) => {
        const row = rows[index]!;
        if (outcome.status === 'fulfilled') {
          deliveredCount++;
          return () => this.delivered.run(now_ms, row.seq);
        }
        const message = outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
        return () =>
          this.failed.run(now_ms + retryDelay_ms(row.attempts + 1, OUTBOX_BACKOFF), message.slice(0, 500), row.seq);
      });
      if (marks.length > 0) this.recordOutcomes(marks);
      return deliveredCount;
    } finally {
      this.delivering = false;
    }
  }
}
