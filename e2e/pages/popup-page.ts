// The toolbar popup, opened as a tab at its extension URL (headless Chromium has no toolbar).
// It shows what changes while it is open by itself (the background tells it).

import type { BrowserContext, Locator, Page } from '@playwright/test';
import type { LoadedExtension } from '../fixtures/chromium-extension';

/** The popup's own width; a screenshot at this size looks like the real popup. */
const POPUP_VIEWPORT = { width: 480, height: 640 };

export class PopupPage {
  private constructor(readonly page: Page) {}

  static async open(context: BrowserContext, extension: LoadedExtension): Promise<PopupPage> {
    const page = await context.newPage();
    await page.setViewportSize(POPUP_VIEWPORT);
    await page.goto(extension.pageUrl('popup/popup.html'));
    const popup = new PopupPage(page);
    await popup.loaded();
    return popup;
  }

  async createWallet(passphrase: string): Promise<void> {
    await this.page.getByLabel(/^Passphrase/).fill(passphrase);
    await this.page.getByLabel(/^Repeat/).fill(passphrase);
    await this.page.getByRole('button', { name: 'Create wallet' }).click();
    await this.page.getByText('not enrolled with an operator yet').waitFor();
  }

  /** Reloads and waits until the overview is on screen. */
  async reload(): Promise<void> {
    await this.page.reload();
    await this.loaded();
  }

  get balance(): Locator {
    return this.page.getByTestId('balance');
  }

  get available(): Locator {
    return this.page.getByTestId('available');
  }

  get rateStatus(): Locator {
    return this.page.getByTestId('rate-status');
  }

  /** The end of the rate table's validity, as the popup states it (ISO timestamp). */
  async ratesValidUntil(): Promise<string | null> {
    return this.rateStatus.locator('time').getAttribute('datetime');
  }

  /** The recent purchases, newest first. */
  get recentPurchases(): Locator {
    return this.page.getByRole('region', { name: 'Recent purchases' }).getByRole('listitem');
  }

  get tabRows(): Locator {
    return this.page.getByTestId('tab-row');
  }

  tabRow(merchantDisplayName: string): Locator {
    return this.tabRows.filter({ hasText: merchantDisplayName });
  }

  /** Closes the tab at this merchant with its Close button and waits for the row to go. */
  async closeTab(merchantDisplayName: string): Promise<void> {
    await this.page.getByRole('button', { name: `Close tab at ${merchantDisplayName}` }).click();
    await this.tabRow(merchantDisplayName).waitFor({ state: 'detached' });
  }

  /** Reloads and reads the balance: the popup shows the operator's figures as of its last load. */
  async freshBalance(): Promise<string | null> {
    await this.reload();
    return (await this.balance.count()) > 0 ? this.balance.textContent() : null;
  }

  private async loaded(): Promise<void> {
    // "Loading…" stays until the background answered getOverview.
    await this.page.getByText('Loading…').waitFor({ state: 'detached' });
  }
}
