// The options page in Firefox, as the first install opens it: the wallet is created and
// enrolled right there.

import type { Page } from 'puppeteer-core';
import { clickButton, fillField, waitForText } from './dom';

export class FirefoxOptionsTab {
  constructor(readonly page: Page) {}

  async createWallet(passphrase: string): Promise<void> {
    // The backup section further down has a passphrase field of its own.
    await fillField(this.page, 'Passphrase', passphrase, 'section[aria-label="Wallet"]');
    await fillField(this.page, 'Repeat', passphrase, 'section[aria-label="Wallet"]');
    await clickButton(this.page, 'Create wallet');
    // The guided first run offers the backup next; the tests back up another time.
    await waitForText(this.page, 'Your wallet is created');
    await clickButton(this.page, 'Back up later');
    await waitForText(this.page, "Enter your operator's address");
  }

  async enrol(operatorUrl: string, code: string): Promise<void> {
    await fillField(this.page, 'Operator address', operatorUrl);
    await fillField(this.page, 'Enrolment code', code);
    await clickButton(this.page, 'Enrol');
    await waitForText(this.page, 'Enrolled with');
  }
}
