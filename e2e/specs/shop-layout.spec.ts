// Scenario: the demo shop's page as a reader sees it at 1280 px and on a 390 px phone: the product
// cards of a row are equally tall with their paywalls level, no text in a paid button wraps onto a
// second line, and no empty space is left under the widget, in Chromium and in Firefox ESR. Both
// widths are photographed in both browsers.

import { PRODUCTS } from '@opentab/demo-shop';
import { FirefoxOptionsTab } from '../pages/firefox/options-tab';
import { expect as firefoxExpect, firefoxTest } from '../fixtures/firefox-test';
import { enrollmentCodeOf, PASSPHRASE } from '../fixtures/reader';
import { keepScreenshot } from '../fixtures/screenshots';
import { expect, test } from '../fixtures/test';
import { layoutFaults, shopLayout } from '../testing/shop-layout';

const WIDTHS = [1280, 390] as const;

for (const width of WIDTHS) {
  test(`the shop at ${width} px: even cards, unwrapped buttons, no empty space`, async ({ wallet, shop }, testInfo) => {
    expect(wallet.popup).toBeTruthy();
    await shop.page.setViewportSize({ width, height: 900 });
    await shop.openShop();
    for (const product of PRODUCTS) await shop.readyToPay(product.itemId);
    const layout = await shop.page.evaluate(shopLayout);
    expect(layout.buttons).toHaveLength(PRODUCTS.length);
    expect(layoutFaults(layout)).toEqual([]);
    await keepScreenshot(testInfo, `shop-${width}`, (path) => shop.page.screenshot({ path, fullPage: true }));
  });

  firefoxTest(
    `Firefox: the shop at ${width} px: even cards, unwrapped buttons, no empty space`,
    async ({ firefox, shop, world }, testInfo) => {
      // As a reader sees it: an enrolled wallet, so each button shows its price in SEK too.
      const options = new FirefoxOptionsTab(await firefox.extensionPage('options/options.html'));
      await options.createWallet(PASSPHRASE);
      await options.enrol(world.customerOperator.url, enrollmentCodeOf(world));
      await shop.page.setViewport({ width, height: 900 });
      await shop.page.goto(`${world.shop.url}/shop`);
      for (const product of PRODUCTS) await shop.readyToPay(product.itemId);
      const layout = await shop.page.evaluate(shopLayout);
      firefoxExpect(layout.buttons).toHaveLength(PRODUCTS.length);
      firefoxExpect(layoutFaults(layout)).toEqual([]);
      await keepScreenshot(testInfo, `firefox-shop-${width}`, (path) =>
        shop.page.screenshot({ path: path as `${string}.png`, fullPage: true }),
      );
    },
  );
}
