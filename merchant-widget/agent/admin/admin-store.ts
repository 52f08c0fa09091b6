// What the merchant's admin API reads and the refunds it writes, in the agent's SQLite file beside
// the agent's own tables. Refunds have tables of their own (created at start if missing): one row
// per refund with where it stands with the MTA, and one row per refunded purchase, whose primary
// key is what makes a purchase refundable once. Every call runs inside a transaction of the agent's
// store, so it never reads or writes half of another step.

import type Database from 'better-sqlite3';
import type { AgentStoreTransaction } from '../store';
import type { SqliteAgentStore } from '../sqlite-store';

const TABLES = `
CREATE TABLE IF NOT EXISTS refunds (
  refund_id TEXT PRIMARY KEY,
  tab_id TEXT NOT NULL REFERENCES tabs (tab_id),
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  reason TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  requested_at_ms INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'taken', 'refused')),
  timing TEXT CHECK (timing IN ('before-clearing', 'after-clearing')),
  revision INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at_ms INTEGER NOT NULL,
  last_error TEXT,
  ack_json TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS refunds_due ON refunds (next_attempt_at_ms) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS refunds_by_tab ON refunds (tab_id);
CREATE TABLE IF NOT EXISTS refunded_purchases (
  tab_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  refund_id TEXT NOT NULL REFERENCES refunds (refund_id),
  PRIMARY KEY (tab_id, seq)
) STRICT;
CREATE INDEX IF NOT EXISTS refunded_purchases_by_refund ON refunded_purchases (refund_id);
`;

export type Row = Record<string, unknown>;

export type RefundState = 'pending' | 'taken' | 'refused';

export interface RefundRow {
  readonly refundId: string;
  readonly tabId: string;
  readonly amount_minor: bigint;
  readonly reason: string;
  readonly requestedBy: string;
  readonly requestedAt_ms: number;
  readonly status: RefundState;
  readonly timing: 'before-clearing' | 'after-clearing' | null;
  readonly revision: number | null;
  readonly attempts: number;
  readonly nextAttemptAt_ms: number;
  readonly lastError: string | null;
  readonly seqs: readonly number[];
}

const n = (value: unknown): number => Number(value);
const big = (value: unknown): bigint => BigInt(value as bigint | number);
const textOrNull = (value: unknown): string | null => (value === null ? null : String(value));

export class AdminStore {
  private readonly db: Database.Database;

  constructor(private readonly store: SqliteAgentStore) {
    this.db = store.database;
    this.db.exec(TABLES);
  }

  /** Runs `work` in one transaction of the agent's store; `work` uses this class's synchronous methods. */
  inTransaction<T>(work: (tx: AgentStoreTransaction) => T | Promise<T>): Promise<T> {
    return this.store.transaction(async (tx) => work(tx));
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  run(sql: string, ...args: unknown[]): void {
    this.db.prepare(sql).run(...args);
  }

  all(sql: string, ...args: unknown[]): Row[] {
    return this.db.prepare(sql).all(...args) as Row[];
  }

  one(sql: string, ...args: unknown[]): Row | undefined {
    return this.db.prepare(sql).get(...args) as Row | undefined;
  }

  refund(refundId: string): RefundRow | null {
    const row = this.one('SELECT * FROM refunds WHERE refund_id = ?', refundId);
    return row === undefined ? null : this.refundOf(row);
  }

  /** Newest first. */
  refunds(limit: number): RefundRow[] {
    return this.all('SELECT * FROM refunds ORDER BY requested_at_ms DESC, refund_id LIMIT ?', limit).map((row) =>
      this.refundOf(row),
    );
  }

  dueRefunds(now_ms: number, limit: number): RefundRow[] {
    return this.all(
      "SELECT * FROM refunds WHERE status = 'pending' AND next_attempt_at_ms <= ? ORDER BY next_attempt_at_ms LIMIT ?",
      now_ms,
      limit,
    ).map((row) => this.refundOf(row));
  }

  /** The sequence numbers of the tab's purchases a refund (pending or taken) covers already. */
  refundedSeqs(tabId: string): Set<number> {
    return new Set(
      this.all(
        `SELECT rp.seq FROM refunded_purchases rp JOIN refunds r ON r.refund_id = rp.refund_id
         WHERE rp.tab_id = ? AND r.status != 'refused'`,
        tabId,
      ).map((row) => n(row.seq)),
    );
  }

  insertRefund(refund: Omit<RefundRow, 'status' | 'timing' | 'revision' | 'attempts' | 'lastError'>): void {
    this.db
      .prepare(
        `INSERT INTO refunds (refund_id, tab_id, amount_minor, reason, requested_by, requested_at_ms, status, next_attempt_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)`,
      )
      .run(
        refund.refundId,
        refund.tabId,
        refund.amount_minor,
        refund.reason,
        refund.requestedBy,
        refund.requestedAt_ms,
        refund.nextAttemptAt_ms,
      );
    // A purchase a refused refund had covered may be refunded again: its row goes to the new refund.
    const claim = this.db.prepare(
      `INSERT INTO refunded_purchases (tab_id, seq, refund_id) VALUES (?, ?, ?)
       ON CONFLICT (tab_id, seq) DO UPDATE SET refund_id = excluded.refund_id`,
    );
    for (const seq of refund.seqs) claim.run(refund.tabId, seq, refund.refundId);
  }

  markTaken(refundId: string, ack: { timing: string; revision: number | null; json: string }): void {
    this.db
      .prepare(
        "UPDATE refunds SET status = 'taken', timing = ?, revision = ?, ack_json = ?, last_error = NULL, attempts = attempts + 1 WHERE refund_id = ? AND status = 'pending'",
      )
      .run(ack.timing, ack.revision, ack.json, refundId);
  }

  markRefused(refundId: string, error: string): void {
    this.db
      .prepare(
        "UPDATE refunds SET status = 'refused', last_error = ?, attempts = attempts + 1 WHERE refund_id = ? AND status = 'pending'",
      )
      .run(error, refundId);
  }

  markAttemptFailed(refundId: string, nextAttemptAt_ms: number, error: string): void {
    this.db
      .prepare(
        "UPDATE refunds SET attempts = attempts + 1, next_attempt_at_ms = ?, last_error = ? WHERE refund_id = ? AND status = 'pending'",
      )
      .run(nextAttemptAt_ms, error, refundId);
  }

  private refundOf(row: Row): RefundRow {
    const refundId = String(row.refund_id);
    return {
      refundId,
      tabId: String(row.tab_id),
      amount_minor: big(row.amount_minor),
      reason: String(row.reason),
      requestedBy: String(row.requested_by),
      requestedAt_ms: n(row.requested_at_ms),
      status: String(row.status) as RefundState,
      timing: textOrNull(row.timing) as RefundRow['timing'],
      revision: row.revision === null ? null : n(row.revision),
      attempts: n(row.attempts),
      nextAttemptAt_ms: n(row.next_attempt_at_ms),
      lastError: textOrNull(row.last_error),
      seqs: this.all('SELECT seq FROM refunded_purchases WHERE refund_id = ? ORDER BY seq', refundId).map((r) =>
        n(r.seq),
      ),
    };
  }
}
