// The merchant agent's audit on a real agent's SQLite file: a consistent store passes, and each
// check fails on a copy broken the way its invariant forbids, or on a clearing that paid the
// merchant less than its receipts.

import { execFile } from 'node:child_process';
import { closeSync, copyFileSync, mkdtempSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentHarness, eur, eventually, MERCHANT_ID, type OpenedTab } from '@opentab/test-kit/merchant-agent';
import { auditMerchantAgent } from './agent-audit';

const SETTLE_MS = 60_000;
let harness: AgentHarness;
let cleared: OpenedTab;
let open: OpenedTab;
let stoppedAt_ms: number;
let pristine: string;

async function buy(tab: OpenedTab, itemId: string, price: string, units: number): Promise<void> {
  const purchase = tab.customer.purchase(tab.tabId, itemId, eur(price), units);
  expect((await harness.post('/purchase', purchase)).status).toBe(200);
  tab.customer.paid(purchase);
}

beforeAll(async () => {
  harness = await AgentHarness.start();
  cleared = await harness.openTab();
  await buy(cleared, 'article-2', '0.05', 5);
  await buy(cleared, 'article-3', '0.25', 25);
  stoppedAt_ms = harness.clock.now_ms();
  await harness.agent.stop(cleared.tabId);
  await eventually(async () => (await harness.agent.recordDelivery(cleared.tabId))?.acknowledged === true);
  expect(
    (await harness.post('/mta/tab-cleared', harness.mta.tabCleared(MERCHANT_ID, cleared.tabId, eur('0.30')))).status,
  ).toBe(200);
  open = await harness.openTab();
  await buy(open, 'article-1', '0.01', 1);
  await harness.agent.close();
  pristine = join(mkdtempSync(join(tmpdir(), 'opentab-agent-audit-')), 'agent.sqlite');
  copyFileSync(harness.sqlitePath, pristine);
}, 60_000);

afterAll(() => harness.close());

function brokenCopy(damage: (db: Database.Database) => void): string {
  const copy = join(mkdtempSync(join(tmpdir(), 'opentab-agent-audit-')), 'agent.sqlite');
  copyFileSync(pristine, copy);
  const db = new Database(copy);
  try {
    damage(db);
  } finally {
    db.close();
  }
  return copy;
}

function failedChecks(path: string, now_ms = harness.clock.now_ms()): Record<string, readonly string[]> {
  const audit = auditMerchantAgent(path, { now_ms, settle_ms: SETTLE_MS });
  return Object.fromEntries(
    audit.results.filter((result) => result.violations.length > 0).map((result) => [result.name, result.violations]),
  );
}

describe('merchant agent audit', () => {
  it('passes every check after a cleared tab and with one still open', () => {
    expect(failedChecks(pristine)).toEqual({});
  });

  it('sqlite-integrity: a page of an index zeroed', () => {
    let page = { offset: 0, size: 0 };
    const copy = brokenCopy((db) => {
      const size = Number(db.pragma('page_size', { simple: true }));
      const root = Number(db.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'replies_by_age'").pluck().get());
      page = { offset: (root - 1) * size, size };
    });
    const file = openSync(copy, 'r+');
    writeSync(file, Buffer.alloc(page.size), 0, page.size, page.offset);
    closeSync(file);
    expect(Object.keys(failedChecks(copy))).toEqual(['sqlite-integrity']);
  });

  it('tab-totals: a spent amount its purchases do not add up to', () => {
    const copy = brokenCopy((db) =>
      db
        .prepare('UPDATE tabs SET spent_minor = spent_minor - 5, cleared_minor = cleared_minor - 5 WHERE tab_id = ?')
        .run(cleared.tabId),
    );
    const failed = failedChecks(copy);
    expect(Object.keys(failed)).toEqual(['tab-totals']);
    expect(failed['tab-totals']).toContain(`tab ${cleared.tabId}: it says 25 spent, its purchases add up to 30`);
  });

  it('tab-totals: a purchase whose chain step is not its price', () => {
    const copy = brokenCopy((db) =>
      db.prepare('UPDATE purchases SET price_minor = 4 WHERE tab_id = ? AND seq = 1').run(cleared.tabId),
    );
    expect(failedChecks(copy)['tab-totals']).toEqual(
      expect.arrayContaining([expect.stringMatching(/\(seq 1\) moved the chain from 0 to 5 for a price of 4$/)]),
    );
  });

  it('tabs-settled: a tab still open long after its timeout', () => {
    const failed = failedChecks(pristine, Date.parse(open.information.payload.expiresAt) + 2 * SETTLE_MS);
    expect(Object.keys(failed)).toEqual(['tabs-settled']);
    expect(failed['tabs-settled']![0]).toContain(`tab ${open.tabId} is still open`);
  });

  it('records-delivered and tabs-settled: a record the MTA never acknowledged, its tab never cleared', () => {
    const copy = brokenCopy((db) => {
      db.prepare('UPDATE record_outbox SET acknowledged_at_ms = NULL WHERE tab_id = ?').run(cleared.tabId);
      db.prepare(
        "UPDATE tabs SET status = 'stopped', cleared_minor = NULL, clearing_outcome = NULL, cleared_at_ms = NULL WHERE tab_id = ?",
      ).run(cleared.tabId);
    });
    expect(failedChecks(copy)).toEqual({});
    const failed = failedChecks(copy, stoppedAt_ms + SETTLE_MS + 1_000);
    expect(Object.keys(failed).sort()).toEqual(['records-delivered', 'tabs-settled']);
  });

  it('credited-as-receipts: an MTA that cleared less than the receipts add up to', async () => {
    const shortPaid = await AgentHarness.start();
    try {
      const tab = await shortPaid.openTab();
      const purchase = tab.customer.purchase(tab.tabId, 'article-3', eur('0.25'), 25);
      expect((await shortPaid.post('/purchase', purchase)).status).toBe(200);
      await shortPaid.agent.stop(tab.tabId);
      expect(
        (
          await shortPaid.post(
            '/mta/tab-cleared',
            shortPaid.mta.tabCleared(MERCHANT_ID, tab.tabId, eur('0.00'), 'merchant-record-missing'),
          )
        ).status,
      ).toBe(200);
      const failed = failedChecks(shortPaid.sqlitePath, shortPaid.clock.now_ms());
      expect(failed).toEqual({
        'credited-as-receipts': [`tab ${tab.tabId} cleared 0 EUR (merchant-record-missing), its receipts add up to 25`],
      });
    } finally {
      await shortPaid.close();
    }
  });

  it('runs from opentab-merchant audit and exits 1 when an invariant is broken', async () => {
    const run = promisify(execFile);
    const configFor = (databasePath: string) => {
      const path = join(mkdtempSync(join(tmpdir(), 'opentab-agent-audit-')), 'merchant.json');
      writeFileSync(path, JSON.stringify({ databasePath }));
      return path;
    };
    const cli = (databasePath: string) =>
      run(
        process.execPath,
        [
          '--import',
          'tsx',
          'merchant-widget/agent/cli/main.ts',
          'audit',
          '--config',
          configFor(databasePath),
          '--json',
        ],
        { cwd: process.cwd() },
      );
    expect(JSON.parse((await cli(pristine)).stdout)).toMatchObject({ ok: true });
    const broken = brokenCopy((db) =>
      db
        .prepare('UPDATE tabs SET spent_minor = spent_minor - 5, cleared_minor = cleared_minor - 5 WHERE tab_id = ?')
        .run(cleared.tabId),
    );
    const failure = await cli(broken).then(
      () => null,
      (error: { code: number; stdout: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(JSON.parse(failure!.stdout)).toMatchObject({ ok: false });
  }, 60_000);
});
