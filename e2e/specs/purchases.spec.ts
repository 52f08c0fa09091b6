// Scenario: the first purchase asks in the confirmation window; approved with an allowance, the
// tab opens, and ten purchases of different articles follow without a prompt, each unlocking
// the article's text (the shop releases it only against a valid access token).

import { DEMO_DISPLAY_NAME } from '@opentab/demo-shop';
import { countConfirmWindows, nextConfirmWindow } from '../pages/confirm-window';
import { expect, test } from '../fixtures/test';
import { article, articleIds, totalCents } from '../testing/catalogue';
import { merchantAccount } from '../testing/operator-views';

test('one approval with an allowance, then ten purchases without a prompt, each unlocking its article', async ({
  context,
  wallet,
  shop,
  world,
}) => {
  const confirmWindows = countConfirmWindows(context);

  await shop.openArticle('article-1');
  const confirming = nextConfirmWindow(context);
  await shop.clickPay('article-1');
  const confirm = await confirming;
  await expect(confirm.origin).toContainText(world.shop.url);
  // The default deposit: 20.00 SEK, floor(2000 öre ÷ 11.3595) = 176 cents for the merchant.
  await expect(confirm.depositCustomer).toHaveText('20.00 SEK');
  await expect(confirm.depositMerchant).toHaveText('1.76 EUR');
  await confirm.approveWithAllowance();
  expect(await shop.unlockedText('article-1')).toContain(article('article-1').paragraphs[0]);

  const following = articleIds(2, 11);
  for (const itemId of following) {
    expect(await shop.buyArticle(itemId), itemId).toContain(article(itemId).paragraphs[0]);
  }
  expect(confirmWindows()).toBe(1);

  // One tab holds all eleven purchases: 2 + 110 cents of the 176.
  expect(totalCents(['article-1', ...following])).toBe(112n);
  await wallet.popup.reload();
  await expect(wallet.popup.tabRows).toHaveCount(1);
  await expect(wallet.popup.tabRow(DEMO_DISPLAY_NAME)).toContainText('1.12 EUR');
  await expect(wallet.popup.tabRow(DEMO_DISPLAY_NAME)).toContainText('0.64 EUR');
  // Listed by what the shop's catalogue calls each article, not by its item id.
  const latest = wallet.popup.recentPurchases.first();
  await expect(latest.getByTestId('purchase-title')).toHaveText(article('article-11').title);
  await expect(latest.getByTestId('purchase-merchant')).toHaveText(DEMO_DISPLAY_NAME);
  await expect(latest.getByTestId('purchase-price')).toHaveText(`${article('article-11').price}\u00a0EUR`);
  await expect(latest).not.toContainText('article-11');
  expect((await merchantAccount(world)).tabs).toMatchObject([
    { state: 'open', deposit: { currency: 'EUR', value: '1.76' } },
  ]);
});
