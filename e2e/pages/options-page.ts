// The options page: enrolment with an operator, spending limits and preferences, merchant rules.

import type { BrowserContext, Locator, Page } from '@playwright/test';
import type { LoadedExtension } from '../fixtures/chromium-extension';

export class OptionsPage {
  constructor(readonly page: Page) {}

  static async open(context: BrowserContext, extension: LoadedExtension): Promise<OptionsPage> {
    const page = await context.newPage();
    await page.goto(extension.pageUrl('options/options.html'));
    return new OptionsPage(page);
  }

  async enrol(operatorUrl: string, code: string): Promise<void> {
    await this.page.getByLabel('Operator address').fill(operatorUrl);
    await this.page.getByLabel('Enrolment code').fill(code);
    await this.page.getByRole('button', { name: 'Enrol' }).click();
    await this.page.getByText(/Enrolled with/).waitFor();
  }

  /** The deposit a new tab holds, in the customer's currency ("5.00"). */
  async setDefaultDeposit(value: string): Promise<void> {
    await this.saveLimits(this.limits.getByLabel(/^Deposit for a new tab/), value);
  }

  async setTabTimeoutMinutes(minutes: number): Promise<void> {
    await this.saveLimits(this.limits.getByLabel('Tab timeout (minutes)'), String(minutes));
  }

  /** The merchants section: every merchant with tabs, an allowance or a block, and its rule. */
  get merchants(): Locator {
    return this.page.getByRole('region', { name: 'Merchants' });
  }

  merchantRow(displayName: string): Locator {
    return this.merchants.getByTestId('merchant-row').filter({ hasText: displayName });
  }

  /** Reloads: the page reads the settings once, when it loads. */
  async reload(): Promise<void> {
    await this.page.reload();
    await this.page.getByText(/Enrolled with/).waitFor();
  }

  async unblock(displayName: string): Promise<void> {
    await this.merchants.getByRole('button', { name: `Unblock ${displayName}` }).click();
    await this.merchants.getByRole('button', { name: `Block ${displayName}` }).waitFor();
  }

  private get limits(): Locator {
    return this.page.getByRole('region', { name: 'Limits' });
  }

  private async saveLimits(field: Locator, value: string): Promise<void> {
    await field.fill(value);
    await this.limits.getByRole('button', { name: 'Save' }).click();
    await this.limits.getByText('Saved.').waitFor();
  }
}
