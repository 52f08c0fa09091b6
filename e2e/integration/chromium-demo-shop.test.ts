import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Worker } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoShop, type DemoShop } from '@opentab/demo-shop';
import { buildWidget } from '@opentab/widget/build';
import { startOperatorWorld, type OperatorWorld } from '@opentab/test-kit/worlds';
import {
  buildToTemp,
  CHROMIUM,
  launchChromiumWithExtension,
  requireBrowser,
  type TempBuild,
} from '@opentab/test-kit/browsers';

// The extension with the other half of Opentab as a reader meets it: the demo news site with the
// real widget, a SEK customer operator and a EUR merchant operator. A click on the article's pay
// button goes widget → content script → background → operators → merchant agent and back, and
// the paid text appears.

let dir: string;
let world: OperatorWorld;
let shop: DemoShop;
let build: TempBuild;
let context: BrowserContext;
let worker: Worker;

beforeAll(async () => {
  requireBrowser(CHROMIUM);
  dir = mkdtempSync(join(tmpdir(), 'opentab-ext-shop-'));
  world = await startOperatorWorld({
    dir: join(dir, 'operators'),
    operators: [
      { operatorId: 'op-se', currency: 'SEK' },
      { operatorId: 'op-eu', currency: 'EUR' },
    ],
  });
  const merchantOperator = world.operator('op-eu');
  const widgetFile = await buildWidget(join(dir, 'widget'), 'silent');
  shop = await startDemoShop({
    operatorId: 'op-eu',
    operatorBaseUrl: merchantOperator.url,
    operatorPublicKey: merchantOperator.running.context.identity.signer.kid,
    dataDir: join(dir, 'shop'),
    agentOverrides: { widgetFilePath: widgetFile, logger: { warn: () => undefined } },
  });
  await merchantOperator.admin.call('registerMerchant', { ...shop.merchant, origins: [...shop.merchant.origins] });
  build = await buildToTemp('chrome');
  context = await launchChromiumWithExtension(build.dir);
  worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
}, 120_000);

afterAll(async () => {
  await context?.close();
  await build?.cleanup();
  await shop?.close();
  await world?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const extensionPage = (path: string) => `chrome-extension://${new URL(worker.url()).host}/${path}`;

describe('the demo news site with the real widget', () => {
  it('pays for an article with one click and an approval, and shows its text', async () => {
    const admin = world.operator('op-se').admin;
    const { accountId } = await admin.call('createCustomer', { creditLimit: { currency: 'SEK', value: '500.00' } });
    const { code } = await admin.call('enrollmentCode', {}, { accountId });

    const popup = await context.newPage();
    await popup.goto(extensionPage('popup/popup.html'));
    await popup.getByLabel(/^Passphrase/).fill('correct horse battery staple');
    await popup.getByLabel(/^Repeat/).fill('correct horse battery staple');
    await popup.getByRole('button', { name: 'Create wallet' }).click();
    const options = await context.newPage();
    await options.goto(extensionPage('options/options.html'));
    await options.getByLabel('Operator address').fill(world.operator('op-se').url);
    await options.getByLabel('Enrolment code').fill(code);
    await options.getByRole('button', { name: 'Enrol' }).click();
    await options.getByText(/Enrolled with/).waitFor({ timeout: 60_000 });

    const page = await context.newPage();
    await page.goto(`${shop.url}/articles/article-2`);
    // The widget's own button (in its open shadow root) turns actionable once the extension said hello.
    const payButton = page.locator('button[part="button"][aria-disabled="false"]').first();
    await payButton.waitFor({ timeout: 60_000 });
    // Prices are converted for display with the customer's rate table.
    await expect.poll(() => payButton.textContent(), { timeout: 60_000 }).toMatch(/SEK/);
    const confirmWindow = context.waitForEvent('page', {
      predicate: (candidate) => candidate.url().includes('confirm/confirm.html'),
      timeout: 30_000,
    });
    await payButton.click();
    const confirm = await confirmWindow;
    await expect(confirm.getByTestId('origin').textContent()).resolves.toContain(shop.url);
    // The confirmation window closes itself once the answer is recorded, possibly mid-click.
    await Promise.all([
      confirm.waitForEvent('close'),
      confirm
        .getByRole('button', { name: 'Approve', exact: true })
        .click()
        .catch(() => undefined),
    ]);
    await page.locator('[data-paid-body]').waitFor({ state: 'visible', timeout: 30_000 });
    expect((await page.locator('[data-paid-body]').textContent())?.length).toBeGreaterThan(20);
  }, 120_000);
});
