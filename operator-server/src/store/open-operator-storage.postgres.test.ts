// Opening the store a configuration names, on both stores: migrated and ready at once, opened
// again by a restart (or by a second process, on PostgreSQL) with what was committed still there;
// and on PostgreSQL two processes take turns at a background sweep instead of both running it.

import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@opentab/test-kit';
import { createTestDatabase } from '@opentab/test-kit/postgres';
import type { OperatorStoreSettings } from '../config/config';
import { createLogger } from '../support/logger';
import { type OpenedOperatorStorage, openOperatorStorage } from './open-operator-storage';

const OPERATOR_ID = 'op-eu';
const T0_MS = 1_800_000_000_000;

const opened: OpenedOperatorStorage[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

async function open(settings: OperatorStoreSettings, dataDir: string): Promise<OpenedOperatorStorage> {
  const store = await openOperatorStorage({
    settings,
    dataDir,
    operatorId: OPERATOR_ID,
    clock: new ManualClock(T0_MS),
    log: createLogger(OPERATOR_ID, 'silent'),
  });
  opened.push(store);
  return store;
}

const merchant = {
  merchantId: 'shop-1',
  displayName: 'Shop One',
  currency: 'EUR',
  origins: ['https://shop.example'],
  agentUrl: 'https://shop.example/opentab',
  publicKey: 'shop-key',
  createdAt: T0_MS,
};

const STORES: ReadonlyArray<{ readonly name: string; readonly settings: () => Promise<OperatorStoreSettings> }> = [
  { name: 'sqlite', settings: async () => ({ kind: 'sqlite' }) },
  {
    name: 'postgres',
    settings: async () => ({ kind: 'postgres', url: await createTestDatabase('operator_start'), poolSize: 3 }),
  },
];

describe.each(STORES)('opening the operator store on $name', ({ name, settings }) => {
  it('opens it migrated, and a second opening finds what the first committed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'opentab-open-store-'));
    const given = await settings();
    const first = await open(given, dataDir);
    expect(first.storage.kind).toBe(name);
    // SQLite's classes come along for the parts not yet behind the store interface; PostgreSQL has none.
    expect(first.sqlite !== null).toBe(name === 'sqlite');
    expect(existsSync(join(dataDir, 'operator.sqlite'))).toBe(name === 'sqlite');
    await first.storage.transaction(async (tx) => {
      await tx.merchants.upsertMerchant(merchant);
      await tx.ledger.createAccount({ id: 'funding:EUR', currency: 'EUR', kind: 'funding', minBalance: null });
    });
    await first.durable();
    if (name === 'sqlite') {
      // One process at a time on the file: this second opening is a restart.
      opened.splice(opened.indexOf(first), 1);
      await first.close();
    }

    const second = await open(given, dataDir);
    expect(await second.storage.merchants.merchant('shop-1')).toMatchObject({ agentUrl: merchant.agentUrl });
    expect((await second.storage.ledger.findAccount('funding:EUR'))?.currency).toBe('EUR');
  });

  it('runs a sweep that no other process is running', async () => {
    const store = await open(await settings(), mkdtempSync(join(tmpdir(), 'opentab-open-store-')));
    let runs = 0;
    expect(await store.sweep('clear-due-tabs', async () => void runs++)).toBe(true);
    expect(await store.sweep('clear-due-tabs', async () => void runs++)).toBe(true);
    expect(runs).toBe(2);
  });
});

describe('two operator processes on one PostgreSQL database', () => {
  it('take turns at a sweep: the one that finds it running skips it, and runs it next time', async () => {
    const settings: OperatorStoreSettings = {
      kind: 'postgres',
      url: await createTestDatabase('operator_start'),
      poolSize: 3,
    };
    const [first, second] = await Promise.all([open(settings, '/nonexistent'), open(settings, '/nonexistent')]);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const sweptBy: string[] = [];
    const firstTurn = first!.sweep('clear-due-tabs', async () => {
      started();
      await released;
      sweptBy.push('first');
    });
    await running;

    expect(await second!.sweep('clear-due-tabs', async () => void sweptBy.push('second'))).toBe(false);
    // Another sweep's name is another turn.
    expect(await second!.sweep('lapse-overdue-holds', async () => void sweptBy.push('second: holds'))).toBe(true);
    release();
    expect(await firstTurn).toBe(true);
    expect(await second!.sweep('clear-due-tabs', async () => void sweptBy.push('second'))).toBe(true);
    expect(sweptBy).toEqual(['second: holds', 'first', 'second']);
  });

  it('gives back the turn of a sweep that failed', async () => {
    const settings: OperatorStoreSettings = {
      kind: 'postgres',
      url: await createTestDatabase('operator_start'),
      poolSize: 2,
    };
    const [first, second] = await Promise.all([open(settings, '/nonexistent'), open(settings, '/nonexistent')]);
    await expect(
      first!.sweep('clear-due-tabs', async () => {
        throw new Error('a peer did not answer');
      }),
    ).rejects.toThrow('a peer did not answer');
    expect(await second!.sweep('clear-due-tabs', async () => undefined)).toBe(true);
  });
});
