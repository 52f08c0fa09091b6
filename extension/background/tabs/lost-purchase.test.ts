import { describe, expect, it } from 'vitest';
import { waitFor } from '@opentab/test-kit';
import type { ReceiptList } from '@opentab/protocol';
import {
  agentWorldPerTest,
  ARTICLE_1,
  ARTICLE_2,
  ARTICLE_4,
  eur,
  expectOk,
  expectPaid,
  type AgentWorld,
} from '../testing/agent-world';
import type { OpenTab } from './tab-record';

// A click's purchase leaves while its pending write is under way, so a browser that stops in
// between leaves the merchant one purchase ahead of the wallet. The wallet then asks the merchant
// for the receipts it lacks, believes each only with the link it revealed itself, and records it.

let w: AgentWorld;

agentWorldPerTest((started) => {
  w = started;
});

async function openTab(): Promise<OpenTab> {
  return (await w.db.tabs.all()).find((tab): tab is OpenTab => tab.phase === 'open')!;
}

/**
 * Pays article-2 as a browser would that stops right after sending it: the request reaches the
 * merchant, the pending purchase never reaches storage, and the worker is gone.
 */
async function loseArticle2(): Promise<{ tabId: string }> {
  expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
  const { tabId } = await openTab();
  const put = w.db.tabs.put.bind(w.db.tabs);
  (w.db.tabs as { put: unknown }).put = () => new Promise(() => undefined);
  void w.page('pay', { ...w.merchant, ...ARTICLE_2 });
  await waitFor(
    'the merchant to sell article-2',
    async () => (await w.world.merchant.agent.purchases(tabId)).length === 2,
  );
  (w.db.tabs as { put: unknown }).put = put;
  await w.restart();
  expect(await openTab()).toMatchObject({ count: 1, chainIndex: 8, pendingPurchase: null });
  return { tabId };
}

function receiptRequests(): number {
  return w.ports.fetched.filter((url) => url.endsWith('/receipts')).length;
}

describe('a purchase the wallet lost track of', () => {
  it('is fetched back at the next click, recorded once, and the click pays after it', async () => {
    await w.readyWallet();
    const { tabId } = await loseArticle2();

    const next = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_4 }));
    // Refused as seq 2 (the merchant has article-2 there), then caught up and paid as seq 3.
    expect(next.receipt.payload).toMatchObject({ seq: 3, chainIndex: 29, itemId: 'article-4' });
    expect(receiptRequests()).toBe(1);
    expect((await w.world.merchant.agent.purchases(tabId)).map((purchase) => purchase.itemId)).toEqual([
      'article-1',
      'article-2',
      'article-4',
    ]);
    const history = expectOk(await w.ui('getHistory', {})).purchases;
    expect(history.map((purchase) => purchase.itemId)).toEqual(['article-4', 'article-2', 'article-1']);
    // Learnt from the merchant's receipts, titled from its certified agent's catalogue like any purchase.
    expect(history.find((purchase) => purchase.itemId === 'article-2')).toMatchObject({
      price: eur('0.15'),
      title: 'Article 2',
    });
    expect(await openTab()).toMatchObject({ count: 3, chainIndex: 29, pendingPurchase: null });
  });

  it('is in the customer record when the tab closes, so the operators agree with the merchant', async () => {
    const { accountId } = await w.readyWallet();
    const { tabId } = await loseArticle2();
    const { transactionId } = await openTab();

    expect(expectOk(await w.ui('closeTab', { transactionId }))).toEqual({ closed: true });
    expect(expectOk(await w.ui('getHistory', {})).purchases.map((purchase) => purchase.itemId)).toEqual([
      'article-2',
      'article-1',
    ]);
    const admin = w.world.world.operator('op-eu').admin;
    const cleared = await waitFor('the MTA to clear the tab', async () => {
      const tab = await admin.call('getTab', undefined, { tabId });
      return tab.state === 'cleared' ? tab : undefined;
    });
    // Both records state 23 cents: agreed, no dispute.
    expect(cleared).toMatchObject({ outcome: 'agreed', cleared: eur('0.23') });
    await waitFor('the AM to capture', async () => {
      const view = await w.world.world.operator('op-se').admin.call('getCustomer', undefined, { accountId });
      return view.tabs[0]?.state === 'cleared';
    });
    await w.world.assertInvariants();
  });

  it('is not believed without the link this wallet revealed, and nothing is recorded', async () => {
    await w.readyWallet();
    await loseArticle2();
    // A merchant that cannot show the link article-2 revealed: one character of it altered.
    w.ports.intercept = async (url, init) => {
      if (!url.endsWith('/receipts')) return undefined;
      const list = (await (await fetch(url, init)).json()) as ReceiptList;
      const forged = {
        ...list,
        receipts: list.receipts.map((paid) => ({
          ...paid,
          chainLink: paid.chainLink.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
        })),
      };
      return new Response(JSON.stringify(forged), { status: 200, headers: { 'content-type': 'application/json' } });
    };

    expect(await w.page('pay', { ...w.merchant, ...ARTICLE_4 })).toMatchObject({
      ok: false,
      error: { code: 'merchant_refused' },
    });
    expect(receiptRequests()).toBe(1);
    expect(expectOk(await w.ui('getHistory', {})).purchases.map((purchase) => purchase.itemId)).toEqual(['article-1']);
    expect(await openTab()).toMatchObject({ count: 1, chainIndex: 8 });
  });

  it('costs nothing when nothing was lost: no receipts are asked for while clicking', async () => {
    await w.readyWallet();
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }));
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_4 }));
    expect(receiptRequests()).toBe(0);
  });
});
