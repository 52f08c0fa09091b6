// A whole tab between two operators with different currencies, over real HTTP: initiation,
// 100 purchases, conclusion, clearing, billing records and inter-operator settlement, checked
// against numbers worked out by hand.

import { describe, expect, it } from 'vitest';
import {
  CUSTOMER_OPERATOR,
  MERCHANT_OPERATOR,
  hundredArticles,
  worldPerTest,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';
import { waitFor } from '@opentab/test-kit';

let w: TwoOperatorWorld;

worldPerTest((started) => (w = started));

describe('a tab of 100 purchases, SEK customer at op-se, EUR merchant at op-eu', () => {
  it('clears to the minor unit: charge, release, merchant credit, billing records and settlement', async () => {
    const customer = await w.newCustomer('500.00');
    const tab = await customer.openTab({
      merchantId: w.merchantId,
      merchantOperatorId: MERCHANT_OPERATOR,
      merchantCurrency: 'EUR',
      deposit: { currency: 'SEK', value: '200.00' },
    });
    // 20000 öre × (1 / 11.3595) = 1760.6… cents, floored: 17.60 EUR of deposit.
    expect(tab.opened.payload.deposit).toEqual({
      customer: { currency: 'SEK', value: '200.00' },
      merchant: { currency: 'EUR', value: '17.60' },
    });
    expect(tab.opened.payload.rate.customer).toEqual({ currency: 'SEK', perBase: '11.3595' });

    const during = await customer.account();
    expect(during.held).toEqual({ currency: 'SEK', value: '200.00' });
    expect(during.available).toEqual({ currency: 'SEK', value: '300.00' });

    for (const article of hundredArticles()) {
      const receipt = await tab.buy(w.merchant.agentUrl, article.itemId, { currency: 'EUR', value: article.price });
      expect(w.merchant.agent.verifyAccess(receipt.payload.accessToken, article.itemId)).toBe(true);
    }
    // Σ (1 + 7i mod 23) cents for i = 1..100 = 1203 cents.
    expect(tab.spent_minor).toBe(1203n);

    const closed = await tab.terminate(w.merchant.agentUrl);
    expect(closed.payload).toMatchObject({
      reason: 'customer-terminate',
      spent: { currency: 'EUR', value: '12.03' },
      count: 100,
    });
    const ack = await customer.sendRecord(tab);
    expect(ack.payload.tabId).toBe(tab.tabId);

    const cleared = await waitFor('the AM to capture', async () => {
      const account = await customer.account();
      return account.tabs[0]?.state === 'cleared' ? account : undefined;
    });
    // 1203 cents × 11.3595 = 13665.4785 öre → 13665 öre (half-even): 136.65 SEK charged, 63.35 SEK released.
    expect(cleared.tabs[0]!.charged).toEqual({ currency: 'SEK', value: '136.65' });
    expect(cleared.balance).toEqual({ currency: 'SEK', value: '-136.65' });
    expect(cleared.held).toEqual({ currency: 'SEK', value: '0.00' });
    expect(cleared.available).toEqual({ currency: 'SEK', value: '363.35' });

    const merchantView = await w.world
      .operator(MERCHANT_OPERATOR)
      .admin.call('getMerchant', undefined, { merchantId: w.merchantId });
    expect(merchantView.balance).toEqual({ currency: 'EUR', value: '12.03' });
    const tabView = await w.world.operator(MERCHANT_OPERATOR).admin.call('getTab', undefined, { tabId: tab.tabId });
    expect(tabView).toMatchObject({
      state: 'cleared',
      outcome: 'agreed',
      cleared: { currency: 'EUR', value: '12.03' },
      dispute: null,
    });

    const withdrawal = await waitFor('the withdrawal record', () =>
      w.billingRecords(CUSTOMER_OPERATOR).find((r) => r.recordType === 'withdrawal'),
    );
    expect(withdrawal).toMatchObject({
      recordType: 'withdrawal',
      accountId: customer.accountId,
      transactionId: tab.transactionId,
      tabId: tab.tabId,
      amount: { currency: 'SEK', value: '136.65' },
      hold: { currency: 'SEK', value: '200.00' },
      released: { currency: 'SEK', value: '63.35' },
      merchantAmount: { currency: 'EUR', value: '12.03' },
      outcome: 'agreed',
    });
    const deposit = await waitFor('the deposit record', () =>
      w.billingRecords(MERCHANT_OPERATOR).find((r) => r.recordType === 'deposit'),
    );
    expect(deposit).toMatchObject({
      recordType: 'deposit',
      merchantId: w.merchantId,
      tabId: tab.tabId,
      amount: { currency: 'EUR', value: '12.03' },
    });

    const customerSide = await w.world
      .operator(CUSTOMER_OPERATOR)
      .admin.call('settlement', undefined, {}, { peer: MERCHANT_OPERATOR });
    expect(customerSide.lines).toEqual([
      {
        currency: 'EUR',
        payable: { currency: 'EUR', value: '12.03' },
        receivable: { currency: 'EUR', value: '0.00' },
        net: { currency: 'EUR', value: '12.03' },
        refunded: { currency: 'EUR', value: '0.00' },
        entries: 1,
      },
    ]);
    const merchantSide = await w.world
      .operator(MERCHANT_OPERATOR)
      .admin.call('settlement', undefined, {}, { peer: CUSTOMER_OPERATOR });
    expect(merchantSide.lines).toEqual([
      {
        currency: 'EUR',
        payable: { currency: 'EUR', value: '0.00' },
        receivable: { currency: 'EUR', value: '12.03' },
        net: { currency: 'EUR', value: '-12.03' },
        refunded: { currency: 'EUR', value: '0.00' },
        entries: 1,
      },
    ]);
    // A period reaching back before 1970, where the ledger's clock starts, reads the same entries (it was a 500).
    const sinceYearZero = await w.world
      .operator(CUSTOMER_OPERATOR)
      .admin.call('settlement', undefined, {}, { peer: MERCHANT_OPERATOR, from: '0000-01-01T00:00:00Z' });
    expect(sinceYearZero.lines).toEqual(customerSide.lines);
    const untilBefore1970 = await w.world
      .operator(CUSTOMER_OPERATOR)
      .admin.call('settlement', undefined, {}, { peer: MERCHANT_OPERATOR, until: '1969-12-31T23:59:59Z' });
    expect(untilBefore1970.lines.map((line) => line.entries)).toEqual([0]);
    // The merchant agent heard of its clearing too.
    await waitFor(
      'the merchant agent to learn of the clearing',
      async () => (await w.merchant.agent.tab(tab.tabId))?.status === 'cleared',
    );
  });
});
