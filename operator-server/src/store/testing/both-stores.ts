// The operator store's groups on each store, for suites that run once per store (describe.each):
// a fresh SQLite file behind SqliteOperatorStorage, and a fresh PostgreSQL database migrated with
// the operator's steps. Only the groups that have both implementations are offered, and a
// transaction over them.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll } from 'vitest';
import { migratePostgres } from '@opentab/server-kit';
import { createTestDatabase } from '@opentab/test-kit/postgres';
import { Ledger, openDatabase } from '../../ledger';
import { POSTGRES_LEDGER_MIGRATIONS } from '../../ledger/postgres-ledger';
import { Outbox } from '../../outbox/outbox';
import type { CustomerAccess, MerchantAccess, ReceiptAccess } from '../operator-storage';
import { OperatorStore } from '../operator-store';
import { postgresCustomerAccess } from '../postgres-customers';
import { postgresMerchantAccess, type StoreConnection } from '../postgres-merchants';
import { postgresReceiptAccess } from '../postgres-receipts';
import { POSTGRES_OPERATOR_MIGRATIONS } from '../postgres-schema';
import { SqliteOperatorStorage } from '../sqlite-operator-storage';

export const OPERATOR_ID = 'op-eu';

export interface StoreGroups {
  readonly customers: CustomerAccess;
  readonly merchants: MerchantAccess;
  readonly receipts: ReceiptAccess;
}

export interface StoreUnderTest extends StoreGroups {
  /** Runs `work` as one transaction of the store: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: StoreGroups) => Promise<T>): Promise<T>;
}

function postgresGroups(connection: StoreConnection): StoreGroups {
  return {
    customers: postgresCustomerAccess(connection, OPERATOR_ID),
    merchants: postgresMerchantAccess(connection),
    receipts: postgresReceiptAccess(connection),
  };
}

const pools: pg.Pool[] = [];
afterAll(async () => {
  for (const pool of pools.splice(0)) await pool.end();
});

export const BOTH_STORES: ReadonlyArray<{ readonly name: string; readonly open: () => Promise<StoreUnderTest> }> = [
  {
    name: 'sqlite',
    open: async () => {
      const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'opentab-store-groups-')), 'operator.sqlite'));
      const storage = new SqliteOperatorStorage({
        db,
        store: new OperatorStore(db, OPERATOR_ID),
        ledger: new Ledger(db),
        outbox: new Outbox(db),
      });
      return storage;
    },
  },
  {
    name: 'postgres',
    open: async () => {
      const pool = new pg.Pool({ connectionString: await createTestDatabase('store_groups'), max: 4 });
      pools.push(pool);
      const client = await pool.connect();
      try {
        await migratePostgres(client, POSTGRES_LEDGER_MIGRATIONS);
        await migratePostgres(client, POSTGRES_OPERATOR_MIGRATIONS);
      } finally {
        client.release();
      }
      return {
        ...postgresGroups(pool),
        async transaction(work) {
          const client = await pool.connect();
          try {
            await client.query('BEGIN');
            const result = await work(postgresGroups(client));
            await client.query('COMMIT');
            return result;
          } catch (error) {
            await client.query('ROLLBACK');
            throw error;
          } finally {
            client.release();
          }
        },
      };
    },
  },
];
