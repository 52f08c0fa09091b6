// Every way a tab can stop: deposit used up exactly, customer terminate (see tab-lifecycle),
// merchant stop, and the timeout with no terminate at all — enforced by the MTA itself. The
// world's clock is the test's: a tab times out when the test advances it past the timeout.

import { outboxRowsOfRecord } from '../testing/outbox-rows';
import { describe, expect, it } from 'vitest';
import { intervalTurns } from '@opentab/test-kit';
import {
  MERCHANT_EXPIRY_CHECK_MS,
  MERCHANT_OPERATOR,
  MIN_TIMEOUT_MS,
  RECORD_GRACE_MS,
  hundredArticles,
  worldPerTest,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';
import { waitFor } from '@opentab/test-kit';
import { recordRequestId } from '../src/mta/records';

let w: TwoOperatorWorld;
const price = (itemId: string) => ({
  currency: 'EUR',
  value: hundredArticles().find((a) => a.itemId === itemId)!.price,
});
const mtaTab = (tabId: string) => w.world.operator(MERCHANT_OPERATOR).admin.call('getTab', undefined, { tabId });
const open = (customer: Awaited<ReturnType<TwoOperatorWorld['newCustomer']>>, deposit: string, timeout_s = 600) =>
  customer.openTab({
    merchantId: w.merchantId,
    merchantOperatorId: MERCHANT_OPERATOR,
    merchantCurrency: 'EUR',
    deposit: { currency: 'SEK', value: deposit },
    timeout_s,
  });

/** How long the MTA waits, once a tab is due, for a merchant agent it asked for its record and that does not answer. */
const MERCHANT_RECORD_WAIT_MS = 5_000;
worldPerTest((started) => (w = started), {
  settings: {
    tick_ms: 20,
    tabs: {
      recordGrace_s: RECORD_GRACE_MS / 1000,
      minTimeout_s: MIN_TIMEOUT_MS / 1000,
      merchantRecordWait_s: MERCHANT_RECORD_WAIT_MS / 1000,
    },
  },
});

describe('how tabs stop', () => {
  it('deposit used up exactly: the merchant stops the tab by itself and the whole hold is charged', async () => {
    const customer = await w.newCustomer('100.00');
    // 1136 öre / 11.3595 = 100.004 cents → a deposit of exactly 1.00 EUR.
    const tab = await open(customer, '11.36');
    expect(tab.opened.payload.deposit.merchant.value).toBe('1.00');
    // Articles 1–8 cost 99 cents, article 23 costs 1 cent: 1.00 EUR exactly.
    for (const itemId of [
      'article-1',
      'article-2',
      'article-3',
      'article-4',
      'article-5',
      'article-6',
      'article-7',
      'article-8',
      'article-23',
    ]) {
      await tab.buy(w.merchant.agentUrl, itemId, price(itemId));
    }
    expect(tab.spent_minor).toBe(100n);
    expect(await w.merchant.agent.tab(tab.tabId)).toMatchObject({ status: 'stopped', stopReason: 'exhausted' });
    await customer.sendRecord(tab);
    const account = await waitFor('clearing', async () => {
      const view = await customer.account();
      return view.tabs[0]?.state === 'cleared' ? view : undefined;
    });
    // 100 cents × 11.3595 = 1135.95 öre → 1136: the full hold, nothing released.
    expect(account.tabs[0]!.charged).toEqual({ currency: 'SEK', value: '11.36' });
    expect(account.held.value).toBe('0.00');
  });

  it('merchant stop: the merchant record and the customer record clear what was bought', async () => {
    const customer = await w.newCustomer('100.00');
    const tab = await open(customer, '50.00');
    await tab.buy(w.merchant.agentUrl, 'article-3', price('article-3'));
    await tab.buy(w.merchant.agentUrl, 'article-9', price('article-9'));
    await w.merchant.agent.stop(tab.tabId);
    await customer.sendRecord(tab);
    const tabView = await waitFor('clearing at the MTA', async () => {
      const view = await w.world.operator(MERCHANT_OPERATOR).admin.call('getTab', undefined, { tabId: tab.tabId });
      return view.state === 'cleared' ? view : undefined;
    });
    // 22 + 18 cents.
    expect(tabView).toMatchObject({ outcome: 'agreed', cleared: { currency: 'EUR', value: '0.40' } });
    expect(tabView.merchantRecord).toMatchObject({ count: 2, lastChainIndex: 40 });
    await waitFor('the AM to capture', async () => (await customer.account()).tabs[0]?.state === 'cleared');
  });

  it('timeout with no terminate at all: the merchant stops at the timeout and the MTA clears without the customer record', async () => {
    const customer = await w.newCustomer('100.00');
    // Tab A: purchases, then silence from the customer; the merchant agent stops it at the timeout.
    const tabA = await open(customer, '20.00', MIN_TIMEOUT_MS / 1000);
    await tabA.buy(w.merchant.agentUrl, 'article-5', price('article-5'));
    await tabA.buy(w.merchant.agentUrl, 'article-6', price('article-6'));

    // A millisecond before the timeout the merchant's expiry check leaves it open; at the timeout it stops it.
    w.clock.advance(MIN_TIMEOUT_MS - 1);
    await intervalTurns(MERCHANT_EXPIRY_CHECK_MS, 2);
    expect(await w.merchant.agent.tab(tabA.tabId)).toMatchObject({ status: 'open' });
    w.clock.advance(1);
    await waitFor(
      'the merchant agent to stop tab A at its timeout',
      async () => (await w.merchant.agent.tab(tabA.tabId))?.status === 'stopped',
    );
    await w.merchantRecordAcknowledged(tabA.tabId);
    await w.elapse(RECORD_GRACE_MS);
    const clearedA = await mtaTab(tabA.tabId);
    // 13 + 20 cents, proven by the merchant's chain link; the customer never sent a record.
    expect(clearedA).toMatchObject({
      outcome: 'customer-record-missing',
      cleared: { currency: 'EUR', value: '0.33' },
      dispute: null,
    });
    expect(await w.merchant.agent.tab(tabA.tabId)).toMatchObject({ stopReason: 'timeout' });
    const account = await waitFor('the AM to capture tab A', async () => {
      const view = await customer.account();
      return view.tabs.find((t) => t.transactionId === tabA.transactionId)?.state === 'cleared' ? view : undefined;
    });
    // 33 cents × 11.3595 = 374.86… öre → 3.75 SEK.
    expect(account.tabs.find((t) => t.transactionId === tabA.transactionId)!.charged).toEqual({
      currency: 'SEK',
      value: '3.75',
    });
  });

  it('timeout when no record ever comes: the MTA asks the merchant agent, waits for it, then releases the hold in full', async () => {
    const customer = await w.newCustomer('100.00');
    const tab = await open(customer, '20.00', MIN_TIMEOUT_MS / 1000);
    await w.merchant.close(); // the merchant vanishes: no record, no notice
    // The MTA waits the grace period past the timeout for records; then, silence not being taken
    // for "nothing bought", it asks the merchant agent for its record and waits for it.
    await w.elapse(MIN_TIMEOUT_MS + RECORD_GRACE_MS - 1);
    expect((await mtaTab(tab.tabId)).state).toBe('open');
    await w.elapse(1);
    const mta = w.world.operator(MERCHANT_OPERATOR).running.context.storage;
    expect((await mta.tabs.tab(tab.tabId))!.merchantAskedAt).toEqual(expect.any(Number));
    expect(await outboxRowsOfRecord(mta, recordRequestId(tab.tabId))).toEqual([
      expect.objectContaining({ deliveredAt: null, attempts: 1 }),
    ]);
    await w.elapse(MERCHANT_RECORD_WAIT_MS - 1);
    expect((await mtaTab(tab.tabId)).state).toBe('open');
    // No answer within the wait: it clears on what it has, nothing.
    await w.elapse(1);
    const cleared = await mtaTab(tab.tabId);
    expect(cleared).toMatchObject({ outcome: 'no-records', cleared: { currency: 'EUR', value: '0.00' } });
    await w.elapse(0); // the clearing leaves the MTA's outbox
    const account = await waitFor('the AM to release', async () => {
      const view = await customer.account();
      return view.tabs[0]?.state === 'cleared' ? view : undefined;
    });
    expect(account.tabs[0]!.charged).toEqual({ currency: 'SEK', value: '0.00' });
    expect(account.available).toEqual({ currency: 'SEK', value: '100.00' });
  });
});
