// The demo shop in a Firefox tab: the widget's button lives in an open shadow root, which
// puppeteer's >>> combinator pierces.

import type { Page } from 'puppeteer-core';
import { clickOn, textOf } from './dom';

export class FirefoxShopTab {
  constructor(
    readonly page: Page,
    readonly shopUrl: string,
  ) {}

  async openArticle(itemId: string): Promise<void> {
    await this.page.goto(`${this.shopUrl}/articles/${itemId}`);
  }

  /** The element holding `itemId`'s widget: a paid slot, or a product sold by secure delivery. */
  private async slotOf(itemId: string): Promise<string> {
    const delivery = `[data-delivery-slot="${itemId}"]`;
    return (await this.page.$(delivery)) === null ? `[data-paid-slot="${itemId}"]` : delivery;
  }

  /** Waits until the widget's button for `itemId` can be clicked (the extension has answered). */
  async readyToPay(itemId: string): Promise<void> {
    await this.page.waitForSelector(`${await this.slotOf(itemId)} >>> button[part="button"][aria-disabled="false"]`, {
      timeout: 30_000,
    });
  }

  async clickPay(itemId: string): Promise<void> {
    await clickOn(this.page, `[data-paid-slot="${itemId}"] >>> button[part="button"][aria-disabled="false"]`);
  }

  convertedPrice(itemId: string): Promise<string> {
    return textOf(this.page, `[data-paid-slot="${itemId}"] >>> button[part="button"] .converted`);
  }

  /** Waits for the content the shop released against the receipt's token, and returns its text. */
  async unlockedText(itemId: string): Promise<string> {
    const body = `[data-paid-slot="${itemId}"] [data-paid-body]`;
    await this.page.waitForSelector(body, { visible: true, timeout: 30_000 });
    return textOf(this.page, body);
  }

  async buyArticle(itemId: string): Promise<string> {
    await this.openArticle(itemId);
    await this.clickPay(itemId);
    return this.unlockedText(itemId);
  }
}
