// `opentab-operator audit` on real data directories: two operators after a cleared tab and an
// open one pass every check, and each check fails on a copy deliberately broken the way its
// invariant forbids (a check that cannot fail would prove nothing).

import { execFile } from 'node:child_process';
import { appendFileSync, closeSync, cpSync, mkdtempSync, openSync, readFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditOperator } from '../src/audit/operator-audit';
import { loadConfigFile } from '../src/config/config';
import { runAuditScenario } from '../testing/audit-scenario';
import type { TestTab } from '@opentab/test-kit/worlds';
import {
  CUSTOMER_OPERATOR,
  MERCHANT_OPERATOR,
  startTwoOperatorWorld,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';
import { waitFor } from '@opentab/test-kit';

const run = promisify(execFile);
const SETTLE_MS = 60_000;

let world: TwoOperatorWorld;
let cleared: TestTab;
let open: TestTab;
const dirOf: Record<string, string> = {};

beforeAll(async () => {
  world = await startTwoOperatorWorld();
  ({ cleared, open } = await runAuditScenario(world));
  await waitFor('both outboxes to drain', () =>
    Object.values(world.world.operators).every((operator) => operator.running.sqlite!.outbox.pending() === 0),
  );
  for (const operator of Object.values(world.world.operators)) dirOf[operator.operatorId] = operator.dir;
  await world.close();
}, 120_000);

afterAll(async () => {
  await world?.close().catch(() => undefined);
});

/** A copy of an operator's directory, broken by `damage` on a writable connection. */
function brokenCopy(operatorId: string, damage: (db: Database.Database) => void): string {
  const copy = join(mkdtempSync(join(tmpdir(), 'opentab-audit-')), operatorId);
  cpSync(dirOf[operatorId]!, copy, { recursive: true });
  const db = new Database(join(copy, 'data', 'operator.sqlite'));
  try {
    damage(db);
  } finally {
    db.close();
  }
  return join(copy, 'operator.json');
}

function failedChecks(configPath: string, now_ms = Date.now()): Record<string, readonly string[]> {
  const audit = auditOperator(loadConfigFile(configPath, {}), { now_ms, settle_ms: SETTLE_MS });
  return Object.fromEntries(
    audit.results.filter((result) => result.violations.length > 0).map((result) => [result.name, result.violations]),
  );
}

const intact = (operatorId: string) => join(dirOf[operatorId]!, 'operator.json');

describe('operator audit', () => {
  it('passes every check on both operators after a cleared tab and with one still open', () => {
    expect(failedChecks(intact(CUSTOMER_OPERATOR))).toEqual({});
    expect(failedChecks(intact(MERCHANT_OPERATOR))).toEqual({});
  });

  it('sqlite-integrity: an index that no longer matches its table', () => {
    let page = { offset: 0, size: 0 };
    const config = brokenCopy(MERCHANT_OPERATOR, (db) => {
      const size = Number(db.pragma('page_size', { simple: true }));
      const root = Number(
        db.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'message_receipts_by_age'").pluck().get(),
      );
      page = { offset: (root - 1) * size, size };
    });
    // Zeroes the index's root page in the file, as a torn write or a bad disk would.
    const file = openSync(join(config, '..', 'data', 'operator.sqlite'), 'r+');
    writeSync(file, Buffer.alloc(page.size), 0, page.size, page.offset);
    closeSync(file);
    const failed = failedChecks(config);
    expect(Object.keys(failed)).toEqual(['sqlite-integrity']);
    expect(failed['sqlite-integrity']![0]).toMatch(/^integrity_check: /);
  });

  it('ledger-balanced: an unbalanced posting inserted directly', () => {
    const config = brokenCopy(MERCHANT_OPERATOR, (db) => {
      const seq = db
        .prepare(
          "INSERT INTO ledger_entries (id, memo, ref, created_at) VALUES ('forged', 'money from nowhere', NULL, 1)",
        )
        .run().lastInsertRowid;
      db.prepare(
        "INSERT INTO ledger_postings (entry_seq, position, account_id, amount, created_at) VALUES (?, 0, 'merchant:news', 100, 1)",
      ).run(seq);
      db.prepare("UPDATE ledger_accounts SET balance = balance + 100 WHERE id = 'merchant:news'").run();
    });
    const failed = failedChecks(config);
    expect(Object.keys(failed)).toEqual(['ledger-balanced']);
    expect(failed['ledger-balanced']).toEqual([
      'balances in EUR sum to 100, not 0',
      'entry forged moves 100 EUR out of nowhere (its postings do not sum to 0)',
    ]);
  });

  it('ledger-totals: a held amount that is not the sum of the pending holds', () => {
    const config = brokenCopy(CUSTOMER_OPERATOR, (db) =>
      db.prepare("UPDATE ledger_accounts SET held = held + 1 WHERE kind = 'customer'").run(),
    );
    expect(Object.keys(failedChecks(config))).toEqual(['ledger-totals']);
  });

  it('credit-limits: an account below its floor', () => {
    const config = brokenCopy(CUSTOMER_OPERATOR, (db) => {
      db.pragma('ignore_check_constraints = ON');
      db.prepare("UPDATE ledger_accounts SET min_balance = 0 WHERE kind = 'customer'").run();
    });
    expect(Object.keys(failedChecks(config))).toEqual(['credit-limits']);
  });

  it('holds-ended: a hold left pending on a cleared transaction', () => {
    const config = brokenCopy(CUSTOMER_OPERATOR, (db) => {
      const hold = db
        .prepare('SELECT id, account_id, amount FROM ledger_holds WHERE ref = ?')
        .get(cleared.transactionId) as { id: string; account_id: string; amount: number };
      db.prepare(
        "UPDATE ledger_holds SET status = 'pending', captured_amount = NULL, capture_entry_id = NULL, ended_at = NULL WHERE id = ?",
      ).run(hold.id);
      db.prepare('UPDATE ledger_accounts SET held = held + ? WHERE id = ?').run(hold.amount, hold.account_id);
    });
    const failed = failedChecks(config);
    expect(Object.keys(failed)).toEqual(['holds-ended']);
    expect(failed['holds-ended']![0]).toContain(`is pending though transaction ${cleared.transactionId} is cleared`);
  });

  it('holds-ended and states-settled: a tab and its hold still open long past expiry and hold deadline', () => {
    const config = loadConfigFile(intact(CUSTOMER_OPERATOR), {});
    const longAfter_ms = Date.now() + 60_000 + config.tabs.holdDeadline_s * 1000 + 2 * SETTLE_MS;
    const failed = failedChecks(intact(CUSTOMER_OPERATOR), longAfter_ms);
    expect(Object.keys(failed).sort()).toEqual(['holds-ended', 'states-settled']);
    expect(failed['states-settled']![0]).toContain(`transaction ${open.transactionId} is still open`);
    const atTheMta = failedChecks(intact(MERCHANT_OPERATOR), longAfter_ms);
    expect(Object.keys(atTheMta)).toEqual(['states-settled']);
    expect(atTheMta['states-settled']![0]).toContain(`tab ${open.tabId}`);
  });

  it('outbox-drained: a message never delivered', () => {
    const config = brokenCopy(MERCHANT_OPERATOR, (db) =>
      db.prepare("UPDATE outbox SET delivered_at = NULL WHERE record_id LIKE 'clearing:%'").run(),
    );
    expect(failedChecks(config)).toEqual({});
    const failed = failedChecks(config, Date.now() + SETTLE_MS + 1_000);
    expect(Object.keys(failed)).toEqual(['outbox-drained']);
    expect(failed['outbox-drained']![0]).toContain(`clearing:${cleared.tabId} → peer-clearing:${CUSTOMER_OPERATOR}`);
  });

  it('charges-match-clearings: a charge the ledger and the locked rate do not back', () => {
    const config = brokenCopy(CUSTOMER_OPERATOR, (db) =>
      db
        .prepare('UPDATE transactions SET charged_minor = charged_minor + 1 WHERE transaction_id = ?')
        .run(cleared.transactionId),
    );
    const failed = failedChecks(config);
    expect(Object.keys(failed)).toEqual(['charges-match-clearings']);
    expect(failed['charges-match-clearings']!.join('\n')).toMatch(
      /the ledger took .*\n.*withdrawal records .* bill .*\n.*the locked rate makes that/,
    );
  });

  it('credits-match-clearings: a tab that says it cleared more than the merchant was credited', () => {
    const config = brokenCopy(MERCHANT_OPERATOR, (db) =>
      db.prepare('UPDATE tabs SET cleared_minor = cleared_minor + 1 WHERE tab_id = ?').run(cleared.tabId),
    );
    const failed = failedChecks(config);
    expect(Object.keys(failed)).toEqual(['credits-match-clearings']);
    expect(failed['credits-match-clearings']![0]).toContain(
      `tab ${cleared.tabId} cleared 24 EUR, the ledger credited the merchant 23`,
    );
  });

  it('billing-once: a record written twice, and one the file lost', () => {
    const config = brokenCopy(CUSTOMER_OPERATOR, () => undefined);
    const file = join(config, '..', 'billing', 'records.jsonl');
    const line = readFileSync(file, 'utf8');
    appendFileSync(file, line);
    expect(failedChecks(config)['billing-once']).toEqual([
      expect.stringMatching(/record withdrawal:op-se:\S+ was written 2 times$/),
    ]);
    const lost = brokenCopy(MERCHANT_OPERATOR, () => undefined);
    appendFileSync(join(lost, '..', 'billing', 'records.jsonl'), '{"recordId":"deposit:op-eu:forged"}\n');
    expect(failedChecks(lost)['billing-once']).toEqual([
      expect.stringMatching(/record deposit:op-eu:forged was never enqueued for this sink$/),
    ]);
  });

  it('runs from the CLI, read-only, and exits 1 when an invariant is broken', async () => {
    const cli = (configPath: string) =>
      run(
        process.execPath,
        ['--import', 'tsx', 'operator-server/src/cli/main.ts', 'audit', '--config', configPath, '--json'],
        { cwd: process.cwd() },
      );
    const before = readFileSync(join(dirOf[CUSTOMER_OPERATOR]!, 'data', 'operator.sqlite'));
    const { stdout } = await cli(intact(CUSTOMER_OPERATOR));
    expect(JSON.parse(stdout)).toMatchObject({ operatorId: CUSTOMER_OPERATOR, ok: true });
    expect(readFileSync(join(dirOf[CUSTOMER_OPERATOR]!, 'data', 'operator.sqlite')).equals(before)).toBe(true);
    const broken = brokenCopy(CUSTOMER_OPERATOR, (db) =>
      db.prepare("UPDATE ledger_accounts SET held = held + 1 WHERE kind = 'customer'").run(),
    );
    const failure = await cli(broken).then(
      () => null,
      (error: { code: number; stdout: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(JSON.parse(failure!.stdout)).toMatchObject({
      ok: false,
      results: expect.arrayContaining([expect.objectContaining({ name: 'ledger-totals' })]),
    });
  }, 60_000);
});
