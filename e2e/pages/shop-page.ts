// The demo shop as a reader uses it: article pages and the shop page, each paid item a widget
// button (in an open shadow root, which Playwright's CSS pierces) inside the item's paid slot.
// The page's own script fetches the content with the receipt's access token once paid.

import type { Locator, Page } from '@playwright/test';
import type { ErrorDetail } from '@opentab/widget/events';

/** Where the page keeps the widget's error events for the test to read. */
type PageWithErrorLog = Window & { opentabErrors?: ErrorDetail[] };

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

  /** The item's paid slot: released by the shop against a token, or (secure delivery) saved by the wallet. */
  private slot(itemId: string): Locator {
    return this.page.locator(`[data-paid-slot="${itemId}"], [data-delivery-slot="${itemId}"]`);
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

  /** Under the button, whose rate of which day made the conversion ("ECB rate of 28 Jun 2024"). */
  rateSource(itemId: string): Locator {
    return this.slot(itemId).locator('.note > span').first();
  }

  /** What the shop's server released for a valid access token. */
  paidContent(itemId: string): Locator {
    return this.slot(itemId).locator('[data-paid-body]');
  }

  /** The shop's status line under the button: what it says about fetching the paid content. */
  status(itemId: string): Locator {
    return this.slot(itemId).locator('[data-paid-status]');
  }

  /** The widget's own status under its button: progress and payment errors. */
  widgetStatus(itemId: string): Locator {
    return this.slot(itemId).locator('.opentab [role="status"]');
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

  /** Opens an article paid earlier, which the shop's script unlocks with the token it kept. */
  async reopenPaidArticle(itemId: string): Promise<string> {
    await this.openArticle(itemId);
    return this.unlockedText(itemId);
  }

  /** Opens the article, pays with one click (no prompt expected) and returns the content it unlocked. */
  async buyArticle(itemId: string): Promise<string> {
    await this.openArticle(itemId);
    await this.clickPay(itemId);
    return this.unlockedText(itemId);
  }

  /** From now on, keeps every `opentab:error` the widget raises; read them with `widgetErrors()`. */
  async recordWidgetErrors(): Promise<void> {
    await this.page.evaluate(() => {
      const log: ErrorDetail[] = [];
      (window as PageWithErrorLog).opentabErrors = log;
      document.addEventListener('opentab:error', (event) => log.push((event as CustomEvent<ErrorDetail>).detail));
    });
  }

  async widgetErrors(): Promise<ErrorDetail[]> {
    return this.page.evaluate(() => (window as PageWithErrorLog).opentabErrors ?? []);
  }
}
