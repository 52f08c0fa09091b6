// The confirmation window the background opens before it holds a deposit. It is a real popup
// window; Playwright sees it as a new page of the context.

import type { BrowserContext, Locator, Page } from '@playwright/test';

const CONFIRM_PATH = 'confirm/confirm.html';

const isConfirmWindow = (page: Page) => page.url().includes(CONFIRM_PATH);

export class ConfirmWindow {
  constructor(readonly page: Page) {}

  get depositCustomer(): Locator {
    return this.page.getByTestId('deposit-customer');
  }

  get depositMerchant(): Locator {
    return this.page.getByTestId('deposit-merchant');
  }

  get origin(): Locator {
    return this.page.getByTestId('origin');
  }

  /** Approves and lets later tabs at this merchant open without asking, up to `upTo` (default: the suggestion). */
  async approveWithAllowance(upTo?: string): Promise<void> {
    await this.page.getByRole('checkbox', { name: "Don't ask again at this merchant" }).check();
    if (upTo !== undefined) await this.page.getByLabel('Allowance').fill(upTo);
    await this.approve();
  }

  async approve(): Promise<void> {
    await this.answer(this.page.getByRole('button', { name: 'Approve', exact: true }));
  }

  /** Declines this tab only: the merchant may ask again. */
  async decline(): Promise<void> {
    await this.answer(this.page.getByRole('button', { name: 'Decline', exact: true }));
  }

  /** Declines, and blocks the merchant from opening tabs or taking payments. */
  async declineAndBlock(): Promise<void> {
    await this.answer(this.page.getByRole('button', { name: 'Decline and block' }));
  }

  private async answer(button: Locator): Promise<void> {
    // The window closes itself once the answer is recorded, possibly before the click returns.
    await Promise.all([this.page.waitForEvent('close'), button.click().catch(() => undefined)]);
  }
}

/** The next confirmation window to open. Call before the click that opens it. */
export async function nextConfirmWindow(context: BrowserContext): Promise<ConfirmWindow> {
  const page = await context.waitForEvent('page', { predicate: isConfirmWindow });
  await page.getByTestId('deposit-customer').waitFor();
  return new ConfirmWindow(page);
}

/** Counts every confirmation window that opens from now on: "no prompt" is a count of zero. */
export function countConfirmWindows(context: BrowserContext): () => number {
  let opened = 0;
  context.on('page', (page) => {
    if (isConfirmWindow(page)) opened++;
  });
  return () => opened;
}
