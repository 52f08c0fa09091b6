// The operator's storage on each store, for suites that run once per store (describe.each): a
// fresh SQLite file behind SqliteOperatorStorage, and a fresh PostgreSQL database behind
// PostgresOperatorStorage, migrated with the ledger's and the operator's steps. Only the groups
// that have both implementations are offered.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll } from 'vitest';
import { createTestDatabase } from '@opentab/test-kit/postgres';
import { Ledger, openDatabase } from '../../ledger';
import { Outbox } from '../../outbox/outbox';
import type { OperatorRecordGroups } from '../operator-records-storage';
import type {
  CustomerAccess,
  MerchantAccess,
  OperatorStorage,
  OperatorStoreTransaction,
  ReceiptAccess,
  StaffAccess,
  TabAccess,
  TransactionAccess,
} from '../operator-storage';
import { OperatorStore } from '../operator-store';
import { PostgresOperatorStorage, type PostgresOperatorStorageOptions } from '../postgres-operator-storage';
import { SqliteOperatorStorage } from '../sqlite-operator-storage';

export const OPERATOR_ID = 'op-eu';

export interface StoreGroups extends OperatorRecordGroups {
  readonly storage: OperatorStorage;
  readonly customers: CustomerAccess;
  readonly merchants: MerchantAccess;
  readonly transactions: TransactionAccess;
  readonly tabs: TabAccess;
  readonly receipts: ReceiptAccess;
  readonly staff: StaffAccess;
  /** Plain SQL that reads the same on both stores, for rows a suite needs but its group does not write. */
  readonly sql: StoreSql;
}

export interface StoreSql {
  execute(text: string): Promise<void>;
  select(text: string): Promise<Record<string, unknown>[]>;
}

export interface StoreUnderTest extends StoreGroups {
  /** Runs `work` as one transaction of the store: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: OperatorStoreTransaction) => Promise<T>): Promise<T>;
}

const pools: pg.Pool[] = [];
afterAll(async () => {
  for (const pool of pools.splice(0)) await pool.end();
});

const groupsOf = (storage: OperatorStorage, sql: StoreSql): StoreUnderTest => ({
  storage,
  transaction: (work) => storage.transaction(work),
  customers: storage.customers,
  merchants: storage.merchants,
  transactions: storage.transactions,
  tabs: storage.tabs,
  receipts: storage.receipts,
  staff: storage.staff,
  revocations: storage.revocations,
  ownKeys: storage.ownKeys,
  peerKeyRetirements: storage.peerKeyRetirements,
  issuedCertificates: storage.issuedCertificates,
  rateTables: storage.rateTables,
  refunds: storage.refunds,
  disputeDecisions: storage.disputeDecisions,
  delivery: storage.delivery,
  processes: storage.processes,
  sql,
});

type StorageOptions = Omit<PostgresOperatorStorageOptions, 'pool' | 'operatorId'>;

/**
 * `count` storages on one fresh, migrated PostgreSQL database, each over a pool of its own, as
 * operator processes sharing the database are.
 */
export async function postgresStoragesOnOneDatabase(
  count: number,
  options: StorageOptions = {},
): Promise<PostgresOperatorStorage[]> {
  const url = await createTestDatabase('operator_storage');
  const storages = Array.from({ length: count }, () => {
    // Room for every transaction of a race at once, so that they do contend in the database.
    const pool = new pg.Pool({ connectionString: url, max: 12 });
    pools.push(pool);
    return new PostgresOperatorStorage({ ...options, pool, operatorId: OPERATOR_ID });
  });
  await storages[0]!.migrate();
  return storages;
}

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
      return groupsOf(storage, {
        execute: async (text) => void db.exec(text),
        select: async (text) => db.prepare(text).safeIntegers(true).all() as Record<string, unknown>[],
      });
    },
  },
  {
    name: 'postgres',
    open: async () => {
      const [storage] = await postgresStoragesOnOneDatabase(1);
      const pool = pools.at(-1)!;
      return groupsOf(storage!, {
        execute: async (text) => void (await pool.query(text)),
        select: async (text) => (await pool.query(text)).rows,
      });
    },
  },
];
