// Shared setup of the widget's browser tests: builds the widget and the fake bridge into a temp
// dir (so no test depends on a stale dist/), serves the fixture site, drives Debian's Chromium
// (Playwright may not download its own browsers here), and records from inside each page what
// the assertions need: CSP violations, opentab:* events and the bridge requests the widget sent.

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright';
import { buildClassicScript, buildWidget } from '@opentab/widget/build';
import { serveFixtures, type FixtureServer } from './fixture-server';
import type { PageName } from './pages';

export const CHROMIUM = process.env.OPENTAB_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
export const FAKE_BRIDGE_ENTRY = fileURLToPath(new URL('./fake-bridge.ts', import.meta.url));

export interface RecordedEvent {
  type: string;
  /** id of the element the event was dispatched on, or 'document'. */
  target: string;
  detail: unknown;
}

export interface BridgeRequest {
  call: string;
  params: unknown;
  /** How the widget handed it over: a posted message, or the request event on window. */
  transport: 'message' | 'event';
  /** Sent inside the task of a click (set by a click listener, cleared by the next task). */
  inClickTask: boolean;
}

interface Probe {
  violations: string[];
  events: RecordedEvent[];
  bridgeRequests: BridgeRequest[];
  inClickTask: boolean;
}

/** Runs in the page before any page script (Playwright's init scripts are exempt from CSP). */
function installProbe(): void {
  const probe: Probe = { violations: [], events: [], bridgeRequests: [], inClickTask: false };
  (window as unknown as { __opentabTest: Probe }).__opentabTest = probe;
  document.addEventListener(
    'securitypolicyviolation',
    (event) => probe.violations.push(`${event.effectiveDirective} blocked ${event.blockedURI || 'inline'}`),
    true,
  );
  for (const type of [
    'opentab:paid',
    'opentab:owned',
    'opentab:error',
    'opentab:pending',
    'opentab:tab-opened',
    'opentab:tab-closed',
  ]) {
    document.addEventListener(type, (event) => {
      const target = event.target === document ? 'document' : (event.target as Element).id;
      probe.events.push({ type, target, detail: (event as CustomEvent<unknown>).detail });
    });
  }
  window.addEventListener(
    'click',
    () => {
      probe.inClickTask = true;
      setTimeout(() => (probe.inClickTask = false), 0);
    },
    true,
  );
  const record = (
    request: { channel?: string; call: string; params: unknown } | null,
    transport: BridgeRequest['transport'],
  ) => {
    if (request?.channel === 'opentab:page') {
      probe.bridgeRequests.push({
        call: request.call,
        params: request.params,
        transport,
        inClickTask: probe.inClickTask,
      });
    }
  };
  window.addEventListener('message', (event: MessageEvent<{ channel?: string; call: string; params: unknown }>) =>
    record(event.data, 'message'),
  );
  // The name is PAGE_REQUEST_EVENT's (an init script is serialised, so it cannot import it).
  window.addEventListener('opentab:page-request', (event) =>
    record(JSON.parse((event as CustomEvent<string>).detail), 'event'),
  );
}

export interface WidgetLocators {
  button: Locator;
  title: Locator;
  price: Locator;
  converted: Locator;
  note: Locator;
  installLink: Locator;
  status: Locator;
}

export interface OpenedPage {
  page: Page;
  /** CSP violations, console errors and uncaught page errors seen so far. */
  problems(): Promise<string[]>;
  events(): Promise<RecordedEvent[]>;
  bridgeRequests(call?: string): Promise<BridgeRequest[]>;
  /** The widget UI inside the element matched by `rowSelector` (Playwright's CSS pierces open shadow roots). */
  widgetIn(rowSelector: string): WidgetLocators;
}

export interface WidgetFixture {
  server: FixtureServer;
  widgetPath: string;
  open(page: PageName): Promise<OpenedPage>;
  close(): Promise<void>;
}

async function readProbe(page: Page): Promise<Probe> {
  return page.evaluate(() => (window as unknown as { __opentabTest: Probe }).__opentabTest);
}

function locatorsIn(page: Page, rowSelector: string): WidgetLocators {
  const row = page.locator(rowSelector);
  return {
    button: row.locator('[part="button"]'),
    title: row.locator('[part="button"] .title'),
    price: row.locator('[part="button"] .price'),
    converted: row.locator('[part="button"] .converted'),
    note: row.locator('.note'),
    installLink: row.locator('a.install'),
    status: row.locator('[role="status"]'),
  };
}

async function openPage(browser: Browser, url: string): Promise<OpenedPage> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const consoleProblems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleProblems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleProblems.push(`page error: ${error.message}`));
  await page.addInitScript(installProbe);
  await page.goto(url);
  // When the browser shuts down first, the context is already gone and closing it rejects; an
  // unhandled rejection there would fail the whole run after every test passed.
  page.on('close', () => {
    context.close().catch(() => undefined);
  });
  return {
    page,
    async problems() {
      const { violations } = await readProbe(page);
      return [...violations.map((violation) => `csp: ${violation}`), ...consoleProblems];
    },
    events: async () => (await readProbe(page)).events,
    async bridgeRequests(call) {
      const { bridgeRequests } = await readProbe(page);
      return call ? bridgeRequests.filter((request) => request.call === call) : bridgeRequests;
    },
    widgetIn: (rowSelector) => locatorsIn(page, rowSelector),
  };
}

export async function startWidgetFixture(): Promise<WidgetFixture> {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: run scripts/install-browsers.sh (as root)`);
  const buildRoot = await mkdtemp(join(tmpdir(), 'opentab-widget-'));
  const widgetPath = await buildWidget(join(buildRoot, 'widget'), 'silent');
  const fakeBridgePath = await buildClassicScript({
    entry: FAKE_BRIDGE_ENTRY,
    outDir: join(buildRoot, 'fake-bridge'),
    fileName: 'fake-bridge.js',
    logLevel: 'silent',
  });
  const server = await serveFixtures({ widgetPath, fakeBridgePath });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  return {
    server,
    widgetPath,
    open: (page) => openPage(browser, server.urlOf(page)),
    async close() {
      await browser.close();
      await server.close();
      await rm(buildRoot, { recursive: true, force: true });
    },
  };
}
