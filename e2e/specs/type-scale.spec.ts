// Scenario: every extension page sets its text at the designed sizes, in Chromium (whose own style
// for extension pages shrinks a page's body to 75 %) as in Firefox ESR. Each page is measured with
// real content, after a first purchase, and photographed at the size people see it: the popup at
// 480 px, the confirmation window at 440 × 620, the options page at 1280 px.

import { FirefoxConfirmWindow } from '../pages/firefox/confirm-window';
import { FirefoxOptionsTab } from '../pages/firefox/options-tab';
import { FirefoxPopupTab } from '../pages/firefox/popup-tab';
import { nextConfirmWindow } from '../pages/confirm-window';
import { expect as firefoxExpect, firefoxTest } from '../fixtures/firefox-test';
import { enrollmentCodeOf, PASSPHRASE } from '../fixtures/reader';
import { keepScreenshot } from '../fixtures/screenshots';
import { expect, test } from '../fixtures/test';
import { article } from '../testing/catalogue';
import { DESIGNED_TYPE_SCALE, horizontalOverflow_px, measureTypeScale } from '../testing/type-scale';

const POPUP = { width: 480, height: 640 };
const CONFIRM_WINDOW = { width: 440, height: 620 };
const OPTIONS_PAGE = { width: 1280, height: 900 };

test('Chromium: confirmation, popup and options use the designed type scale', async ({
  context,
  wallet,
  shop,
}, testInfo) => {
  const { popup, options } = wallet;
  await shop.openArticle('article-1');
  const confirming = nextConfirmWindow(context);
  await shop.clickPay('article-1');
  const confirm = await confirming;
  // The window says what the click buys.
  await expect(confirm.page.getByTestId('purchase')).toContainText(article('article-1').title);
  await confirm.page.setViewportSize(CONFIRM_WINDOW);
  expect(await confirm.page.evaluate(measureTypeScale)).toEqual(DESIGNED_TYPE_SCALE);
  expect(await confirm.page.evaluate(horizontalOverflow_px)).toBe(0);
  await keepScreenshot(testInfo, 'chromium-confirm', (path) => confirm.page.screenshot({ path }));
  await confirm.approveWithAllowance();
  await shop.unlockedText('article-1');

  await popup.reload();
  expect(await popup.page.evaluate(measureTypeScale)).toEqual(DESIGNED_TYPE_SCALE);
  expect(await popup.page.evaluate(horizontalOverflow_px)).toBe(0);
  await keepScreenshot(testInfo, 'chromium-popup', (path) => popup.page.screenshot({ path, fullPage: true }));

  await options.page.setViewportSize(OPTIONS_PAGE);
  await options.reload();
  expect(await options.page.evaluate(measureTypeScale)).toEqual(DESIGNED_TYPE_SCALE);
  await keepScreenshot(testInfo, 'chromium-options', (path) => options.page.screenshot({ path, fullPage: true }));
});

firefoxTest(
  'Firefox: confirmation, popup and options use the designed type scale',
  async ({ firefox, shop, world }, testInfo) => {
    const options = new FirefoxOptionsTab(await firefox.extensionPage('options/options.html'));
    await options.createWallet(PASSPHRASE);
    await options.enrol(world.customerOperator.url, enrollmentCodeOf(world));

    await shop.openArticle('article-1');
    const confirmOpening = firefox.extensionPage('confirm/confirm.html');
    await shop.clickPay('article-1');
    const confirm = new FirefoxConfirmWindow(await confirmOpening);
    await confirm.depositCustomer();
    await confirm.page.setViewport(CONFIRM_WINDOW);
    firefoxExpect(await confirm.page.evaluate(measureTypeScale)).toEqual(DESIGNED_TYPE_SCALE);
    await keepScreenshot(testInfo, 'firefox-confirm', (path) =>
      confirm.page.screenshot({ path: path as `${string}.png` }),
    );
    await confirm.approveWithAllowance();
    await shop.unlockedText('article-1');

    await options.page.setViewport(OPTIONS_PAGE);
    // BiDi may not navigate to an extension page; the page may reload itself.
    await options.page.evaluate(() => location.reload()).catch(() => undefined);
    await options.page.waitForSelector('[data-testid="merchant-row"]');
    firefoxExpect(await options.page.evaluate(measureTypeScale)).toEqual(DESIGNED_TYPE_SCALE);
    await keepScreenshot(testInfo, 'firefox-options', (path) =>
      options.page.screenshot({ path: path as `${string}.png`, fullPage: true }),
    );

    const popup = await FirefoxPopupTab.showIn(options.page);
    await popup.page.setViewport(POPUP);
    await popup.page.waitForSelector('[data-testid="tab-row"]');
    firefoxExpect(await popup.page.evaluate(measureTypeScale)).toEqual(DESIGNED_TYPE_SCALE);
    firefoxExpect(await popup.page.evaluate(horizontalOverflow_px)).toBe(0);
    await keepScreenshot(testInfo, 'firefox-popup', (path) =>
      popup.page.screenshot({ path: path as `${string}.png`, fullPage: true }),
    );
  },
);
