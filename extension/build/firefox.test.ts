import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXPECTED_REQUEST_EVENT_ANSWERS,
  FIREFOX,
  buildToTemp,
  helloUntilAnswered,
  raiseRequestEvents,
  requireBrowser,
  serveMerchantPage,
} from '@opentab/test-kit/browsers';
import type { PageServer, TempBuild } from '@opentab/test-kit/browsers';

// Installs the Firefox build into Debian's Firefox ESR over WebDriver BiDi. BiDi may not
// navigate to moz-extension:// pages, so the answer to a page's hello on an ordinary page is the
// proof that the extension was accepted and runs.

let build: TempBuild;
let merchant: PageServer;
let browser: Browser;

beforeAll(async () => {
  requireBrowser(FIREFOX);
  build = await buildToTemp('firefox');
  merchant = await serveMerchantPage();
  browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
}, 120_000);

/** How long a loaded page may go unanswered before it is loaded again, and how often. */
const RELOAD_UNANSWERED_AFTER_MS = 15_000;
const MAX_LOADS = 6;

/**
 * Loads the merchant page and says hello until the extension answers. A page loaded in the moment
 * between the install and the content script's registration never gets the script, so a page
 * left unanswered is loaded again rather than waited on for ever.
 */
async function helloOnFreshPage(page: Page, url: string): ReturnType<typeof helloUntilAnswered> {
  for (let load = 1; ; load++) {
    await page.goto(url);
    // Navigating away rejects the pending evaluation: that outcome is the reload's, not an error.
    const answered = page.evaluate(helloUntilAnswered, 250).catch(() => null);
    const unanswered = new Promise<null>((resolve) => setTimeout(() => resolve(null), RELOAD_UNANSWERED_AFTER_MS));
    const outcome = await Promise.race([answered, unanswered]);
    if (outcome !== null) return outcome;
    if (load >= MAX_LOADS) throw new Error(`no answer to a hello on ${MAX_LOADS} loads of ${url}`);
  }
}

afterAll(async () => {
  await browser?.close();
  await merchant?.close();
  await build?.cleanup();
});

describe('Firefox build in Firefox ESR', () => {
  it('installs, and tells a page that says hello that it is there, before the background answers', async () => {
    await expect(browser.installExtension(build.dir)).resolves.toBe('opentab@opentab.dev');
    const page = await browser.newPage();
    const { answer, noticed } = await helloOnFreshPage(page, merchant.url);
    expect(answer).toEqual({ ok: true, result: { protocolVersion: 5, walletState: 'uninitialised' } });
    expect(noticed).toBe(true);
    await page.close();
  });

  it('relays a page bridge call to the background script and back', async () => {
    const page = await browser.newPage();
    await page.goto(merchant.url);
    await page.evaluate(helloUntilAnswered, 250);
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

  it('answers a pay request raised as the request event (its detail read from the page as text), and ignores events that are not ours', async () => {
    const page = await browser.newPage();
    await page.goto(merchant.url);
    await page.evaluate(helloUntilAnswered, 250);
    const { answers } = await page.evaluate(raiseRequestEvents);
    expect(answers).toEqual(EXPECTED_REQUEST_EVENT_ANSWERS);
    await page.close();
  });
}, 120_000);

describe('Firefox build with the event page suspended when idle', () => {
  let idleBrowser: Browser;

  beforeAll(async () => {
    requireBrowser(FIREFOX);
    // Firefox suspends an idle event page after 30 s; 1 s here. An open runtime port does not
    // keep it running, so the content script's port to it is disconnected and must be reopened.
    idleBrowser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      headless: true,
      extraPrefsFirefox: { 'extensions.background.idle.timeout': 1_000 },
    });
    await idleBrowser.installExtension(build.dir);
  }, 120_000);

  afterAll(async () => {
    await idleBrowser?.close();
  });

  it('answers a page call made after the event page was suspended, from the same page', async () => {
    const page = await idleBrowser.newPage();
    await page.goto(merchant.url);
    await page.evaluate(helloUntilAnswered, 250);
    const hello = (requestId: string) =>
      page.evaluate(
        (id) =>
          new Promise<unknown>((resolve) => {
            window.addEventListener('opentab:extension-response', (event) => {
              const answer = JSON.parse((event as CustomEvent<string>).detail) as { requestId: string; ok: boolean };
              if (answer.requestId === id) resolve(answer.ok);
            });
            const request = { channel: 'opentab:page', requestId: id, call: 'hello', params: {} };
            window.dispatchEvent(new CustomEvent('opentab:page-request', { detail: JSON.stringify(request) }));
          }),
        requestId,
      );
    await expect(hello('before')).resolves.toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    await expect(hello('after')).resolves.toBe(true);
    await page.close();
  });
}, 120_000);
