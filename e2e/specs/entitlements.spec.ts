// Scenario: an article is bought once in one browser tab. Opened again in a new browser tab, and
// reloaded in the first one with nothing kept by the page, it opens without a click and without
// a second charge: the widget asks the wallet at page load, the wallet answers with the access
// token it holds, and the shop's server releases the article against it. A wallpaper, which the
// shop sells as a consumable, is charged each time it is bought.

import { countConfirmWindows, nextConfirmWindow } from '../pages/confirm-window';
import { ShopPage } from '../pages/shop-page';
import { expect, test } from '../fixtures/test';
import { article } from '../testing/catalogue';
import type { DemoWorld } from '../world/demo-world';

/** What the merchant agent sold, over all tabs: the charges, counted where they are taken. */
async function merchantSales(world: DemoWorld): Promise<{ count: number; spent_minor: bigint }> {
  return (await world.shop.agent.tabs()).reduce(
    (sum, tab) => ({ count: sum.count + tab.purchaseCount, spent_minor: sum.spent_minor + tab.spent.minor }),
    {
      count: 0,
      spent_minor: 0n,
    },
  );
}

test('an article bought in one browser tab opens in a new one and after a reload, without a second charge', async ({
  context,
  wallet,
  shop,
  world,
}) => {
  const confirmWindows = countConfirmWindows(context);
  const text = article('article-1').paragraphs[0]!;

  await shop.openArticle('article-1');
  const confirming = nextConfirmWindow(context);
  await shop.clickPay('article-1');
  await (await confirming).approve();
  expect(await shop.unlockedText('article-1')).toContain(text);
  expect(await merchantSales(world)).toEqual({ count: 1, spent_minor: 2n });

  // A new browser tab: the page has kept nothing there; the wallet has.
  const other = new ShopPage(await context.newPage(), world.shop.url);
  await other.openArticle('article-1');
  expect(await other.unlockedText('article-1')).toContain(text);
  await expect(other.price('article-1')).toHaveText('Bought ✓');
  await expect(other.widgetStatus('article-1')).toHaveText('Already bought: unlocked, nothing charged.');

  // A reload of the first tab, with the tokens the page kept for this tab dropped.
  await shop.page.evaluate(() => sessionStorage.clear());
  await shop.page.reload();
  expect(await shop.unlockedText('article-1')).toContain(text);

  // Paying for it again from the page's own code is answered with the same token, for nothing.
  const again = await other.page.evaluate(() => window.Opentab!.pay('article-1'));
  expect(again).toMatchObject({ kind: 'owned', itemId: 'article-1' });
  expect(world.shop.agent.verifyAccess(again.kind === 'owned' ? again.accessToken : null, 'article-1')).toBe(true);

  expect(await merchantSales(world)).toEqual({ count: 1, spent_minor: 2n });
  expect(confirmWindows()).toBe(1);
  await wallet.popup.reload();
  await expect(wallet.popup.recentPurchases).toHaveCount(1);
});

test('a wallpaper, sold as a consumable, is charged every time it is bought', async ({
  context,
  wallet,
  shop,
  world,
}) => {
  await shop.openShop();
  const confirming = nextConfirmWindow(context);
  await shop.clickPay('wallpaper-aurora');
  await (await confirming).approve();
  await shop.paidContent('wallpaper-aurora').waitFor({ state: 'visible' });

  // Back on the shop page without the token the page kept: on sale again, and charged again.
  await shop.page.evaluate(() => sessionStorage.clear());
  await shop.openShop();
  await expect(shop.price('wallpaper-aurora')).toHaveText('0.30\u00a0EUR');
  await shop.clickPay('wallpaper-aurora');
  await shop.paidContent('wallpaper-aurora').waitFor({ state: 'visible' });
  expect(await merchantSales(world)).toEqual({ count: 2, spent_minor: 60n });
});
