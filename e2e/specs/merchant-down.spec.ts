// Scenario: the merchant's server is down when the reader clicks to pay inside an open tab. The
// purchase is pending, not failed: the page and the popup say so. Once the shop is back, the
// extension finishes that same purchase and the page unlocks the article without another click;
// the tab clears exactly what the shop took, both records in agreement, the article paid once.

import { DEMO_DISPLAY_NAME } from '@opentab/demo-shop';
import { countConfirmWindows } from '../pages/confirm-window';
import { buyFirstArticleApprovingAllowance } from '../pages/first-purchase';
import { expect, test } from '../fixtures/test';
import { withdrawalRecords } from '../testing/billing-files';
import { article, totalCents } from '../testing/catalogue';
import { customerAccount, merchantTab } from '../testing/operator-views';

test('a click while the merchant is down is pending, then paid once when it is back, and the page unlocks', async ({
  context,
  wallet,
  shop,
  world,
}) => {
  await buyFirstArticleApprovingAllowance(context, shop, 'article-4'); // 0.07 EUR
  await shop.openArticle('article-5'); // 0.08 EUR
  await shop.readyToPay('article-5');
  const confirmWindows = countConfirmWindows(context);

  await world.stopShop();
  await shop.clickPay('article-5');
  await expect(shop.widgetStatus('article-5')).toHaveText("Payment pending — we'll finish it when the shop answers.");
  await wallet.popup.reload();
  const latest = wallet.popup.recentPurchases.first();
  await expect(latest.getByTestId('purchase-title')).toHaveText(article('article-5').title);
  await expect(latest.getByTestId('purchase-status')).toHaveText('Pending');

  await world.startShop();
  // No second click: the widget asks after its pending payment, and the shop's page unlocks with the receipt.
  expect(await shop.unlockedText('article-5')).toContain(article('article-5').paragraphs[0]);
  expect(confirmWindows()).toBe(0);
  await wallet.popup.reload();
  await expect(wallet.popup.page.getByTestId('purchase-status')).toHaveCount(0);
  await expect(wallet.popup.recentPurchases).toHaveCount(2);

  await wallet.popup.closeTab(DEMO_DISPLAY_NAME);
  expect(totalCents(['article-4', 'article-5'])).toBe(15n);
  // By hand: 15 cents × 11.3595 = 170.39 öre → 1.70 SEK.
  await expect.poll(() => withdrawalRecords(world.customerOperator.billingFile)).toHaveLength(1);
  expect(withdrawalRecords(world.customerOperator.billingFile)[0]).toMatchObject({
    amount: { currency: 'SEK', value: '1.70' },
    merchantAmount: { currency: 'EUR', value: '0.15' },
    outcome: 'agreed',
  });
  const [transaction] = (await customerAccount(world)).tabs;
  expect(await merchantTab(world, transaction!.tabId!)).toMatchObject({
    state: 'cleared',
    customerRecord: { count: 2, total: { currency: 'EUR', value: '0.15' } },
    merchantRecord: { count: 2, total: { currency: 'EUR', value: '0.15' } },
    dispute: null,
  });
});
