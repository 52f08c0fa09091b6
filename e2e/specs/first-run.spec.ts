// Scenario: a new user meets Opentab on the page a first install opens: a short guided sequence
// (create the wallet, back it up, enrol, try it at a shop) under the extension's name and icon,
// ending in a clear success state that says what to do next. Each step passes the accessibility
// check and is photographed at 1280 px.

import { OptionsPage } from '../pages/options-page';
import { enrollmentCodeOf, PASSPHRASE } from '../fixtures/reader';
import { keepScreenshot } from '../fixtures/screenshots';
import { expect, test } from '../fixtures/test';
import { seriousAccessibilityFindings } from '../testing/accessibility';

const OPTIONS_PAGE = { width: 1280, height: 800 };

test('the first run is a guided sequence from a new wallet to the first shop', async ({
  context,
  extension,
  world,
}, testInfo) => {
  const { page } = await OptionsPage.open(context, extension);
  await page.setViewportSize(OPTIONS_PAGE);
  const guide = page.getByRole('region', { name: 'Getting started' });
  const currentStep = guide.locator('[aria-current="step"]');
  await expect(page.locator('header.brand')).toContainText('Opentab');
  await expect(page.locator('header.brand').locator('img')).toHaveJSProperty('naturalWidth', 48);
  await expect(currentStep).toHaveText('Create your wallet');
  expect(await seriousAccessibilityFindings(page), 'first-run-1-create').toEqual([]);
  await keepScreenshot(testInfo, 'first-run-1-create', (path) => page.screenshot({ path }));

  const wallet = page.getByRole('region', { name: 'Wallet' });
  await wallet.getByLabel(/^Passphrase/).fill(PASSPHRASE);
  await wallet.getByLabel(/^Repeat/).fill(PASSPHRASE);
  await wallet.getByRole('button', { name: 'Create wallet' }).click();
  await expect(guide.getByRole('status')).toHaveText('✓ Your wallet is created.');
  await expect(currentStep).toHaveText('Back it up');
  expect(await seriousAccessibilityFindings(page), 'first-run-2-backup').toEqual([]);
  await keepScreenshot(testInfo, 'first-run-2-backup', (path) => page.screenshot({ path }));
  await guide.getByRole('button', { name: 'Back up later' }).click();

  await expect(currentStep).toHaveText('Enrol with your operator');
  await page.getByLabel('Operator address').fill(world.customerOperator.url);
  await page.getByLabel('Enrolment code').fill(enrollmentCodeOf(world));
  expect(await seriousAccessibilityFindings(page), 'first-run-3-enrol').toEqual([]);
  await keepScreenshot(testInfo, 'first-run-3-enrol', (path) => page.screenshot({ path }));
  await page.getByRole('button', { name: 'Enrol' }).click();

  await expect(currentStep).toHaveText('Try it at a shop');
  await expect(guide.getByText('✓ Your wallet is ready to pay.')).toBeVisible();
  await expect(guide).toContainText('Next: visit a shop that takes Opentab');
  expect(await seriousAccessibilityFindings(page), 'first-run-4-ready').toEqual([]);
  await keepScreenshot(testInfo, 'first-run-4-ready', (path) => page.screenshot({ path }));
  await guide.getByRole('button', { name: 'Done' }).click();
  await expect(guide).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Operator' })).toContainText(world.customer.accountId);
});
