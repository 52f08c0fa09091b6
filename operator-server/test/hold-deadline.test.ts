// Every hold ends even when the merchant's operator vanishes: the customer's AM releases the hold
// at the deadline, and a clearing that still arrives later is charged without it.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertLedgerInvariants } from '../src/ledger';
import { Restarts } from './support/restarts';
import { CUSTOMER_OPERATOR, MERCHANT_OPERATOR, hundredArticles, startTwoOperatorWorld, type TwoOperatorWorld } from './support/world';
import { waitFor } from './support/wait-for';

let w: TwoOperatorWorld;
const restarts = new Restarts();

beforeEach(async () => {
  w = await startTwoOperatorWorld({ settings: { tick_ms: 20, tabs: { recordGrace_s: 1, minTimeout_s: 10, holdDeadline_s: 1 } } });
});

afterEach(async () => {
  // The first MTA process is closed; its successor holds the merchant side's ledger now.
  assertLedgerInvariants(w.world.operator(CUSTOMER_OPERATOR).running.context.ledger);
  await restarts.closeAll();
  await w.close();
});

describe('the hold deadline', () => {
  it('releases the hold of a tab its MTA never cleared, and charges a clearing that comes late', async () => {
    const customer = await w.newCustomer('100.00');
    const tab = await customer.openTab({ merchantId: w.merchantId, merchantOperatorId: MERCHANT_OPERATOR, merchantCurrency: 'EUR', deposit: { currency: 'SEK', value: '20.00' }, timeout_s: 10 });
    await tab.buy(w.merchant.agentUrl, 'article-1', { currency: 'EUR', value: hundredArticles()[0]!.price }); // 8 cents
    const mta = w.world.operator(MERCHANT_OPERATOR);
    await mta.running.close(); // the merchant's operator goes away before clearing anything

    const lapsed = await waitFor('the hold to lapse', async () => {
      const view = await customer.account();
      return view.tabs[0]?.state === 'lapsed' ? view : undefined;
    }, 20_000, 100);
    expect(lapsed.held).toEqual({ currency: 'SEK', value: '0.00' });
    expect(lapsed.available).toEqual({ currency: 'SEK', value: '100.00' });
    assertLedgerInvariants(w.world.operator(CUSTOMER_OPERATOR).running.context.ledger); // no pending hold left behind

    // The MTA comes back on the same data, clears the expired tab, and delivers the clearing.
    await restarts.restart(mta);
    const charged = await waitFor('the late clearing to be charged', async () => {
      const view = await customer.account();
      return view.tabs[0]?.state === 'cleared' ? view : undefined;
    }, 20_000, 100);
    // 8 cents × 11.3595 = 90.876 öre → 0.91 SEK, charged without a hold.
    expect(charged.tabs[0]!.charged).toEqual({ currency: 'SEK', value: '0.91' });
    expect(charged.balance).toEqual({ currency: 'SEK', value: '-0.91' });
  }, 60_000);

  it('writes off a late charge the customer can no longer cover, and still pays the merchant side', async () => {
    const customer = await w.newCustomer('100.00');
    const tab = await customer.openTab({ merchantId: w.merchantId, merchantOperatorId: MERCHANT_OPERATOR, merchantCurrency: 'EUR', deposit: { currency: 'SEK', value: '20.00' }, timeout_s: 10 });
    await tab.buy(w.merchant.agentUrl, 'article-1', { currency: 'EUR', value: hundredArticles()[0]!.price }); // 8 cents
    const mta = w.world.operator(MERCHANT_OPERATOR);
    await mta.running.close();
    await waitFor('the hold to lapse', async () => (await customer.account()).tabs[0]?.state === 'lapsed', 20_000, 100);
    // Meanwhile the operator withdraws the customer's credit altogether.
    const customerOperator = w.world.operator(CUSTOMER_OPERATOR).running.context;
    customerOperator.ledger.setMinBalance(`customer:${customer.accountId}`, 0n);

    await restarts.restart(mta);
    await waitFor('the late clearing', async () => (await customer.account()).tabs[0]?.state === 'cleared', 20_000, 100);
    expect((await customer.account()).balance).toEqual({ currency: 'SEK', value: '0.00' });
    // 0.91 SEK carried by the operator; the 0.08 EUR owed to the merchant's operator all the same.
    expect(customerOperator.ledger.getAccount('writeoff:SEK').balance).toBe(-91n);
    expect(customerOperator.ledger.getAccount(`settlement:${MERCHANT_OPERATOR}:EUR`).balance).toBe(8n);
  }, 60_000);
});
