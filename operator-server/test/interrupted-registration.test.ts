// A stop in the middle of a tab's registration (the MTA had written the tab, then went away before
// the merchant's acknowledgement came back) leaves a tab no AM was ever told about. The next start
// marks it failed; tabs that did open are left as they were.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertLedgerInvariants } from '../src/ledger';
import { startProvisionedOperators } from '../src/testing/operator-world';
import { MERCHANT_OPERATOR, hundredArticles, startTwoOperatorWorld, type TwoOperatorWorld } from './support/world';

let w: TwoOperatorWorld;
let restarted: Awaited<ReturnType<typeof startProvisionedOperators>> | null = null;

beforeEach(async () => {
  w = await startTwoOperatorWorld();
});

afterEach(async () => {
  for (const operator of Object.values(restarted ?? {})) assertLedgerInvariants(operator.running.context.ledger);
  await Promise.all(Object.values(restarted ?? {}).map((operator) => operator.running.close()));
  restarted = null;
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

    restarted = await startProvisionedOperators([{ operatorId: mta.operatorId, currency: mta.currency, dir: mta.dir, configPath: mta.configPath, adminToken: 'unused-here' }], { log: 'silent' });
    const store = restarted[MERCHANT_OPERATOR]!.running.context.store;
    expect(store.tab('tab_interrupted0000000000000000')!.state).toBe('failed');
    expect(store.tab(tab.tabId)!.state).toBe('open');
    // The tab that opened before the stop still trades with its merchant.
    await tab.buy(w.merchant.agentUrl, 'article-1', { currency: 'EUR', value: hundredArticles()[0]!.price });
    // A second start finds nothing left to mark.
    expect(store.failOpeningTabs()).toEqual([]);
  }, 30_000);
});
