// Holds against one credit limit on a PostgreSQL database shared by two operator processes (two
// pools): however the requests for one account are spread over both at the same moment, what is
// held stays within the limit, and every refusal changes nothing. Migrations run from both at
// once apply the schema once.

import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { migratePostgres } from '@opentab/server-kit';
import { createTestDatabase } from '@opentab/test-kit/postgres';
import { LedgerError } from './errors';
import { POSTGRES_LEDGER_MIGRATIONS, PostgresLedger } from './postgres-ledger';

const NOW_MS = 1_800_000_000_000;
const ledger = new PostgresLedger({ now_ms: () => NOW_MS });

const pools: pg.Pool[] = [];
afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.end();
});

/** Two pools on one fresh database, migrated by both at once, with a customer whose credit limit is 1,000. */
async function twoProcesses() {
  const url = await createTestDatabase('ledger');
  const opened = [0, 1].map(() => new pg.Pool({ connectionString: url, max: 8 }));
  pools.push(...opened);
  const migrations = await Promise.all(
    opened.map(async (pool) => {
      const client = await pool.connect();
      try {
        return await migratePostgres(client, POSTGRES_LEDGER_MIGRATIONS);
      } finally {
        client.release();
      }
    }),
  );
  expect(migrations.map((migration) => migration.from).sort()).toEqual([0, POSTGRES_LEDGER_MIGRATIONS.steps.length]);
  await inTransaction(opened[0]!, (client) =>
    ledger.createAccount(client, { id: 'cust:alice', currency: 'EUR', kind: 'customer', minBalance: -1_000n }),
  );
  return opened as [pg.Pool, pg.Pool];
}

/** One transaction on one pooled client, as the operator's PostgreSQL store runs a domain step. */
async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

describe('holds on a PostgreSQL ledger shared by two processes', () => {
  it('keeps forty holds racing from two processes for one account within its credit limit', async () => {
    const processes = await twoProcesses();
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        inTransaction(processes[index % 2]!, (client) =>
          ledger.placeHold(client, { id: `hold:${index}`, accountId: 'cust:alice', amount: 100n, ref: `tx${index}` }),
        ).then(
          () => 'held',
          (error: unknown) => (error instanceof LedgerError ? error.code : `unexpected: ${String(error)}`),
        ),
      ),
    );
    expect(outcomes.filter((outcome) => outcome === 'held')).toHaveLength(10);
    expect(outcomes.filter((outcome) => outcome !== 'held')).toEqual(Array(30).fill('insufficient_funds'));
    const account = await ledger.getAccount(processes[1], 'cust:alice');
    expect(account.held).toBe(1_000n);
    expect(account.available).toBe(0n);
    // The refused ones left no hold row behind.
    const { rows } = await processes[0].query("SELECT COUNT(*)::int AS n FROM ledger_holds WHERE status = 'pending'");
    expect(rows[0]!.n).toBe(10);
  });

  it('frees a released hold for the next one, and replays a hold by its id without holding twice', async () => {
    const [first, second] = await twoProcesses();
    const hold = { id: 'hold:a', accountId: 'cust:alice', amount: 800n, ref: 'tx-a' };
    await inTransaction(first, (client) => ledger.placeHold(client, hold));
    // The same hold sent again to the other process: the stored one, nothing held twice.
    expect((await inTransaction(second, (client) => ledger.placeHold(client, hold))).status).toBe('pending');
    expect((await ledger.getAccount(first, 'cust:alice')).held).toBe(800n);
    await expect(
      inTransaction(second, (client) => ledger.placeHold(client, { ...hold, id: 'hold:b', ref: 'tx-b' })),
    ).rejects.toMatchObject({ code: 'insufficient_funds' });

    expect((await inTransaction(second, (client) => ledger.releaseHold(client, 'hold:a'))).status).toBe('released');
    await inTransaction(first, (client) => ledger.placeHold(client, { ...hold, id: 'hold:b', ref: 'tx-b' }));
    expect((await ledger.getAccount(second, 'cust:alice')).held).toBe(800n);
  });

  it('undoes only a refused call inside a larger transaction, as a savepoint', async () => {
    const [first] = await twoProcesses();
    await inTransaction(first, async (client) => {
      await ledger.placeHold(client, { id: 'hold:a', accountId: 'cust:alice', amount: 600n, ref: 'tx-a' });
      await expect(
        ledger.placeHold(client, { id: 'hold:b', accountId: 'cust:alice', amount: 600n, ref: 'tx-b' }),
      ).rejects.toMatchObject({ code: 'insufficient_funds' });
    });
    expect((await ledger.findHold(first, 'hold:a'))?.status).toBe('pending');
    expect(await ledger.findHold(first, 'hold:b')).toBeUndefined();
    expect((await ledger.getAccount(first, 'cust:alice')).held).toBe(600n);
  });
});
