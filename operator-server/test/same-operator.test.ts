// The degenerate case: customer and merchant at the same operator, same currency.

import { describe, expect, it } from 'vitest';
import { CUSTOMER_OPERATOR, hundredArticles, worldPerTest, type TwoOperatorWorld } from '@opentab/test-kit/worlds';
import { waitFor } from '@opentab/test-kit';

let w: TwoOperatorWorld;

worldPerTest((started) => (w = started), { sameOperator: true });

describe('customer and merchant at the same operator', () => {
  it('opens, pays and clears without any settlement between operators', async () => {
    const customer = await w.newCustomer('100.00');
    const tab = await customer.openTab({
      merchantId: w.merchantId,
      merchantOperatorId: CUSTOMER_OPERATOR,
      merchantCurrency: 'SEK',
      deposit: { currency: 'SEK', value: '10.00' },
    });
    expect(tab.opened.payload.deposit.merchant).toEqual({ currency: 'SEK', value: '10.00' });
    for (const itemId of ['article-1', 'article-2', 'article-3']) {
      await tab.buy(w.merchant.agentUrl, itemId, {
        currency: 'SEK',
        value: hundredArticles().find((a) => a.itemId === itemId)!.price,
      });
    }
    await tab.terminate(w.merchant.agentUrl);
    await customer.sendRecord(tab);
    const account = await waitFor('clearing', async () => {
      const view = await customer.account();
      return view.tabs[0]?.state === 'cleared' ? view : undefined;
    });
    expect(account.tabs[0]!.charged).toEqual({ currency: 'SEK', value: '0.45' });
    expect(account.balance).toEqual({ currency: 'SEK', value: '-0.45' });
    const operator = w.world.operator(CUSTOMER_OPERATOR);
    const merchant = await operator.admin.call('getMerchant', undefined, { merchantId: w.merchantId });
    expect(merchant.balance).toEqual({ currency: 'SEK', value: '0.45' });
    // The operator's position with itself nets to zero.
    const self = await operator.admin.call('settlement', undefined, {}, { peer: CUSTOMER_OPERATOR });
    expect(self.lines.map((line) => line.net.value)).toEqual(['0.00']);
    await waitFor('both billing records', () => w.billingRecords(CUSTOMER_OPERATOR).length === 2);
    expect(
      w
        .billingRecords(CUSTOMER_OPERATOR)
        .map((r) => `${r.recordType} ${r.amount.value}`)
        .sort(),
    ).toEqual(['deposit 0.45', 'withdrawal 0.45']);
  });
});
