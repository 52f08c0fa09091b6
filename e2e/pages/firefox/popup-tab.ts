// The popup in Firefox. BiDi may not navigate to it, but an extension page may: an extension tab
// is sent there with location.assign, as a reader would type the address.

import type { Page } from 'puppeteer-core';
import { EXTENSION_ORIGIN } from '../../fixtures/firefox-extension';
import { clickOn, textOf } from './dom';

const POPUP_PATH = '/popup/popup.html';

export class FirefoxPopupTab {
  private constructor(readonly page: Page) {}

  /** Turns an extension tab (which BiDi can drive) into the popup. */
  static async showIn(extensionTab: Page): Promise<FirefoxPopupTab> {
    // The navigation destroys the context the call runs in; that is the point.
    await extensionTab
      .evaluate((url) => location.assign(url), `${EXTENSION_ORIGIN}${POPUP_PATH}`)
      .catch(() => undefined);
    const popup = new FirefoxPopupTab(extensionTab);
    await popup.loaded();
    return popup;
  }

  async reload(): Promise<void> {
    await this.page.evaluate(() => location.reload()).catch(() => undefined);
    await this.loaded();
  }

  balance(): Promise<string> {
    return textOf(this.page, '[data-testid="balance"]');
  }

  /** The text of each open tab's row. */
  tabRows(): Promise<string[]> {
    return this.page.$$eval('[data-testid="tab-row"]', (rows) => rows.map((row) => row.textContent ?? ''));
  }

  async closeTab(merchantDisplayName: string): Promise<void> {
    await clickOn(this.page, `button[aria-label="Close tab at ${merchantDisplayName}"]`);
    await this.page.waitForFunction(() => document.querySelectorAll('[data-testid="tab-row"]').length === 0);
  }

  private async loaded(): Promise<void> {
    await this.page.waitForFunction(
      (path) =>
        location.pathname === path &&
        document.readyState === 'complete' &&
        document.querySelector('main') !== null &&
        !document.body.innerText.includes('Loading…'),
      { timeout: 30_000 },
      POPUP_PATH,
    );
  }
}
