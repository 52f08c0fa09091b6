// A database written by the previous version of the agent opens with this one: the steps it lacks
// are applied (here the purchase-list key of version 5), and its tabs, purchases and records stay.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '@opentab/server-kit';
import { AGENT_STORE_MIGRATIONS, SqliteAgentStore } from './sqlite-store';

const PREVIOUS_VERSION = AGENT_STORE_MIGRATIONS.steps.length - 1;

function writtenByThePreviousVersion(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'opentab-agent-store-')), 'agent.sqlite');
  const db = new Database(path);
  migrate(db, { ...AGENT_STORE_MIGRATIONS, steps: AGENT_STORE_MIGRATIONS.steps.slice(0, PREVIOUS_VERSION) });
  db.prepare(
    `INSERT INTO tabs (tab_id, information_id, information_json, pseudonym, tab_public_key, currency, deposit_minor, spent_minor, chain_unit_minor,
       chain_length, chain_root, last_chain_index, last_chain_link, purchase_count, opened_at_ms, expires_at_ms, status)
     VALUES ('tab_old', 'info-1', '{}', 'psn_1', 'key', 'EUR', 500, 5, 1, 500, 'root', 5, 'link', 1, 1000, 2000, 'open')`,
  ).run();
  db.prepare(
    "INSERT INTO record_outbox (tab_id, record_id, envelope_json, next_attempt_at_ms) VALUES ('tab_old', 'rec-1', '{}', 1500)",
  ).run();
  db.close();
  return path;
}

describe('the agent store', () => {
  it('migrates a file of the previous schema version, keeping its tabs and records', async () => {
    const path = writtenByThePreviousVersion();
    const store = SqliteAgentStore.open(path);
    try {
      expect(await store.findTab('tab_old')).toMatchObject({
        tabId: 'tab_old',
        spent_minor: 5n,
        listKey: null,
        lifecycle: { status: 'open' },
      });
      expect(await store.outboxEntry('tab_old')).toMatchObject({
        recordId: 'rec-1',
        acknowledgedAt_ms: null,
        refusedCode: null,
      });
    } finally {
      await store.close();
    }
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(AGENT_STORE_MIGRATIONS.steps.length);
    db.close();
  });

  it('refuses a file written by a newer agent', () => {
    const path = writtenByThePreviousVersion();
    const db = new Database(path);
    db.pragma(`user_version = ${AGENT_STORE_MIGRATIONS.steps.length + 1}`);
    db.close();
    expect(() => SqliteAgentStore.open(path)).toThrow(/newer than this software/);
  });
});
