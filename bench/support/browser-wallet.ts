// Debian's Chromium with the built extension, set up the way a customer does it: create the
// wallet in the popup, enrol on the options page, choose the deposit, and open the first tab by
// approving the confirmation window. Reuses the end-to-end suite's page objects.

import type { BrowserContext } from 'playwright';
import { CHROMIUM, launchChromiumWithExtension } from '@opentab/test-kit/browsers';

export const CHROMIUM_PATH = CHROMIUM;
import { nextConfirmWindow } from '@opentab/e2e';
import { OptionsPage } from '@opentab/e2e';
import { PopupPage } from '@opentab/e2e';
import type { LoadedExtension } from '@opentab/e2e';

const PASSPHRASE = 'correct horse battery staple';

export function launchWithExtension(extensionDir: string): Promise<BrowserContext> {
  // Playwright turns on DevTools network inspection in every service worker it attaches to, the
  // extension's among them, so each purchase request would also be reported to this process. A
  // reader's browser has no DevTools attached; Playwright reads this when it attaches.
  process.env.PLAYWRIGHT_DISABLE_SERVICE_WORKER_NETWORK = '1';
  return launchChromiumWithExtension(extensionDir);
}

async function extensionOf(context: BrowserContext): Promise<LoadedExtension> {
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  const id = new URL(worker.url()).host;
  return {
    id,
    worker: () =>
      context
        .serviceWorkers()
        .filter((candidate) => new URL(candidate.url()).host === id)
        .at(-1) ?? worker,
    pageUrl: (path) => `chrome-extension://${id}/${path}`,
  };
}

export interface WalletSetup {
  readonly operatorUrl: string;
  readonly enrolmentCode: string;
  /** What a new tab holds, in the customer's currency ("100.00"). */
  readonly deposit: string;
}

export async function setUpWallet(context: BrowserContext, setup: WalletSetup): Promise<void> {
  const extension = await extensionOf(context);
  const popup = await PopupPage.open(context, extension);
  await popup.createWallet(PASSPHRASE);
  const options = await OptionsPage.open(context, extension);
  await options.enrol(setup.operatorUrl, setup.enrolmentCode);
  await options.setDefaultDeposit(setup.deposit);
  await popup.page.close();
  await options.page.close();
}

/** Runs `click` (the first purchase at a merchant) and approves the confirmation window it opens. */
export async function approveFirstTab(context: BrowserContext, click: () => Promise<void>): Promise<void> {
  const confirming = nextConfirmWindow(context);
  await click();
  await (await confirming).approve();
}
