// The demo shop as a reader uses it: article pages and the shop page, each paid item a widget
// button (in an open shadow root, which Playwright's CSS pierces) inside the item's paid slot.
// The page's own script fetches the content with the receipt's access token once paid.

import type { Locator, Page } from '@playwright/test';

export class ShopPage {
  constructor(
    readonly page: Page,
    readonly shopUrl: string,
  ) {}

  async openArticle(itemId: string): Promise<void> {
    await this.page.goto(`${this.shopUrl}/articles/${itemId}`);
  }

  async openShop(): Promise<void> {
    await this.page.goto(`${this.shopUrl}/shop`);
  }

  private slot(itemId: string): Locator {
    return this.page.locator(`[data-paid-slot="${itemId}"]`);
  }

  payButton(itemId: string): Locator {
    return this.slot(itemId).locator('button[part="button"]');
  }

  /** The merchant's price on the button ("0.30 EUR"). */
  price(itemId: string): Locator {
    return this.payButton(itemId).locator('.price');
  }

  /** The extension's conversion on the button ("≈ 3.41 SEK"). */
  convertedPrice(itemId: string): Locator {
    return this.payButton(itemId).locator('.converted');
  }

  /** What the shop's server released for a valid access token. */
  paidContent(itemId: string): Locator {
    return this.slot(itemId).locator('[data-paid-body]');
  }

  /** The shop's status line under the button (payment errors land here). */
  status(itemId: string): Locator {
    return this.slot(itemId).locator('[data-paid-status]');
  }

  /** Waits until the widget has met the extension and the button pays. */
  async readyToPay(itemId: string): Promise<void> {
    await this.slot(itemId).locator('button[part="button"][aria-disabled="false"]').waitFor();
  }

  /** Clicks the item's button; whatever follows (a confirmation window, content) is the caller's to await. */
  async clickPay(itemId: string): Promise<void> {
    await this.readyToPay(itemId);
    await this.payButton(itemId).click();
  }

  /** Waits for the paid content and returns its text. */
  async unlockedText(itemId: string): Promise<string> {
    await this.paidContent(itemId).waitFor({ state: 'visible' });
    return (await this.paidContent(itemId).textContent()) ?? '';
  }

  /** Opens the article, pays with one click (no prompt expected) and returns the content it unlocked. */
  async buyArticle(itemId: string): Promise<string> {
    await this.openArticle(itemId);
    await this.clickPay(itemId);
    return this.unlockedText(itemId);
  }
}
