// The operator's tables on PostgreSQL are the tables of its SQLite file: every table, column and
// named index that the SQLite migrations (and the delivery store's own tables) end with exists
// after the PostgreSQL ones (ledger and store), and nothing more. Two processes migrating one empty database at once migrate it once.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { migratePostgres } from '@opentab/server-kit';
import { createTestDatabase } from '@opentab/test-kit/postgres';
import { DELIVERY_TABLES } from '../delivery/delivery-store';
import { Ledger, openDatabase } from '../ledger';
import { POSTGRES_LEDGER_MIGRATIONS } from '../ledger/postgres-ledger';
import { migrateOperatorStore } from './schema';
import { POSTGRES_OPERATOR_MIGRATIONS } from './postgres-schema';

const clients: pg.Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.end();
});

type Shape = Record<string, { columns: string[]; indexes: string[] }>;

function sqliteShape(): Shape {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'opentab-schema-')), 'operator.sqlite'));
  try {
    new Ledger(db);
    migrateOperatorStore(db);
    // The MTA's delivery store keeps its tables in the same file, created when it opens.
    db.exec(DELIVERY_TABLES);
    const tables = db
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all();
    const shape: Shape = {};
    for (const { name } of tables) {
      shape[name] = {
        columns: db
          .prepare<[], { name: string }>(`PRAGMA table_info(${name})`)
          .all()
          .map((column) => column.name)
          .sort(),
        indexes: db
          .prepare<[], { name: string }>(
            `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = '${name}' AND name NOT LIKE 'sqlite_autoindex_%' ORDER BY name`,
          )
          .all()
          .map((index) => index.name),
      };
    }
    return shape;
  } finally {
    db.close();
  }
}

async function postgresShape(client: pg.Client): Promise<Shape> {
  const columns = await client.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
     WHERE table_schema = 'public' AND table_name != 'schema_version' ORDER BY table_name, column_name`,
  );
  const indexes = await client.query<{ tablename: string; indexname: string }>(
    `SELECT tablename, indexname FROM pg_indexes
     WHERE schemaname = 'public' AND indexname NOT LIKE '%\\_pkey' AND indexname NOT LIKE '%\\_key'
     ORDER BY tablename, indexname`,
  );
  const shape: Shape = {};
  for (const row of columns.rows)
    (shape[row.table_name] ??= { columns: [], indexes: [] }).columns.push(row.column_name);
  for (const row of indexes.rows) shape[row.tablename]?.indexes.push(row.indexname);
  for (const table of Object.values(shape)) table.columns.sort();
  return shape;
}

describe("the operator's PostgreSQL schema", () => {
  it('has every table, column and named index of the SQLite file, migrated once by two processes at once', async () => {
    const url = await createTestDatabase('operator_schema');
    const connections = await Promise.all(
      [0, 1].map(async () => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        clients.push(client);
        return client;
      }),
    );
    const runs = await Promise.all(
      connections.map(async (client) => [
        await migratePostgres(client, POSTGRES_LEDGER_MIGRATIONS),
        await migratePostgres(client, POSTGRES_OPERATOR_MIGRATIONS),
      ]),
    );
    // Of each store's migration, one process applied the steps and the other found them applied
    // (not necessarily the same process for both stores: each store has its own lock).
    const fromOf = (store: number) => runs.map((run) => run[store]!.from).sort((a, b) => a - b);
    expect(fromOf(0)).toEqual([0, POSTGRES_LEDGER_MIGRATIONS.steps.length]);
    expect(fromOf(1)).toEqual([0, POSTGRES_OPERATOR_MIGRATIONS.steps.length]);
    expect(await postgresShape(connections[0]!)).toEqual(sqliteShape());
  });
});
