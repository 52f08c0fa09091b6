// Case 5: click-to-paid in Debian's Chromium with the built extension, on the demo news site of
// the demo world (two operators and the demo shop with its real widget). After the first purchase
// has opened a tab (approved in the confirmation window), every further click pays inside that
// tab. Each click is on a freshly opened article page, as a reader going from article to article.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright';
import { startDemoWorld } from '../../e2e/world/demo-world';
import { buildExtension } from '../../extension/build/build';
import { buildWidget } from '../../merchant-widget/widget/build/build-widget';
import { atMost, metric, type CaseResult } from '../report';
import { approveFirstTab, CHROMIUM_PATH, launchWithExtension, setUpWallet } from '../support/browser-wallet';
import { timeClickToPaid } from '../support/click-timer';
import { summarise } from '../support/stats';

export interface BrowserOptions {
  readonly dir: string;
  readonly clicks: number;
}

/** The two cheapest articles (2 and 3 cents), so every click of the run fits in one deposit. */
const ARTICLES = ['article-1', 'article-14'] as const;
/** 100 SEK ≈ 8.80 EUR: room for ~350 such clicks, and within the extension's default per-tab maximum. */
const DEPOSIT_SEK = '100.00';
/** Clicks before measuring: the service worker, the merchant agent and the page code warm up. */
const WARMUP_CLICKS = 10;

interface ArticlePage {
  readonly page: Page;
  readonly payButton: Locator;
}

async function openArticle(context: BrowserContext, shopUrl: string, itemId: string): Promise<ArticlePage> {
  // A new page each time: the shop keeps access tokens per page session and would show a paid article unlocked.
  const page = await context.newPage();
  await page.goto(`${shopUrl}/articles/${itemId}`);
  // The widget's own button (in its open shadow root) turns actionable once the extension said hello.
  const payButton = page.locator(`[data-paid-slot="${itemId}"] button[part="button"][aria-disabled="false"]`);
  await payButton.waitFor();
  return { page, payButton };
}

function notMeasured(reason: string): CaseResult {
  return {
    name: 'browser',
    metrics: [metric('browser.clicks', null), metric('browser.click_to_paid_p50_ms', null, atMost(10)), metric('browser.click_to_paid_p95_ms', null, atMost(25))],
    notes: [reason],
  };
}

async function measureClicks(context: BrowserContext, shopUrl: string, clicks: number): Promise<number[]> {
  const first = await openArticle(context, shopUrl, ARTICLES[0]);
  await approveFirstTab(context, () => first.payButton.click());
  await first.page.locator('[data-paid-body]').first().waitFor({ state: 'visible' });
  await first.page.close();

  const samples_ms: number[] = [];
  for (let click = 0; click < WARMUP_CLICKS + clicks; click++) {
    const article = await openArticle(context, shopUrl, ARTICLES[click % ARTICLES.length]!);
    const elapsed_ms = await timeClickToPaid(article.page, article.payButton);
    if (click >= WARMUP_CLICKS) samples_ms.push(elapsed_ms);
    await article.page.close();
  }
  return samples_ms;
}

export async function runBrowserCase(options: BrowserOptions): Promise<CaseResult> {
  if (!existsSync(CHROMIUM_PATH)) return notMeasured(`no Chromium at ${CHROMIUM_PATH} (install Debian's chromium package)`);
  // Built from the current source, as `npm run build:extension` and `npm run build:widget` build dist/.
  const extensionDir = await buildExtension({ target: 'chrome', outDir: join(options.dir, 'chrome'), logLevel: 'silent' });
  const widgetFile = await buildWidget(join(options.dir, 'widget'), 'silent');
  const world = await startDemoWorld({
    dir: join(options.dir, 'world'), reset: true, log: 'silent', shopOverrides: { widgetFilePath: widgetFile, logger: { warn: () => undefined } },
  });
  const context = await launchWithExtension(extensionDir);
  try {
    const enrolmentCode = world.customer.enrollmentCode;
    if (enrolmentCode === null) return notMeasured('the demo world had no enrolment code for its customer');
    await setUpWallet(context, { operatorUrl: world.customerOperator.url, enrolmentCode, deposit: DEPOSIT_SEK });
    const samples_ms = await measureClicks(context, world.shop.url, options.clicks);
    const latency = summarise(samples_ms);
    return {
      name: 'browser',
      metrics: [
        metric('browser.clicks', latency.count),
        metric('browser.click_to_paid_p50_ms', latency.p50_ms, atMost(10)),
        metric('browser.click_to_paid_p95_ms', latency.p95_ms, atMost(25)),
        metric('browser.click_to_paid_p99_ms', latency.p99_ms),
      ],
      notes: [`headless Chromium ${context.browser()?.version() ?? ''}, one open tab, ${WARMUP_CLICKS} warm-up clicks; measured in the page from the click's event time to opentab:paid`],
    };
  } catch (error) {
    return notMeasured(`the extension did not complete the flow: ${(error as Error).message.split('\n')[0]}`);
  } finally {
    await context.close();
    await world.close();
  }
}
