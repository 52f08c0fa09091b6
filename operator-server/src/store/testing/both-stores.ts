// The operator store's groups on each store, for suites that run once per store (describe.each):
// a fresh SQLite file behind SqliteOperatorStorage, and a fresh PostgreSQL database migrated with
// the operator's steps. Only the groups that have both implementations are offered.

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
import type { CustomerAccess, MerchantAccess, StaffAccess } from '../operator-storage';
import { OperatorStore } from '../operator-store';
import { postgresCustomerAccess } from '../postgres-customers';
import { postgresMerchantAccess } from '../postgres-merchants';
import { postgresStaffAccess } from '../postgres-staff';
import { POSTGRES_OPERATOR_MIGRATIONS } from '../postgres-schema';
import { SqliteOperatorStorage } from '../sqlite-operator-storage';

export const OPERATOR_ID = 'op-eu';

export interface StoreGroups {
  readonly customers: CustomerAccess;
  readonly merchants: MerchantAccess;
  readonly staff: StaffAccess;
}

const pools: pg.Pool[] = [];
afterAll(async () => {
  for (const pool of pools.splice(0)) await pool.end();
});

export const BOTH_STORES: ReadonlyArray<{ readonly name: string; readonly open: () => Promise<StoreGroups> }> = [
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
      return { customers: storage.customers, merchants: storage.merchants, staff: storage.staff };
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
        customers: postgresCustomerAccess(pool, OPERATOR_ID),
        merchants: postgresMerchantAccess(pool),
        staff: postgresStaffAccess(pool),
      };
    },
  },
];
