// Scenario, in Chromium: secure delivery of digital goods (seed FIG 4) at the demo shop. The
// reader clicks "Buy" on the e-book; the extension's window shows the shop's signed description
// before anything is ordered, and "Buy and download" orders it; once bought, the package is
// checked, accepted (which alone pays) and decrypted, and the saved file is byte for byte the shop's original. The
// evidence bundle exported from the window verifies with the arbiter's tool, run as a process.
// A package damaged on its way is refused and re-sent with no step by the reader; when every
// re-send is damaged, the shop gives up and nothing is charged.

import { readFileSync, writeFileSync } from 'node:fs';
import { nextConfirmWindow } from '../pages/confirm-window';
import { nextDeliveryWindow } from '../pages/delivery-window';
import { expect, test } from '../fixtures/test';
import { seriousAccessibilityFindings } from '../testing/accessibility';
import { arbiterVerify, caKeyOf, merchantSales, originalFile } from '../testing/secure-delivery';

const EBOOK = 'ebook-harbour-lights';
const EBOOK_FILE = `${EBOOK}.txt`;

function deliveryButton(shop: { page: import('@playwright/test').Page }, itemId: string) {
  return shop.page.locator(`[data-delivery-slot="${itemId}"] button[part="button"][aria-disabled="false"]`);
}

test.describe('secure delivery', () => {
  test('buys the e-book after its signed description, saves the exact file, and exports evidence an arbiter verifies', async ({
    context,
    wallet,
    shop,
    world,
  }, testInfo) => {
    await shop.openShop();
    const confirming = nextConfirmWindow(context);
    const delivering = nextDeliveryWindow(context);
    await deliveryButton(shop, EBOOK).click();
    // The new tab's confirmation shows what the shop signed, too.
    const confirm = await confirming;
    await expect(confirm.page.getByTestId('signed-description')).toContainText(
      'Signed by the shop: Three short stories set on the night ferry',
    );
    await confirm.approve();
    const window = await delivering;

    // What the shop signed, shown before anything is ordered: nothing is sold yet.
    await expect(window.description).toContainText('Three short stories set on the night ferry');
    await expect(window.description).toContainText(`${EBOOK_FILE} (text/plain`);
    await expect(window.page.getByTestId('product-price')).toHaveText('0.90\u00a0EUR');
    expect(await merchantSales(world)).toEqual({ count: 0, spent_minor: 0n });
    expect(await seriousAccessibilityFindings(window.page), 'delivery window').toEqual([]);

    const saved = await window.buyAndDownload();
    expect(saved.suggestedFilename()).toBe(EBOOK_FILE);
    expect(readFileSync((await saved.path())!)).toEqual(originalFile(world, EBOOK_FILE));
    await expect(window.status).toHaveText(/^Saved as ebook-harbour-lights\.txt\./);
    await expect(window.refusedPackages).toHaveCount(0);
    await expect(shop.page.locator(`[data-delivery-slot="${EBOOK}"] [data-delivery-status]`)).toHaveText(
      `Saved as ${EBOOK_FILE}, checked and decrypted by Opentab.`,
    );
    // Paid once, by the accept.
    expect(await merchantSales(world)).toEqual({ count: 1, spent_minor: 90n });

    // The popup lists it with what the shop described.
    await wallet.popup.reload();
    await expect(wallet.popup.page.getByTestId('delivery-name')).toHaveText('Harbour Lights (short stories)');
    await expect(wallet.popup.page.getByTestId('delivery-state')).toHaveText('Delivered');
    await expect(wallet.popup.page.getByTestId('delivery-summary')).toContainText(
      'Signed by the shop: Three short stories set on the night ferry',
    );
    expect(await seriousAccessibilityFindings(wallet.popup.page), 'popup with a delivery').toEqual([]);
    expect(await seriousAccessibilityFindings(window.page), 'delivery window, delivered').toEqual([]);

    // The evidence bundle, as the customer would hand it to an arbiter.
    const evidence = await window.exportEvidence();
    const bundlePath = testInfo.outputPath('evidence.json');
    writeFileSync(bundlePath, readFileSync((await evidence.path())!));
    const verdict = await arbiterVerify(bundlePath, await caKeyOf(world));
    expect(verdict.code, verdict.output).toBe(0);
    expect(verdict.output).toContain(EBOOK_FILE);

    // Altered by one character (a higher price), it no longer verifies.
    const forged = readFileSync(bundlePath, 'utf8').replace('"value": "0.90"', '"value": "0.09"');
    expect(forged).not.toBe(readFileSync(bundlePath, 'utf8'));
    writeFileSync(bundlePath, forged);
    expect((await arbiterVerify(bundlePath, await caKeyOf(world))).code).not.toBe(0);

    // Within the access period the product downloads again, and nothing more is charged.
    const again = await window.downloadAgain();
    expect(readFileSync((await again.path())!)).toEqual(originalFile(world, EBOOK_FILE));
    expect(await merchantSales(world)).toEqual({ count: 1, spent_minor: 90n });
  });

  test('delivers the 8.6 MB photograph byte for byte, showing the progress of its download', async ({
    context,
    wallet: _wallet,
    shop,
    world,
  }) => {
    await shop.openShop();
    const confirming = nextConfirmWindow(context);
    const delivering = nextDeliveryWindow(context);
    await deliveryButton(shop, 'photo-harbour-night').click();
    await (await confirming).approve();
    const window = await delivering;
    await expect(window.description).toContainText('photo-harbour-night.bmp (image/bmp, 8.6 MB)');

    await window.watchProgress();
    const saved = await window.buyAndDownload();
    expect(saved.suggestedFilename()).toBe('photo-harbour-night.bmp');
    expect(readFileSync((await saved.path())!)).toEqual(originalFile(world, 'photo-harbour-night.bmp'));
    expect(await window.progressShown()).toBe(true);
    expect(await merchantSales(world)).toEqual({ count: 1, spent_minor: 80n });
  });

  test.describe('with the first package damaged on its way', () => {
    test.use({ worldSettings: { damageDeliveries: 1 } });

    test('refuses it, and the re-sent package is checked, paid once and saved intact', async ({
      context,
      wallet: _wallet,
      shop,
      world,
    }) => {
      await shop.openShop();
      const confirming = nextConfirmWindow(context);
      const delivering = nextDeliveryWindow(context);
      await deliveryButton(shop, EBOOK).click();
      await (await confirming).approve();
      const window = await delivering;

      // One click by the reader: the not-accept and the re-send happen without another.
      const saved = await window.buyAndDownload();
      expect(readFileSync((await saved.path())!)).toEqual(originalFile(world, EBOOK_FILE));
      await expect(window.refusedPackages).toHaveCount(1);
      await expect(window.refusedPackages).toContainText('the downloaded file is not the one the shop signed');
      expect(await merchantSales(world)).toEqual({ count: 1, spent_minor: 90n });
    });
  });

  test.describe('with every package damaged', () => {
    test.use({ worldSettings: { damageDeliveries: 10 } });

    test('ends when the shop gives up after its last re-send, and charges nothing', async ({
      context,
      wallet: _wallet,
      shop,
      world,
    }) => {
      await shop.openShop();
      const confirming = nextConfirmWindow(context);
      const delivering = nextDeliveryWindow(context);
      await deliveryButton(shop, EBOOK).click();
      await (await confirming).approve();
      const window = await delivering;

      await window.buyExpectingNoFile();
      await expect(window.status).toHaveText('The shop could not deliver an intact file. Nothing was charged.');
      // The merchant agent's default bound: three packages, each refused.
      await expect(window.refusedPackages).toHaveCount(3);
      await expect(shop.page.locator(`[data-delivery-slot="${EBOOK}"] .opentab [role="status"]`)).toHaveText(
        'The shop could not deliver an intact file; nothing was charged.',
      );
      expect(await merchantSales(world)).toEqual({ count: 0, spent_minor: 0n });
    });
  });
});
