// Scenario: the reader declines a merchant's first tab and blocks it in the same click, without
// knowing its ids; the merchant can then not even ask. The options page lists it as blocked, and
// unblocking it there lets it ask again.

import { DEMO_DISPLAY_NAME } from '@opentab/demo-shop';
import { countConfirmWindows, nextConfirmWindow } from '../pages/confirm-window';
import { expect, test } from '../fixtures/test';
import { article } from '../testing/catalogue';
import { customerAccount } from '../testing/operator-views';

test('declining and blocking in the confirmation window; unblocking on the options page', async ({
  context,
  wallet,
  shop,
  world,
}) => {
  const confirmWindows = countConfirmWindows(context);
  await shop.openArticle('article-1');
  await shop.recordWidgetErrors();
  const confirming = nextConfirmWindow(context);
  await shop.clickPay('article-1');
  await (await confirming).declineAndBlock();
  await expect
    .poll(async () => (await shop.widgetErrors()).map((error) => error.code))
    .toEqual(['declined_by_customer']);

  // Blocked: the next click is refused at once, with no window.
  await shop.clickPay('article-1');
  await expect
    .poll(async () => (await shop.widgetErrors()).map((error) => error.code))
    .toEqual(['declined_by_customer', 'blocked_merchant']);
  expect(confirmWindows()).toBe(1);
  expect(await customerAccount(world)).toMatchObject({ tabs: [], held: { currency: 'SEK', value: '0.00' } });

  await wallet.options.reload();
  await expect(wallet.options.merchantRow(DEMO_DISPLAY_NAME)).toContainText('Blocked');
  await wallet.options.unblock(DEMO_DISPLAY_NAME);
  await expect(wallet.options.merchantRow(DEMO_DISPLAY_NAME)).toContainText('Ask you first');

  const asking = nextConfirmWindow(context);
  await shop.clickPay('article-1');
  await (await asking).approve();
  expect(await shop.unlockedText('article-1')).toContain(article('article-1').paragraphs[0]);
});
