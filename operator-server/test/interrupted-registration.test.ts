// A stop in the middle of a tab's registration (the MTA had written the tab, then went away before
// the merchant's acknowledgement came back) leaves a tab no AM was ever told about. The next start
// marks it failed; tabs that did open are left as they were.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Restarts } from './support/restarts';
import { MERCHANT_OPERATOR, hundredArticles, startTwoOperatorWorld, type TwoOperatorWorld } from './support/world';

let w: TwoOperatorWorld;
const restarts = new Restarts();

beforeEach(async () => {
  w = await startTwoOperatorWorld();
});

afterEach(async () => {
  await restarts.closeAll();
  await w.close();
});

describe('a tab registration cut off by a stop', () => {
  it('is marked failed at the next start, and an open tab stays open and trades', async () => {
    const customer = await w.newCustomer('100.00');
    const tab = await customer.openTab({ merchantId: w.merchantId, merchantOperatorId: MERCHANT_OPERATOR, merchantCurrency: 'EUR', deposit: { currency: 'SEK', value: '20.00' } });
    const mta = w.world.operator(MERCHANT_OPERATOR);
    const open = mta.running.context.store.tab(tab.tabId)!;
    expect(open.state).toBe('open');
    // What registerTab has written when the stop comes while it waits for the merchant agent.
    const { state: _, customerRecord: _c, merchantRecord: _m, clearedMinor: _cl, outcome: _o, clearedAt: _ca, ...terms } = open;
    mta.running.context.store.insertTab({ ...terms, tabId: 'tab_interrupted0000000000000000', transactionId: `${open.transactionId}.9` });
    expect(mta.running.context.store.tab('tab_interrupted0000000000000000')!.state).toBe('opening');
    await mta.running.close();

    const store = (await restarts.restart(mta)).running.context.store;
    expect(store.tab('tab_interrupted0000000000000000')!.state).toBe('failed');
    expect(store.tab(tab.tabId)!.state).toBe('open');
    // The tab that opened before the stop still trades with its merchant.
    await tab.buy(w.merchant.agentUrl, 'article-1', { currency: 'EUR', value: hundredArticles()[0]!.price });
    // A second start finds nothing left to mark.
    expect(store.failOpeningTabs()).toEqual([]);
  }, 30_000);
});
