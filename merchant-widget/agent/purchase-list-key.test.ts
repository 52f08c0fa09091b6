import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { purchaseListHash, purchaseListMatches } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import { fromBase64url, toBase64url } from '@opentab/protocol';
import type { MerchantRecord, Purchase } from '@opentab/protocol';
import { AgentHarness, errorCode, eur, eventually, type OpenedTab } from '@opentab/test-kit/merchant-agent';

// The purchase-list key travels from the customer agent to the merchant agent with every
// purchase (and to no operator): the agent learns it from the first purchase it accepts, keeps
// it across restarts, and hashes its record's list under it, as the customer does.

describe('the purchase-list key at the merchant agent', () => {
  let harness: AgentHarness;
  let tab: OpenedTab;

  beforeEach(async () => {
    harness = await AgentHarness.start();
    tab = await harness.openTab();
  });
  afterEach(() => harness.close());

  const article2 = (overrides: Partial<Purchase> = {}) =>
    tab.customer.purchase(tab.tabId, 'article-2', eur('0.05'), 5, overrides);
  const article3 = (overrides: Partial<Purchase> = {}) =>
    tab.customer.purchase(tab.tabId, 'article-3', eur('0.25'), 25, overrides);
  const customerKey = () => fromBase64url(tab.customer.listKey);
  const otherKey = toBase64url(nodeCrypto.randomBytes(32));

  async function stoppedRecord(): Promise<MerchantRecord> {
    expect(
      (await harness.post('/terminate', tab.customer.terminate(tab.tabId, undefined, harness.clock.now_ms()))).status,
    ).toBe(200);
    await eventually(() => harness.mta.records.length === 1);
    return harness.mta.records[0]!;
  }

  it("hashes the record's list under the key the purchases carried: the customer's own hash", async () => {
    const first = article2();
    expect((await harness.post('/purchase', first)).status).toBe(200);
    tab.customer.paid(first);
    const second = article3();
    expect((await harness.post('/purchase', second)).status).toBe(200);
    tab.customer.paid(second);
    const lines = [
      { seq: 1, itemId: 'article-2', price: eur('0.05') },
      { seq: 2, itemId: 'article-3', price: eur('0.25') },
    ];
    const record = await stoppedRecord();
    expect(record.payload.purchaseListHash).toBe(purchaseListHash(nodeCrypto, customerKey(), lines));
    expect(record.payload.purchaseListHash).not.toBe(purchaseListHash(nodeCrypto, null, lines));
  });

  it('refuses a later purchase that names another key, and changes nothing', async () => {
    const first = article2();
    expect((await harness.post('/purchase', first)).status).toBe(200);
    tab.customer.paid(first);
    const answer = await harness.post('/purchase', article3({ listKey: otherKey }));
    expect([answer.status, errorCode(answer)]).toEqual([409, 'list_key_mismatch']);
    expect(await harness.agent.tab(tab.tabId)).toMatchObject({
      purchaseCount: 1,
      spent: { minor: 5n },
      lastChainIndex: 5,
    });
    // The tab goes on under its own key.
    expect((await harness.post('/purchase', article3())).status).toBe(200);
  });

  it('learns the key once from a first purchase sent again after its answer was lost, and from no refused purchase', async () => {
    // Refused (not the catalogue price): its key is not learnt, so another key may still come first.
    expect(errorCode(await harness.post('/purchase', article2({ listKey: otherKey, price: eur('0.06') })))).toBe(
      'price_mismatch',
    );
    const first = article2();
    const answer = await harness.post('/purchase', first);
    expect(answer.status).toBe(200);
    // The customer never saw the answer and sends the very same purchase again: the same receipt.
    const again = await harness.post('/purchase', first);
    expect([again.status, again.body]).toEqual([200, answer.body]);
    // Its id on the same purchase under another key is another message, not a replay.
    expect(errorCode(await harness.post('/purchase', { ...first, listKey: otherKey }))).toBe('id_reused');
    tab.customer.paid(first);
    expect((await harness.post('/purchase', article3({ listKey: otherKey }))).status).toBe(409);
    expect((await harness.agent.purchaseListEvidence(tab.tabId))?.claim.listKey).toBe(tab.customer.listKey);
  });

  it('keeps the key across a restart', async () => {
    const first = article2();
    expect((await harness.post('/purchase', first)).status).toBe(200);
    tab.customer.paid(first);
    await harness.restartAgent();
    expect(errorCode(await harness.post('/purchase', article3({ listKey: otherKey })))).toBe('list_key_mismatch');
    const second = article3();
    expect((await harness.post('/purchase', second)).status).toBe(200);
    tab.customer.paid(second);
    const record = await stoppedRecord();
    const lines = [
      { seq: 1, itemId: 'article-2', price: eur('0.05') },
      { seq: 2, itemId: 'article-3', price: eur('0.25') },
    ];
    expect(record.payload.purchaseListHash).toBe(purchaseListHash(nodeCrypto, customerKey(), lines));
  });

  it("records a tab without purchases with the empty list's hash, which the customer computes under any key", async () => {
    const record = await stoppedRecord();
    expect(record.payload).toMatchObject({
      count: 0,
      purchaseListHash: purchaseListHash(nodeCrypto, customerKey(), []),
    });
  });

  it("reveals the list and its key for a dispute, and they check out against the record's hash", async () => {
    const first = article2();
    expect((await harness.post('/purchase', first)).status).toBe(200);
    tab.customer.paid(first);
    const record = await stoppedRecord();
    const evidence = (await harness.agent.purchaseListEvidence(tab.tabId))!;
    expect(evidence).toEqual({
      tabId: tab.tabId,
      purchaseListHash: record.payload.purchaseListHash,
      claim: { listKey: tab.customer.listKey, lines: [{ seq: 1, itemId: 'article-2', price: eur('0.05') }] },
    });
    expect(purchaseListMatches(nodeCrypto, record.payload.purchaseListHash, evidence.claim)).toBe(true);
    expect(
      purchaseListMatches(nodeCrypto, record.payload.purchaseListHash, {
        ...evidence.claim,
        lines: [{ seq: 1, itemId: 'article-3', price: eur('0.25') }],
      }),
    ).toBe(false);
    expect(await harness.agent.purchaseListEvidence('tab_ffffffffffffffffffffffff')).toBeNull();
  });
});
