// Scenario: the reader closes the tab in the popup. Clearing follows, and every figure agrees to
// the minor unit with the purchases: the customer's withdrawal record, the merchant's deposit
// record, both operators' settlement positions, and the popup's balance.

import { DEMO_DISPLAY_NAME } from '@opentab/demo-shop';
import { buyFirstArticleApprovingAllowance } from '../pages/first-purchase';
import { expect, test } from '../fixtures/test';
import { withdrawalRecords, depositRecords } from '../testing/billing-files';
import { articleIds, totalCents } from '../testing/catalogue';
import { customerAccount, merchantAccount, settlementStatements } from '../testing/operator-views';
import { customerPrice, fetchRateTable, lockedRateOf } from '../testing/rates';

test('closing the tab in the popup clears exactly what was bought, on both sides', async ({
  context,
  wallet,
  shop,
  world,
}) => {
  const bought = articleIds(1, 5);
  await buyFirstArticleApprovingAllowance(context, shop, bought[0]!);
  for (const itemId of bought.slice(1)) await shop.buyArticle(itemId);

  // By hand: 2 + 5 + 5 + 7 + 8 = 27 cents; 27 × 11.3595 = 306.7065 öre → 3.07 SEK (half-even);
  // of the 20.00 SEK held, 16.93 SEK go back.
  expect(totalCents(bought)).toBe(27n);
  const rate = lockedRateOf(await fetchRateTable(world.customerOperator.url), 'SEK', 'EUR');
  expect(customerPrice(rate, '0.27')).toBe('3.07');

  await wallet.popup.reload();
  await wallet.popup.closeTab(DEMO_DISPLAY_NAME);

  const [transaction] = (await customerAccount(world)).tabs;
  await expect.poll(() => withdrawalRecords(world.customerOperator.billingFile)).toHaveLength(1);
  expect(withdrawalRecords(world.customerOperator.billingFile)[0]).toMatchObject({
    accountId: world.customer.accountId,
    transactionId: transaction!.transactionId,
    merchantId: world.shop.merchant.merchantId,
    amount: { currency: 'SEK', value: '3.07' },
    hold: { currency: 'SEK', value: '20.00' },
    released: { currency: 'SEK', value: '16.93' },
    merchantAmount: { currency: 'EUR', value: '0.27' },
    rate: { customer: { currency: 'SEK', perBase: '11.3595' }, merchant: { currency: 'EUR', perBase: '1' } },
    outcome: 'agreed',
  });
  await expect.poll(() => depositRecords(world.merchantOperator.billingFile)).toHaveLength(1);
  expect(depositRecords(world.merchantOperator.billingFile)[0]).toMatchObject({
    merchantId: world.shop.merchant.merchantId,
    tabId: transaction!.tabId,
    amount: { currency: 'EUR', value: '0.27' },
    outcome: 'agreed',
  });

  const account = await customerAccount(world);
  expect(account).toMatchObject({
    balance: { currency: 'SEK', value: '-3.07' },
    held: { currency: 'SEK', value: '0.00' },
    available: { currency: 'SEK', value: '496.93' },
  });
  expect((await merchantAccount(world)).balance).toEqual({ currency: 'EUR', value: '0.27' });

  const { customerSide, merchantSide } = await settlementStatements(world);
  expect(customerSide.lines).toEqual([
    {
      currency: 'EUR',
      payable: { currency: 'EUR', value: '0.27' },
      receivable: { currency: 'EUR', value: '0.00' },
      net: { currency: 'EUR', value: '0.27' },
      refunded: { currency: 'EUR', value: '0.00' },
      entries: 1,
    },
  ]);
  expect(merchantSide.lines).toEqual([
    {
      currency: 'EUR',
      payable: { currency: 'EUR', value: '0.00' },
      receivable: { currency: 'EUR', value: '0.27' },
      net: { currency: 'EUR', value: '-0.27' },
      refunded: { currency: 'EUR', value: '0.00' },
      entries: 1,
    },
  ]);

  // The popup stays open from the click on Close: it shows the cleared balance by itself, no reload.
  await expect(wallet.popup.balance).toHaveText('-3.07\u00a0SEK');
  await expect(wallet.popup.available).toHaveText('496.93 SEK');
  await expect(wallet.popup.tabRows).toHaveCount(0);
});
