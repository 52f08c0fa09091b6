// Scenario: the reader clicks to pay with a locked wallet. A window asks for the passphrase; once
// it is typed, the same click goes on to the confirmation and the article opens: nothing is lost.

import { nextConfirmWindow } from '../pages/confirm-window';
import { PASSPHRASE } from '../fixtures/reader';
import { keepScreenshot } from '../fixtures/screenshots';
import { expect, test } from '../fixtures/test';
import { article } from '../testing/catalogue';

const UNLOCK_WINDOW = { width: 440, height: 620 };

test('a click on a locked wallet asks for the passphrase, then pays that click', async ({
  context,
  wallet,
  shop,
}, testInfo) => {
  await wallet.popup.page.getByRole('button', { name: 'Lock' }).click();
  await wallet.popup.page.getByRole('button', { name: 'Unlock' }).waitFor();

  await shop.openArticle('article-1');
  const prompting = context.waitForEvent('page', { predicate: (page) => page.url().includes('unlock/unlock.html') });
  await shop.clickPay('article-1');
  const prompt = await prompting;
  await prompt.setViewportSize(UNLOCK_WINDOW);
  await expect(prompt.getByRole('heading', { name: 'Unlock Opentab to pay' })).toBeVisible();
  await keepScreenshot(testInfo, 'chromium-unlock', (path) => prompt.screenshot({ path }));

  const confirming = nextConfirmWindow(context);
  await prompt.getByLabel('Passphrase').fill(PASSPHRASE);
  await Promise.all([prompt.waitForEvent('close'), prompt.getByRole('button', { name: 'Unlock' }).click()]);
  await (await confirming).approve();
  expect(await shop.unlockedText('article-1')).toContain(article('article-1').paragraphs[0]);
});
