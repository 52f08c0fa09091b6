// Scenario: a copy of the shop on an origin the merchant certificate does not list. The widget
// and the extension work there like anywhere, but the extension refuses to pay: no prompt, no
// hold, no tab at either operator.

import { countConfirmWindows } from '../pages/confirm-window';
import { ShopPage } from '../pages/shop-page';
import { expect, test } from '../fixtures/test';
import { startCopycatSite } from '../testing/copycat-site';
import { customerAccount, merchantAccount } from '../testing/operator-views';

test('a page on an origin outside the merchant certificate cannot make the extension pay', async ({
  context,
  wallet,
  world,
  shop,
}) => {
  const copycat = await startCopycatSite(world.shop.url);
  try {
    const confirmWindows = countConfirmWindows(context);
    // The reader's tab goes to the copy instead of the shop.
    const copy = new ShopPage(shop.page, copycat.url);
    await copy.openArticle('article-2');
    await copy.readyToPay('article-2');
    await copy.recordWidgetErrors();
    await copy.clickPay('article-2');

    await expect.poll(() => copy.widgetErrors()).toHaveLength(1);
    const [error] = await copy.widgetErrors();
    expect(error).toMatchObject({ itemId: 'article-2', code: 'origin_not_allowed' });
    expect(error!.message).toContain(copycat.url);
    // Said once, by the widget under its button; the shop does not repeat it.
    await expect(copy.widgetStatus('article-2')).toHaveText(error!.message);
    await expect(copy.status('article-2')).toBeEmpty();
    await expect(copy.paidContent('article-2')).toBeHidden();
    expect(confirmWindows()).toBe(0);

    expect(await customerAccount(world)).toMatchObject({
      tabs: [],
      held: { currency: 'SEK', value: '0.00' },
      available: { currency: 'SEK', value: '500.00' },
    });
    expect((await merchantAccount(world)).tabs).toEqual([]);
    for (const operator of [world.customerOperator, world.merchantOperator]) {
      expect((await operator.admin.call('ledger', undefined)).pendingHolds, operator.operatorId).toEqual([]);
    }
    await wallet.popup.reload();
    await expect(wallet.popup.tabRows).toHaveCount(0);
  } finally {
    await copycat.close();
  }
});
