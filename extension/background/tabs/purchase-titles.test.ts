import { describe, expect, it } from 'vitest';
import type { MerchantInfo } from '@opentab/protocol';
import { purchaseKey } from '../storage/database';
import {
  agentWorldPerTest,
  ARTICLE_1,
  ARTICLE_2,
  ARTICLE_4,
  expectOk,
  expectPaid,
  type AgentWorld,
} from '../testing/agent-world';
import type { StoredPurchase } from './purchase-record';

// A purchase is listed by what the merchant calls the item, not by its id. The title comes from
// the catalogue of the merchant agent the merchant certificate names (the agent the purchase goes
// to), read when the purchase is made and stored with it; a page has no say in it.

let w: AgentWorld;

agentWorldPerTest((started) => {
  w = started;
});

function infoReads(): number {
  return w.ports.fetched.filter((url) => url === `${w.world.merchant.agentUrl}/info`).length;
}

async function storedPurchases(): Promise<StoredPurchase[]> {
  return w.db.purchases.all();
}

/** Makes the certified agent's info route answer `change(info)` instead of its own. */
async function serveInfo(change: (info: MerchantInfo) => MerchantInfo): Promise<void> {
  const info = (await (await fetch(`${w.world.merchant.agentUrl}/info`)).json()) as MerchantInfo;
  const body = JSON.stringify(change(info));
  w.ports.intercept = (url) =>
    url.endsWith('/info')
      ? new Response(body, { status: 200, headers: { 'content-type': 'application/json' } })
      : undefined;
}

describe('the title of a purchase', () => {
  it("is the certified merchant agent's catalogue title, stored with the purchase and shown in overview, history and CSV", async () => {
    await w.readyWallet();
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }));
    expectOk(await w.page('tabStatus', w.merchant)); // waits for the bookkeeping of the last click

    expect((await storedPurchases()).map(({ itemId, title }) => ({ itemId, title }))).toEqual([
      { itemId: 'article-1', title: 'Article 1' },
      { itemId: 'article-2', title: 'Article 2' },
    ]);
    expect(expectOk(await w.ui('getOverview', {})).recentPurchases).toEqual([
      expect.objectContaining({ itemId: 'article-2', title: 'Article 2' }),
      expect.objectContaining({ itemId: 'article-1', title: 'Article 1' }),
    ]);
    expect(expectOk(await w.ui('getHistory', {})).purchases.map((purchase) => purchase.title)).toEqual([
      'Article 2',
      'Article 1',
    ]);
    const csv = expectOk(await w.ui('exportHistoryCsv', {}))
      .csv.trim()
      .split('\r\n');
    expect(csv[0]).toBe(
      'date,merchant,item,title,amount,currency,transaction,amount_customer,currency_customer,tab_outcome,tab_charged,tab_charged_currency,tab_decision,tab_reason',
    );
    expect(csv[1]).toMatch(/,The Daily Tab,article-1,Article 1,0\.08,EUR,op-se\.\d+\.\d+,0\.91,SEK,,,,,$/);
  });

  it('costs a click in an open tab no request: the catalogue read when the tab opened has it', async () => {
    await w.readyWallet();
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    expect(infoReads()).toBe(1);
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }));
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_4 }));
    expectOk(await w.page('tabStatus', w.merchant));
    expect(infoReads()).toBe(1);
    expect((await storedPurchases()).map((purchase) => purchase.title)).toEqual([
      'Article 1',
      'Article 2',
      'Article 4',
    ]);
  });

  it('is read beside the first click of a restarted worker, once, and the page is answered all the same', async () => {
    await w.readyWallet();
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    await w.restart();
    const before = infoReads();
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }));
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_4 }));
    expectOk(await w.page('tabStatus', w.merchant));
    expect(infoReads()).toBe(before + 1);
    expect((await storedPurchases()).map((purchase) => purchase.title)).toEqual([
      'Article 1',
      'Article 2',
      'Article 4',
    ]);
  });

  it('cannot be named by the page: a pay request with a title is refused', async () => {
    await w.readyWallet();
    const named = { ...w.merchant, ...ARTICLE_1, title: 'Something else' } as unknown as typeof ARTICLE_1 &
      typeof w.merchant;
    expect(await w.page('pay', named)).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(await storedPurchases()).toEqual([]);
  });

  it('is not taken from info that is not this merchant’s; the purchase is paid and listed by its item id', async () => {
    await w.readyWallet();
    await serveInfo((info) => ({
      ...info,
      merchantId: 'someone-else',
      catalogue: info.catalogue.map((item) => ({ ...item, title: 'Forged' })),
    }));
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    expectOk(await w.page('tabStatus', w.merchant));
    expect((await storedPurchases())[0]).not.toHaveProperty('title');
    expect(expectOk(await w.ui('getHistory', {})).purchases).toEqual([
      expect.objectContaining({ itemId: 'article-1', title: null }),
    ]);
  });

  it('is left out when the catalogue cannot be read, and read again at the next click', async () => {
    await w.readyWallet();
    w.ports.intercept = (url) =>
      url.endsWith('/info')
        ? new Response('{"error":{"code":"internal","message":"down"}}', { status: 500 })
        : undefined;
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    w.ports.intercept = null;
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }));
    expectOk(await w.page('tabStatus', w.merchant));
    expect((await storedPurchases()).map((purchase) => purchase.title)).toEqual([undefined, 'Article 2']);
  });

  it('is absent from purchases stored before titles were kept: they are listed, with a null title, and an empty CSV title', async () => {
    await w.readyWallet();
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    expectOk(await w.page('tabStatus', w.merchant));
    // The record as an earlier version stored it: no title field at all.
    const [stored] = await storedPurchases();
    const { title: _title, ...old } = stored!;
    await w.db.purchases.put(purchaseKey(old.localTabId, old.seq), old);

    expect(expectOk(await w.ui('getOverview', {})).recentPurchases).toEqual([
      expect.objectContaining({ itemId: 'article-1', title: null }),
    ]);
    expect(
      expectOk(await w.ui('exportHistoryCsv', {}))
        .csv.trim()
        .split('\r\n')[1],
    ).toMatch(/,The Daily Tab,article-1,,0\.08,EUR,/);
  });
});
