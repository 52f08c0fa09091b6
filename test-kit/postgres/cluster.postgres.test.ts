import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, postgresAdminUrl } from './databases';

describe('the throwaway PostgreSQL cluster', () => {
  it('listens on 127.0.0.1 and gives each caller a database of its own', async () => {
    expect(new URL(postgresAdminUrl()).hostname).toBe('127.0.0.1');
    const first = await createTestDatabase('kit');
    const second = await createTestDatabase('kit');
    expect(first).not.toBe(second);
    const client = new pg.Client({ connectionString: first });
    await client.connect();
    try {
      await client.query('CREATE TABLE t (n BIGINT)');
      await client.query('INSERT INTO t VALUES (9007199254740993)');
      const { rows } = await client.query<{ n: string; db: string }>(
        'SELECT n::text AS n, current_database() AS db FROM t',
      );
      expect(rows).toEqual([{ n: '9007199254740993', db: new URL(first).pathname.slice(1) }]);
    } finally {
      await client.end();
    }
  });
});
