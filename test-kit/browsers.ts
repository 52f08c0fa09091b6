import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright';
import { buildExtension } from '@opentab/extension/build';
import type { Target } from '@opentab/extension/build';

// Shared by the extension build tests. Each test file builds its own copy into a temp dir,
// so the tests never depend on (or clobber) a developer's dist/.

export const CHROMIUM = process.env.OPENTAB_CHROMIUM ?? '/usr/bin/chromium';
export const FIREFOX = process.env.OPENTAB_FIREFOX ?? '/usr/bin/firefox-esr';

/** Fails with the fix spelled out instead of an obscure launch error. */
export function requireBrowser(path: string): void {
  if (!existsSync(path)) {
    throw new Error(`browser not found at ${path}: run scripts/install-browsers.sh (as root)`);
  }
}

/**
 * Debian's Chromium with an unpacked extension, in a throwaway profile: only a persistent context
 * can load an extension, and the flags keep a machine without internet from retrying Google's
 * services. Shared by the extension tests, the e2e suite and the benchmark.
 */
export async function launchChromiumWithExtension(extensionDir: string): Promise<BrowserContext> {
  requireBrowser(CHROMIUM);
  const context = await chromium.launchPersistentContext('', {
    headless: true,
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-gpu',
    ],
  });
  await closeFirstRunOptionsPage(context);
  return context;
}

/**
 * The extension opens its options page on install; it comes within a second or two of launch on
 * an idle machine, and the wait ends as soon as it is there, so the bound is for a busy one.
 */
const FIRST_RUN_PAGE_TIMEOUT_MS = 60_000;
const FIRST_RUN_POLL_MS = 50;

/**
 * A fresh profile installs the extension, and its first run opens the options page
 * (runtime.openOptionsPage). Chromium puts that page into the active tab when it is blank — which
 * may be the page a test has just opened and is about to navigate, interrupting it. Wait for the
 * options page here and close it, before any test opens a page.
 */
async function closeFirstRunOptionsPage(context: BrowserContext): Promise<void> {
  const deadline_ms = Date.now() + FIRST_RUN_PAGE_TIMEOUT_MS;
  while (Date.now() < deadline_ms) {
    const options = context
      .pages()
      .find((page) => page.url().startsWith('chrome-extension://') && page.url().endsWith('/options/options.html'));
    if (options !== undefined) {
      await options.close();
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, FIRST_RUN_POLL_MS));
  }
}

export interface TempBuild {
  dir: string;
  cleanup: () => Promise<void>;
}

export async function buildToTemp(target: Target): Promise<TempBuild> {
  const root = await mkdtemp(join(tmpdir(), `opentab-ext-${target}-`));
  const dir = await buildExtension({ target, outDir: join(root, target), logLevel: 'silent' });
  return { dir, cleanup: () => rm(root, { recursive: true, force: true }) };
}

export interface PageServer {
  url: string;
  close: () => Promise<void>;
}

/** A stand-in merchant page on 127.0.0.1 for the content script to run in. */
export async function serveMerchantPage(): Promise<PageServer> {
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><html><head><title>shop</title></head><body>shop</body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface RequestEventProbe {
  /** Every answer the content script handed the page, in order of arrival, and how: posted or as the response event. */
  answers: Array<{ requestId: string; ok: boolean; error?: { code: string }; via: 'message' | 'event' }>;
}

/**
 * What raiseRequestEvents must collect from a fresh extension (no wallet yet): the malformed event
 * refused, the pay request refused for the locked wallet (so it reached the background), and the
 * posted hello answered as a message; the foreign events get no answer at all.
 */
export const EXPECTED_REQUEST_EVENT_ANSWERS = [
  { requestId: 'malformed', ok: false, error: { code: 'invalid_request' }, via: 'event' },
  { requestId: 'pay1', ok: false, error: { code: 'wallet_locked' }, via: 'event' },
  { requestId: 'hello1', ok: true, via: 'message' },
] as const;

/**
 * Runs in a merchant page (serialised by Playwright or Puppeteer, so it must stay self-contained):
 * raises bridge requests as the protocol's request event ('opentab:page-request', detail = the
 * PageRequest as JSON text): first events the content script must ignore, then a malformed call
 * on our channel, then a pay call; resolves once pay is answered and a posted hello after it has
 * been answered too, so any answer to the ignored events would have arrived by then. Answers are
 * taken both as posted messages and as the response event ('opentab:extension-response').
 */
export function raiseRequestEvents(): Promise<RequestEventProbe> {
  const answers: RequestEventProbe['answers'] = [];
  const EVENT = 'opentab:page-request';
  const pay = {
    channel: 'opentab:page',
    requestId: 'pay1',
    call: 'pay',
    params: {
      merchantId: 'demo-news',
      operatorId: 'op-eu',
      itemId: 'article-1',
      price: { currency: 'EUR', value: '0.02' },
    },
  };
  return new Promise((resolve) => {
    const take = (
      data: { channel?: string; requestId: string; ok: boolean; error?: { code: string } } | null,
      via: 'message' | 'event',
    ) => {
      // Presence notices (the posted hello gets one) carry no request id: they answer nothing.
      if (data?.channel !== 'opentab:extension' || typeof data.requestId !== 'string') return;
      answers.push({
        requestId: data.requestId,
        ok: data.ok,
        ...(data.error ? { error: { code: data.error.code } } : {}),
        via,
      });
      if (data.requestId === 'pay1')
        window.postMessage(
          { channel: 'opentab:page', requestId: 'hello1', call: 'hello', params: {} },
          window.location.origin,
        );
      if (data.requestId === 'hello1') resolve({ answers });
    };
    window.addEventListener('message', (event) => take(event.data, 'message'));
    // The detail must arrive as text the page can parse (Firefox hands a content script's objects to the page
    // only when cloned into it).
    window.addEventListener('opentab:extension-response', (event) =>
      take(JSON.parse((event as CustomEvent<string>).detail), 'event'),
    );
    const raise = (detail: unknown, type = EVENT) => window.dispatchEvent(new CustomEvent(type, { detail }));
    raise({ ...pay, requestId: 'object-detail' });
    raise('{"channel":"opentab:page",');
    raise(JSON.stringify({ ...pay, requestId: 'foreign-channel', channel: 'opentab:extension' }));
    raise(JSON.stringify({ ...pay, requestId: 'other-event' }), 'opentab:other');
    raise(JSON.stringify({ ...pay, requestId: 'malformed', params: { itemId: 'article-1' } }));
    raise(JSON.stringify(pay));
  });
}

/**
 * Runs in a page (serialised, so self-contained): says hello as a page does, again every
 * `every_ms` until the extension answers (its content script may not be registered yet, just
 * after an install), and resolves with the answer and whether a presence notice preceded it.
 */
export function helloUntilAnswered(
  every_ms = 250,
): Promise<{ answer: { ok: boolean; result?: unknown }; noticed: boolean }> {
  return new Promise((resolve) => {
    let noticed = false;
    let attempt = 0;
    let timer: ReturnType<typeof setInterval> | undefined;
    const listener = (event: MessageEvent) => {
      const data = event.data as {
        channel?: string;
        presence?: string;
        requestId?: string;
        ok?: boolean;
        result?: unknown;
      } | null;
      if (data?.channel !== 'opentab:extension' || event.source !== window) return;
      if (data.presence === 'hello-received') noticed = true;
      if (typeof data.requestId === 'string' && data.requestId.startsWith('hello-until-answered-')) {
        window.removeEventListener('message', listener);
        clearInterval(timer);
        resolve({ answer: { ok: data.ok === true, result: data.result }, noticed });
      }
    };
    window.addEventListener('message', listener);
    const hello = () =>
      window.postMessage(
        { channel: 'opentab:page', requestId: `hello-until-answered-${attempt++}`, call: 'hello', params: {} },
        window.location.origin,
      );
    hello();
    timer = setInterval(hello, every_ms);
  });
}
