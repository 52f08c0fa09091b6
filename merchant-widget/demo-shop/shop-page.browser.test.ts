// The shop's page script in a real browser under the shop's own CSP: an opentab:paid event (as
// the widget raises it) releases the paid content through the server's token check, and the
// content stays open on reload. The widget itself is a stub here; its own suite covers it.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Receipt } from '@opentab/protocol';
import { StandInMta } from '@opentab/test-kit/merchant-agent';
import { TestCustomer } from '@opentab/test-kit/merchant-agent';
import { ARTICLES } from './content';
import { startDemoShop, type DemoShop } from './server';

const CHROMIUM = process.env.OPENTAB_CHROMIUM ?? '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('demo shop page script in Chromium', () => {
  let dir: string;
  let mta: StandInMta;
  let shop: DemoShop;
  let browser: Browser;
  let customer: TestCustomer;
  let tabId: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opentab-shop-page-'));
    writeFileSync(join(dir, 'widget.js'), '/* stub: events are raised by the test */');
    mta = await StandInMta.start('op-eu');
    shop = await startDemoShop({
      operatorId: mta.operatorId,
      operatorBaseUrl: mta.baseUrl,
      operatorPublicKey: mta.operatorPublicKey,
      dataDir: join(dir, 'data'),
      agentOverrides: { widgetFilePath: join(dir, 'widget.js'), logger: { warn: () => undefined } },
    });
    customer = new TestCustomer(1000);
    const information = mta.tabInformation({
      merchantId: shop.merchant.merchantId,
      tabPublicKey: customer.tabPublicKey,
      deposit: { currency: 'EUR', value: '5.00' },
      chain: { root: customer.chain.commitment.root, unit: { currency: 'EUR', value: '0.01' }, length: 1000 },
      expiresAt_ms: Date.now() + 600_000,
    });
    await mta.announceTab(shop.merchant.agentUrl, information);
    tabId = information.payload.tabId;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await shop.close();
    await mta.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function pay(itemId: string, price: string, units: number): Promise<Receipt> {
    const purchase = customer.purchase(tabId, itemId, { currency: 'EUR', value: price }, units);
    const response = await fetch(`${shop.merchant.agentUrl}/purchase`, {
      method: 'POST',
      body: JSON.stringify(purchase),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(200);
    customer.paid(purchase);
    return (await response.json()) as Receipt;
  }

  async function openPage(path: string): Promise<{ page: Page; violations: string[] }> {
    const page = await browser.newPage();
    const violations: string[] = [];
    await page.exposeFunction('reportViolation', (text: string) => violations.push(text));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        (window as unknown as { reportViolation(text: string): void }).reportViolation(
          `${event.violatedDirective} ${event.blockedURI}`,
        );
      });
    });
    await page.goto(`${shop.url}${path}`);
    return { page, violations };
  }

  it('shows the rest of an article once the widget reports it paid, and keeps it on reload', async () => {
    const article = ARTICLES.find((candidate) => candidate.itemId === 'article-9')!;
    const { page, violations } = await openPage(`/articles/${article.itemId}`);
    const body = page.locator('[data-paid-body]');
    await expect(body.isHidden()).resolves.toBe(true);

    const receipt = await pay(article.itemId, article.price, 15);
    await page.evaluate(
      (detail) => {
        document
          .querySelector('[data-opentab-item]')!
          .dispatchEvent(new CustomEvent('opentab:paid', { detail, bubbles: true, composed: true }));
      },
      { itemId: article.itemId, receipt },
    );
    await body.locator('p').first().waitFor();
    expect(await body.locator('p').allTextContents()).toEqual([...article.paragraphs]);
    expect(await page.locator('[data-paywall]').isHidden()).toBe(true);

    await page.reload();
    await page.locator('[data-paid-body] p').first().waitFor();
    expect(await page.locator('[data-paid-body] p').count()).toBe(article.paragraphs.length);
    expect(violations).toEqual([]);
    await page.close();
  });

  it('shows a clear message instead of content when the token does not open the item', async () => {
    const { page } = await openPage('/articles/article-1');
    const receiptForOtherItem = await pay('article-14', '0.03', 3);
    await page.evaluate(
      (detail) => {
        document.dispatchEvent(new CustomEvent('opentab:paid', { detail }));
      },
      { itemId: 'article-1', receipt: receiptForOtherItem },
    );
    await expect(
      page.locator('[data-paid-status]').filter({ hasText: 'not accepted for this item' }).waitFor(),
    ).resolves.toBeUndefined();
    expect(await page.locator('[data-paid-body]').isHidden()).toBe(true);
    await page.reload();
    await page.waitForLoadState('networkidle');
    expect(await page.locator('[data-paid-status]').textContent()).toBe('');
    await page.close();
  });

  it('leaves a payment error to the widget instead of saying it a second time', async () => {
    const { page } = await openPage('/articles/article-1');
    await page.evaluate(() => {
      document.querySelector('[data-paid-status]')!.textContent = 'Opening…';
      const detail = {
        itemId: 'article-1',
        code: 'declined_by_customer',
        message: 'You declined to open a tab at this merchant.',
      };
      document
        .querySelector('[data-opentab-item]')!
        .dispatchEvent(new CustomEvent('opentab:error', { detail, bubbles: true, composed: true }));
    });
    expect(await page.locator('[data-paid-status]').textContent()).toBe('');
    expect(await page.locator('[data-paywall]').isVisible()).toBe(true);
    await page.close();
  });
});
