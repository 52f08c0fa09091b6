// The delivery window the background opens for a product sold by secure delivery: the shop's
// signed description, "Buy and download", the progress, refused packages, and once saved the
// evidence export. A real popup window; Playwright sees it as a new page of the context.

import type { BrowserContext, Download, Locator, Page } from '@playwright/test';

const DELIVERY_PATH = 'delivery/delivery.html';

export class DeliveryWindow {
  constructor(readonly page: Page) {}

  get description(): Locator {
    return this.page.getByTestId('product-description');
  }

  get status(): Locator {
    return this.page.getByTestId('delivery-status');
  }

  get refusedPackages(): Locator {
    return this.page.getByTestId('refused-package');
  }

  /** From now on, notes whether the window shows a progress bar that has moved; read with `progressShown()`. */
  async watchProgress(): Promise<void> {
    await this.page.evaluate(() => {
      const seen = window as Window & { progressMoved?: boolean };
      seen.progressMoved = false;
      new MutationObserver(() => {
        const bar = document.querySelector('progress');
        if (bar !== null && bar.value > 0 && bar.value < bar.max) seen.progressMoved = true;
      }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
  }

  progressShown(): Promise<boolean> {
    return this.page.evaluate(() => (window as Window & { progressMoved?: boolean }).progressMoved === true);
  }

  /** Orders the product and returns the file the window saves once it is checked, accepted and decrypted. */
  async buyAndDownload(): Promise<Download> {
    const saving = this.page.waitForEvent('download', { timeout: 120_000 });
    await this.page.getByRole('button', { name: 'Buy and download' }).click();
    return saving;
  }

  /** Orders the product and waits for the window to say how the delivery ended, without a file. */
  async buyExpectingNoFile(): Promise<void> {
    await this.page.getByRole('button', { name: 'Buy and download' }).click();
    await this.status.waitFor({ timeout: 120_000 });
  }

  async exportEvidence(): Promise<Download> {
    const saving = this.page.waitForEvent('download');
    await this.page.getByRole('button', { name: 'Export evidence' }).click();
    return saving;
  }

  async downloadAgain(): Promise<Download> {
    const saving = this.page.waitForEvent('download', { timeout: 120_000 });
    await this.page.getByRole('button', { name: 'Download again' }).click();
    return saving;
  }
}

/** The next delivery window to open. Call before the click that opens it. */
export async function nextDeliveryWindow(context: BrowserContext): Promise<DeliveryWindow> {
  const page = await context.waitForEvent('page', {
    predicate: (candidate) => candidate.url().includes(DELIVERY_PATH),
    timeout: 60_000,
  });
  await page.getByTestId('product-description').waitFor();
  return new DeliveryWindow(page);
}
