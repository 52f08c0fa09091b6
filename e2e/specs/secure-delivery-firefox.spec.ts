// Scenario, in Firefox ESR: secure delivery of digital goods at the demo shop, as in Chromium
// (secure-delivery.spec.ts). The e-book's signed description is shown before anything is ordered;
// bought, it is checked, accepted, decrypted and saved byte for byte as the shop's original; the
// exported evidence verifies with the arbiter's tool. A package damaged on its way is refused and
// re-sent with no step by the reader.

import { writeFileSync } from 'node:fs';
import { FirefoxConfirmWindow } from '../pages/firefox/confirm-window';
import { FirefoxDeliveryWindow } from '../pages/firefox/delivery-window';
import { clickOn, textOf } from '../pages/firefox/dom';
import { FirefoxOptionsTab } from '../pages/firefox/options-tab';
import { expect, firefoxTest as test } from '../fixtures/firefox-test';
import type { FirefoxWithExtension } from '../fixtures/firefox-extension';
import type { FirefoxShopTab } from '../pages/firefox/shop-tab';
import { enrollmentCodeOf, PASSPHRASE } from '../fixtures/reader';
import { arbiterVerify, caKeyOf, merchantSales, originalFile } from '../testing/secure-delivery';
import type { DemoWorld } from '../world/demo-world';

const EBOOK = 'ebook-harbour-lights';
const EBOOK_FILE = `${EBOOK}.txt`;

/** Wallet created and enrolled, the e-book clicked, the tab approved: the delivery window, not yet ordered. */
async function openEbookDelivery(
  firefox: FirefoxWithExtension,
  shop: FirefoxShopTab,
  world: DemoWorld,
): Promise<FirefoxDeliveryWindow> {
  const options = new FirefoxOptionsTab(await firefox.extensionPage('options/options.html'));
  await options.createWallet(PASSPHRASE);
  await options.enrol(world.customerOperator.url, enrollmentCodeOf(world));
  await shop.page.goto(`${shop.shopUrl}/shop`);
  const confirmOpening = firefox.extensionPage('confirm/confirm.html');
  await clickOn(shop.page, `[data-delivery-slot="${EBOOK}"] >>> button[part="button"][aria-disabled="false"]`);
  const confirm = new FirefoxConfirmWindow(await confirmOpening);
  // The new tab's confirmation shows what the shop signed, too.
  expect(await textOf(confirm.page, '[data-testid="signed-description"]')).toContain(
    'Signed by the shop: Three short stories set on the night ferry',
  );
  await confirm.approveWithAllowance();
  return new FirefoxDeliveryWindow(await firefox.extensionPage('delivery/delivery.html'), firefox.downloadDir);
}

test('Firefox: buys the e-book after its signed description, saves the exact file, and exports verifiable evidence', async ({
  firefox,
  shop,
  world,
}, testInfo) => {
  const window = await openEbookDelivery(firefox, shop, world);
  const description = await window.description();
  expect(description).toContain('Three short stories set on the night ferry');
  expect(description).toContain(`${EBOOK_FILE} (text/plain`);
  expect(await merchantSales(world)).toEqual({ count: 0, spent_minor: 0n });

  await window.buyAndDownload();
  const original = originalFile(world, EBOOK_FILE);
  expect(await window.savedFile(EBOOK_FILE, original.length)).toEqual(original);
  expect(await window.status()).toMatch(/^Saved as ebook-harbour-lights\.txt\./);
  expect(await merchantSales(world)).toEqual({ count: 1, spent_minor: 90n });

  await window.exportEvidence();
  const bundle = await window.savedFile(await window.savedName('opentab-evidence-'));
  const bundlePath = testInfo.outputPath('evidence.json');
  writeFileSync(bundlePath, bundle);
  const verdict = await arbiterVerify(bundlePath, await caKeyOf(world));
  expect(verdict.code, verdict.output).toBe(0);
  expect(verdict.output).toContain(EBOOK_FILE);
});

test.describe('Firefox, with the first package damaged on its way', () => {
  test.use({ worldSettings: { damageDeliveries: 1 } });

  test('refuses it, and the re-sent package is checked, paid once and saved intact', async ({
    firefox,
    shop,
    world,
  }) => {
    const window = await openEbookDelivery(firefox, shop, world);
    await window.buyAndDownload();
    const original = originalFile(world, EBOOK_FILE);
    expect(await window.savedFile(EBOOK_FILE, original.length)).toEqual(original);
    const refused = await window.refusedPackages();
    expect(refused).toHaveLength(1);
    expect(refused[0]).toContain('the downloaded file is not the one the shop signed');
    expect(await merchantSales(world)).toEqual({ count: 1, spent_minor: 90n });
  });
});
