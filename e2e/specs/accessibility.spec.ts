// Scenario: every extension page and the widget pass axe-core's WCAG A/AA checks with no serious or
// critical finding, each in a state people see: the first-run options page, the confirmation
// window, the shop with the widget, the popup and the options page with a tab and purchases, and
// the unlock window.

import { nextConfirmWindow } from '../pages/confirm-window';
import { OptionsPage } from '../pages/options-page';
import { expect, test } from '../fixtures/test';
import { seriousAccessibilityFindings } from '../testing/accessibility';

test('extension pages and the widget have no serious or critical accessibility findings', async ({
  context,
  extension,
  wallet,
  shop,
}) => {
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
  await confirm.approveWithAllowance();
  await shop.unlockedText('article-1');
  expect(await seriousAccessibilityFindings(shop.page, '[data-paid-slot]'), 'widget, paid').toEqual([]);

  await wallet.popup.reload();
  expect(await seriousAccessibilityFindings(wallet.popup.page), 'popup').toEqual([]);
  await firstRun.page.reload();
  await firstRun.page.getByTestId('merchant-row').waitFor();
  expect(await seriousAccessibilityFindings(firstRun.page), 'options page with a merchant').toEqual([]);

  await wallet.popup.page.getByRole('button', { name: 'Lock' }).click();
  await shop.openArticle('article-2');
  const prompting = context.waitForEvent('page', { predicate: (page) => page.url().includes('unlock/unlock.html') });
  await shop.clickPay('article-2');
  const prompt = await prompting;
  await prompt.getByLabel('Passphrase').waitFor();
  expect(await seriousAccessibilityFindings(prompt), 'unlock window').toEqual([]);
  expect(await seriousAccessibilityFindings(wallet.popup.page), 'popup, locked').toEqual([]);
});
