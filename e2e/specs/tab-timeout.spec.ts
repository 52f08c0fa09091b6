// Scenario: a tab left open reaches its timeout and is cleared without anyone closing it. The
// reader sets the shortest timeout the options offer (one minute). At the timeout the merchant
// agent and the extension each send their record on their own; the operators clear as soon as
// both are in. The browser's clock cannot be the test's, so the test waits in real time for the
// clearing to show, bounded generously: the timeout, the operators' grace period (the longest a
// second record may lag the first and still count), and a minute for a busy machine.

import { DEMO_DISPLAY_NAME } from '@opentab/demo-shop';
import { buyFirstArticleApprovingAllowance } from '../pages/first-purchase';
import { expect, test } from '../fixtures/test';
import { withdrawalRecords, depositRecords } from '../testing/billing-files';
import { customerAccount } from '../testing/operator-views';

const TAB_TIMEOUT_MIN = 1;
const RECORD_GRACE_S = 30;

test.use({ worldSettings: { settings: { tabs: { recordGrace_s: RECORD_GRACE_S } } } });

test('a tab left open times out and is cleared on its own', async ({ context, wallet, shop, world }) => {
  await wallet.options.setTabTimeoutMinutes(TAB_TIMEOUT_MIN);
  await buyFirstArticleApprovingAllowance(context, shop, 'article-1'); // 0.02 EUR
  await shop.buyArticle('article-2'); // 0.05 EUR
  const [opened] = (await customerAccount(world)).tabs;
  expect(opened).toMatchObject({ state: 'open' });
  const timeout_ms = Date.parse(opened!.expiresAt) - Date.parse(opened!.openedAt);
  expect(timeout_ms).toBe(TAB_TIMEOUT_MIN * 60_000);

  // Nobody touches anything until the clearing arrives.
  // By hand: 7 cents × 11.3595 = 79.5165 öre → 0.80 SEK.
  await expect
    .poll(async () => (await customerAccount(world)).tabs[0], {
      timeout: timeout_ms + RECORD_GRACE_S * 1000 + 60_000,
      intervals: [1_000],
    })
    .toMatchObject({ state: 'cleared', charged: { currency: 'SEK', value: '0.80' } });
  const [cleared] = (await customerAccount(world)).tabs;
  expect(Date.parse(cleared!.clearedAt!)).toBeGreaterThanOrEqual(Date.parse(opened!.expiresAt));

  await expect.poll(() => withdrawalRecords(world.customerOperator.billingFile)).toHaveLength(1);
  expect(withdrawalRecords(world.customerOperator.billingFile)[0]).toMatchObject({
    amount: { currency: 'SEK', value: '0.80' },
    released: { currency: 'SEK', value: '19.20' },
    merchantAmount: { currency: 'EUR', value: '0.07' },
    // Both records arrived: nobody had to be waited for.
    outcome: 'agreed',
  });
  await expect.poll(() => depositRecords(world.merchantOperator.billingFile)).toHaveLength(1);
  expect(depositRecords(world.merchantOperator.billingFile)[0]).toMatchObject({
    amount: { currency: 'EUR', value: '0.07' },
  });

  await expect.poll(() => wallet.popup.freshBalance()).toBe('-0.80\u00a0SEK');
  await expect(wallet.popup.tabRow(DEMO_DISPLAY_NAME)).toHaveCount(0);
});
