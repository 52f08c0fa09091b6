import { describe, expect, it } from 'vitest';
import { waitFor } from '@opentab/test-kit';
import { purchaseListHash, purchaseListMatches } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/test-kit';
import {
  agentWorldPerTest,
  ARTICLE_1,
  ARTICLE_2,
  ARTICLE_4,
  expectOk,
  expectPaid,
  MERCHANT_OPERATOR,
  type AgentWorld,
} from '../testing/agent-world';

// The wallet keys a tab's purchase-list hash with a key of that tab, sent to the merchant agent
// with each purchase: the same key on every purchase, after a worker restart too (it is derived
// from the sealed tab key), so both records state the same hash, and it is not the unkeyed one an
// operator could reproduce from the public catalogue.

let w: AgentWorld;

agentWorldPerTest((started) => {
  w = started;
});

describe("a tab's purchase-list key", () => {
  it('is sent with every purchase, survives a worker restart, and makes both records agree on a keyed hash', async () => {
    await w.readyWallet();
    const first = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    const tabId = first.receipt.payload.tabId;
    const keyAfterFirst = (await w.world.merchant.agent.purchaseListEvidence(tabId))!.claim.listKey;
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }));
    await w.restart();
    // A purchase naming another key would be refused (list_key_mismatch): the restarted worker derives the same one.
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_4 }));
    const evidence = (await w.world.merchant.agent.purchaseListEvidence(tabId))!;
    expect(evidence.claim.listKey).toBe(keyAfterFirst);
    expect(evidence.claim.lines.map((line) => line.itemId)).toEqual(['article-1', 'article-2', 'article-4']);

    expectOk(await w.page('closeTab', w.merchant));
    const admin = w.world.world.operator(MERCHANT_OPERATOR).admin;
    const cleared = await waitFor('the tab to clear', async () => {
      const tab = await admin.call('getTab', undefined, { tabId });
      return tab.state === 'cleared' ? tab : undefined;
    });
    expect(cleared).toMatchObject({ outcome: 'agreed', dispute: null });
    const recorded = cleared.customerRecord!.purchaseListHash;
    expect(cleared.merchantRecord!.purchaseListHash).toBe(recorded);
    expect(purchaseListMatches(nodeCrypto, recorded, evidence.claim)).toBe(true);
    expect(recorded).not.toBe(purchaseListHash(nodeCrypto, null, evidence.claim.lines));
  });
});
