// The operator audit on real operators' PostgreSQL databases, beside the running operators: after
// a cleared tab and with one still open both pass every check (with the schema's step in place of
// SQLite's integrity check), and the checks fail on a database broken by SQL the way their
// invariants forbid, or read after a hold's deadline has passed. `opentab-operator audit` reads
// the database its configuration names and exits 1 then.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@opentab/test-kit/postgres';
import {
  CUSTOMER_OPERATOR,
  MERCHANT_OPERATOR,
  startTwoOperatorWorld,
  type TestCustomer,
  type TestTab,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';
import { ledgerAccount } from '../ledger-accounts';
import { runAuditScenario } from '../../testing/audit-scenario';
import { auditOperatorStore } from './operator-audit';

const SETTLE_MS = 60_000;
let world: TwoOperatorWorld;
let customer: TestCustomer;
let open: TestTab;
const storeUrls: Record<string, string> = {};

beforeAll(async () => {
  for (const operatorId of [CUSTOMER_OPERATOR, MERCHANT_OPERATOR])
    storeUrls[operatorId] = await createTestDatabase('audit');
  world = await startTwoOperatorWorld({
    stores: Object.fromEntries(
      Object.entries(storeUrls).map(([id, url]) => [id, { kind: 'postgres', url, poolSize: 4 } as const]),
    ),
  });
  ({ customer, open } = await runAuditScenario(world));
}, 120_000);

afterAll(async () => {
  await world?.close();
});

async function failedChecks(operatorId: string, now_ms = world.clock.now_ms()): Promise<Record<string, string[]>> {
  const config = world.world.operator(operatorId).running.context.config;
  expect(config.store.kind).toBe('postgres');
  const audit = await auditOperatorStore(config, { now_ms, settle_ms: SETTLE_MS });
  expect(audit.results.map((result) => result.name)).toEqual([
    'postgres-schema',
    'ledger-balanced',
    'ledger-totals',
    'credit-limits',
    'holds-ended',
    'states-settled',
    'outbox-drained',
    'charges-match-clearings',
    'credits-match-clearings',
    'billing-once',
  ]);
  return Object.fromEntries(
    audit.results
      .filter((result) => result.violations.length > 0)
      .map((result) => [result.name, [...result.violations]]),
  );
}

/** Runs `sql` on the operator's database, committed, as a bug or a hand at the console would. */
async function onDatabase(operatorId: string, statements: readonly [string, unknown[]][]): Promise<void> {
  const client = new pg.Client({ connectionString: storeUrls[operatorId] });
  await client.connect();
  try {
    await client.query('BEGIN');
    for (const [sql, values] of statements) await client.query(sql, values);
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

describe('operator audit of a PostgreSQL store', () => {
  it('passes every check on both operators after a cleared tab and with one still open', async () => {
    expect(await failedChecks(CUSTOMER_OPERATOR)).toEqual({});
    expect(await failedChecks(MERCHANT_OPERATOR)).toEqual({});
  });

  it('ledger-balanced: an unbalanced posting inserted by SQL', async () => {
    const account = ledgerAccount.merchant(world.merchantId);
    await onDatabase(MERCHANT_OPERATOR, [
      ["INSERT INTO ledger_entries (id, memo, ref, created_at) VALUES ('forged', 'money from nowhere', NULL, 1)", []],
      [
        "INSERT INTO ledger_postings (entry_seq, position, account_id, amount, created_at) SELECT seq, 0, $1, 100, 1 FROM ledger_entries WHERE id = 'forged'",
        [account],
      ],
      ['UPDATE ledger_accounts SET balance = balance + 100 WHERE id = $1', [account]],
    ]);
    try {
      const failed = await failedChecks(MERCHANT_OPERATOR);
      expect(Object.keys(failed)).toEqual(['ledger-balanced']);
      expect(failed['ledger-balanced']).toEqual([
        'balances in EUR sum to 100, not 0',
        'entry forged moves 100 EUR out of nowhere (its postings do not sum to 0)',
      ]);
    } finally {
      await onDatabase(MERCHANT_OPERATOR, [
        ["DELETE FROM ledger_postings WHERE entry_seq = (SELECT seq FROM ledger_entries WHERE id = 'forged')", []],
        ["DELETE FROM ledger_entries WHERE id = 'forged'", []],
        ['UPDATE ledger_accounts SET balance = balance - 100 WHERE id = $1', [account]],
      ]);
    }
    expect(await failedChecks(MERCHANT_OPERATOR)).toEqual({});
  });

  it('holds-ended: a hold inserted by SQL that belongs to no transaction and never ended', async () => {
    const account = ledgerAccount.customer(customer.accountId);
    await onDatabase(CUSTOMER_OPERATOR, [
      [
        "INSERT INTO ledger_holds (id, account_id, amount, ref, status, created_at) VALUES ('forged-hold', $1, 100, 'no-such-transaction', 'pending', 1)",
        [account],
      ],
      ['UPDATE ledger_accounts SET held = held + 100 WHERE id = $1', [account]],
    ]);
    try {
      const failed = await failedChecks(CUSTOMER_OPERATOR);
      expect(Object.keys(failed)).toEqual(['holds-ended']);
      expect(failed['holds-ended']).toEqual([
        expect.stringMatching(/^hold forged-hold \(100 on customer:.*\) is pending .* and belongs to no transaction$/),
      ]);
    } finally {
      await onDatabase(CUSTOMER_OPERATOR, [
        ["DELETE FROM ledger_holds WHERE id = 'forged-hold'", []],
        ['UPDATE ledger_accounts SET held = held - 100 WHERE id = $1', [account]],
      ]);
    }
    expect(await failedChecks(CUSTOMER_OPERATOR)).toEqual({});
  });

  it('holds-ended and states-settled: the open tab read after its hold had to end', async () => {
    const { holdDeadline_s } = world.world.operator(CUSTOMER_OPERATOR).running.context.config.tabs;
    const expiresAt_ms = Date.parse(open.opened.payload.expiresAt);
    const failed = await failedChecks(CUSTOMER_OPERATOR, expiresAt_ms + holdDeadline_s * 1000 + SETTLE_MS + 1_000);
    expect(Object.keys(failed)).toEqual(['holds-ended', 'states-settled']);
    expect(failed['holds-ended']).toEqual([
      expect.stringContaining(`of open transaction ${open.transactionId} is pending`),
    ]);
  });

  it('runs from opentab-operator audit on the database its configuration names, and exits 1 when an invariant is broken', async () => {
    const cli = () =>
      promisify(execFile)(
        process.execPath,
        [
          '--import',
          'tsx',
          'operator-server/src/cli/main.ts',
          'audit',
          '--config',
          world.world.operator(CUSTOMER_OPERATOR).configPath,
          '--json',
        ],
        { cwd: process.cwd(), env: { ...process.env, OPENTAB_STORE_URL: storeUrls[CUSTOMER_OPERATOR] } },
      );
    const passed = JSON.parse((await cli()).stdout) as { ok: boolean; databasePath: string };
    expect(passed).toMatchObject({ ok: true, databasePath: storeUrls[CUSTOMER_OPERATOR] });
    const account = ledgerAccount.customer(customer.accountId);
    const shiftHeld = (delta: number) =>
      onDatabase(CUSTOMER_OPERATOR, [['UPDATE ledger_accounts SET held = held + $1 WHERE id = $2', [delta, account]]]);
    await shiftHeld(1);
    try {
      const failure = await cli().then(
        () => null,
        (error: { code: number; stdout: string }) => error,
      );
      expect(failure?.code).toBe(1);
      expect(JSON.parse(failure!.stdout)).toMatchObject({ ok: false });
    } finally {
      await shiftHeld(-1);
    }
  }, 60_000);
});
