// An outbox table in SQLite: messages keyed by (record id, destination), their payload as JSON,
// written with `enqueue` inside the caller's transaction and drained through OutboxDelivery. The
// destination is the owner's opaque string (the operator encodes its kinds of receiver in it).
// The table's owner creates it in its numbered migrations with the columns of OUTBOX_TABLE_SQL.

import type Database from 'better-sqlite3';
import type { OutboxSettlement, OutboxStorage } from './outbox-delivery';

/** The columns an outbox table needs, and the partial index its due query reads. */
export function outboxTableSql(table: string): string {
  return `CREATE TABLE ${table} (
  seq              INTEGER PRIMARY KEY AUTOINCREMENT,
  record_id        TEXT NOT NULL,
  destination      TEXT NOT NULL,
  payload          TEXT NOT NULL,
  created_at       INTEGER NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  delivered_at     INTEGER,
  last_error       TEXT,
  UNIQUE (record_id, destination)
) STRICT;
CREATE INDEX ${table}_due ON ${table}(next_attempt_at) WHERE delivered_at IS NULL;`;
}

/**
 * Ordered the way the partial index <table>_due is, so a pass reads only undelivered rows:
 * ORDER BY seq alone made SQLite walk the whole table in rowid order, every delivered row
 * included, on every pass.
 */
export function dueRowsSql(table: string): string {
  return `SELECT seq, record_id, destination, payload, attempts FROM ${table} WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, seq LIMIT ?`;
}

export interface OutboxTableEntry {
  readonly seq: number;
  readonly recordId: string;
  readonly destination: string;
  readonly payload: unknown;
  readonly attempts: number;
}

export interface UndeliveredMessage {
  readonly recordId: string;
  readonly destination: string;
  readonly createdAt: number;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
}

export interface OutboxTableRow {
  readonly seq: number;
  readonly recordId: string;
  readonly destination: string;
  readonly payload: unknown;
  readonly attempts: number;
  readonly deliveredAt: number | null;
  readonly lastError: string | null;
}

interface DueRow {
  seq: number;
  record_id: string;
  destination: string;
  payload: string;
  attempts: number;
}

export class SqliteOutbox {
  readonly storage: OutboxStorage<OutboxTableEntry>;
  private readonly insert;
  private readonly pendingCount;
  private readonly byRecord;
  private readonly deliveredElsewhere;
  private readonly undeliveredRows;
  private readonly retrySoon;
  private readonly retryAllFailing;

  constructor(db: Database.Database, table = 'outbox') {
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO ${table} (record_id, destination, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)`,
    );
    this.pendingCount = db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE delivered_at IS NULL`);
    this.byRecord = db.prepare<[string], DueRow & { delivered_at: number | null; last_error: string | null }>(
      `SELECT * FROM ${table} WHERE record_id = ? ORDER BY seq`,
    );
    this.deliveredElsewhere = db.prepare(
      `UPDATE ${table} SET delivered_at = ?, attempts = attempts + 1, last_error = NULL
       WHERE record_id = ? AND destination = ? AND delivered_at IS NULL`,
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
      `SELECT record_id, destination, created_at, attempts, next_attempt_at, last_error FROM ${table}
       WHERE delivered_at IS NULL AND attempts >= ? ORDER BY seq LIMIT ?`,
    );
    this.retrySoon = db.prepare(
      `UPDATE ${table} SET next_attempt_at = ? WHERE record_id = ? AND delivered_at IS NULL AND next_attempt_at > ?`,
    );
    this.retryAllFailing = db.prepare(
      `UPDATE ${table} SET next_attempt_at = ? WHERE delivered_at IS NULL AND attempts > 0 AND next_attempt_at > ?`,
    );
    this.storage = sqliteOutboxStorage(db, table);
  }

  /**
   * Call inside the transaction that makes the change; a second enqueue of the same record and
   * destination is ignored. `firstAttemptAt_ms` later than now leaves the first attempt to the
   * caller (see markDelivered): the outbox steps in only if that attempt did not succeed in time.
   */
  enqueue(recordId: string, destination: string, payload: unknown, now_ms: number, firstAttemptAt_ms = now_ms): void {
    this.insert.run(recordId, destination, JSON.stringify(payload), now_ms, firstAttemptAt_ms);
  }

  /** The caller delivered the message itself; false when it was not pending (already delivered, or never enqueued). */
  markDelivered(recordId: string, destination: string, now_ms: number): boolean {
    return this.deliveredElsewhere.run(now_ms, recordId, destination).changes === 1;
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
   * Makes undelivered messages due now instead of at their backoff (once a receiver is back): the
   * named records, or every message that failed before. How many were brought forward.
   */
  retryNow(now_ms: number, recordIds?: readonly string[]): number {
    if (recordIds === undefined) return this.retryAllFailing.run(now_ms, now_ms).changes;
    let changes = 0;
    for (const recordId of recordIds) changes += this.retrySoon.run(now_ms, recordId, now_ms).changes;
    return changes;
  }

  rowsOfRecord(recordId: string): OutboxTableRow[] {
    return this.byRecord.all(recordId).map((row) => ({
      seq: row.seq,
      recordId: row.record_id,
      destination: row.destination,
      payload: JSON.parse(row.payload) as unknown,
      attempts: row.attempts,
      deliveredAt: row.delivered_at,
      lastError: row.last_error,
    }));
  }
}

function sqliteOutboxStorage(db: Database.Database, table: string): OutboxStorage<OutboxTableEntry> {
  const due = db.prepare<[number, number], DueRow>(dueRowsSql(table));
  const lease = db.prepare(`UPDATE ${table} SET next_attempt_at = ? WHERE seq = ?`);
  const delivered = db.prepare(
    `UPDATE ${table} SET delivered_at = ?, attempts = ?, last_error = NULL WHERE seq = ? AND delivered_at IS NULL`,
  );
  const failed = db.prepare(
    `UPDATE ${table} SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE seq = ? AND delivered_at IS NULL`,
  );
  const nextDue = db.prepare<[], { due: number | null }>(
    `SELECT MIN(next_attempt_at) AS due FROM ${table} WHERE delivered_at IS NULL`,
  );
  const claim = db.transaction((dueBy_ms: number, limit: number, leaseUntil_ms: number) => {
    const rows = due.all(dueBy_ms, limit);
    for (const row of rows) lease.run(leaseUntil_ms, row.seq);
    return rows;
  });
  // One commit for a whole chunk: a commit per row cost more than the UPDATE itself under load.
  const settle = db.transaction((settlements: readonly OutboxSettlement<OutboxTableEntry>[], now_ms: number) => {
    for (const settlement of settlements) {
      if (settlement.kind === 'delivered') delivered.run(now_ms, settlement.attempts, settlement.entry.seq);
      else failed.run(settlement.attempts, settlement.nextAttemptAt_ms, settlement.error, settlement.entry.seq);
    }
  });
  return {
    claimDue: async (dueBy_ms, limit, leaseUntil_ms) =>
      claim(dueBy_ms, limit, leaseUntil_ms).map((row) => ({
        seq: row.seq,
        recordId: row.record_id,
        destination: row.destination,
        payload: JSON.parse(row.payload) as unknown,
        attempts: row.attempts,
      })),
    settle: async (settlements, now_ms) => settle(settlements, now_ms),
    nextDue_ms: async () => nextDue.get()?.due ?? null,
  };
}
