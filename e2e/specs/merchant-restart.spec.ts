// Scenario: the merchant's server restarts in the middle of a tab. Its agent keeps tabs and
// purchases in SQLite, so nothing is lost: purchases go on on the same tab, and closing it
// clears the full amount with both records in agreement.

import { DEMO_DISPLAY_NAME } from '@opentab/demo-shop';
import { countConfirmWindows } from '../pages/confirm-window';
import { buyFirstArticleApprovingAllowance } from '../pages/first-purchase';
import { expect, test } from '../fixtures/test';
import { depositRecords, withdrawalRecords } from '../testing/billing-files';
import { article } from '../testing/catalogue';
import { customerAccount, merchantTab } from '../testing/operator-views';

test('a merchant restart in the middle of a tab loses nothing', async ({ context, wallet, shop, world }) => {
  await buyFirstArticleApprovingAllowance(context, shop, 'article-4'); // 0.07 EUR
  await shop.buyArticle('article-5'); // 0.08 EUR
  const confirmWindows = countConfirmWindows(context);

  await world.restartShop();

  expect(await shop.buyArticle('article-6')).toContain(article('article-6').paragraphs[0]); // 0.10 EUR
  expect(await shop.buyArticle('article-7')).toContain(article('article-7').paragraphs[0]); // 0.10 EUR
  expect(confirmWindows()).toBe(0);
  // Content bought before the restart still opens with its token: the agent kept its secret.
  expect(await shop.reopenPaidArticle('article-5')).toContain(article('article-5').paragraphs[0]);

  await wallet.popup.reload();
  await expect(wallet.popup.tabRows).toHaveCount(1);
  await wallet.popup.closeTab(DEMO_DISPLAY_NAME);

  // By hand: 7 + 8 + 10 + 10 = 35 cents; 35 × 11.3595 = 397.5825 öre → 3.98 SEK.
  await expect.poll(() => withdrawalRecords(world.customerOperator.billingFile)).toHaveLength(1);
  expect(withdrawalRecords(world.customerOperator.billingFile)[0]).toMatchObject({
    amount: { currency: 'SEK', value: '3.98' },
    merchantAmount: { currency: 'EUR', value: '0.35' },
    outcome: 'agreed',
  });
  await expect.poll(() => depositRecords(world.merchantOperator.billingFile)).toHaveLength(1);
  expect(depositRecords(world.merchantOperator.billingFile)[0]).toMatchObject({
    amount: { currency: 'EUR', value: '0.35' },
    outcome: 'agreed',
  });

  const [transaction] = (await customerAccount(world)).tabs;
  const tab = await merchantTab(world, transaction!.tabId!);
  expect(tab).toMatchObject({
    state: 'cleared',
    cleared: { currency: 'EUR', value: '0.35' },
    customerRecord: { count: 4, total: { currency: 'EUR', value: '0.35' } },
    merchantRecord: { count: 4, total: { currency: 'EUR', value: '0.35' } },
    dispute: null,
  });
  await expect.poll(() => wallet.popup.freshBalance()).toBe('-3.98\u00a0SEK');
});
