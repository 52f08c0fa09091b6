// The options page: enrolment with an operator, spending limits and preferences.

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

  private get limits(): Locator {
    return this.page.getByRole('region', { name: 'Limits' });
  }

  private async saveLimits(field: Locator, value: string): Promise<void> {
    await field.fill(value);
    await this.limits.getByRole('button', { name: 'Save' }).click();
    await this.limits.getByText('Saved.').waitFor();
  }
}
