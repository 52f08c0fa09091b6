// Two agent processes of one merchant on one PostgreSQL database, as behind a load balancer: the
// same purchase reaching both at once is accepted once and answered alike, two purchases racing
// for one place in a tab are not both accepted, each stopped tab's record reaches the MTA once, and
// when one process is killed the other carries on with its tabs.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Purchase } from '@opentab/protocol';
import {
  eur,
  MERCHANT_ID,
  StandInMta,
  startAgentProcess,
  TestCustomer,
  writeAgentProcessConfig,
  type AgentProcess,
} from '@opentab/test-kit/merchant-agent';
import { createTestDatabase } from '@opentab/test-kit/postgres';
import { AGENT_POSTGRES_MIGRATIONS } from './postgres-store';

let mta: StandInMta;
let database: pg.Client;
let first: AgentProcess;
let second: AgentProcess;

beforeAll(async () => {
  mta = await StandInMta.start();
  const url = await createTestDatabase('agents');
  const config = writeAgentProcessConfig(
    mkdtempSync(join(tmpdir(), 'opentab-agents-')),
    mta,
    { kind: 'postgres', url, poolSize: 4 },
    // Both processes look for due records often, so that they compete for them.
    { recordRetryBase_ms: 20, recordRetryMax_ms: 100 },
  );
  // Started together: both migrate the empty database at once, and it is migrated once.
  [first, second] = await Promise.all([startAgentProcess(config), startAgentProcess(config)]);
  database = new pg.Client({ connectionString: url });
  await database.connect();
}, 60_000);

afterAll(async () => {
  for (const agent of [first, second]) agent?.child.kill('SIGKILL');
  await database?.end();
  await mta?.stop();
});

async function post(agent: AgentProcess, path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${agent.agentUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

async function openTab(agent: AgentProcess, chainLength = 1000): Promise<{ tabId: string; customer: TestCustomer }> {
  const customer = new TestCustomer(chainLength);
  const information = mta.tabInformation({
    merchantId: MERCHANT_ID,
    tabPublicKey: customer.tabPublicKey,
    deposit: eur('10.00'),
    chain: { root: customer.chain.commitment.root, unit: eur('0.01'), length: customer.chain.length },
    expiresAt_ms: Date.now() + 600_000,
  });
  await mta.announceTab(agent.agentUrl, information);
  return { tabId: information.payload.tabId, customer };
}

async function stored(tabId: string) {
  const tab = await database.query(
    'SELECT purchase_count::int AS count, spent_minor::text AS spent, last_chain_index::int AS index FROM tabs WHERE tab_id = $1',
    [tabId],
  );
  const purchases = await database.query(
    'SELECT purchase_id, seq::int AS seq FROM purchases WHERE tab_id = $1 ORDER BY seq',
    [tabId],
  );
  return { tab: tab.rows[0], purchases: purchases.rows as { purchase_id: string; seq: number }[] };
}

describe('two agent processes on one PostgreSQL database', () => {
  it('migrated the database once', async () => {
    const { rows } = await database.query('SELECT store, version::int AS version FROM schema_version');
    expect(rows).toEqual([{ store: 'merchant agent database', version: AGENT_POSTGRES_MIGRATIONS.steps.length }]);
  });

  it('accepts a purchase that reaches both at once once, and answers both with the same receipt', async () => {
    const { tabId, customer } = await openTab(first);
    for (let round = 0; round < 20; round++) {
      const purchase = customer.purchase(tabId, 'article-2', eur('0.05'), 5);
      const answers = await Promise.all([post(first, '/purchase', purchase), post(second, '/purchase', purchase)]);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
      expect(answers[1]!.body).toEqual(answers[0]!.body);
      customer.paid(purchase);
    }
    const { tab, purchases } = await stored(tabId);
    expect(tab).toEqual({ count: 20, spent: '100', index: 100 });
    expect(purchases.map((purchase) => purchase.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('never accepts two different purchases for the same place in a tab', async () => {
    const { tabId, customer } = await openTab(second);
    const accepted: Purchase[] = [];
    for (let round = 0; round < 20; round++) {
      // Same seq, different items and links: at most one can be the tab's next purchase.
      const cheap = customer.purchase(tabId, 'article-1', eur('0.01'), 1);
      const dear = customer.purchase(tabId, 'article-2', eur('0.05'), 5);
      const [toFirst, toSecond] = round % 2 === 0 ? [cheap, dear] : [dear, cheap];
      const answers = await Promise.all([post(first, '/purchase', toFirst), post(second, '/purchase', toSecond)]);
      const winners = [toFirst, toSecond].filter((_, index) => answers[index]!.status === 200);
      expect(winners, `round ${round}: ${JSON.stringify(answers)}`).toHaveLength(1);
      const loser = answers.find((answer) => answer.status !== 200)!;
      expect((loser.body as { error: { code: string } }).error.code).toMatch(
        /^(sequence_mismatch|stale_link|wrong_link)$/,
      );
      customer.paid(winners[0]!);
      accepted.push(winners[0]!);
    }
    const { tab, purchases } = await stored(tabId);
    expect(purchases.map((purchase) => purchase.purchase_id)).toEqual(accepted.map((purchase) => purchase.id));
    const spent = accepted.reduce((sum, purchase) => sum + (purchase.itemId === 'article-1' ? 1n : 5n), 0n);
    expect(tab).toEqual({
      count: 20,
      spent: spent.toString(),
      index: accepted.at(-1)!.chainIndex,
    });
  });

  it('delivers each stopped tab’s record to the MTA once, whichever process stopped it', async () => {
    // The MTA is away while the tabs stop, so every record is due in both processes when it returns.
    await mta.stop();
    const deliveriesBefore = mta.recordDeliveries;
    const tabs = await Promise.all(
      Array.from({ length: 24 }, async (_, index) => {
        const agent = index % 2 === 0 ? first : second;
        return { ...(await openTab(agent)), agent };
      }),
    );
    await Promise.all(
      tabs.map(async ({ tabId, customer, agent }) =>
        expect((await post(agent, '/terminate', customer.terminate(tabId))).status).toBe(200),
      ),
    );
    await mta.listen();
    const tabIds = tabs.map((tab) => tab.tabId);
    await expect
      .poll(
        async () =>
          (
            await database.query(
              'SELECT COUNT(*)::int AS n FROM record_outbox WHERE tab_id = ANY($1) AND acknowledged_at_ms IS NOT NULL',
              [tabIds],
            )
          ).rows[0].n,
        { timeout: 20_000 },
      )
      .toBe(tabIds.length);
    const delivered = mta.records.filter((record) => tabIds.includes(record.payload.tabId));
    expect(delivered.map((record) => record.payload.tabId).sort()).toEqual([...tabIds].sort());
    // Every POST of a record after the MTA came back, counted by the MTA: one per record.
    expect(mta.recordDeliveries - deliveriesBefore).toBe(tabIds.length);
  });

  it('keeps serving a tab from the other process when one is killed mid-tab', async () => {
    const { tabId, customer } = await openTab(first);
    const before = customer.purchase(tabId, 'article-2', eur('0.05'), 5);
    expect((await post(first, '/purchase', before)).status).toBe(200);
    customer.paid(before);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    const after = customer.purchase(tabId, 'article-1', eur('0.01'), 1);
    expect((await post(second, '/purchase', after)).status).toBe(200);
    customer.paid(after);
    expect((await post(second, '/terminate', customer.terminate(tabId))).status).toBe(200);
    await expect
      .poll(() => mta.records.find((record) => record.payload.tabId === tabId)?.payload, { timeout: 20_000 })
      .toMatchObject({ tabId, count: 2, total: eur('0.06'), lastChainIndex: 6 });
    expect((await stored(tabId)).tab).toEqual({ count: 2, spent: '6', index: 6 });
  });
});
