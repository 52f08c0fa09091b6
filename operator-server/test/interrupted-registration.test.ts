// A stop in the middle of a tab's registration (the MTA had written the tab, then went away before
// it marked the tab open) leaves a tab no AM was ever told about. The next start marks it failed
// and tells the merchant agent, which may have acknowledged it already, that it cleared at
// nothing; tabs that did open are left as they were.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { voidNoticeId } from '../src/mta/interrupted-registrations';
import { Restarts } from '../testing/restarts';
import { waitFor } from '@opentab/test-kit';
import {
  MERCHANT_OPERATOR,
  hundredArticles,
  startTwoOperatorWorld,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';

let w: TwoOperatorWorld;
const restarts = new Restarts();
const tabTerms = () => ({
  merchantId: w.merchantId,
  merchantOperatorId: MERCHANT_OPERATOR,
  merchantCurrency: 'EUR',
  deposit: { currency: 'SEK', value: '20.00' },
});

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
    const tab = await customer.openTab(tabTerms());
    const mta = w.world.operator(MERCHANT_OPERATOR);
    const open = mta.running.sqlite!.store.tab(tab.tabId)!;
    expect(open.state).toBe('open');
    // What registerTab has written when the stop comes while it waits for the merchant agent.
    const {
      state: _,
      customerRecord: _c,
      merchantRecord: _m,
      cleared_minor: _cl,
      outcome: _o,
      clearedAt: _ca,
      ...terms
    } = open;
    mta.running.sqlite!.store.insertTab({
      ...terms,
      tabId: 'tab_0000000000000000000000ad',
      transactionId: `${open.transactionId}.9`,
      chain: { ...terms.chain, root: 'A'.repeat(43) },
    });
    expect(mta.running.sqlite!.store.tab('tab_0000000000000000000000ad')!.state).toBe('opening');
    await mta.running.close();

    const successor = (await restarts.restart(mta, w.clock)).running;
    const store = successor.sqlite!.store;
    expect(store.tab('tab_0000000000000000000000ad')!.state).toBe('failed');
    expect(store.tab(tab.tabId)!.state).toBe('open');
    // The tab that opened before the stop still trades with its merchant.
    await tab.buy(w.merchant.agentUrl, 'article-1', { currency: 'EUR', value: hundredArticles()[0]!.price });
    // A second start finds nothing left to mark.
    expect(store.failOpeningTabs(Number.MAX_SAFE_INTEGER)).toEqual([]);
    // Its merchant agent never heard of it: the void notice finds nothing to close and is done.
    const delivered = await waitFor('the void notice to be done with', () =>
      successor
        .sqlite!.outbox.rowsOfRecord(voidNoticeId('tab_0000000000000000000000ad'))
        .find((row) => row.deliveredAt !== null),
    );
    expect(delivered).toMatchObject({ lastError: null });
  }, 30_000);

  it("closes the merchant agent's tab at nothing when the stop came after the agent acknowledged it", async () => {
    const customer = await w.newCustomer('100.00');
    const mta = w.world.operator(MERCHANT_OPERATOR);
    // The stop comes between the merchant's acknowledgement and the tab being marked open.
    (mta.running.context.storage.tabs as { markTabOpen: unknown }).markTabOpen = async () => {
      throw new Error('power cut');
    };
    const initiation = await customer.initiation(tabTerms());
    // No definite answer: the AM keeps the transaction opening, and its hold, until it learns more.
    await expect(customer.sendInitiation(initiation)).rejects.toThrow();
    expect((await customer.account()).held).toEqual({ currency: 'SEK', value: '20.00' });
    const [orphan] = await w.merchant.agent.tabs({ status: 'open' });
    expect(mta.running.sqlite!.store.tab(orphan!.tabId)!.state).toBe('opening');
    await mta.running.close();

    const successor = (await restarts.restart(mta, w.clock)).running;
    expect(successor.sqlite!.store.tab(orphan!.tabId)!.state).toBe('failed');
    const delivered = await waitFor('the void notice to reach the agent', () =>
      successor.sqlite!.outbox.rowsOfRecord(voidNoticeId(orphan!.tabId)).find((row) => row.deliveredAt !== null),
    );
    expect(delivered).toMatchObject({ lastError: null });
    expect(await w.merchant.agent.tab(orphan!.tabId)).toMatchObject({
      status: 'cleared',
      cleared: { amount: { currency: 'EUR', minor: 0n }, outcome: 'voided' },
    });
    // Closed at the agent: no purchase, and no record at its timeout for the MTA to refuse.
    expect(await w.merchant.agent.tabs({ status: 'open' })).toEqual([]);
    expect(await w.merchant.agent.recordDelivery(orphan!.tabId)).toBeNull();
    // The customer re-sends its initiation as the extension does: the AM asks the MTA again, learns
    // the tab never opened, and releases the hold; the refusal is the answer to that initiation.
    await expect(customer.sendInitiation(initiation)).rejects.toThrow(/never opened/);
    expect((await customer.account()).held).toEqual({ currency: 'SEK', value: '0.00' });
  }, 30_000);
});
