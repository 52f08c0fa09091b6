import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  chromium,
  type Browser as PlaywrightBrowser,
  type BrowserContext,
  type Page as PlaywrightPage,
} from 'playwright';
import puppeteer, { type Browser as PuppeteerBrowser, type Page as PuppeteerPage } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClassicScript, buildWidget } from '@opentab/widget/build';
import { FAKE_BRIDGE_ENTRY, serveFixtures, type FixtureServer } from '@opentab/test-kit/widget/browser';
import { TEXT } from '@opentab/widget/texts';
import {
  buildToTemp,
  CHROMIUM,
  FIREFOX,
  helloUntilAnswered,
  launchChromiumWithExtension,
  requireBrowser,
  type TempBuild,
} from '@opentab/test-kit/browsers';

// The wallet does not announce itself: a page that never asks for it finds no trace of it (no
// attribute, no global, no DOM change, no message) — the same page in the same browser without
// the extension is the yardstick — while the widget, which asks, finds it: in Chromium, also after
// its service worker was stopped; in Firefox, also when the content script arrives after the
// page's own script (the extension installed while the page is open) and after the event page
// was suspended.

let build: { chrome: TempBuild; firefox: TempBuild };
let scriptsRoot: string;
let site: FixtureServer;

beforeAll(async () => {
  requireBrowser(CHROMIUM);
  requireBrowser(FIREFOX);
  build = { chrome: await buildToTemp('chrome'), firefox: await buildToTemp('firefox') };
  scriptsRoot = await mkdtemp(join(tmpdir(), 'opentab-presence-'));
  const widgetPath = await buildWidget(join(scriptsRoot, 'widget'), 'silent');
  const fakeBridgePath = await buildClassicScript({
    entry: FAKE_BRIDGE_ENTRY,
    outDir: join(scriptsRoot, 'fake-bridge'),
    fileName: 'fake-bridge.js',
    logLevel: 'silent',
  });
  site = await serveFixtures({ widgetPath, fakeBridgePath });
}, 180_000);

afterAll(async () => {
  await site?.close();
  await build?.chrome.cleanup();
  await build?.firefox.cleanup();
  if (scriptsRoot) await rm(scriptsRoot, { recursive: true, force: true });
});

interface Traces {
  mutations: string[];
  messages: string[];
  htmlAttributes: string[];
  outerHtml: string;
  globals: string[];
}

/** Runs before any page script (serialised, so self-contained): records every DOM change and every message
 * the page receives. */
function recordTraces(): void {
  const traces = { mutations: [] as string[], messages: [] as string[] };
  (window as unknown as { __traces: typeof traces }).__traces = traces;
  const named = (node: Node) => `${node.nodeName}${node instanceof Element && node.id ? `#${node.id}` : ''}`;
  new MutationObserver((records) => {
    for (const record of records) {
      const added = [...record.addedNodes].map(named).join(',');
      const removed = [...record.removedNodes].map(named).join(',');
      traces.mutations.push(
        `${record.type} ${named(record.target)} ${record.attributeName ?? ''} +[${added}] -[${removed}]`,
      );
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  window.addEventListener('message', (event) => traces.messages.push(JSON.stringify(event.data)), true);
}

/** Runs in the page once it has loaded: what the page could see, after one more task for anything queued. */
async function readTraces(): Promise<Traces> {
  await new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = resolve;
    channel.port2.postMessage(null);
  });
  const { mutations, messages } = (window as unknown as { __traces: { mutations: string[]; messages: string[] } })
    .__traces;
  return {
    mutations,
    messages,
    htmlAttributes: [...document.documentElement.attributes].map((attribute) => `${attribute.name}=${attribute.value}`),
    outerHtml: document.documentElement.outerHTML,
    globals: Object.getOwnPropertyNames(window).sort(),
  };
}

/** Runs in the page: the text of the widget in the row (its shadow root), or '' before it rendered. */
function widgetText(rowSelector: string): string {
  const row = document.querySelector(rowSelector);
  if (!row) return '';
  return [row, ...row.querySelectorAll('*')].map((element) => element.shadowRoot?.textContent ?? '').join('');
}

const FOUND = TEXT.walletNotSetUp; // the extension answered: a fresh wallet, to be set up
const ABSENT = TEXT.installLink;

describe('Chromium with the Chrome build', () => {
  let plain: PlaywrightBrowser;
  let context: BrowserContext;

  beforeAll(async () => {
    plain = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu'],
    });
    context = await launchChromiumWithExtension(build.chrome.dir);
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await plain?.close();
  });

  async function tracesOfNeverAsks(page: PlaywrightPage): Promise<Traces> {
    await page.addInitScript(recordTraces);
    await page.goto(site.urlOf('never-asks'));
    return page.evaluate(readTraces);
  }

  const widgetSays = (page: PlaywrightPage, text: string) =>
    expect.poll(() => page.evaluate(widgetText, '#row-42'), { timeout: 20_000 }).toContain(text);

  it('leaves no trace on a page that never asks, though its content script is there', async () => {
    const baseline = await tracesOfNeverAsks(await plain.newPage());
    const page = await context.newPage();
    const traces = await tracesOfNeverAsks(page);
    expect(traces).toEqual(baseline);
    expect(traces.messages).toEqual([]);
    expect(traces.htmlAttributes).toEqual(['lang=en']);
    expect(traces.globals.filter((name) => /opentab/i.test(name))).toEqual([]);
    // The content script was there all along: asked now, it answers.
    expect((await page.evaluate(helloUntilAnswered, 250)).noticed).toBe(true);
    await page.close();
  });

  it('is found by the widget, which asks', async () => {
    const page = await context.newPage();
    await page.goto(site.urlOf('asks'));
    await widgetSays(page, FOUND);
    expect(await page.evaluate(() => document.documentElement.getAttribute('data-opentab-bridge'))).toBeNull();
    await page.close();
  });

  it('is found by the widget after its service worker was stopped', async () => {
    const internals = await context.newPage();
    await internals.goto('chrome://serviceworker-internals/');
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    const registration = internals.locator('.serviceworker-registration', {
      hasText: `chrome-extension://${new URL(worker.url()).host}/`,
    });
    await registration.getByRole('button', { name: 'Stop' }).click();
    await registration.getByText('Running Status: STOPPED').waitFor();

    const page = await context.newPage();
    await page.goto(site.urlOf('asks'));
    await widgetSays(page, FOUND);
    await registration.getByText('Running Status: RUNNING').waitFor();
    await page.close();
    await internals.close();
  });
}, 180_000);

describe('Firefox ESR with the Firefox build', () => {
  let browser: PuppeteerBrowser;

  beforeAll(async () => {
    browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  async function tracesOfNeverAsks(page: PuppeteerPage): Promise<Traces> {
    await page.evaluateOnNewDocument(recordTraces);
    await page.goto(site.urlOf('never-asks'));
    return page.evaluate(readTraces);
  }

  const widgetSays = (page: PuppeteerPage, text: string) =>
    page.waitForFunction(
      (row, wanted) => (globalThis as unknown as { widgetText: typeof widgetText }).widgetText(row).includes(wanted),
      { timeout: 30_000 },
      '#row-42',
      text,
    );

  async function openAsking(): Promise<PuppeteerPage> {
    const page = await browser.newPage();
    await page.evaluateOnNewDocument(`globalThis.widgetText = ${widgetText.toString()}`);
    await page.goto(site.urlOf('asks'));
    return page;
  }

  it('is found by a widget that asked before the extension was installed, and leaves no trace on a page that never asks', async () => {
    const baseline = await tracesOfNeverAsks(await browser.newPage());
    const asking = await openAsking();
    await widgetSays(asking, ABSENT);

    await expect(browser.installExtension(build.firefox.dir)).resolves.toBe('opentab@opentab.dev');
    // Its content script starts in the open page after the widget asked, and announces itself.
    await widgetSays(asking, FOUND);

    const page = await browser.newPage();
    const traces = await tracesOfNeverAsks(page);
    expect((await page.evaluate(helloUntilAnswered, 250)).noticed).toBe(true);
    expect(traces).toEqual(baseline);
    expect(traces.messages).toEqual([]);
    expect(traces.htmlAttributes).toEqual(['lang=en']);
  });
}, 180_000);

describe('Firefox ESR with the event page suspended when idle', () => {
  let idleBrowser: PuppeteerBrowser;

  beforeAll(async () => {
    // Firefox suspends an idle event page after 30 s; 1 s here.
    idleBrowser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      headless: true,
      extraPrefsFirefox: { 'extensions.background.idle.timeout': 1_000 },
    });
    await idleBrowser.installExtension(build.firefox.dir);
  }, 120_000);

  afterAll(async () => {
    await idleBrowser?.close();
  });

  it('is found by the widget on a page opened after the event page was suspended', async () => {
    const first = await idleBrowser.newPage();
    await first.goto(site.urlOf('never-asks'));
    await first.evaluate(helloUntilAnswered, 250);
    // Well past the idle timeout: the event page has been suspended.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const page = await idleBrowser.newPage();
    await page.evaluateOnNewDocument(`globalThis.widgetText = ${widgetText.toString()}`);
    await page.goto(site.urlOf('asks'));
    await page.waitForFunction(
      (row, wanted) => (globalThis as unknown as { widgetText: typeof widgetText }).widgetText(row).includes(wanted),
      { timeout: 30_000 },
      '#row-42',
      FOUND,
    );
  });
}, 180_000);
