// The outbox table of sqlite-outbox.ts on PostgreSQL, for processes that share one database: a
// claim takes due rows no other process holds (`FOR UPDATE SKIP LOCKED`) and leases them by moving
// their next attempt; a chunk's outcomes are written by one statement, so they commit together.
// Plain SQL that PostgreSQL-compatible distributed databases also run. The connection is anything
// with node-postgres's `query` (a Pool for the engine, the caller's transaction client for
// `enqueue`), so the kit needs no driver of its own.

import type { OutboxSettlement, OutboxStorage } from './outbox-delivery';
import type { OutboxTableEntry, OutboxTableRow, UndeliveredMessage } from './sqlite-outbox';

/** What the outbox needs of a connection or pool (node-postgres's fit). */
export interface OutboxConnection {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
}

/** The table and its due index, for the owner's numbered migrations. */
export function postgresOutboxTableSql(table: string): string {
  return `CREATE TABLE ${table} (
  seq              BIGSERIAL PRIMARY KEY,
  record_id        TEXT NOT NULL,
  destination      TEXT NOT NULL,
  payload          TEXT NOT NULL,
  created_at       BIGINT NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  BIGINT NOT NULL,
  delivered_at     BIGINT,
  last_error       TEXT,
  UNIQUE (record_id, destination)
);
CREATE INDEX ${table}_due ON ${table} (next_attempt_at) WHERE delivered_at IS NULL;`;
}

const int = (value: unknown): number => Number(value);
const intOrNull = (value: unknown): number | null => (value === null ? null : Number(value));

export class PostgresOutbox {
  readonly storage: OutboxStorage<OutboxTableEntry>;

  constructor(
    private readonly pool: OutboxConnection,
    private readonly table = 'outbox',
  ) {
    this.storage = postgresOutboxStorage(pool, table);
  }

  /** Inside the caller's transaction (`connection` is its client); the same record and destination again adds nothing. */
  async enqueue(
    connection: OutboxConnection,
    recordId: string,
    destination: string,
    payload: unknown,
    now_ms: number,
    firstAttemptAt_ms = now_ms,
  ): Promise<void> {
    await connection.query(
      `INSERT INTO ${this.table} (record_id, destination, payload, created_at, next_attempt_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (record_id, destination) DO NOTHING`,
      [recordId, destination, JSON.stringify(payload), now_ms, firstAttemptAt_ms],
    );
  }

  /** The caller delivered the message itself; false when it was not pending. */
  async markDelivered(
    connection: OutboxConnection,
    recordId: string,
    destination: string,
    now_ms: number,
  ): Promise<boolean> {
    const { rowCount } = await connection.query(
      `UPDATE ${this.table} SET delivered_at = $1, attempts = attempts + 1, last_error = NULL
       WHERE record_id = $2 AND destination = $3 AND delivered_at IS NULL`,
      [now_ms, recordId, destination],
    );
    return rowCount === 1;
  }

  async pending(): Promise<number> {
    const { rows } = await this.pool.query(`SELECT COUNT(*) AS n FROM ${this.table} WHERE delivered_at IS NULL`);
    return int(rows[0]!.n);
  }

  /** Messages not delivered yet, oldest first; `failedOnly`: those whose delivery failed at least once. */
  async undelivered(failedOnly: boolean, limit: number): Promise<UndeliveredMessage[]> {
    const { rows } = await this.pool.query(
      `SELECT record_id, destination, created_at, attempts, next_attempt_at, last_error FROM ${this.table}
       WHERE delivered_at IS NULL AND attempts >= $1 ORDER BY seq LIMIT $2`,
      [failedOnly ? 1 : 0, limit],
    );
    return rows.map((row) => ({
      recordId: row.record_id as string,
      destination: row.destination as string,
      createdAt: int(row.created_at),
      attempts: int(row.attempts),
      nextAttemptAt: int(row.next_attempt_at),
      lastError: row.last_error as string | null,
    }));
  }

  /** Makes undelivered messages due now: the named records, or every one that failed before. How many. */
  async retryNow(now_ms: number, recordIds?: readonly string[]): Promise<number> {
    const { rowCount } =
      recordIds === undefined
        ? await this.pool.query(
            `UPDATE ${this.table} SET next_attempt_at = $1
             WHERE delivered_at IS NULL AND attempts > 0 AND next_attempt_at > $1`,
            [now_ms],
          )
        : await this.pool.query(
            `UPDATE ${this.table} SET next_attempt_at = $1
             WHERE record_id = ANY($2::text[]) AND delivered_at IS NULL AND next_attempt_at > $1`,
            [now_ms, recordIds],
          );
    return rowCount ?? 0;
  }

  async rowsOfRecord(recordId: string): Promise<OutboxTableRow[]> {
    const { rows } = await this.pool.query(`SELECT * FROM ${this.table} WHERE record_id = $1 ORDER BY seq`, [recordId]);
    return rows.map((row) => ({
      seq: int(row.seq),
      recordId: row.record_id as string,
      destination: row.destination as string,
      payload: JSON.parse(row.payload as string) as unknown,
      attempts: int(row.attempts),
      deliveredAt: intOrNull(row.delivered_at),
      lastError: row.last_error as string | null,
    }));
  }
}

function postgresOutboxStorage(pool: OutboxConnection, table: string): OutboxStorage<OutboxTableEntry> {
  return {
    async claimDue(dueBy_ms, limit, leaseUntil_ms) {
      const { rows } = await pool.query(
        `UPDATE ${table} SET next_attempt_at = $1 WHERE seq IN
           (SELECT seq FROM ${table} WHERE delivered_at IS NULL AND next_attempt_at <= $2
            ORDER BY next_attempt_at, seq LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING seq, record_id, destination, payload, attempts`,
        [leaseUntil_ms, dueBy_ms, limit],
      );
      return rows
        .map((row) => ({
          seq: int(row.seq),
          recordId: row.record_id as string,
          destination: row.destination as string,
          payload: JSON.parse(row.payload as string) as unknown,
          attempts: int(row.attempts),
        }))
        .sort((a, b) => a.seq - b.seq);
    },
    async settle(settlements: readonly OutboxSettlement<OutboxTableEntry>[], now_ms: number) {
      // One statement for the chunk: its outcomes commit together, in one round trip.
      await pool.query(
        `UPDATE ${table} AS t SET attempts = s.attempts,
           delivered_at = CASE WHEN s.delivered THEN $6::bigint ELSE NULL END,
           next_attempt_at = COALESCE(s.next_attempt_at, t.next_attempt_at),
           last_error = s.error
         FROM unnest($1::bigint[], $2::int[], $3::bool[], $4::bigint[], $5::text[])
           AS s(seq, attempts, delivered, next_attempt_at, error)
         WHERE t.seq = s.seq AND t.delivered_at IS NULL`,
        [
          settlements.map((settlement) => settlement.entry.seq),
          settlements.map((settlement) => settlement.attempts),
          settlements.map((settlement) => settlement.kind === 'delivered'),
          settlements.map((settlement) => (settlement.kind === 'failed' ? settlement.nextAttemptAt_ms : null)),
          settlements.map((settlement) => (settlement.kind === 'failed' ? settlement.error : null)),
          now_ms,
        ],
      );
    },
    async nextDue_ms() {
      const { rows } = await pool.query(`SELECT MIN(next_attempt_at) AS due FROM ${table} WHERE delivered_at IS NULL`);
      return intOrNull(rows[0]?.due ?? null);
    },
  };
}
