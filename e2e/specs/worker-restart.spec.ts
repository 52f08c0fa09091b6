// Scenario: Chrome stops the extension's service worker in the middle of a tab. The next
// purchase, from a page opened before the stop (its content script's port to the old worker is
// gone, so it must open a new one), wakes a new worker, which finds the tab in storage and pays
// on it without a prompt; closing the tab clears every purchase, before and after the restart.

import { DEMO_DISPLAY_NAME } from '@opentab/demo-shop';
import { countConfirmWindows } from '../pages/confirm-window';
import { buyFirstArticleApprovingAllowance } from '../pages/first-purchase';
import { expect, test } from '../fixtures/test';
import { markWorkerInstance, ServiceWorkerInternals, workerInstanceMark } from '../pages/service-worker-internals';
import { article } from '../testing/catalogue';
import { customerAccount } from '../testing/operator-views';

test('a stopped service worker restarts on the next purchase and the tab goes on', async ({
  context,
  extension,
  wallet,
  shop,
  world,
}) => {
  await buyFirstArticleApprovingAllowance(context, shop, 'article-1'); // 0.02 EUR
  await shop.buyArticle('article-2'); // 0.05 EUR
  const confirmWindows = countConfirmWindows(context);
  await markWorkerInstance(extension.worker(), 'before the stop');
  expect(await workerInstanceMark(extension.worker())).toBe('before the stop');

  // Opened, with its bridge calls answered, while the old worker runs.
  await shop.openArticle('article-3');
  await shop.readyToPay('article-3');
  const internals = await ServiceWorkerInternals.open(context, extension);
  await internals.stop();

  await shop.clickPay('article-3');
  expect(await shop.unlockedText('article-3')).toContain(article('article-3').paragraphs[0]); // 0.05 EUR
  await internals.waitFor('RUNNING');
  expect(await workerInstanceMark(extension.worker())).toBeUndefined();
  await shop.buyArticle('article-4'); // 0.07 EUR
  expect(confirmWindows()).toBe(0);

  await wallet.popup.reload();
  await expect(wallet.popup.tabRows).toHaveCount(1);
  await expect(wallet.popup.tabRow(DEMO_DISPLAY_NAME)).toContainText('0.19 EUR');
  await wallet.popup.closeTab(DEMO_DISPLAY_NAME);
  // By hand: 19 cents × 11.3595 = 215.8305 öre → 2.16 SEK, all four purchases on one tab.
  await expect
    .poll(async () => (await customerAccount(world)).tabs)
    .toMatchObject([{ state: 'cleared', charged: { currency: 'SEK', value: '2.16' } }]);
  await expect.poll(() => wallet.popup.freshBalance()).toBe('-2.16\u00a0SEK');
});
