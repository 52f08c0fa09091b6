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
import type { OperatorRecordGroups } from '../operator-records-storage';
import type { CustomerAccess, MerchantAccess } from '../operator-storage';
import { OperatorStore } from '../operator-store';
import { postgresCustomerAccess } from '../postgres-customers';
import { postgresMerchantAccess } from '../postgres-merchants';
import { postgresOperatorRecordGroups } from '../postgres-operator-records';
import { POSTGRES_OPERATOR_MIGRATIONS } from '../postgres-schema';
import { SqliteOperatorStorage } from '../sqlite-operator-storage';

export const OPERATOR_ID = 'op-eu';

export interface StoreGroups extends OperatorRecordGroups {
  readonly customers: CustomerAccess;
  readonly merchants: MerchantAccess;
  /** Plain SQL that reads the same on both stores, for rows a suite needs but its group does not write. */
  readonly sql: StoreSql;
}

export interface StoreSql {
  execute(text: string): Promise<void>;
  select(text: string): Promise<Record<string, unknown>[]>;
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
      return {
        customers: storage.customers,
        merchants: storage.merchants,
        ...recordGroupsOf(storage),
        sql: {
          execute: async (text) => void db.exec(text),
          select: async (text) => db.prepare(text).safeIntegers(true).all() as Record<string, unknown>[],
        },
      };
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
        ...postgresOperatorRecordGroups(pool),
        sql: {
          execute: async (text) => void (await pool.query(text)),
          select: async (text) => (await pool.query(text)).rows,
        },
      };
    },
  },
];

/** The storage's record groups, each a statement of its own. */
function recordGroupsOf(storage: SqliteOperatorStorage): OperatorRecordGroups {
  return {
    revocations: storage.revocations,
    ownKeys: storage.ownKeys,
    peerKeyRetirements: storage.peerKeyRetirements,
    issuedCertificates: storage.issuedCertificates,
    rateTables: storage.rateTables,
    refunds: storage.refunds,
    disputeDecisions: storage.disputeDecisions,
    delivery: storage.delivery,
  };
}
