// Scenario: every extension page and the widget pass axe-core's WCAG A/AA checks with no serious or
// critical finding, each in a state people see, in Chromium and in Firefox ESR: the first-run
// options page, the confirmation window, the shop with the widget, the popup and the options page
// (with its history) with a tab and purchases, the locked popup and the unlock window, each
// photographed at the size people see it. Chromium's first-run steps are checked in first-run.spec.

import type { Page } from '@playwright/test';
import type { Page as PuppeteerPage } from 'puppeteer-core';
import { nextConfirmWindow } from '../pages/confirm-window';
import { FirefoxConfirmWindow } from '../pages/firefox/confirm-window';
import { clickButton, fieldByLabel, waitForText } from '../pages/firefox/dom';
import { FirefoxOptionsTab } from '../pages/firefox/options-tab';
import { FirefoxPopupTab } from '../pages/firefox/popup-tab';
import { OptionsPage } from '../pages/options-page';
import { expect as firefoxExpect, firefoxTest } from '../fixtures/firefox-test';
import { enrollmentCodeOf, PASSPHRASE } from '../fixtures/reader';
import { keepScreenshot } from '../fixtures/screenshots';
import { expect, test } from '../fixtures/test';
import { seriousAccessibilityFindings, seriousFirefoxAccessibilityFindings } from '../testing/accessibility';

/** The sizes people see: the popup, the confirmation and unlock windows, and a desktop tab. */
const POPUP = { width: 480, height: 640 };
const CONFIRM_WINDOW = { width: 440, height: 620 };
const OPTIONS_PAGE = { width: 1280, height: 900 };

test('extension pages and the widget have no serious or critical accessibility findings', async ({
  context,
  extension,
  wallet,
  shop,
}, testInfo) => {
  const shoot = (page: Page, name: string, fullPage = true) =>
    keepScreenshot(testInfo, `chromium-${name}`, (path) => page.screenshot({ path, fullPage }));
  const firstRun = await OptionsPage.open(context, extension);
  await wallet.options.page.close();
  expect(await seriousAccessibilityFindings(firstRun.page), 'options page').toEqual([]);

  await shop.openArticle('article-1');
  await shop.readyToPay('article-1');
  expect(await seriousAccessibilityFindings(shop.page, '[data-paid-slot]'), 'widget').toEqual([]);
  const confirming = nextConfirmWindow(context);
  await shop.clickPay('article-1');
  const confirm = await confirming;
  expect(await seriousAccessibilityFindings(confirm.page), 'confirmation window').toEqual([]);
  await confirm.page.setViewportSize(CONFIRM_WINDOW);
  await shoot(confirm.page, 'confirm', false);
  await confirm.approveWithAllowance();
  await shop.unlockedText('article-1');
  expect(await seriousAccessibilityFindings(shop.page, '[data-paid-slot]'), 'widget, paid').toEqual([]);

  await wallet.popup.page.setViewportSize(POPUP);
  await wallet.popup.reload();
  expect(await seriousAccessibilityFindings(wallet.popup.page), 'popup').toEqual([]);
  await shoot(wallet.popup.page, 'popup');
  await firstRun.page.setViewportSize(OPTIONS_PAGE);
  await firstRun.page.reload();
  await firstRun.page.getByTestId('merchant-row').waitFor();
  await firstRun.page.getByText('No charges yet.').waitFor();
  expect(await seriousAccessibilityFindings(firstRun.page), 'options page with a merchant and history').toEqual([]);
  await shoot(firstRun.page, 'options');

  await wallet.popup.page.getByRole('button', { name: 'Lock' }).click();
  await shop.openArticle('article-2');
  const prompting = context.waitForEvent('page', { predicate: (page) => page.url().includes('unlock/unlock.html') });
  await shop.clickPay('article-2');
  const prompt = await prompting;
  await prompt.getByLabel('Passphrase').waitFor();
  expect(await seriousAccessibilityFindings(prompt), 'unlock window').toEqual([]);
  await shoot(prompt, 'unlock', false);
  expect(await seriousAccessibilityFindings(wallet.popup.page), 'popup, locked').toEqual([]);
  await shoot(wallet.popup.page, 'popup-locked');
});

firefoxTest(
  'Firefox: extension pages and the widget have no serious or critical accessibility findings',
  async ({ firefox, shop, world }, testInfo) => {
    const shoot = (page: PuppeteerPage, name: string, fullPage = true) =>
      keepScreenshot(testInfo, `firefox-${name}`, (path) =>
        page.screenshot({ path: path as `${string}.png`, fullPage }),
      );

    const options = new FirefoxOptionsTab(await firefox.extensionPage('options/options.html'));
    await options.page.setViewport(OPTIONS_PAGE);
    await waitForText(options.page, 'Create wallet');
    firefoxExpect(await seriousFirefoxAccessibilityFindings(options.page), 'first-run page').toEqual([]);
    await shoot(options.page, 'onboarding');
    await options.createWallet(PASSPHRASE);
    await options.enrol(world.customerOperator.url, enrollmentCodeOf(world));
    firefoxExpect(await seriousFirefoxAccessibilityFindings(options.page), 'first-run page, enrolled').toEqual([]);
    await shoot(options.page, 'onboarding-done');

    await shop.page.setViewport({ width: 1280, height: 900 });
    await shop.openArticle('article-1');
    await shop.readyToPay('article-1');
    firefoxExpect(await seriousFirefoxAccessibilityFindings(shop.page, '[data-paid-slot]'), 'widget').toEqual([]);
    const confirmOpening = firefox.extensionPage('confirm/confirm.html');
    await shop.clickPay('article-1');
    const confirm = new FirefoxConfirmWindow(await confirmOpening);
    await confirm.depositCustomer();
    await confirm.page.setViewport(CONFIRM_WINDOW);
    firefoxExpect(await seriousFirefoxAccessibilityFindings(confirm.page), 'confirmation window').toEqual([]);
    await shoot(confirm.page, 'confirm', false);
    await confirm.approveWithAllowance();
    await shop.unlockedText('article-1');
    firefoxExpect(await seriousFirefoxAccessibilityFindings(shop.page, '[data-paid-slot]'), 'widget, paid').toEqual([]);
    await shoot(shop.page, 'shop-article-paid');

    // BiDi may not navigate to an extension page; the page may reload itself.
    await options.page.evaluate(() => location.reload()).catch(() => undefined);
    await options.page.waitForSelector('[data-testid="merchant-row"]');
    await waitForText(options.page, 'No charges yet.');
    firefoxExpect(
      await seriousFirefoxAccessibilityFindings(options.page),
      'options page with a merchant and history',
    ).toEqual([]);
    await shoot(options.page, 'options');

    const popup = await FirefoxPopupTab.showIn(options.page);
    await popup.page.setViewport(POPUP);
    firefoxExpect(await seriousFirefoxAccessibilityFindings(popup.page), 'popup').toEqual([]);
    await shoot(popup.page, 'popup');

    await clickButton(popup.page, 'Lock');
    await waitForText(popup.page, 'Unlock');
    firefoxExpect(await seriousFirefoxAccessibilityFindings(popup.page), 'popup, locked').toEqual([]);
    await shoot(popup.page, 'popup-locked');
    await shop.openArticle('article-2');
    await shop.readyToPay('article-2');
    const prompting = firefox.extensionPage('unlock/unlock.html');
    await shop.clickPay('article-2');
    const prompt = await prompting;
    await prompt.setViewport(CONFIRM_WINDOW);
    await fieldByLabel(prompt, 'Passphrase');
    firefoxExpect(await seriousFirefoxAccessibilityFindings(prompt), 'unlock window').toEqual([]);
    await shoot(prompt, 'unlock', false);
  },
);
