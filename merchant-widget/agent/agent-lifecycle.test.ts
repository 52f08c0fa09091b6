import { afterEach, describe, expect, it } from 'vitest';
import { intervalTurns } from '@opentab/test-kit';
import { createMerchantAgent } from './agent';
import { MerchantAgentConfigError } from './config';
import { AgentHarness, eur, eventually } from '@opentab/test-kit/merchant-agent';

describe('agent lifecycle', () => {
  let harness: AgentHarness;
  afterEach(() => harness.close());

  it('stops a tab at its timeout from its own timer, and close() stops that timer', async () => {
    const EXPIRY_CHECK_MS = 10;
    const warnings: string[] = [];
    harness = await AgentHarness.start({
      expiryCheckInterval_ms: EXPIRY_CHECK_MS,
      logger: { warn: (message) => warnings.push(message) },
    });
    const stopping = await harness.openTab({ expiresAt_ms: harness.clock.now_ms() + 1000 });
    harness.clock.advance(1000);
    await eventually(async () => (await harness.agent.tab(stopping.tabId))?.status === 'stopped');
    expect((await harness.agent.tab(stopping.tabId))?.stopReason).toBe('timeout');
    await eventually(async () => (await harness.agent.recordDelivery(stopping.tabId))?.acknowledged === true);

    const staying = await harness.openTab({ expiresAt_ms: harness.clock.now_ms() + 1000 });
    await harness.agent.close();
    harness.clock.advance(1000);
    // Long enough for the closed agent's timer to have run twice, had close() left it running: a
    // sweep over the closed database would have warned.
    await intervalTurns(EXPIRY_CHECK_MS, 3);
    expect(warnings).toEqual([]);
    await harness.restartAgent();
    // Only the new agent's start-up sweep could stop it; the closed agent's timer did not.
    expect(await harness.agent.tab(staying.tabId)).toMatchObject({ status: 'stopped', stopReason: 'timeout' });
  });

  it('keeps working when an event listener throws', async () => {
    const warnings: string[] = [];
    harness = await AgentHarness.start({ logger: { warn: (message) => warnings.push(message) } });
    harness.agent.on('tab-opened', () => {
      throw new Error('merchant bug');
    });
    const seen: string[] = [];
    harness.agent.on('tab-opened', (event) => seen.push(event.tab.tabId));
    const tab = await harness.openTab();
    expect(seen).toEqual([tab.tabId]);
    expect(warnings).toEqual(["a 'tab-opened' listener threw"]);
    const purchase = tab.customer.purchase(tab.tabId, 'article-2', eur('0.05'), 5);
    expect((await harness.post('/purchase', purchase)).status).toBe(200);
  });

  it('refuses to start with a bad configuration', async () => {
    harness = await AgentHarness.start();
    await expect(createMerchantAgent({ ...harness.config, currency: 'XYZ' })).rejects.toBeInstanceOf(
      MerchantAgentConfigError,
    );
  });
});
