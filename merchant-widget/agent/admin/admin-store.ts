// What the merchant's admin API reads and the refunds it writes, beside the agent's own tables in
// its store (a SQLite file or a PostgreSQL database several agent processes share). Refunds have
// tables of their own: one row per refund with where it stands with the MTA, and one row per
// refunded purchase, whose primary key is what makes a purchase refundable once. On SQLite they
// are created at start if missing; on PostgreSQL the agent's second numbered step makes them.
// Every call runs inside a transaction of the agent's store, so it never reads or writes half of
// another step; the SQL means the same on both stores.

import type { AgentStore, AgentStoreTransaction, SqlRow } from '../store';

const SQLITE_TABLES = `
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

export type Row = SqlRow;

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

export type NewRefund = Omit<RefundRow, 'status' | 'timing' | 'revision' | 'attempts' | 'lastError'>;

const n = (value: unknown): number => Number(value);
// PostgreSQL's sums arrive as decimal strings, its BIGINTs and SQLite's integers as bigint.
const big = (value: unknown): bigint => BigInt(value as bigint | number | string);
const textOrNull = (value: unknown): string | null => (value === null ? null : String(value));

export class AdminStore {
  private constructor(private readonly store: AgentStore) {}

  /** The admin tables in the agent's store: created now on SQLite, by the agent's migration on PostgreSQL. */
  static async open(store: AgentStore): Promise<AdminStore> {
    if (store.kind === 'sqlite') await store.ensureTables(SQLITE_TABLES);
    return new AdminStore(store);
  }

  /** Runs `work` as one transaction of the agent's store. */
  inTransaction<T>(work: (tx: AdminTransaction) => Promise<T>): Promise<T> {
    return this.store.transaction((tx) => work(new AdminTransaction(tx)));
  }
}

/** The admin's reads and writes within one transaction of the agent's store. */
export class AdminTransaction {
  constructor(readonly agent: AgentStoreTransaction) {}

  all(sql: string, ...args: unknown[]): Promise<Row[]> {
    return this.agent.sql.all(sql, args);
  }

  async one(sql: string, ...args: unknown[]): Promise<Row | undefined> {
    return (await this.agent.sql.all(sql, args))[0];
  }

  run(sql: string, ...args: unknown[]): Promise<number> {
    return this.agent.sql.run(sql, args);
  }

  async refund(refundId: string): Promise<RefundRow | null> {
    const row = await this.one('SELECT * FROM refunds WHERE refund_id = ?', refundId);
    return row === undefined ? null : this.refundOf(row);
  }

  /** Newest first. */
  async refunds(limit: number): Promise<RefundRow[]> {
    const rows = await this.all('SELECT * FROM refunds ORDER BY requested_at_ms DESC, refund_id LIMIT ?', limit);
    return Promise.all(rows.map((row) => this.refundOf(row)));
  }

  async dueRefunds(now_ms: number, limit: number): Promise<RefundRow[]> {
    const rows = await this.all(
      "SELECT * FROM refunds WHERE status = 'pending' AND next_attempt_at_ms <= ? ORDER BY next_attempt_at_ms LIMIT ?",
      now_ms,
      limit,
    );
    return Promise.all(rows.map((row) => this.refundOf(row)));
  }

  /** The sequence numbers of the tab's purchases a refund (pending or taken) covers already. */
  async refundedSeqs(tabId: string): Promise<Set<number>> {
    const rows = await this.all(
      `SELECT rp.seq FROM refunded_purchases rp JOIN refunds r ON r.refund_id = rp.refund_id
       WHERE rp.tab_id = ? AND r.status != 'refused'`,
      tabId,
    );
    return new Set(rows.map((row) => n(row.seq)));
  }

  /** What the tab's refunds (pending or taken) give back together. */
  async refundedTotal(tabId: string): Promise<bigint> {
    const row = await this.one(
      "SELECT COALESCE(SUM(amount_minor), 0) AS total FROM refunds WHERE tab_id = ? AND status != 'refused'",
      tabId,
    );
    return big(row!.total);
  }

  /** False, writing nothing, when the refund id is taken (by this refund, or by another process at once). */
  async insertRefund(refund: NewRefund): Promise<boolean> {
    const inserted = await this.run(
      `INSERT INTO refunds (refund_id, tab_id, amount_minor, reason, requested_by, requested_at_ms, status, next_attempt_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT (refund_id) DO NOTHING`,
      refund.refundId,
      refund.tabId,
      refund.amount_minor,
      refund.reason,
      refund.requestedBy,
      refund.requestedAt_ms,
      refund.nextAttemptAt_ms,
    );
    if (inserted === 0) return false;
    // A purchase a refused refund had covered may be refunded again: its row goes to the new refund.
    for (const seq of refund.seqs)
      await this.run(
        `INSERT INTO refunded_purchases (tab_id, seq, refund_id) VALUES (?, ?, ?)
         ON CONFLICT (tab_id, seq) DO UPDATE SET refund_id = excluded.refund_id`,
        refund.tabId,
        seq,
        refund.refundId,
      );
    return true;
  }

  async markTaken(refundId: string, ack: { timing: string; revision: number | null; json: string }): Promise<void> {
    await this.run(
      "UPDATE refunds SET status = 'taken', timing = ?, revision = ?, ack_json = ?, last_error = NULL, attempts = attempts + 1 WHERE refund_id = ? AND status = 'pending'",
      ack.timing,
      ack.revision,
      ack.json,
      refundId,
    );
  }

  async markRefused(refundId: string, error: string): Promise<void> {
    await this.run(
      "UPDATE refunds SET status = 'refused', last_error = ?, attempts = attempts + 1 WHERE refund_id = ? AND status = 'pending'",
      error,
      refundId,
    );
  }

  async markAttemptFailed(refundId: string, nextAttemptAt_ms: number, error: string): Promise<void> {
    await this.run(
      "UPDATE refunds SET attempts = attempts + 1, next_attempt_at_ms = ?, last_error = ? WHERE refund_id = ? AND status = 'pending'",
      nextAttemptAt_ms,
      error,
      refundId,
    );
  }

  private async refundOf(row: Row): Promise<RefundRow> {
    const refundId = String(row.refund_id);
    const seqs = await this.all('SELECT seq FROM refunded_purchases WHERE refund_id = ? ORDER BY seq', refundId);
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
      seqs: seqs.map((r) => n(r.seq)),
    };
  }
}
