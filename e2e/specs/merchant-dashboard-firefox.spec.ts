// Scenario, in Firefox ESR (puppeteer-core over WebDriver BiDi): the demo shop's owner logs in to
// the merchant dashboard its agent serves, sees the sales a reader's tab made with their chart,
// and refunds one purchase of the open tab; the refund is taken and the tab clears that much less
// at both operators. Nothing is mocked: the demo world's operators, agent and dashboard are real.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { DEMO_MERCHANT_ID } from '@opentab/demo-shop';
import { buildDashboard } from '@opentab/merchant-agent/dashboard/build';
import { FIREFOX } from '@opentab/test-kit/browsers';
import { TestCustomer } from '@opentab/test-kit/worlds';
import { expect, test } from '@playwright/test';
import { keepScreenshot } from '../fixtures/screenshots';
import { worldTest } from '../fixtures/world';
import { article } from '../testing/catalogue';

let dashboardDir: string;

test.beforeAll(async () => {
  dashboardDir = await mkdtemp(join(tmpdir(), 'opentab-dashboard-'));
  await buildDashboard(dashboardDir);
  // The agent reads where its dashboard is at each request.
  process.env.OPENTAB_DASHBOARD_DIR = dashboardDir;
});

test.afterAll(async () => {
  delete process.env.OPENTAB_DASHBOARD_DIR;
  await rm(dashboardDir, { recursive: true, force: true });
});

const dashboardTest = worldTest.extend<{ firefox: Browser; dashboard: Page }>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern
  firefox: async ({}, use) => {
    const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
    try {
      await use(browser);
    } finally {
      await browser.close();
    }
  },
  dashboard: async ({ firefox }, use, testInfo) => {
    const page = await firefox.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    await use(page);
    await keepScreenshot(testInfo, 'dashboard', (path) => page.screenshot({ path, fullPage: true }).then(() => {}));
  },
});

/** The text of the first element matching `selector`, or '' while there is none. */
const textOf = (page: Page, selector: string) =>
  page.$eval(selector, (element) => element.textContent ?? '').catch(() => '');

dashboardTest(
  'Firefox: the merchant dashboard shows sales and their chart, and refunds a purchase',
  async ({ world, dashboard: page }) => {
    // A reader's tab at the demo shop, paid over the protocol: three articles.
    const admin = world.customerOperator.admin;
    const { accountId } = await admin.call('createCustomer', { creditLimit: { currency: 'SEK', value: '100.00' } });
    const { code } = await admin.call('enrollmentCode', {}, { accountId });
    const reader = await TestCustomer.enroll(world.customerOperator.url, code);
    const tab = await reader.openTab({
      merchantId: DEMO_MERCHANT_ID,
      merchantOperatorId: world.merchantOperator.operatorId,
      merchantCurrency: 'EUR',
      deposit: { currency: 'SEK', value: '20.00' },
    });
    const bought = ['article-1', 'article-2', 'article-3'];
    for (const itemId of bought)
      await tab.buy(world.shop.merchant.agentUrl, itemId, { currency: 'EUR', value: article(itemId).price });
    // 2 + 5 + 5 cents.
    expect(bought.map((itemId) => article(itemId).price)).toEqual(['0.02', '0.05', '0.05']);

    // The owner logs in.
    await page.goto(world.shop.dashboard.url);
    await page.locator('input[type="password"]').fill(world.shop.dashboard.login.token);
    await page.locator('button[type="submit"]').click();
    await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Sales');
    expect(await textOf(page, 'header')).toContain(`${world.shop.dashboard.login.name} (owner)`);

    // The sales and their chart.
    await expect.poll(() => textOf(page, '.figures-row')).toContain('0.12 EUR');
    expect(await textOf(page, '.figures-row')).toContain('Open tabs1');
    await page.waitForSelector('[role="img"][aria-label="Sales per day"] canvas');
    const chart = await page.$eval('.chart canvas', (canvas) => ({
      width: (canvas as HTMLCanvasElement).width,
      height: (canvas as HTMLCanvasElement).height,
    }));
    expect(chart.width).toBeGreaterThan(0);
    expect(chart.height).toBeGreaterThan(0);
    await expect.poll(() => textOf(page, 'table[aria-label="Sales per item"]')).toContain('article-2');

    // The open tab, and a refund of its second purchase.
    await page.locator('nav a[href="#/tabs"]').click();
    await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Tabs');
    await page.locator(`table[aria-label="Tabs"] td::-p-text(${tab.tabId})`).click();
    const purchase = `tr[data-purchase="${tab.tabId}:2"]`;
    await page.waitForSelector(purchase);
    await page.locator(`${purchase} button`).click();
    await page.locator(`${purchase} input`).fill('Article 2 did not load.');
    await page.locator(`${purchase} button[type="submit"]`).click();
    await expect.poll(() => textOf(page, purchase)).toContain('taken');

    // The tab clears what was sold less the refund: 12 − 5 = 7 cents at the merchant's operator.
    await world.shop.agent.stop(tab.tabId);
    await reader.sendRecord(tab);
    await expect.poll(async () => (await reader.account()).tabs[0]?.state, { timeout: 30_000 }).toBe('cleared');
    const merchants = await world.merchantOperator.admin.call('listMerchants', undefined);
    expect(merchants.find((merchant) => merchant.merchantId === DEMO_MERCHANT_ID)?.balance).toEqual({
      currency: 'EUR',
      value: '0.07',
    });
  },
);
