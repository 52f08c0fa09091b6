// Scenario: the merchant claims more than the reader paid. The reader buys two articles and
// closes the tab; the shop's record claims 5.00 EUR with a link that proves nothing, so the
// merchant's operator clears only what the reader's own record proves, as disputed. The popup,
// still open, says so with the charge and why; the operator then decides the dispute in the
// reader's favour, and the popup, the history and the CSV show the new charge, the decision and
// its reason, without a reload; in Chromium and in Firefox ESR (there the popup only).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_DISPLAY_NAME, DEMO_MERCHANT_ID } from '@opentab/demo-shop';
import { callRoute, OPERATOR_API } from '@opentab/protocol';
import { unprovenMerchantRecord } from '@opentab/test-kit/worlds';
import { buyFirstArticleApprovingAllowance } from '../pages/first-purchase';
import { FirefoxConfirmWindow } from '../pages/firefox/confirm-window';
import { textOf } from '../pages/firefox/dom';
import { FirefoxOptionsTab } from '../pages/firefox/options-tab';
import { FirefoxPopupTab } from '../pages/firefox/popup-tab';
import { expect as firefoxExpect, firefoxTest } from '../fixtures/firefox-test';
import { enrollmentCodeOf, PASSPHRASE } from '../fixtures/reader';
import { keepScreenshot } from '../fixtures/screenshots';
import { expect, test } from '../fixtures/test';
import { articleIds, totalCents } from '../testing/catalogue';
import { customerAccount } from '../testing/operator-views';
import type { DemoWorld } from '../world/demo-world';

const REASON = 'The second article never loaded for the reader.';

/** The demo merchant's signing key, as the shop keeps it in its data directory. */
function merchantSecretKey(world: DemoWorld): string {
  const identity = JSON.parse(readFileSync(join(world.dir, 'shop', 'merchant-identity.json'), 'utf8')) as {
    merchantSecretKey: string;
  };
  return identity.merchantSecretKey;
}

/** The open tab's id; the shop has sent its operator a record claiming 5.00 EUR, backed by nothing. */
async function claimFiveEuros(world: DemoWorld): Promise<string> {
  const [transaction] = (await customerAccount(world)).tabs;
  const tabId = transaction!.tabId!;
  const merchantTab = await world.shop.agent.tab(tabId);
  const claim = unprovenMerchantRecord(merchantSecretKey(world), DEMO_MERCHANT_ID, tabId, {
    count: merchantTab!.purchaseCount,
    total: { currency: 'EUR', value: '5.00' },
    lastChainIndex: merchantTab!.lastChainIndex,
  });
  await callRoute(world.merchantOperator.url, OPERATOR_API.merchantRecord, claim);
  return tabId;
}

/** The operator decides: the tab clears 0.02 EUR, the first article only. */
async function decideForTheReader(world: DemoWorld, tabId: string): Promise<void> {
  const [dispute] = await world.merchantOperator.admin.call('listDisputes', undefined);
  expect(dispute).toMatchObject({ tabId, cleared: { value: '0.07' }, resolved: null });
  await world.merchantOperator.admin.call(
    'resolveDispute',
    { decision: 'adjust', cleared: { currency: 'EUR', value: '0.02' }, reason: REASON },
    { disputeId: dispute!.disputeId },
  );
}

const DECIDED = `Decided: the operator changed what the tab clears from 0.07\u00a0EUR to 0.02\u00a0EUR. Reason: ${REASON}`;

test('a tab cleared as disputed shows its charge and why, and the decision when it comes', async ({
  context,
  wallet,
  shop,
  world,
}, testInfo) => {
  const bought = articleIds(1, 2);
  await buyFirstArticleApprovingAllowance(context, shop, bought[0]!);
  await shop.buyArticle(bought[1]!);
  // 2 + 5 = 7 cents; 7 × 11.3595 = 79.5165 öre → 0.80 SEK.
  expect(totalCents(bought)).toBe(7n);

  // Before the reader closes, the shop stops the tab with a record claiming far more.
  const tabId = await claimFiveEuros(world);

  await wallet.popup.reload();
  await wallet.popup.closeTab(DEMO_DISPLAY_NAME);
  const closed = wallet.popup.page.getByTestId('closed-tab').first();
  await expect(closed.getByTestId('closed-tab-receipts')).toHaveText(
    'Disputed: charged 0.80\u00a0SEK, your receipts add up to 0.80\u00a0SEK',
    { timeout: 60_000 },
  );
  await expect(closed.getByTestId('closed-tab-why')).toContainText(
    "Your record and the merchant's disagreed: purchase lists differ",
  );
  await expect(closed.getByTestId('closed-tab-why')).toContainText('totals differ (customer 0.07, merchant 5.00 EUR)');

  await decideForTheReader(world, tabId);

  // 2 cents × 11.3595 = 22.719 öre → 0.23 SEK: the popup shows it by itself.
  await expect(closed.getByTestId('closed-tab-cost')).toHaveText('cost 0.23\u00a0SEK', { timeout: 90_000 });
  await expect(closed.getByTestId('closed-tab-receipts')).toHaveText(
    'Disputed: charged 0.23\u00a0SEK, your receipts add up to 0.80\u00a0SEK',
  );
  await expect(closed.getByTestId('closed-tab-why')).toHaveText(DECIDED);
  await expect(wallet.popup.balance).toHaveText('-0.23\u00a0SEK');
  await keepScreenshot(testInfo, 'chromium-popup-disputed', (path) =>
    wallet.popup.page.screenshot({ path, fullPage: true }),
  );

  // The history lists it so, and the CSV gives each purchase its tab's outcome, charge and reason.
  const history = wallet.options.page;
  await history.setViewportSize({ width: 1280, height: 900 });
  await history.reload();
  const row = history.getByTestId('closed-tab-row');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Disputed');
  await expect(row).toContainText('0.23\u00a0SEK');
  await expect(row.getByTestId('closed-tab-why')).toContainText(`Reason: ${REASON}`);
  await keepScreenshot(testInfo, 'chromium-history-disputed', (path) => history.screenshot({ path, fullPage: true }));
  const downloading = history.waitForEvent('download');
  await history.getByRole('button', { name: 'Export CSV' }).click();
  const csv = readFileSync((await (await downloading).path())!, 'utf8')
    .trim()
    .split('\r\n');
  expect(csv).toHaveLength(3);
  for (const line of csv.slice(1)) expect(line).toMatch(new RegExp(`,disputed,0\\.23,SEK,adjust,${REASON}$`));
});

firefoxTest(
  'Firefox: a tab cleared as disputed shows its charge and why, and the decision',
  async ({ firefox, shop, world }) => {
    const options = new FirefoxOptionsTab(await firefox.extensionPage('options/options.html'));
    await options.createWallet(PASSPHRASE);
    await options.enrol(world.customerOperator.url, enrollmentCodeOf(world));
    const [first, second] = articleIds(1, 2);
    await shop.openArticle(first!);
    const confirmOpening = firefox.extensionPage('confirm/confirm.html');
    await shop.clickPay(first!);
    await new FirefoxConfirmWindow(await confirmOpening).approveWithAllowance();
    await shop.unlockedText(first!);
    await shop.buyArticle(second!);
    const tabId = await claimFiveEuros(world);

    const popup = await FirefoxPopupTab.showIn(options.page);
    await popup.closeTab(DEMO_DISPLAY_NAME);
    const closedTab = (testId: string) => `[data-testid="closed-tab"] [data-testid="${testId}"]`;
    const shows = (selector: string, text: string, timeout = 60_000) =>
      popup.page.waitForFunction(
        (where, wanted) => document.querySelector(where)?.textContent?.includes(wanted) === true,
        { timeout },
        selector,
        text,
      );
    await shows(
      closedTab('closed-tab-receipts'),
      'Disputed: charged 0.80\u00a0SEK, your receipts add up to 0.80\u00a0SEK',
    );
    await shows(closedTab('closed-tab-why'), 'totals differ (customer 0.07, merchant 5.00 EUR)');

    await decideForTheReader(world, tabId);
    // The popup, left open, shows the decision by itself.
    await shows(closedTab('closed-tab-cost'), 'cost 0.23\u00a0SEK', 90_000);
    firefoxExpect(await textOf(popup.page, closedTab('closed-tab-why'))).toBe(DECIDED);
    firefoxExpect(await textOf(popup.page, closedTab('closed-tab-receipts'))).toBe(
      'Disputed: charged 0.23\u00a0SEK, your receipts add up to 0.80\u00a0SEK',
    );
  },
);
