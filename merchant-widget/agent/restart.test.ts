import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Receipt } from '@opentab/protocol';
import { AgentHarness, errorCode, eur, eventually } from '@opentab/test-kit/merchant-agent';

describe('merchant restart', () => {
  let harness: AgentHarness;
  beforeEach(async () => {
    harness = await AgentHarness.start();
  });
  afterEach(() => harness.close());

  it('loses nothing mid-tab: the tab, its purchases and replay answers survive, and purchases continue', async () => {
    const tab = await harness.openTab();
    const first = tab.customer.purchase(tab.tabId, 'article-2', eur('0.05'), 5);
    const firstAnswer = await harness.post('/purchase', first);
    expect(firstAnswer.status).toBe(200);
    tab.customer.paid(first);

    await harness.restartAgent();

    expect(await harness.agent.tab(tab.tabId)).toMatchObject({
      status: 'open',
      purchaseCount: 1,
      spent: { minor: 5n },
      lastChainIndex: 5,
    });
    expect((await harness.post('/purchase', first)).body).toEqual(firstAnswer.body);
    const token = (firstAnswer.body as Receipt).payload.accessToken;
    expect(harness.agent.verifyAccess(token, 'article-2')).toBe(true);
    // The link already paid before the restart stays spent after it.
    const replayedLink = tab.customer.purchase(tab.tabId, 'article-2', eur('0.05'), 5, {
      chainIndex: 5,
      chainLink: first.chainLink,
    });
    expect(errorCode(await harness.post('/purchase', replayedLink))).toBe('stale_link');

    const second = tab.customer.purchase(tab.tabId, 'article-3', eur('0.25'), 25);
    const secondAnswer = await harness.post('/purchase', second);
    expect(secondAnswer.status).toBe(200);
    expect((secondAnswer.body as Receipt).payload).toMatchObject({ seq: 2, chainIndex: 30, spent: eur('0.30') });
    expect((await harness.agent.purchases(tab.tabId)).map((purchase) => purchase.seq)).toEqual([1, 2]);
  });

  it('delivers a record that was still in the outbox when the agent stopped', async () => {
    const { tabId } = await harness.openTab();
    await harness.mta.stop();
    await harness.agent.stop(tabId);
    await eventually(async () => ((await harness.agent.recordDelivery(tabId))?.attempts ?? 0) >= 1);
    await harness.agent.close();

    await harness.mta.listen();
    harness.clock.advance(harness.config.recordRetryMax_ms!);
    await harness.restartAgent();
    await eventually(async () => (await harness.agent.recordDelivery(tabId))?.acknowledged === true);
    expect(harness.mta.records.map((record) => record.payload.tabId)).toEqual([tabId]);
  });

  it('stops tabs that expired while the agent was down, at startup', async () => {
    const { tabId } = await harness.openTab({ expiresAt_ms: harness.clock.now_ms() + 60_000 });
    await harness.agent.close();
    harness.clock.advance(60_000);
    await harness.restartAgent();
    expect(await harness.agent.tab(tabId)).toMatchObject({ status: 'stopped', stopReason: 'timeout' });
    await eventually(async () => (await harness.agent.recordDelivery(tabId))?.acknowledged === true);
  });
});
