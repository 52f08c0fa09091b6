// Case 5: click-to-paid in Debian's Chromium with the built extension, on the demo news site of
// the demo world (two operators and the demo shop with its real widget). After the first purchase
// has opened a tab (approved in the confirmation window), every further click pays inside that
// tab. Each click is on the next article in the same browser tab, as a reader following links,
// with no extension page open: Chromium then runs the extension's process (its service worker) at
// background priority, as it does for every reader.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright';
import { buildExtension } from '@opentab/extension/build';
import { buildWidget } from '@opentab/widget/build';
import { atMost, metric, type CaseResult, type Metric } from '../report';
import { approveFirstTab, CHROMIUM_PATH, launchWithExtension, setUpWallet } from '../support/browser-wallet';
import { timeClickToPaid, type PointerStyle } from '../support/click-timer';
import { ServerProcess } from '../support/child-process';
import type { DemoWorldReady } from '../support/demo-world-process';
import { findFreePort } from '@opentab/test-kit';
import { summarise } from '../support/stats';

export interface BrowserOptions {
  readonly dir: string;
  readonly clicks: number;
}

/** The two cheapest articles (2 and 3 cents), so every click of the run fits in one deposit. */
const ARTICLES = ['article-1', 'article-14'] as const;
const DEMO_WORLD_PROCESS = new URL('../support/demo-world-process.ts', import.meta.url).pathname;
/** 100 SEK ≈ 8.80 EUR: room for ~350 such clicks, and within the extension's default per-tab maximum. */
const DEPOSIT_SEK = '100.00';
/** Clicks before measuring: the service worker, the merchant agent and the page code warm up. */
const WARMUP_CLICKS = 10;
/** One click in this many is an instant one, measured beside the readers' clicks in the same minutes. */
const INSTANT_CLICK_EVERY = 5;
const WORLD_READY_TIMEOUT_MS = 30_000;

/**
 * Goes to an article in the reader's one browser tab, as following a link does. The shop keeps
 * access tokens for the tab's session (sessionStorage) and would show an article paid before as
 * unlocked, so the session's tokens are dropped first: every visit is to an unpaid article.
 */
async function openArticle(page: Page, shopUrl: string, itemId: string): Promise<Locator> {
  if (page.url().startsWith(shopUrl)) await page.evaluate(() => sessionStorage.clear());
  await page.goto(`${shopUrl}/articles/${itemId}`);
  // The widget's own button (in its open shadow root) turns actionable once the extension said hello.
  const payButton = page.locator(`[data-paid-slot="${itemId}"] button[part="button"][aria-disabled="false"]`);
  await payButton.waitFor();
  return payButton;
}

/** The case's metrics, every one of them null when the clicks could not be measured. */
function clickMetrics(samples: ClickSamples | null): Metric[] {
  const reader = samples === null ? null : summarise(samples.reader);
  const instant = samples === null ? null : summarise(samples.instant);
  return [
    metric('browser.clicks', reader?.count ?? null),
    metric('browser.click_to_paid_p50_ms', reader?.p50_ms ?? null, atMost(10)),
    metric('browser.click_to_paid_p95_ms', reader?.p95_ms ?? null, atMost(25)),
    metric('browser.click_to_paid_p99_ms', reader?.p99_ms ?? null),
    metric('browser.instant_clicks', instant?.count ?? null),
    metric('browser.instant_click_p50_ms', instant?.p50_ms ?? null),
    metric('browser.instant_click_p95_ms', instant?.p95_ms ?? null),
  ];
}

function notMeasured(reason: string): CaseResult {
  return { name: 'browser', metrics: clickMetrics(null), notes: [reason] };
}

type ClickSamples = Record<PointerStyle, number[]>;

/** `readerClicks` measured readers' clicks, with an instant click after every INSTANT_CLICK_EVERY − 1 of them. */
async function measureClicks(context: BrowserContext, shopUrl: string, readerClicks: number): Promise<ClickSamples> {
  const page = await context.newPage();
  const firstButton = await openArticle(page, shopUrl, ARTICLES[0]);
  await approveFirstTab(context, () => firstButton.click());
  await page.locator('[data-paid-body]').first().waitFor({ state: 'visible' });

  const samples_ms: ClickSamples = { reader: [], instant: [] };
  for (let click = 0; samples_ms.reader.length < readerClicks; click++) {
    const style: PointerStyle = click % INSTANT_CLICK_EVERY === INSTANT_CLICK_EVERY - 1 ? 'instant' : 'reader';
    const payButton = await openArticle(page, shopUrl, ARTICLES[click % ARTICLES.length]!);
    const elapsed_ms = await timeClickToPaid(page, payButton, style);
    if (click >= WARMUP_CLICKS) samples_ms[style].push(elapsed_ms);
  }
  await page.close();
  return samples_ms;
}

export interface RunningWorld {
  readonly ready: DemoWorldReady;
  readonly server: ServerProcess;
}

async function readReadyFile(path: string): Promise<DemoWorldReady> {
  const deadline_ms = Date.now() + WORLD_READY_TIMEOUT_MS;
  while (Date.now() < deadline_ms) {
    if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as DemoWorldReady;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the demo world wrote no ${path} within ${WORLD_READY_TIMEOUT_MS} ms`);
}

/** The demo world in its own process, as `npm start` runs it, serving the widget built from the current source. */
export async function startWorldProcess(
  dir: string,
  widgetFile: string,
  extraArgs: readonly string[] = [],
): Promise<RunningWorld> {
  const ports = [await findFreePort(), await findFreePort(), await findFreePort()];
  const readyFile = join(dir, 'world-ready.json');
  const server = await ServerProcess.start({
    name: 'demo-world',
    script: DEMO_WORLD_PROCESS,
    args: [
      '--dir',
      join(dir, 'world'),
      '--ports',
      ports.join(','),
      '--widget',
      widgetFile,
      '--ready-file',
      readyFile,
      ...extraArgs,
    ],
    logFile: join(dir, 'demo-world.log'),
    readyUrl: `http://127.0.0.1:${ports[2]}/`,
  });
  try {
    return { ready: await readReadyFile(readyFile), server };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

export async function runBrowserCase(options: BrowserOptions): Promise<CaseResult> {
  if (!existsSync(CHROMIUM_PATH))
    return notMeasured(`no Chromium at ${CHROMIUM_PATH} (install Debian's chromium package)`);
  // Built from the current source, as `npm run build:extension` and `npm run build:widget` build dist/.
  const extensionDir = await buildExtension({
    target: 'chrome',
    outDir: join(options.dir, 'chrome'),
    logLevel: 'silent',
  });
  const widgetFile = await buildWidget(join(options.dir, 'widget'), 'silent');
  const world = await startWorldProcess(options.dir, widgetFile);
  const context = await launchWithExtension(extensionDir).catch(async (error: unknown) => {
    await world.server.stop();
    throw error;
  });
  try {
    const { enrolmentCode, customerOperatorUrl, shopUrl } = world.ready;
    if (enrolmentCode === null) return notMeasured('the demo world had no enrolment code for its customer');
    await setUpWallet(context, { operatorUrl: customerOperatorUrl, enrolmentCode, deposit: DEPOSIT_SEK });
    const samples = await measureClicks(context, shopUrl, options.clicks);
    return {
      name: 'browser',
      metrics: clickMetrics(samples),
      notes: [
        `headless Chromium ${context.browser()?.version() ?? ''}, one open tab, ${WARMUP_CLICKS} warm-up clicks; measured in the page from the click's event time (the release) to opentab:paid`,
        'each click on the next article in the same browser tab, as soon as its pay button is actionable',
        `a reader's click: the pointer alone (page.mouse) onto the button, 150 ms of rest, a press held 80 ms; an instant click (one in ${INSTANT_CLICK_EVERY}, in the same minutes): Playwright's click(), whose hit-target checks run in the page during the click's own events`,
        'no extension page open, so Chromium runs the extension process at background priority (nice 5), as for a reader; the demo world in its own process',
      ],
    };
  } catch (error) {
    return notMeasured(`the extension did not complete the flow: ${(error as Error).message.split('\n')[0]}`);
  } finally {
    await context.close();
    await world.server.stop();
  }
}
