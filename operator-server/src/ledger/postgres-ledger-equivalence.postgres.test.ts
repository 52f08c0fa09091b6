// The PostgreSQL ledger decides like the SQLite one: the same long random run of holds, releases,
// captures and entries (replays, conflicts, overdrafts, unknown ids among them) is sent to both,
// and every step must end alike (the same result, or a refusal with the same code) and leave the
// same balances behind.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratePostgres } from '@opentab/server-kit';
import { createTestDatabase } from '@opentab/test-kit/postgres';
import { openDatabase } from './database';
import { LedgerError } from './errors';
import { Ledger } from './ledger';
import { POSTGRES_LEDGER_MIGRATIONS, PostgresLedger, postgresLedgerAccess } from './postgres-ledger';
import type { NewAccount } from './types';

const NOW_MS = 1_800_000_000_000;
const clock = { now_ms: () => NOW_MS };
const ACCOUNTS: NewAccount[] = [
  { id: 'cust:alice', currency: 'EUR', kind: 'customer', minBalance: -1_000n },
  { id: 'cust:bob', currency: 'EUR', kind: 'customer', minBalance: -300n },
  { id: 'merch:news', currency: 'EUR', kind: 'merchant', minBalance: 0n },
  { id: 'funding:EUR', currency: 'EUR', kind: 'funding', minBalance: null },
  { id: 'cust:sek', currency: 'SEK', kind: 'customer', minBalance: -500n },
];
const CUSTOMERS = ['cust:alice', 'cust:bob', 'cust:sek', 'cust:nobody'];

/** A small seeded generator, so a failing run can be replayed. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    below: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!,
  };
}

type Step =
  | { op: 'placeHold'; id: string; accountId: string; amount: bigint }
  | { op: 'releaseHold'; id: string }
  | { op: 'captureHold'; id: string; accountId: string; amount: bigint; entryId: string }
  | { op: 'postEntry'; id: string; from: string; to: string; amount: bigint };

function randomSteps(seed: number, count: number): Step[] {
  const r = random(seed);
  const steps: Step[] = [];
  /** Whose each hold id was last placed for: captures mostly name the right account, sometimes not. */
  const holders = new Map<string, string>();
  for (let index = 0; index < count; index++) {
    // Few ids, so that replays and conflicts come up often.
    const holdId = `hold:${r.below(25)}`;
    const amount = BigInt(1 + r.below(400));
    switch (r.below(4)) {
      case 0: {
        const accountId = r.pick(CUSTOMERS);
        holders.set(holdId, accountId);
        steps.push({ op: 'placeHold', id: holdId, accountId, amount });
        break;
      }
      case 1:
        steps.push({ op: 'releaseHold', id: holdId });
        break;
      case 2:
        steps.push({
          op: 'captureHold',
          id: holdId,
          accountId: r.below(5) === 0 ? r.pick(CUSTOMERS) : (holders.get(holdId) ?? r.pick(CUSTOMERS)),
          amount: BigInt(r.below(3) === 0 ? 0 : r.below(300)),
          entryId: `capture:${r.below(30)}`,
        });
        break;
      default:
        steps.push({
          op: 'postEntry',
          id: `entry:${r.below(40)}`,
          from: r.pick(['funding:EUR', 'cust:alice', 'cust:bob', 'merch:news', 'cust:sek']),
          to: r.pick(['merch:news', 'cust:alice', 'funding:EUR']),
          amount,
        });
    }
  }
  return steps;
}

/** What a step ended in, comparable across the two stores. */
async function outcomeOf(run: () => unknown): Promise<unknown> {
  try {
    const result = await run();
    return { ok: JSON.parse(JSON.stringify(result, (_, value) => (typeof value === 'bigint' ? `${value}n` : value))) };
  } catch (error) {
    if (error instanceof LedgerError) return { refused: error.code };
    return { failed: String(error) };
  }
}

let sqlite: Ledger;
let pool: pg.Pool;
const postgres = new PostgresLedger(clock);

beforeAll(async () => {
  sqlite = new Ledger(openDatabase(join(mkdtempSync(join(tmpdir(), 'opentab-ledger-pair-')), 'ledger.sqlite')), {
    clock,
  });
  pool = new pg.Pool({ connectionString: await createTestDatabase('ledger_pair'), max: 2 });
  const client = await pool.connect();
  try {
    await migratePostgres(client, POSTGRES_LEDGER_MIGRATIONS);
  } finally {
    client.release();
  }
  for (const account of ACCOUNTS) {
    sqlite.createAccount(account);
    await inTransaction((tx) => postgres.createAccount(tx, account));
  }
});

afterAll(async () => {
  sqlite?.db.close();
  await pool?.end();
});

async function inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
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

describe('the PostgreSQL ledger against the SQLite ledger', () => {
  it('ends 400 random steps alike, refusals included, and leaves the same balances', async () => {
    const steps = randomSteps(17, 400);
    const succeeded = new Map<Step['op'], number>();
    let refused = 0;
    for (const [index, step] of steps.entries()) {
      const [onSqlite, onPostgres] = await Promise.all([
        outcomeOf(() => applyToSqlite(step)),
        outcomeOf(() => inTransaction((client) => applyToPostgres(client, step))),
      ]);
      expect(
        onPostgres,
        `step ${index}: ${JSON.stringify(step, (_, v) => (typeof v === 'bigint' ? `${v}` : v))}`,
      ).toEqual(onSqlite);
      if ('ok' in (onSqlite as object)) succeeded.set(step.op, (succeeded.get(step.op) ?? 0) + 1);
      if ('refused' in (onSqlite as object)) refused++;
    }
    // The run exercised both sides of the rules, not only one.
    for (const op of ['placeHold', 'releaseHold', 'captureHold', 'postEntry'] as const)
      expect(succeeded.get(op) ?? 0, `${op} succeeded`).toBeGreaterThan(5);
    expect(refused).toBeGreaterThan(20);
    for (const { id } of ACCOUNTS) {
      const onPostgres = await inTransaction((client) => postgres.getAccount(client, id));
      expect({ id, ...pick(onPostgres) }).toEqual({ id, ...pick(sqlite.getAccount(id)) });
    }
    // And the reads the operator's reports use agree, row for row.
    const reads = await inTransaction(async (client) => {
      const ledger = postgresLedgerAccess(postgres, client);
      return {
        holds: await ledger.listHolds({}),
        pending: await ledger.listHolds({ status: 'pending' }),
        entries: await ledger.listEntries({}),
        ofAlice: await ledger.listEntries({ accountId: 'cust:alice', limit: 5 }),
        balances: await ledger.balancesByCurrency(),
        invariants: await ledger.checkInvariants(),
      };
    });
    expect(reads).toEqual({
      holds: sqlite.listHolds({}),
      pending: sqlite.listHolds({ status: 'pending' }),
      entries: sqlite.listEntries({}),
      ofAlice: sqlite.listEntries({ accountId: 'cust:alice', limit: 5 }),
      balances: sqlite.balancesByCurrency(),
      invariants: sqlite.checkInvariants(),
    });
    expect(reads.entries.length).toBeGreaterThan(10);
  });
});

function pick(account: { balance: bigint; held: bigint; available: bigint | null }) {
  return { balance: account.balance, held: account.held, available: account.available };
}

function applyToSqlite(step: Step): unknown {
  switch (step.op) {
    case 'placeHold':
      return sqlite.placeHold({ id: step.id, accountId: step.accountId, amount: step.amount, ref: step.id });
    case 'releaseHold':
      return sqlite.releaseHold(step.id);
    case 'captureHold':
      return sqlite.captureHold(captureInput(step));
    case 'postEntry':
      return sqlite.postEntry(entryInput(step));
  }
}

function applyToPostgres(client: pg.PoolClient, step: Step): Promise<unknown> {
  switch (step.op) {
    case 'placeHold':
      return postgres.placeHold(client, { id: step.id, accountId: step.accountId, amount: step.amount, ref: step.id });
    case 'releaseHold':
      return postgres.releaseHold(client, step.id);
    case 'captureHold':
      return postgres.captureHold(client, captureInput(step));
    case 'postEntry':
      return postgres.postEntry(client, entryInput(step));
  }
}

function captureInput(step: Extract<Step, { op: 'captureHold' }>) {
  return {
    holdId: step.id,
    amount: step.amount,
    entryId: step.entryId,
    memo: 'capture',
    postings:
      step.amount === 0n
        ? []
        : [
            { accountId: step.accountId, amount: -step.amount },
            { accountId: 'merch:news', amount: step.amount },
          ],
  };
}

function entryInput(step: Extract<Step, { op: 'postEntry' }>) {
  return {
    id: step.id,
    memo: 'transfer',
    ref: null,
    postings:
      step.from === step.to
        ? [{ accountId: step.from, amount: -step.amount }]
        : [
            { accountId: step.from, amount: -step.amount },
            { accountId: step.to, amount: step.amount },
          ],
  };
}
