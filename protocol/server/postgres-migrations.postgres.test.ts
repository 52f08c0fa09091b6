import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@opentab/test-kit/postgres';
import { migratePostgres, type PostgresMigrations } from './postgres-migrations';

const STEPS: PostgresMigrations = {
  store: 'test store',
  steps: [
    'CREATE TABLE a (n BIGINT PRIMARY KEY)',
    "INSERT INTO a VALUES (1); ALTER TABLE a ADD COLUMN s TEXT DEFAULT 'x'",
  ],
};

const clients: pg.Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.end();
});

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  clients.push(client);
  return client;
}

describe('migratePostgres', () => {
  it('applies each step once and counts the version per store', async () => {
    const client = await connect(await createTestDatabase('migrate'));
    expect(await migratePostgres(client, { ...STEPS, steps: STEPS.steps.slice(0, 1) })).toEqual({ from: 0, to: 1 });
    expect(await migratePostgres(client, STEPS)).toEqual({ from: 1, to: 2 });
    expect(await migratePostgres(client, STEPS)).toEqual({ from: 2, to: 2 });
    expect((await client.query('SELECT n::int AS n, s FROM a')).rows).toEqual([{ n: 1, s: 'x' }]);
    expect((await client.query('SELECT store, version::int AS version FROM schema_version')).rows).toEqual([
      { store: 'test store', version: 2 },
    ]);
  });

  it('migrates a database once when several processes start on it together', async () => {
    const url = await createTestDatabase('migrate');
    const connections = await Promise.all(Array.from({ length: 4 }, () => connect(url)));
    const results = await Promise.all(connections.map((client) => migratePostgres(client, STEPS)));
    expect(results.filter((result) => result.from === 0)).toHaveLength(1);
    expect(results.filter((result) => result.from === 2)).toHaveLength(3);
    expect((await connections[0]!.query('SELECT COUNT(*)::int AS n FROM a')).rows).toEqual([{ n: 1 }]);
  });

  it('refuses a database newer than the code and rolls back a step that fails', async () => {
    const client = await connect(await createTestDatabase('migrate'));
    await migratePostgres(client, STEPS);
    await expect(migratePostgres(client, { ...STEPS, steps: STEPS.steps.slice(0, 1) })).rejects.toThrow(
      /test store is at schema version 2, newer than this software \(1\)/,
    );
    await expect(
      migratePostgres(client, { ...STEPS, steps: [...STEPS.steps, 'CREATE TABLE b (n BIGINT)', 'SELECT nonsense'] }),
    ).rejects.toThrow(/nonsense/);
    // Neither step 3 nor the version moved: the steps a database lacks commit together or not at all.
    expect((await client.query("SELECT to_regclass('b') IS NULL AS absent")).rows).toEqual([{ absent: true }]);
    expect((await client.query('SELECT version::int AS version FROM schema_version')).rows).toEqual([{ version: 2 }]);
  });
});
