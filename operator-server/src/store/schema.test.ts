import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../ledger';
import { FAIL_OPENING_TABS_SQL, OperatorStore } from './operator-store';
import { migrate } from '@opentab/server-kit';
import { migrateOperatorStore, OPERATOR_STORE_MIGRATIONS } from './schema';

const freshFile = () => join(mkdtempSync(join(tmpdir(), 'opentab-schema-')), 'operator.sqlite');

function planOf(db: ReturnType<typeof openDatabase>, sql: string): string {
  return db
    .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
    .all(...Array.from(sql.matchAll(/\?/g), () => 0))
    .map((row) => row.detail)
    .join('\n');
}

function insertTab(db: ReturnType<typeof openDatabase>, tabId: string, state: string): void {
  db.prepare(
    `INSERT INTO tabs (tab_id, merchant_id, customer_operator_id, transaction_id, state, pseudonym, tab_public_key, deposit_minor, currency, chain, opened_at, expires_at, conclude_after)
     VALUES (?, 'news', 'op-se', ?, ?, 'psn', 'key', 500, 'EUR', '{}', 1, 2, 2)`,
  ).run(tabId, `tx-${tabId}`, state);
}

describe('operator schema', () => {
  it('finds the tabs left opening through their partial index, never by scanning every tab', () => {
    const db = openDatabase(freshFile());
    migrateOperatorStore(db);
    const plan = planOf(db, FAIL_OPENING_TABS_SQL);
    expect(plan).toMatch(/USING (COVERING )?INDEX opening_tabs/);
    expect(plan).not.toMatch(/^SCAN tabs$/m);
    db.close();
  });

  it('migrates a file of the previous version: the index is added, the rows are kept', () => {
    const file = freshFile();
    const before = openDatabase(file);
    migrateOperatorStore(before);
    // The previous version's schema is this one without the index.
    before.exec('DROP INDEX opening_tabs');
    before
      .prepare(
        "INSERT INTO merchants (merchant_id, display_name, currency, origins, agent_url, public_key, created_at) VALUES ('news', 'News', 'EUR', '[]', 'http://agent.invalid', 'key', 1)",
      )
      .run();
    insertTab(before, 'tab_opening', 'opening');
    insertTab(before, 'tab_open', 'open');
    expect(planOf(before, FAIL_OPENING_TABS_SQL)).toMatch(/^SCAN tabs$/m);
    before.close();

    const after = openDatabase(file);
    const store = new OperatorStore(after, 'op-eu');
    expect(
      after.prepare("SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = 'opening_tabs'").get(),
    ).toBeDefined();
    expect(planOf(after, FAIL_OPENING_TABS_SQL)).toMatch(/INDEX opening_tabs/);
    expect(store.failOpeningTabs(Number.MAX_SAFE_INTEGER)).toEqual([
      { tabId: 'tab_opening', merchantId: 'news', currency: 'EUR' },
    ]);
    expect(store.tab('tab_open')?.state).toBe('open');
    expect(store.tab('tab_opening')?.state).toBe('failed');
    after.close();
  });

  it('migrates a file written before step 1: its rows stay, the step fills what it adds', () => {
    const file = freshFile();
    const previous = 0;
    const before = openDatabase(file);
    migrate(before, { ...OPERATOR_STORE_MIGRATIONS, steps: OPERATOR_STORE_MIGRATIONS.steps.slice(0, previous) });
    before
      .prepare(
        "INSERT INTO merchants (merchant_id, display_name, currency, origins, agent_url, public_key, created_at) VALUES ('news', 'News', 'EUR', '[]', 'http://agent.invalid', 'key', 1)",
      )
      .run();
    before
      .prepare(
        `INSERT INTO tabs (tab_id, merchant_id, customer_operator_id, transaction_id, state, pseudonym, tab_public_key, deposit_minor, currency, chain, opened_at, expires_at, conclude_after)
       VALUES ('tab_old', 'news', 'op-se', 'tx-1', 'open', 'psn', 'key', 500, 'EUR', '{"root":"r00t"}', 1, 2, 2)`,
      )
      .run();
    before.close();

    const after = openDatabase(file);
    migrateOperatorStore(after);
    expect(after.pragma('user_version', { simple: true })).toBe(OPERATOR_STORE_MIGRATIONS.steps.length);
    expect(
      after.prepare("SELECT state, chain_root, clearing_revision FROM tabs WHERE tab_id = 'tab_old'").get(),
    ).toEqual({ state: 'open', chain_root: 'r00t', clearing_revision: 0 });
    expect(new OperatorStore(after, 'op-eu').tab('tab_old')?.state).toBe('open');
    after.close();
  });

  it('migrates a file written before step 2: accounts and merchants are active, their rows unchanged', () => {
    const file = freshFile();
    const before = openDatabase(file);
    migrate(before, { ...OPERATOR_STORE_MIGRATIONS, steps: OPERATOR_STORE_MIGRATIONS.steps.slice(0, 1) });
    before
      .prepare(
        "INSERT INTO merchants (merchant_id, display_name, currency, origins, agent_url, public_key, created_at) VALUES ('news', 'News', 'EUR', '[]', 'http://agent.invalid', 'key', 1)",
      )
      .run();
    before
      .prepare(
        "INSERT INTO customers (account_id, currency, display_name, created_at) VALUES ('acct_old', 'SEK', 'Old', 1)",
      )
      .run();
    before.close();

    const after = openDatabase(file);
    migrateOperatorStore(after);
    expect(after.pragma('user_version', { simple: true })).toBe(OPERATOR_STORE_MIGRATIONS.steps.length);
    const store = new OperatorStore(after, 'op-eu');
    expect(store.customer('acct_old')).toMatchObject({ displayName: 'Old', status: 'active', statusReason: null });
    expect(store.merchant('news')).toMatchObject({ displayName: 'News', status: 'active' });
    expect(store.resolutionOfTab('tab_none')).toBeNull();
    after.close();
  });
});
