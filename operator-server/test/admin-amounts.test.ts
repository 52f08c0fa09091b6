// Every amount the admin API answers is a decimal string with its currency, as everywhere else in
// the API: a bare count of minor units reads as a hundred times the money in a two-decimal currency.

import { describe, expect, it } from 'vitest';
import type { TestCustomer, TestTab } from '@opentab/test-kit/worlds';
import { CUSTOMER_OPERATOR, MERCHANT_OPERATOR, worldPerTest, type TwoOperatorWorld } from '@opentab/test-kit/worlds';
import { waitFor } from '@opentab/test-kit';

let w: TwoOperatorWorld;

worldPerTest((started) => (w = started));

/** Ends the tab as a customer does, and waits until its clearing reached the customer's AM. */
async function closeAndClear(customer: TestCustomer, tab: TestTab): Promise<void> {
  await tab.terminate(w.merchant.agentUrl);
  await customer.sendRecord(tab);
  await waitFor(
    'the tab to clear',
    async () =>
      (await customer.account()).tabs.find((entry) => entry.transactionId === tab.transactionId)?.state === 'cleared',
  );
}

/** Paths of the strings in `value` that are whole numbers: how a minor-unit amount without its currency looks. */
function bareIntegers(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return /^-?[0-9]+$/.test(value) ? [`${path}: ${value}`] : [];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) => bareIntegers(item, path === '' ? key : `${path}.${key}`));
}

describe('amounts in admin answers', () => {
  it('the ledger report states pending holds and the sums per currency as amounts', async () => {
    const customer = await w.newCustomer('100.00');
    const tab = await customer.openTab({
      merchantId: w.merchantId,
      merchantOperatorId: MERCHANT_OPERATOR,
      merchantCurrency: 'EUR',
      deposit: { currency: 'SEK', value: '20.00' },
    });

    const admin = w.world.operator(CUSTOMER_OPERATOR).admin;
    const open = await admin.call('ledger', undefined);
    expect(open.pendingHolds).toEqual([
      {
        holdId: expect.any(String),
        ref: tab.transactionId,
        amount: { currency: 'SEK', value: '20.00' },
        accountId: expect.any(String),
      },
    ]);
    expect(open.sumsByCurrency).toEqual({ SEK: { currency: 'SEK', value: '0.00' } });

    await closeAndClear(customer, tab);
    const cleared = await admin.call('ledger', undefined);
    expect(cleared.pendingHolds).toEqual([]);
    // The clearing moved euros through the settlement account: a second currency, summing to zero too.
    expect(cleared.sumsByCurrency).toEqual({
      EUR: { currency: 'EUR', value: '0.00' },
      SEK: { currency: 'SEK', value: '0.00' },
    });
  });

  it('no admin answer carries a whole number where an amount belongs', async () => {
    const customer = await w.newCustomer('100.00');
    const tab = await customer.openTab({
      merchantId: w.merchantId,
      merchantOperatorId: MERCHANT_OPERATOR,
      merchantCurrency: 'EUR',
      deposit: { currency: 'SEK', value: '20.00' },
    });
    await tab.buy(w.merchant.agentUrl, 'article-1', { currency: 'EUR', value: '0.08' });
    const customerAdmin = w.world.operator(CUSTOMER_OPERATOR).admin;
    const merchantAdmin = w.world.operator(MERCHANT_OPERATOR).admin;
    const answers = {
      customerLedger: await customerAdmin.call('ledger', undefined),
      merchantLedger: await merchantAdmin.call('ledger', undefined),
      customer: await customerAdmin.call('getCustomer', undefined, { accountId: customer.accountId }),
      transaction: await customerAdmin.call('getTransaction', undefined, { transactionId: tab.transactionId }),
      merchant: await merchantAdmin.call('getMerchant', undefined, { merchantId: w.merchantId }),
      tab: await merchantAdmin.call('getTab', undefined, { tabId: tab.tabId }),
      disputes: await merchantAdmin.call('listDisputes', undefined),
      settlement: await customerAdmin.call('settlement', undefined, {}, { peer: MERCHANT_OPERATOR }),
    };
    expect(bareIntegers(answers)).toEqual([]);
    expect(answers.merchantLedger.pendingHolds).toEqual([]);
    expect(answers.customerLedger.balances).toMatchObject({ 'customer:SEK': { currency: 'SEK', value: '0.00' } });
    await closeAndClear(customer, tab);
  });
});
