// The merchants group of the operator's store, one suite run on both stores: the SQLite file
// through SqliteOperatorStorage and a PostgreSQL database migrated with the operator's steps.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migratePostgres } from '@opentab/server-kit';
import { createTestDatabase } from '@opentab/test-kit/postgres';
import { Ledger, openDatabase } from '../ledger';
import { POSTGRES_LEDGER_MIGRATIONS } from '../ledger/postgres-ledger';
import { Outbox } from '../outbox/outbox';
import type { MerchantAccess } from './operator-storage';
import { OperatorStore } from './operator-store';
import { POSTGRES_OPERATOR_MIGRATIONS } from './postgres-schema';
import { postgresMerchantAccess } from './postgres-merchants';
import type { Merchant } from './records';
import { SqliteOperatorStorage } from './sqlite-operator-storage';

const pools: pg.Pool[] = [];
afterAll(async () => {
  for (const pool of pools) await pool.end();
});

const STORES: ReadonlyArray<{ name: string; open: () => Promise<MerchantAccess> }> = [
  {
    name: 'sqlite',
    open: async () => {
      const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'opentab-merchants-')), 'operator.sqlite'));
      const ledger = new Ledger(db);
      return new SqliteOperatorStorage({ db, store: new OperatorStore(db, 'op-eu'), ledger, outbox: new Outbox(db) })
        .merchants;
    },
  },
  {
    name: 'postgres',
    open: async () => {
      const pool = new pg.Pool({ connectionString: await createTestDatabase('merchants'), max: 2 });
      pools.push(pool);
      const client = await pool.connect();
      try {
        await migratePostgres(client, POSTGRES_LEDGER_MIGRATIONS);
        await migratePostgres(client, POSTGRES_OPERATOR_MIGRATIONS);
      } finally {
        client.release();
      }
      return postgresMerchantAccess(pool);
    },
  },
];

const news: Merchant = {
  merchantId: 'news',
  displayName: 'The Daily News',
  currency: 'EUR',
  origins: ['https://news.example'],
  agentUrl: 'https://news.example/opentab',
  publicKey: 'key-1',
  createdAt: 1_800_000_000_000,
};

describe.each(STORES)('the merchants of the operator store on $name', ({ open }) => {
  it('registers a merchant, updates its terms but keeps its status, and suspends it', async () => {
    const merchants = await open();
    expect(await merchants.merchant('news')).toBeNull();
    await merchants.upsertMerchant(news);
    expect(await merchants.merchant('news')).toEqual({ ...news, status: 'active', statusReason: null });

    await merchants.setMerchantStatus('news', 'suspended', 'chargebacks under review');
    await merchants.upsertMerchant({ ...news, displayName: 'Daily News', origins: ['https://daily.example'] });
    expect(await merchants.merchant('news')).toEqual({
      ...news,
      displayName: 'Daily News',
      origins: ['https://daily.example'],
      status: 'suspended',
      statusReason: 'chargebacks under review',
    });
  });

  it('lists merchants by id in code-point order, up to the limit', async () => {
    const merchants = await open();
    for (const merchantId of ['beta', 'Zeta', 'alpha', 'Alpha'])
      await merchants.upsertMerchant({ ...news, merchantId, publicKey: `key-${merchantId}` });
    expect((await merchants.merchants(3)).map((merchant) => merchant.merchantId)).toEqual(['Alpha', 'Zeta', 'alpha']);
  });
});
