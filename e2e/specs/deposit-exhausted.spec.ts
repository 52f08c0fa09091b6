// Scenario: the deposit runs out; the next purchase opens a second transaction under the
// allowance, without a prompt, and the first one is concluded.

import { countConfirmWindows } from '../pages/confirm-window';
import { buyFirstArticleApprovingAllowance } from '../pages/first-purchase';
import { expect, test } from '../fixtures/test';
import { article } from '../testing/catalogue';
import { customerAccount } from '../testing/operator-views';

test('a used-up deposit makes the next purchase open a new transaction under the allowance', async ({
  context,
  wallet,
  shop,
  world,
}) => {
  // A small deposit, set as a reader would: 5.00 SEK, floor(500 öre ÷ 11.3595) = 44 cents.
  await wallet.options.setDefaultDeposit('5.00');
  const confirmWindows = countConfirmWindows(context);

  await buyFirstArticleApprovingAllowance(context, shop, 'article-6'); // 0.10 EUR
  await shop.buyArticle('article-7'); // 0.10 EUR
  await shop.buyArticle('article-8'); // 0.12 EUR: 32 of 44 cents spent
  // 0.15 EUR does not fit in the 12 cents left: a second deposit, under the allowance.
  expect(await shop.buyArticle('article-9')).toContain(article('article-9').paragraphs[0]);
  expect(confirmWindows()).toBe(1);

  const account = await customerAccount(world);
  expect(account.tabs).toHaveLength(2);
  const [first, second] = [...account.tabs].sort((a, b) => a.openedAt.localeCompare(b.openedAt));
  expect(first!.transactionId).not.toBe(second!.transactionId);
  expect(first).toMatchObject({
    hold: { currency: 'SEK', value: '5.00' },
    depositMerchant: { currency: 'EUR', value: '0.44' },
  });
  expect(second).toMatchObject({
    state: 'open',
    hold: { currency: 'SEK', value: '5.00' },
    depositMerchant: { currency: 'EUR', value: '0.44' },
  });

  // The first is concluded with what it paid: 32 cents × 11.3595 = 363.504 öre → 3.64 SEK.
  await expect
    .poll(
      async () =>
        (await customerAccount(world)).tabs.find((tab) => tab.transactionId === first!.transactionId)?.charged,
    )
    .toEqual({ currency: 'SEK', value: '3.64' });

  await wallet.popup.reload();
  await expect(wallet.popup.tabRows).toHaveCount(1);
  await expect(wallet.popup.tabRows.first()).toContainText('0.15 EUR');
});
