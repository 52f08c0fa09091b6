// One process at a time runs a sweep (the timeouts, grace periods, hold deadlines of a party
// whose processes share one PostgreSQL database): the sweep runs in one transaction that first
// tries a transaction-scoped advisory lock named after it. Another process finding the lock
// taken skips its turn instead of waiting; the next tick tries again. A process that dies in the
// middle loses its connection, so PostgreSQL rolls the whole sweep back and frees the lock:
// nothing is left half done, and the next process to try sweeps everything again.
//
// The lock saves duplicate work; correctness still comes from each step's conditional update
// (a tab is cleared only if it is still open, a hold lapsed only if still pending), which is what
// keeps databases without advisory locks (see docs/storage.md) correct.

import { advisoryKey } from './postgres-migrations';

export interface SweepClient {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  release(error?: Error | boolean): void;
}

export interface SweepPool {
  connect(): Promise<SweepClient>;
}

export type SweepTurn<T> = { readonly ran: true; readonly result: T } | { readonly ran: false };

/** Runs `work` in one transaction if no other process is running the sweep `name` now. */
export async function sweepOnce<T>(
  pool: SweepPool,
  name: string,
  work: (client: SweepClient) => Promise<T>,
): Promise<SweepTurn<T>> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const { rows } = await client.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [
      advisoryKey(`opentab sweep ${name}`),
    ]);
    if (rows[0]?.locked !== true) {
      await client.query('ROLLBACK');
      return { ran: false };
    }
    const result = await work(client);
    await client.query('COMMIT');
    return { ran: true, result };
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      // The connection itself failed: it must not go back to the pool.
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
