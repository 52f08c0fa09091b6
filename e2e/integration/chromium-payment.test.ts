import type { BrowserContext, Page, Worker } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CUSTOMER_OPERATOR,
  MERCHANT_OPERATOR,
  startTwoOperatorWorld,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';
import {
  buildToTemp,
  CHROMIUM,
  launchChromiumWithExtension,
  requireBrowser,
  type TempBuild,
} from '@opentab/test-kit/browsers';

// The Chrome build as a customer meets it, against real operators and a real merchant agent:
// create the wallet in the popup, enrol on the options page, pay from the merchant's page, approve
// in the confirmation window the background opens, and see the tab in the popup.

let world: TwoOperatorWorld;
let build: TempBuild;
let context: BrowserContext;
let worker: Worker;

beforeAll(async () => {
  requireBrowser(CHROMIUM);
  world = await startTwoOperatorWorld();
  build = await buildToTemp('chrome');
  context = await launchChromiumWithExtension(build.dir);
  worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
}, 120_000);

afterAll(async () => {
  await context?.close();
  await build?.cleanup();
  await world?.close();
});

const extensionPage = (path: string) => `chrome-extension://${new URL(worker.url()).host}/${path}`;

async function enrolmentCode(): Promise<string> {
  const admin = world.world.operator(CUSTOMER_OPERATOR).admin;
  const { accountId } = await admin.call('createCustomer', { creditLimit: { currency: 'SEK', value: '500.00' } });
  return (await admin.call('enrollmentCode', {}, { accountId })).code;
}

function bridgeCall(page: Page, call: string, params: unknown): Promise<unknown> {
  return page.evaluate(
    ([call, params]) =>
      new Promise((resolve) => {
        const requestId = `r${Math.random().toString(36).slice(2)}`;
        window.addEventListener('message', (event) => {
          if (event.data?.channel === 'opentab:extension' && event.data.requestId === requestId) resolve(event.data);
        });
        window.postMessage({ channel: 'opentab:page', requestId, call, params }, window.location.origin);
      }),
    [call, params] as const,
  );
}

describe('paying with the Chrome build', () => {
  it('creates a wallet, enrols, asks in a confirmation window and pays', async () => {
    const popup = await context.newPage();
    await popup.goto(extensionPage('popup/popup.html'));
    await popup.getByLabel(/^Passphrase/).fill('correct horse battery staple');
    await popup.getByLabel(/^Repeat/).fill('correct horse battery staple');
    await popup.getByRole('button', { name: 'Create wallet' }).click();
    await popup.getByText('not enrolled with an operator yet').waitFor({ timeout: 60_000 });

    const options = await context.newPage();
    await options.goto(extensionPage('options/options.html'));
    await options.getByLabel('Operator address').fill(world.world.operator(CUSTOMER_OPERATOR).url);
    await options.getByLabel('Enrolment code').fill(await enrolmentCode());
    await options.getByRole('button', { name: 'Enrol' }).click();
    await options.getByText(/Enrolled with/).waitFor({ timeout: 60_000 });

    // The merchant agent's own origin is the one its certificate lists; its server has no pages,
    // so the browser is handed one at that origin.
    const shopPage = `${world.merchant.url}/shop`;
    await context.route(shopPage, (route) =>
      route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>shop</title><p>shop</p>' }),
    );
    const shop = await context.newPage();
    await shop.goto(shopPage);
    const confirmWindow = context.waitForEvent('page', {
      predicate: (page) => page.url().includes('confirm/confirm.html'),
      timeout: 60_000,
    });
    const paying = bridgeCall(shop, 'pay', {
      merchantId: world.merchantId,
      operatorId: MERCHANT_OPERATOR,
      itemId: 'article-1',
      price: { currency: 'EUR', value: '0.08' },
    });
    const confirm = await confirmWindow;
    await expect(confirm.getByTestId('origin').textContent()).resolves.toContain(world.merchant.url);
    await expect(confirm.getByTestId('deposit-customer').textContent()).resolves.toBe('20.00\u00a0SEK');
    // The confirmation window closes itself once the answer is recorded, possibly mid-click.
    await Promise.all([
      confirm.waitForEvent('close'),
      confirm
        .getByRole('button', { name: 'Approve', exact: true })
        .click()
        .catch(() => undefined),
    ]);

    const answer = (await paying) as {
      ok: boolean;
      result?: { receipt: { payload: { itemId: string; chainIndex: number } } };
    };
    expect(answer).toMatchObject({
      ok: true,
      result: { receipt: { payload: { itemId: 'article-1', chainIndex: 8 } } },
    });
    await expect(
      bridgeCall(shop, 'tabStatus', { merchantId: world.merchantId, operatorId: MERCHANT_OPERATOR }),
    ).resolves.toMatchObject({
      ok: true,
      result: { open: true, spent: { currency: 'EUR', value: '0.08' } },
    });

    await popup.reload();
    await expect(popup.getByTestId('tab-row').textContent()).resolves.toContain('The Daily Tab');
  }, 120_000);
});
