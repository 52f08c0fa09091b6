import { describe, expect, it } from 'vitest';
import { waitFor } from '@opentab/test-kit';
import {
  agentWorldPerTest,
  ARTICLE_1,
  ARTICLE_2,
  ARTICLE_4,
  eur,
  expectOk,
  expectPaid,
  MERCHANT_OPERATOR,
  type AgentWorld,
} from '../testing/agent-world';
import type { OpenTab } from './tab-record';

// A purchase in doubt: sent, and no definite answer came back (the merchant agent was down, or
// its answer was lost on the way). It stays the one purchase it is: re-sent unchanged, by the
// next click on its item, by the page asking after it, and in the background, until the merchant
// answers; it is counted only with a receipt, and the page gets that receipt without paying again.

let w: AgentWorld;

agentWorldPerTest((started) => {
  w = started;
});

async function openTab(): Promise<OpenTab> {
  return (await w.db.tabs.all()).find((tab): tab is OpenTab => tab.phase === 'open')!;
}

async function historyItems(): Promise<string[]> {
  return expectOk(await w.ui('getHistory', {})).purchases.map((purchase) => purchase.itemId);
}

async function soldAt(tabId: string): Promise<string[]> {
  return (await w.merchantSite().agent.purchases(tabId)).map((purchase) => purchase.itemId);
}

function purchaseUrl(): string {
  return `${w.merchantSite().agentUrl}/purchase`;
}

/** Pays article-1, so that a tab is open, and returns its tab id. */
async function openWithArticle1(): Promise<string> {
  expectOk(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
  return (await openTab()).tabId;
}

describe('a click while the merchant agent is down', () => {
  it('is pending, and the next click on the item after it is back pays that same purchase: one purchase, one receipt', async () => {
    await w.readyWallet();
    const tabId = await openWithArticle1();
    await w.stopMerchant();
    const first = await w.page('pay', { ...w.merchant, ...ARTICLE_2 });
    await w.startMerchant();
    const second = await w.page('pay', { ...w.merchant, ...ARTICLE_2 });

    expect(await soldAt(tabId)).toEqual(['article-1', 'article-2']);
    expect(await historyItems()).toEqual(['article-2', 'article-1']);
    expect(await openTab()).toMatchObject({ count: 2, chainIndex: 23, pendingPurchase: null });
    expect(first).toMatchObject({ ok: false, error: { code: 'payment_pending' } });
    const [sold] = (await w.merchantSite().agent.purchases(tabId)).slice(1);
    expect(expectPaid(second).receipt.payload).toMatchObject({
      seq: 2,
      chainIndex: 23,
      itemId: 'article-2',
      purchaseId: sold!.purchaseId,
    });
  });

  it('shows the purchase as pending in the popup and the history until it is paid', async () => {
    await w.readyWallet();
    await openWithArticle1();
    await w.stopMerchant();
    await w.page('pay', { ...w.merchant, ...ARTICLE_2 });

    const pending = expectOk(await w.ui('getOverview', {})).recentPurchases;
    expect(pending.map(({ itemId, status }) => ({ itemId, status }))).toEqual([
      { itemId: 'article-2', status: 'pending' },
      { itemId: 'article-1', status: 'paid' },
    ]);
    expect(expectOk(await w.ui('getHistory', {})).purchases.map((purchase) => purchase.status)).toEqual([
      'pending',
      'paid',
    ]);
    // The CSV is the record of what was paid.
    expect(expectOk(await w.ui('exportHistoryCsv', {})).csv).not.toContain('article-2');

    await w.startMerchant();
    expectOk(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }));
    expect(expectOk(await w.ui('getOverview', {})).recentPurchases.map((purchase) => purchase.status)).toEqual([
      'paid',
      'paid',
    ]);
  });

  it('settles it first when the next click is for another item, then buys that one; the first item then opens with its receipt', async () => {
    await w.readyWallet();
    const tabId = await openWithArticle1();
    await w.stopMerchant();
    expect(await w.page('pay', { ...w.merchant, ...ARTICLE_2 })).toMatchObject({
      ok: false,
      error: { code: 'payment_pending' },
    });
    // Still down: the other item is not sent, and the purchase in doubt stays as it is.
    expect(await w.page('pay', { ...w.merchant, ...ARTICLE_4 })).toMatchObject({
      ok: false,
      error: { code: 'merchant_unreachable' },
    });
    expect((await openTab()).pendingPurchase).toMatchObject({ itemId: 'article-2', seq: 2 });
    await w.startMerchant();

    expect(expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_4 })).receipt.payload).toMatchObject({
      seq: 3,
      chainIndex: 29,
      itemId: 'article-4',
    });
    const owed = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }));
    expect(owed.receipt.payload).toMatchObject({ seq: 2, itemId: 'article-2' });
    expect(await soldAt(tabId)).toEqual(['article-1', 'article-2', 'article-4']);
    expect(await historyItems()).toEqual(['article-4', 'article-2', 'article-1']);
  });

  it('is not counted when the merchant refuses it once it is back, and the page learns it did not go through', async () => {
    await w.readyWallet();
    const tabId = await openWithArticle1();
    await w.stopMerchant();
    await w.page('pay', { ...w.merchant, ...ARTICLE_2 });
    await w.startMerchant();
    // The merchant stopped the tab meanwhile: the purchase can no longer be taken.
    await w.merchantSite().agent.stop(tabId);

    await w.agent.onAlarm('purchase-retry');
    expect(expectOk(await w.page('paymentStatus', { ...w.merchant, itemId: 'article-2' }))).toEqual({ status: 'none' });
    expect(await soldAt(tabId)).toEqual(['article-1']);
    expect(await historyItems()).toEqual(['article-1']);
  });
});

describe('a purchase whose answer was lost', () => {
  it('is retried in the background with the same purchase, gets the stored receipt, and is counted once', async () => {
    await w.readyWallet();
    const tabId = await openWithArticle1();
    // The purchase reaches the merchant, its answer never reaches the wallet.
    w.ports.answerLost.add(purchaseUrl());
    expect(await w.page('pay', { ...w.merchant, ...ARTICLE_2 })).toMatchObject({
      ok: false,
      error: { code: 'payment_pending' },
    });
    const [, sold] = await w.merchantSite().agent.purchases(tabId);
    expect(w.ports.alarms.scheduled.get('purchase-retry')).toBeGreaterThan(w.ports.clock.now_ms());
    w.ports.answerLost.clear();

    w.ports.clock.advance(w.ports.alarms.scheduled.get('purchase-retry')! - w.ports.clock.now_ms());
    await w.agent.onAlarm('purchase-retry');
    expect(await soldAt(tabId)).toEqual(['article-1', 'article-2']);
    expect(await historyItems()).toEqual(['article-2', 'article-1']);
    expect(await openTab()).toMatchObject({ count: 2, chainIndex: 23, pendingPurchase: null });
    expect(w.ports.alarms.scheduled.has('purchase-retry')).toBe(false);

    // The page that was told "pending" asks again: the stored receipt, nothing bought twice.
    const status = expectOk(await w.page('paymentStatus', { ...w.merchant, itemId: 'article-2' }));
    expect(status).toMatchObject({
      status: 'paid',
      receipt: { payload: { purchaseId: sold!.purchaseId, seq: 2, itemId: 'article-2' } },
    });
    expect(await soldAt(tabId)).toEqual(['article-1', 'article-2']);
  });

  it('is continued by the next click on its item: that click gets the stored receipt', async () => {
    await w.readyWallet();
    const tabId = await openWithArticle1();
    w.ports.answerLost.add(purchaseUrl());
    await w.page('pay', { ...w.merchant, ...ARTICLE_2 });
    // Still lost: the click continues the same purchase, which stays pending.
    expect(await w.page('pay', { ...w.merchant, ...ARTICLE_2 })).toMatchObject({
      ok: false,
      error: { code: 'payment_pending' },
    });
    expect(expectOk(await w.page('paymentStatus', { ...w.merchant, itemId: 'article-2' }))).toEqual({
      status: 'pending',
    });
    w.ports.answerLost.clear();

    const paid = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }));
    const [, sold] = await w.merchantSite().agent.purchases(tabId);
    expect(paid.receipt.payload).toMatchObject({ purchaseId: sold!.purchaseId, seq: 2, chainIndex: 23 });
    expect(await soldAt(tabId)).toEqual(['article-1', 'article-2']);
    expect(await historyItems()).toEqual(['article-2', 'article-1']);
    // Delivered with the click: the next click buys again, as a click on a paid item always has.
    expect(expectOk(await w.page('paymentStatus', { ...w.merchant, itemId: 'article-2' }))).toEqual({ status: 'none' });
  });
});

describe("an answer that is not the merchant agent's", () => {
  it('leaves the purchase in doubt: a gateway error page after the merchant took it does not make the next click buy it again', async () => {
    await w.readyWallet();
    const tabId = await openWithArticle1();
    // A gateway in front of the agent forwards the purchase, then answers with its own error page.
    w.ports.intercept = async (url, init) => {
      if (url !== purchaseUrl()) return undefined;
      await fetch(url, init);
      return new Response('<html>502 Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } });
    };
    expect(await w.page('pay', { ...w.merchant, ...ARTICLE_2 })).toMatchObject({
      ok: false,
      error: { code: 'payment_pending' },
    });
    w.ports.intercept = null;

    const paid = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }));
    expect(await soldAt(tabId)).toEqual(['article-1', 'article-2']);
    expect(paid.receipt.payload).toMatchObject({ seq: 2, itemId: 'article-2' });
    expect(await historyItems()).toEqual(['article-2', 'article-1']);
  });

  it('leaves it in doubt while the shop answers "down for maintenance", and it is paid once when the shop is back', async () => {
    await w.readyWallet();
    const tabId = await openWithArticle1();
    w.merchantSite().setAvailable(false);
    expect(await w.page('pay', { ...w.merchant, ...ARTICLE_2 })).toMatchObject({
      ok: false,
      error: { code: 'payment_pending' },
    });
    expect((await openTab()).pendingPurchase).toMatchObject({ itemId: 'article-2', seq: 2 });
    w.merchantSite().setAvailable(true);

    await w.agent.onAlarm('purchase-retry');
    expect(await soldAt(tabId)).toEqual(['article-1', 'article-2']);
    expect(expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 })).receipt.payload).toMatchObject({
      seq: 2,
      itemId: 'article-2',
    });
    expect(await soldAt(tabId)).toEqual(['article-1', 'article-2']);
  });
});

describe('closing a tab while a purchase is in doubt', () => {
  it('settles it first: the customer record counts what the merchant accepted, and the page still gets its receipt', async () => {
    await w.readyWallet();
    const tabId = await openWithArticle1();
    const { transactionId } = await openTab();
    w.ports.answerLost.add(purchaseUrl());
    await w.page('pay', { ...w.merchant, ...ARTICLE_2 });

    // Answers of purchases are still lost while the customer closes the tab from the popup.
    expect(expectOk(await w.ui('closeTab', { transactionId }))).toEqual({ closed: true });
    const admin = w.world.world.operator(MERCHANT_OPERATOR).admin;
    const cleared = await waitFor('the MTA to clear the tab', async () => {
      const tab = await admin.call('getTab', undefined, { tabId });
      return tab.state === 'cleared' ? tab : undefined;
    });
    expect(cleared.customerRecord).toEqual(cleared.merchantRecord);
    expect(cleared).toMatchObject({
      outcome: 'agreed',
      cleared: eur('0.23'),
      customerRecord: { count: 2, total: eur('0.23'), lastChainIndex: 23 },
    });
    expect(await historyItems()).toEqual(['article-2', 'article-1']);

    w.ports.answerLost.clear();
    const asked = w.asked.length;
    const again = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }));
    expect(again.receipt.payload).toMatchObject({ tabId, seq: 2, itemId: 'article-2' });
    expect(w.asked).toHaveLength(asked);
    expect(await soldAt(tabId)).toEqual(['article-1', 'article-2']);
  });

  it('leaves out what it cannot prove: with the merchant down throughout, the record counts only the receipts held, as the merchant does', async () => {
    await w.readyWallet();
    const tabId = await openWithArticle1();
    const { transactionId } = await openTab();
    await w.stopMerchant();
    await w.page('pay', { ...w.merchant, ...ARTICLE_2 });

    expect(expectOk(await w.ui('closeTab', { transactionId }))).toEqual({ closed: true });
    const admin = w.world.world.operator(MERCHANT_OPERATOR).admin;
    // The MTA does not clear on the customer's word alone: it asks the merchant agent for its record and waits.
    const mta = w.world.world.operator(MERCHANT_OPERATOR).running.sqlite!;
    await waitFor('the MTA to ask the merchant agent', () => mta.store.tab(tabId)?.merchantAskedAt ?? undefined);
    expect((await admin.call('getTab', undefined, { tabId })).state).toBe('open');
    await w.startMerchant();
    // The request that found the merchant down is retried on the outbox's backoff, which runs on the world's clock.
    const cleared = await waitFor('the MTA to clear the tab', async () => {
      await w.world.elapse(1_000);
      const tab = await admin.call('getTab', undefined, { tabId });
      return tab.state === 'cleared' ? tab : undefined;
    });
    expect(cleared).toMatchObject({
      cleared: eur('0.08'),
      outcome: 'agreed',
      customerRecord: { count: 1, total: eur('0.08'), lastChainIndex: 8 },
    });
    expect(await soldAt(tabId)).toEqual(['article-1']);
    expect(await historyItems()).toEqual(['article-1']);
  });
});

describe('the background retry', () => {
  it('survives a service-worker restart: the new worker settles the purchase when the merchant is back', async () => {
    await w.readyWallet();
    const tabId = await openWithArticle1();
    await w.stopMerchant();
    expect(await w.page('pay', { ...w.merchant, ...ARTICLE_2 })).toMatchObject({
      ok: false,
      error: { code: 'payment_pending' },
    });

    // A new worker while the merchant is still down: it tries at once, then waits longer.
    const firstRetry_ms = w.ports.alarms.scheduled.get('purchase-retry')!;
    w.ports.clock.advance(firstRetry_ms - w.ports.clock.now_ms());
    await w.restart();
    const secondRetry_ms = w.ports.alarms.scheduled.get('purchase-retry')!;
    expect(secondRetry_ms).toBeGreaterThan(w.ports.clock.now_ms());
    expect((await openTab()).pendingPurchase).toMatchObject({ itemId: 'article-2', seq: 2, chainIndex: 23 });

    await w.startMerchant();
    w.ports.clock.advance(secondRetry_ms - w.ports.clock.now_ms());
    await w.agent.onAlarm('purchase-retry');
    expect(await soldAt(tabId)).toEqual(['article-1', 'article-2']);
    expect(await historyItems()).toEqual(['article-2', 'article-1']);
    expect(expectOk(await w.page('paymentStatus', { ...w.merchant, itemId: 'article-2' }))).toMatchObject({
      status: 'paid',
      receipt: { payload: { seq: 2 } },
    });
  });

  it('is also what a new worker does first when it starts', async () => {
    await w.readyWallet();
    const tabId = await openWithArticle1();
    w.ports.answerLost.add(purchaseUrl());
    await w.page('pay', { ...w.merchant, ...ARTICLE_2 });
    w.ports.answerLost.clear();

    await w.restart();
    expect(await openTab()).toMatchObject({ count: 2, chainIndex: 23, pendingPurchase: null });
    expect(await soldAt(tabId)).toEqual(['article-1', 'article-2']);
    expect(w.ports.alarms.scheduled.has('purchase-retry')).toBe(false);
  });
});
