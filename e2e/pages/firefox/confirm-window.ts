// The confirmation window in Firefox: a real popup window the background opens; the test finds
// it among the browser's pages and answers as the reader would.

import type { Page } from 'puppeteer-core';
import { clickButton, fieldByLabel, textOf, waitUntilClosed } from './dom';

export class FirefoxConfirmWindow {
  constructor(readonly page: Page) {}

  depositCustomer(): Promise<string> {
    return textOf(this.page, '[data-testid="deposit-customer"]');
  }

  depositMerchant(): Promise<string> {
    return textOf(this.page, '[data-testid="deposit-merchant"]');
  }

  /** Approves with the suggested allowance; the window closes itself once the answer is recorded. */
  async approveWithAllowance(): Promise<void> {
    await this.page.bringToFront();
    await (await fieldByLabel(this.page, "Don't ask again at this merchant")).click();
    await this.page.waitForSelector('input[type="checkbox"]:checked');
    // The click may not return before the window is gone.
    await clickButton(this.page, 'Approve').catch(() => undefined);
    await waitUntilClosed(this.page);
  }
}
