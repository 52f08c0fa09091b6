import type { BrowserContext, Worker } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildToTemp,
  CHROMIUM,
  launchChromiumWithExtension,
  EXPECTED_REQUEST_EVENT_ANSWERS,
  helloUntilAnswered,
  raiseRequestEvents,
  requireBrowser,
  serveMerchantPage,
  type PageServer,
  type TempBuild,
} from '@opentab/test-kit/browsers';

// Loads the Chrome build unpacked into Debian's Chromium (Playwright cannot download its own
// browsers here) and checks the three parts a user meets: worker, popup, page bridge.

let build: TempBuild;
let merchant: PageServer;
let context: BrowserContext;
let worker: Worker;

beforeAll(async () => {
  requireBrowser(CHROMIUM);
  build = await buildToTemp('chrome');
  merchant = await serveMerchantPage();
  context = await launchChromiumWithExtension(build.dir);
  // The worker may have started before anyone listened for it.
  worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
}, 120_000);

afterAll(async () => {
  await context?.close();
  await merchant?.close();
  await build?.cleanup();
});

const extensionId = () => new URL(worker.url()).host;

describe('Chrome build in Chromium', () => {
  it('runs the background service worker', () => {
    expect(worker.url()).toMatch(/^chrome-extension:\/\/[a-p]{32}\/background\.js$/);
  });

  it('renders the popup page', async () => {
    const page = await context.newPage();
    await page.goto(`chrome-extension://${extensionId()}/popup/popup.html`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Opentab');
    await page.close();
  });

  it('tells a page that says hello that it is there, before the background answers', async () => {
    const page = await context.newPage();
    await page.goto(merchant.url);
    const { answer, noticed } = await page.evaluate(helloUntilAnswered, 250);
    expect(answer).toEqual({ ok: true, result: { protocolVersion: 5, walletState: 'uninitialised' } });
    expect(noticed).toBe(true);
    await page.close();
  });

  it('answers the popup from the background: a new wallet is offered', async () => {
    const page = await context.newPage();
    await page.goto(`chrome-extension://${extensionId()}/popup/popup.html`);
    await page.getByRole('button', { name: 'Create wallet' }).waitFor({ timeout: 60_000 });
    await page.close();
  });

  it('relays a page bridge call through the content script to the background and back', async () => {
    const page = await context.newPage();
    await page.goto(merchant.url);
    const answer = await page.evaluate(
      () =>
        new Promise((resolve) => {
          window.addEventListener('message', (event) => {
            if (event.data?.channel === 'opentab:extension' && event.data.requestId === 'r1') resolve(event.data);
          });
          window.postMessage(
            { channel: 'opentab:page', requestId: 'r1', call: 'hello', params: {} },
            window.location.origin,
          );
        }),
    );
    expect(answer).toEqual({
      channel: 'opentab:extension',
      requestId: 'r1',
      ok: true,
      result: { protocolVersion: 5, walletState: 'uninitialised' },
    });
    await page.close();
  });

  it('answers a pay request raised as the request event, and ignores events that are not ours', async () => {
    const page = await context.newPage();
    await page.goto(merchant.url);
    const { answers } = await page.evaluate(raiseRequestEvents);
    expect(answers).toEqual(EXPECTED_REQUEST_EVENT_ANSWERS);
    await page.close();
  });
}, 120_000);
