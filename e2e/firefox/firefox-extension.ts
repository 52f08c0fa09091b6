// Debian's Firefox ESR driven over WebDriver BiDi by puppeteer-core, with the Firefox build
// installed as a temporary add-on. BiDi refuses to navigate to moz-extension:// URLs, so the
// tests never do: the extension opens its own pages (the options page on first install, the
// confirmation window, the options tab from the popup's button), and the test finds them among
// the browser's tabs. The extension's UUID is fixed by a preference, so its origin is known.

import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { FIREFOX } from '../../extension/build/test-support';
import { BUILDS } from '../fixtures/builds';

const ADDON_ID = 'opentab@opentab.dev';
const EXTENSION_UUID = '6f0c2d4e-8a51-4b7e-9c3d-0e2f4a6b8c1d';
export const EXTENSION_ORIGIN = `moz-extension://${EXTENSION_UUID}`;

const PAGE_POLL_MS = 100;

export interface FirefoxWithExtension {
  readonly browser: Browser;
  /** The extension page at `path` (e.g. "options/options.html") that appears next, once it appears. */
  extensionPage(path: string, timeout_ms?: number): Promise<Page>;
  close(): Promise<void>;
}

export async function launchFirefoxWithExtension(): Promise<FirefoxWithExtension> {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    extraPrefsFirefox: { 'extensions.webextensions.uuids': JSON.stringify({ [ADDON_ID]: EXTENSION_UUID }) },
  });
  try {
    const installed = await browser.installExtension(BUILDS.firefox);
    if (installed !== ADDON_ID) throw new Error(`installed ${installed}, expected ${ADDON_ID}`);
  } catch (error) {
    await browser.close();
    throw error;
  }
  return {
    browser,
    extensionPage: (path, timeout_ms = 30_000) => findPage(browser, `${EXTENSION_ORIGIN}/${path}`, timeout_ms),
    close: () => browser.close(),
  };
}

/**
 * Over BiDi, puppeteer reports a page the extension opened as about:blank; the document inside
 * knows where it is. Polls the tabs until one is at `urlPrefix`.
 */
async function findPage(browser: Browser, urlPrefix: string, timeout_ms: number): Promise<Page> {
  const deadline_ms = Date.now() + timeout_ms;
  while (Date.now() < deadline_ms) {
    for (const page of await browser.pages()) {
      const href = await page.evaluate(() => location.href).catch(() => '');
      if (href.startsWith(urlPrefix)) return page;
    }
    await new Promise((resolve) => setTimeout(resolve, PAGE_POLL_MS));
  }
  throw new Error(`no page at ${urlPrefix} opened within ${timeout_ms} ms`);
}
