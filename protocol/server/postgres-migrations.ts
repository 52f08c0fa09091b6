// The PostgreSQL counterpart of migrations.ts: the same numbered steps, each applied once, counted
// per store in a schema_version table instead of PRAGMA user_version. All steps a database lacks
// run in one transaction under an advisory lock, so processes starting together against one
// database migrate it once: the first takes the lock and migrates, the others wait, then find
// nothing left to do.

import { createHash } from 'node:crypto';

/** What the migration needs of a connection (node-postgres's Client or PoolClient fits). */
export interface SqlConnection {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

export interface PostgresMigrations {
  /** Names the store in errors and in schema_version ("merchant agent database"). */
  readonly store: string;
  /** Step n (counting from 1) brings the database from version n − 1 to n. */
  readonly steps: readonly string[];
}

/** Applies the steps the database lacks; returns the versions before and after. Refuses a database newer than the code. */
export async function migratePostgres(
  connection: SqlConnection,
  migrations: PostgresMigrations,
): Promise<{ readonly from: number; readonly to: number }> {
  await connection.query('BEGIN');
  try {
    await connection.query('SELECT pg_advisory_xact_lock($1)', [advisoryLockKey(migrations.store)]);
    await connection.query(
      'CREATE TABLE IF NOT EXISTS schema_version (store TEXT PRIMARY KEY, version BIGINT NOT NULL)',
    );
    const { rows } = await connection.query('SELECT version::text AS version FROM schema_version WHERE store = $1', [
      migrations.store,
    ]);
    const from = rows.length === 0 ? 0 : Number(rows[0]!.version);
    const latest = migrations.steps.length;
    if (from > latest)
      throw new Error(
        `${migrations.store} is at schema version ${from}, newer than this software (${latest}); run a newer release`,
      );
    for (let version = from + 1; version <= latest; version++) await connection.query(migrations.steps[version - 1]!);
    if (latest > from)
      await connection.query(
        `INSERT INTO schema_version (store, version) VALUES ($1, $2)
         ON CONFLICT (store) DO UPDATE SET version = excluded.version`,
        [migrations.store, latest],
      );
    await connection.query('COMMIT');
    return { from, to: latest };
  } catch (error) {
    await connection.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

function advisoryLockKey(store: string): string {
  return advisoryKey(`opentab migrate ${store}`);
}

/** A stable 64-bit advisory-lock key for a name, computed here rather than with a server function some databases lack. */
export function advisoryKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}
