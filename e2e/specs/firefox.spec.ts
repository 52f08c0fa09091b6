// Scenario, in Firefox ESR: the first install opens the options page, where the reader creates
// the wallet and enrols; the first purchase asks in the confirmation window, three more follow
// without a prompt; the popup closes the tab and the clearing matches the purchases.

import { DEMO_DISPLAY_NAME } from '@opentab/demo-shop';
import { FirefoxConfirmWindow } from '../pages/firefox/confirm-window';
import { FirefoxOptionsTab } from '../pages/firefox/options-tab';
import { FirefoxPopupTab } from '../pages/firefox/popup-tab';
import { expect, firefoxTest as test } from '../fixtures/firefox-test';
import { enrollmentCodeOf, PASSPHRASE } from '../fixtures/reader';
import { depositRecords, withdrawalRecords } from '../testing/billing-files';
import { article, articleIds, totalCents } from '../testing/catalogue';
import { customerAccount } from '../testing/operator-views';

test('Firefox: enrol, open a tab, pay four articles, close it and clear the exact amount', async ({
  firefox,
  shop,
  world,
}) => {
  const options = new FirefoxOptionsTab(await firefox.extensionPage('options/options.html'));
  await options.createWallet(PASSPHRASE);
  await options.enrol(world.customerOperator.url, enrollmentCodeOf(world));

  const [first, ...following] = articleIds(1, 4);
  await shop.openArticle(first!);
  // 2 cents × 11.3595 = 22.719 öre → 0.23 SEK.
  expect(await shop.convertedPrice(first!)).toBe('≈\u00a00.23\u00a0SEK');
  const confirmOpening = firefox.extensionPage('confirm/confirm.html');
  await shop.clickPay(first!);
  const confirm = new FirefoxConfirmWindow(await confirmOpening);
  expect(await confirm.depositCustomer()).toBe('20.00\u00a0SEK');
  expect(await confirm.depositMerchant()).toBe('1.76\u00a0EUR');
  await confirm.approveWithAllowance();
  expect(await shop.unlockedText(first!)).toContain(article(first!).paragraphs[0]);
  for (const itemId of following) {
    expect(await shop.buyArticle(itemId), itemId).toContain(article(itemId).paragraphs[0]);
  }

  const popup = await FirefoxPopupTab.showIn(options.page);
  const rows = await popup.tabRows();
  expect(rows).toHaveLength(1);
  // 2 + 5 + 5 + 7 = 19 cents.
  expect(totalCents(articleIds(1, 4))).toBe(19n);
  expect(rows[0]).toContain('0.19\u00a0EUR');
  await popup.closeTab(DEMO_DISPLAY_NAME);

  // By hand: 19 cents × 11.3595 = 215.8305 öre → 2.16 SEK; 17.84 SEK of the 20.00 released.
  await expect.poll(() => withdrawalRecords(world.customerOperator.billingFile)).toHaveLength(1);
  expect(withdrawalRecords(world.customerOperator.billingFile)[0]).toMatchObject({
    amount: { currency: 'SEK', value: '2.16' },
    hold: { currency: 'SEK', value: '20.00' },
    released: { currency: 'SEK', value: '17.84' },
    merchantAmount: { currency: 'EUR', value: '0.19' },
    outcome: 'agreed',
  });
  await expect.poll(() => depositRecords(world.merchantOperator.billingFile)).toHaveLength(1);
  expect(depositRecords(world.merchantOperator.billingFile)[0]).toMatchObject({
    amount: { currency: 'EUR', value: '0.19' },
    outcome: 'agreed',
  });
  expect(await customerAccount(world)).toMatchObject({
    balance: { currency: 'SEK', value: '-2.16' },
    held: { currency: 'SEK', value: '0.00' },
  });

  await expect
    .poll(async () => {
      await popup.reload();
      return popup.balance();
    })
    .toBe('-2.16\u00a0SEK');
});
