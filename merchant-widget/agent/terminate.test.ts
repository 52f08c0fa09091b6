import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { purchaseListHash } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import { fromBase64url } from '@opentab/protocol';
import { signerFromSecretKey, verifyEnvelope } from '@opentab/protocol';
import { TabClosed } from '@opentab/protocol';
import { parseMessage } from '@opentab/protocol';
import { intervalTurns } from '@opentab/test-kit';
import { AgentHarness, errorCode, eur, eventually, type OpenedTab } from '@opentab/test-kit/merchant-agent';

describe('customer terminate', () => {
  let harness: AgentHarness;
  let tab: OpenedTab;

  beforeEach(async () => {
    harness = await AgentHarness.start();
    tab = await harness.openTab();
    const purchase = tab.customer.purchase(tab.tabId, 'article-2', eur('0.05'), 5);
    expect((await harness.post('/purchase', purchase)).status).toBe(200);
    tab.customer.paid(purchase);
  });
  afterEach(() => harness.close());

  it('stops the tab and answers TabClosed signed by the merchant key, then sends the record', async () => {
    const answer = await harness.post(
      '/terminate',
      tab.customer.terminate(tab.tabId, undefined, harness.clock.now_ms()),
    );
    expect(answer.status).toBe(200);
    expect(parseMessage(TabClosed, answer.body).ok).toBe(true);
    const closed = answer.body as TabClosed;
    expect(verifyEnvelope(nodeCrypto, closed, fromBase64url(harness.agent.publicKey))).toBe(true);
    const expectedHash = purchaseListHash(nodeCrypto, fromBase64url(tab.customer.listKey), [
      { seq: 1, itemId: 'article-2', price: eur('0.05') },
    ]);
    expect(closed.payload).toMatchObject({
      reason: 'customer-terminate',
      spent: eur('0.05'),
      count: 1,
      lastChainIndex: 5,
      purchaseListHash: expectedHash,
    });
    expect(await harness.agent.tab(tab.tabId)).toMatchObject({ status: 'stopped', stopReason: 'customer-terminate' });
    await eventually(async () => (await harness.agent.recordDelivery(tab.tabId))?.acknowledged === true);
    expect(harness.mta.records[0]!.payload).toMatchObject({
      reason: 'customer-terminate',
      purchaseListHash: expectedHash,
      total: eur('0.05'),
    });
  });

  it('refuses a terminate signed by a key other than the tab key, leaving the tab open', async () => {
    const stranger = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
    const answer = await harness.post(
      '/terminate',
      tab.customer.terminate(tab.tabId, stranger, harness.clock.now_ms()),
    );
    expect([answer.status, errorCode(answer)]).toEqual([401, 'bad_signature']);
    expect((await harness.agent.tab(tab.tabId))?.status).toBe('open');
    expect(await harness.agent.recordDelivery(tab.tabId)).toBeNull();
  });

  it('refuses a stale terminate and one for an unknown tab', async () => {
    const stale = tab.customer.terminate(tab.tabId, undefined, harness.clock.now_ms() - 3_600_000);
    expect(errorCode(await harness.post('/terminate', stale))).toBe('stale_message');
    expect(errorCode(await harness.post('/terminate', tab.customer.terminate('tab_000000000000000000000000')))).toBe(
      'unknown_tab',
    );
    expect((await harness.agent.tab(tab.tabId))?.status).toBe('open');
  });

  it('answers a replayed terminate with the first answer, and a later one with the reason the tab stopped for', async () => {
    const terminate = tab.customer.terminate(tab.tabId, undefined, harness.clock.now_ms());
    const first = await harness.post('/terminate', terminate);
    expect((await harness.post('/terminate', terminate)).body).toEqual(first.body);
    const later = await harness.post(
      '/terminate',
      tab.customer.terminate(tab.tabId, undefined, harness.clock.now_ms()),
    );
    expect((later.body as TabClosed).payload).toMatchObject({ reason: 'customer-terminate', count: 1 });
    expect((later.body as TabClosed).payload.id).not.toBe((first.body as TabClosed).payload.id);
    await eventually(async () => (await harness.agent.recordDelivery(tab.tabId))?.acknowledged === true);
    expect(harness.mta.records).toHaveLength(1);
  });
});

describe('answers kept for replays', () => {
  const SWEEP_MS = 20;
  let harness: AgentHarness;

  beforeEach(async () => {
    harness = await AgentHarness.start({ expiryCheckInterval_ms: SWEEP_MS, replyRetention_ms: 3_600_000 });
  });
  afterEach(() => harness.close());

  it('are forgotten after the retention, and a replay after that is refused as stale and changes nothing', async () => {
    const tab = await harness.openTab();
    const terminate = tab.customer.terminate(tab.tabId, undefined, harness.clock.now_ms());
    const first = await harness.post('/terminate', terminate);
    expect(first.status).toBe(200);
    await eventually(async () => (await harness.agent.recordDelivery(tab.tabId))?.acknowledged === true);

    // Within the retention, even past the skew window, the replay gets the first answer.
    harness.clock.advance(30 * 60_000);
    await intervalTurns(SWEEP_MS, 3); // the sweep has run since, and kept the answer
    expect((await harness.post('/terminate', terminate)).body).toEqual(first.body);

    harness.clock.advance(31 * 60_000);
    await intervalTurns(SWEEP_MS, 3); // the sweep has run since, and forgotten it
    expect(errorCode(await harness.post('/terminate', terminate))).toBe('stale_message');
    expect(await harness.agent.tab(tab.tabId)).toMatchObject({ status: 'stopped', stopReason: 'customer-terminate' });
    expect(harness.mta.records).toHaveLength(1);
  });
});
