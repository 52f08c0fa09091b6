// The merchant agent's audit on a real agent's PostgreSQL database, beside the running agent: a
// consistent database passes, a tab whose totals its purchases do not add up to fails, and
// `opentab-merchant audit` reads a configuration whose store is PostgreSQL and exits 1 then.

import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentHarness, eur, eventually, MERCHANT_ID, type OpenedTab } from '@opentab/test-kit/merchant-agent';
import { auditMerchantAgentStore } from './agent-audit';

const SETTLE_MS = 60_000;
let harness: AgentHarness;
let url: string;
let cleared: OpenedTab;

async function buy(tab: OpenedTab, itemId: string, price: string, units: number): Promise<void> {
  const purchase = tab.customer.purchase(tab.tabId, itemId, eur(price), units);
  expect((await harness.post('/purchase', purchase)).status).toBe(200);
  tab.customer.paid(purchase);
}

beforeAll(async () => {
  harness = await AgentHarness.start();
  const store = harness.config.store!;
  if (store.kind !== 'postgres') throw new Error('this file tests the audit of a PostgreSQL store');
  url = store.url;
  cleared = await harness.openTab();
  await buy(cleared, 'article-2', '0.05', 5);
  await buy(cleared, 'article-3', '0.25', 25);
  await harness.agent.stop(cleared.tabId);
  await eventually(async () => (await harness.agent.recordDelivery(cleared.tabId))?.acknowledged === true);
  expect(
    (await harness.post('/mta/tab-cleared', harness.mta.tabCleared(MERCHANT_ID, cleared.tabId, eur('0.30')))).status,
  ).toBe(200);
  const open = await harness.openTab();
  await buy(open, 'article-1', '0.01', 1);
}, 60_000);

afterAll(() => harness.close());

async function failedChecks(): Promise<Record<string, readonly string[]>> {
  const audit = await auditMerchantAgentStore(
    { kind: 'postgres', url, poolSize: 1 },
    { now_ms: harness.clock.now_ms(), settle_ms: SETTLE_MS },
  );
  expect(audit.results.map((result) => result.name)).toEqual([
    'postgres-schema',
    'tab-totals',
    'tabs-settled',
    'records-delivered',
    'credited-as-receipts',
  ]);
  return Object.fromEntries(
    audit.results.filter((result) => result.violations.length > 0).map((result) => [result.name, result.violations]),
  );
}

/** Moves the cleared tab's spent and cleared amounts by `delta_minor` (the audit must then object). */
async function shiftSpent(delta_minor: number): Promise<void> {
  await harness.query(
    'UPDATE tabs SET spent_minor = spent_minor + ?, cleared_minor = cleared_minor + ? WHERE tab_id = ?',
    [delta_minor, delta_minor, cleared.tabId],
  );
}

describe('merchant agent audit of a PostgreSQL store', () => {
  it('passes every check beside the running agent, with a cleared tab and one still open', async () => {
    expect(await failedChecks()).toEqual({});
  });

  it('tab-totals: a spent amount its purchases do not add up to', async () => {
    await shiftSpent(-5);
    try {
      const failed = await failedChecks();
      expect(Object.keys(failed)).toEqual(['tab-totals']);
      expect(failed['tab-totals']).toContain(`tab ${cleared.tabId}: it says 25 spent, its purchases add up to 30`);
    } finally {
      await shiftSpent(5);
    }
    expect(await failedChecks()).toEqual({});
  });

  it('runs from opentab-merchant audit with a store in its configuration, and exits 1 when an invariant is broken', async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'opentab-agent-audit-')), 'merchant.json');
    writeFileSync(config, JSON.stringify({ store: { kind: 'postgres', url } }));
    const cli = () =>
      promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'merchant-widget/agent/cli/main.ts', 'audit', '--config', config, '--json'],
        { cwd: process.cwd() },
      );
    expect(JSON.parse((await cli()).stdout)).toMatchObject({ ok: true });
    await shiftSpent(-5);
    try {
      const failure = await cli().then(
        () => null,
        (error: { code: number; stdout: string }) => error,
      );
      expect(failure?.code).toBe(1);
      expect(JSON.parse(failure!.stdout)).toMatchObject({ ok: false });
    } finally {
      await shiftSpent(5);
    }
  }, 60_000);
});
