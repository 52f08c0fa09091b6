import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard } from '@opentab/merchant-agent/dashboard/build';
import { callRoute, OPERATOR_API, toBase64url } from '@opentab/protocol';
import { nodeCrypto, waitFor } from '@opentab/test-kit';
import { CHROMIUM, requireBrowser } from '@opentab/test-kit/browsers';
import {
  hundredArticles,
  MERCHANT_OPERATOR,
  merchantStopRecord,
  startMerchantSite,
  startTwoOperatorWorld,
  type MerchantSite,
  type TestCustomer,
  type TestTab,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';

// The merchant dashboard as a shop's people meet it, in Chromium, against a real merchant agent
// and real operators (no API is mocked): logins and their refusals, sales with their chart, tabs,
// purchases, receipts, refunds before and after the clearing (checked in both operators' books),
// clearings, disputes, catalogue edits and the CSV export, at 1280 px and on a phone.

/** Kept after the run, as the e2e suite keeps its screenshots. */
const SCREENSHOTS = fileURLToPath(new URL('../artifacts/results/', import.meta.url));
const OWNER = { name: 'Ada', token: 'owner-token-0123456789abcdef0123456789', role: 'owner' } as const;
const VIEWER = { name: 'Bob', token: 'viewer-token-0123456789abcdef012345678', role: 'viewer' } as const;
const OTHER_TOKEN = 'gazette-owner-token-0123456789abcdef';
const merchantSecretKey = toBase64url(nodeCrypto.randomBytes(32));
let world: TwoOperatorWorld;
let other: MerchantSite;
let dashboardDir: string;
let browser: Browser;
let page: Page;
let customer: TestCustomer;
let tab: TestTab;

const eu = () => world.world.operator(MERCHANT_OPERATOR);
const eur = (value: string) => ({ currency: 'EUR', value });
const price = (itemId: string) => eur(hundredArticles().find((a) => a.itemId === itemId)!.price);
const dashboardUrl = () => `${world.merchant.agentUrl}/dashboard/`;

beforeAll(async () => {
  requireBrowser(CHROMIUM);
  dashboardDir = await mkdtemp(join(tmpdir(), 'opentab-dashboard-'));
  await buildDashboard(dashboardDir);
  process.env.OPENTAB_DASHBOARD_DIR = dashboardDir;
  world = await startTwoOperatorWorld({ merchantSecretKey, adminLogins: [OWNER, VIEWER] });
  // Another shop with its own agent and login: its token must not open this shop's dashboard.
  other = await startMerchantSite({
    merchantId: 'gazette',
    operatorUrl: eu().url,
    operatorPublicKey: eu().running.context.identity.signer.kid,
    operatorId: MERCHANT_OPERATOR,
    currency: 'EUR',
    catalogue: hundredArticles(),
    dir: world.dir,
    clock: world.clock,
    adminLogins: [{ name: 'Gus', token: OTHER_TOKEN, role: 'owner' }],
  });
  browser = await chromium.launch({
    headless: true,
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  // Three articles on one open tab: 0.15 + 0.22 + 0.06 = 0.43 EUR.
  customer = await world.newCustomer('100.00');
  tab = await customer.openTab({
    merchantId: world.merchantId,
    merchantOperatorId: MERCHANT_OPERATOR,
    merchantCurrency: 'EUR',
    deposit: { currency: 'SEK', value: '50.00' },
  });
  for (const itemId of ['article-2', 'article-3', 'article-4'])
    await tab.buy(world.merchant.agentUrl, itemId, price(itemId));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await other?.close();
  if (world !== undefined) {
    await world.assertInvariants();
    await world.close();
  }
  delete process.env.OPENTAB_DASHBOARD_DIR;
  if (dashboardDir !== undefined) await rm(dashboardDir, { recursive: true, force: true });
});

function chargedAt(who: TestCustomer, value: string) {
  return waitFor(
    `the AM to charge ${value} SEK`,
    async () => (await who.account()).tabs[0]?.charged?.value === value,
    15_000,
    100,
  );
}

async function merchantBalance() {
  const merchants = await eu().admin.call('listMerchants', undefined);
  return merchants.find((merchant) => merchant.merchantId === world.merchantId)?.balance;
}

async function logIn(token: string) {
  await page.getByLabel('Login token').fill(token);
  await page.getByRole('button', { name: 'Log in' }).click();
}

async function go(name: string) {
  await page.getByRole('navigation').getByRole('link', { name }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

describe('the merchant dashboard', () => {
  it('refuses no token, a wrong token and another shop’s token, and its API answers none of them', async () => {
    await page.goto(dashboardUrl());
    await logIn('');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Not a login of this shop');
    await logIn(`${OWNER.token}-wrong`);
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain("not the token of one of this merchant's logins");
    await logIn(OTHER_TOKEN);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Not a login of this shop');
    expect(await page.getByRole('navigation').count()).toBe(0);
    // The same refusals straight from the page's own origin, as any script there would meet them.
    const statuses = await page.evaluate(
      async ([base, otherToken]) => {
        const ask = (headers: Record<string, string>) =>
          fetch(`${base}/admin/purchases`, { headers }).then((r) => r.status);
        return [
          await ask({}),
          await ask({ authorization: 'Bearer nope' }),
          await ask({ authorization: `Bearer ${otherToken}` }),
        ];
      },
      [world.merchant.agentUrl, OTHER_TOKEN] as const,
    );
    expect(statuses).toEqual([401, 401, 401]);
  });

  it('shows sales per item and over time to the owner', async () => {
    await logIn(OWNER.token);
    await page.getByRole('heading', { level: 1, name: 'Sales' }).waitFor();
    expect(await page.locator('header').textContent()).toContain('Ada (owner)');
    const figures = page.locator('.figures-row');
    await expect.poll(() => figures.textContent()).toContain('Sold0.43 EUR');
    expect(await figures.textContent()).toContain('Open tabs1');
    await page.getByRole('img', { name: 'Sales per day' }).waitFor();
    expect(await page.locator('.chart canvas').count()).toBeGreaterThan(0);
    const perItem = page.getByRole('table', { name: 'Sales per item' });
    await expect
      .poll(() => perItem.getByRole('row').filter({ hasText: 'article-3' }).textContent())
      .toContain('0.22 EUR');
    await page.getByLabel('Period').selectOption('24h');
    await page.getByRole('img', { name: 'Sales per hour' }).waitFor();
  });

  it('lists the open tab, its purchases and receipts, and refunds one purchase before the clearing', async () => {
    await go('Tabs');
    const row = page.getByRole('table', { name: 'Tabs' }).getByRole('row').filter({ hasText: tab.tabId });
    await expect.poll(() => row.textContent()).toContain('0.43 EUR');
    await row.click();
    const detail = page.getByRole('article', { name: `Tab ${tab.tabId}` });
    await expect.poll(() => detail.getByRole('table', { name: 'Purchases' }).getByRole('row').count()).toBe(4);
    const purchase = detail.locator(`tr[data-purchase="${tab.tabId}:2"]`);
    await purchase.getByRole('button', { name: 'Refund' }).click();
    await purchase.getByLabel('Reason').fill('Article 3 was a duplicate.');
    await purchase.getByRole('button', { name: 'Refund' }).click();
    await expect.poll(() => detail.locator(`tr[data-purchase="${tab.tabId}:2"]`).textContent()).toContain('taken');
    await expect.poll(() => detail.textContent()).toContain('Refunded0.22 EUR');

    await detail.getByRole('link', { name: 'Receipts' }).click();
    await page.getByRole('heading', { level: 1, name: 'Receipts' }).waitFor();
    const receipt = page.getByRole('article', { name: 'Receipt 1' });
    await expect.poll(() => receipt.textContent()).toContain(`"tabId": "${tab.tabId}"`);
    expect(await receipt.textContent()).toContain('"type": "receipt"');
    expect(await page.getByRole('article').count()).toBe(3);

    // The tab stops and clears: what the records prove (0.43) less the refund (0.22) = 0.21 EUR.
    await world.merchant.agent.stop(tab.tabId);
    await customer.sendRecord(tab);
    await chargedAt(customer, '2.39');
    expect(await merchantBalance()).toEqual(eur('0.21'));
  });

  it('shows the clearing, and refunds a purchase after it through the operator to the customer', async () => {
    await waitFor(
      'the agent to learn the clearing',
      async () => (await world.merchant.agent.tab(tab.tabId))?.cleared !== null,
    );
    await go('Clearings');
    const clearing = page.getByRole('table', { name: 'Clearings' }).getByRole('row').filter({ hasText: tab.tabId });
    await expect.poll(() => clearing.textContent()).toContain('acknowledged');
    expect(await clearing.textContent()).toContain('0.21 EUR');
    expect(await clearing.textContent()).toContain('agreed');

    await go('Purchases');
    const purchase = page.locator(`tr[data-purchase="${tab.tabId}:1"]`);
    await purchase.getByRole('button', { name: 'Refund' }).click();
    await purchase.getByLabel('Reason').fill('Article 2 never loaded.');
    await purchase.getByRole('button', { name: 'Refund' }).click();
    await expect.poll(() => page.locator(`tr[data-purchase="${tab.tabId}:1"]`).textContent()).toContain('taken');
    // At the operators: the merchant gave back 0.15 EUR; the customer pays for 0.06 EUR only (0.68 SEK).
    expect(await merchantBalance()).toEqual(eur('0.06'));
    const account = await chargedAt(customer, '0.68');
    expect((await customer.account()).history).toContainEqual(
      expect.objectContaining({ memo: expect.stringContaining('Refund from The Daily Tab: Article 2 never loaded.') }),
    );
    void account;

    await go('Refunds');
    const refunds = page.getByRole('table', { name: 'Refunds' });
    await expect.poll(() => refunds.getByRole('row').count()).toBe(3);
    expect(await refunds.getByRole('row').filter({ hasText: 'Article 2 never loaded.' }).textContent()).toContain(
      'taken (after-clearing)',
    );
    expect(await refunds.getByRole('row').filter({ hasText: 'Article 3 was a duplicate.' }).textContent()).toContain(
      'taken (before-clearing)',
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'merchant-dashboard-refunds.png'), fullPage: true });
  });

  it('shows a disputed tab with what was claimed and what was paid', async () => {
    const reader = await world.newCustomer('100.00');
    const disputed = await reader.openTab({
      merchantId: world.merchantId,
      merchantOperatorId: MERCHANT_OPERATOR,
      merchantCurrency: 'EUR',
      deposit: { currency: 'SEK', value: '50.00' },
    });
    for (const itemId of ['article-1', 'article-2', 'article-3'])
      await disputed.buy(world.merchant.agentUrl, itemId, price(itemId));
    // The merchant's record claims 5.00 EUR; the chain proves 0.45: the MTA clears 0.45 and records a dispute.
    await callRoute(
      eu().url,
      OPERATOR_API.merchantRecord,
      merchantStopRecord(merchantSecretKey, world.merchantId, disputed, {
        count: 3,
        total: eur('5.00'),
        lastChainIndex: 45,
      }),
    );
    await reader.sendRecord(disputed);
    await chargedAt(reader, '5.11');
    await world.merchant.agent.stop(disputed.tabId);
    await waitFor(
      'the agent to learn the disputed clearing',
      async () => (await world.merchant.agent.tab(disputed.tabId))?.cleared?.outcome === 'disputed',
    );
    await go('Disputes');
    const row = page.getByRole('table', { name: 'Disputes' }).getByRole('row').filter({ hasText: disputed.tabId });
    await expect.poll(() => row.textContent()).toContain('cleared on the chain’s proof');
    expect(await row.textContent()).toContain('0.45 EUR');

    // The operator decides: the signed decision and its reason reach the agent, and the page shows them.
    const [dispute] = (await eu().admin.call('listDisputes', undefined)).filter((d) => d.tabId === disputed.tabId);
    await eu().admin.call(
      'resolveDispute',
      { decision: 'adjust', cleared: eur('0.30'), reason: 'One article never loaded.' },
      { disputeId: dispute!.disputeId },
    );
    await waitFor('the decision to reach the agent', async () => {
      await world.elapse(0);
      return (await world.merchant.agent.disputeDecision(disputed.tabId)) !== null;
    });
    await go('Clearings');
    await go('Disputes');
    await expect.poll(() => row.textContent()).toContain('adjusted by the operator from 0.45 EUR to 0.30 EUR');
    expect(await row.textContent()).toContain('One article never loaded.');
    await page.screenshot({ path: join(SCREENSHOTS, 'merchant-dashboard-disputes.png'), fullPage: true });
  });

  it('changes a price at once: the new price is sold, the old one refused', async () => {
    await go('Catalogue');
    const item = page.locator('tr[data-item="article-5"]');
    await item.getByRole('button', { name: 'Edit' }).click();
    const form = page.getByRole('form', { name: 'Edit item' });
    await form.getByLabel('Title', { exact: true }).fill('Article 5, revised');
    await form.getByLabel(/^Price/).fill('0.30');
    await form.getByLabel(/^Kind/).selectOption('consumable');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Saved article-5: sold at 0.30 EUR');
    await expect.poll(() => item.textContent()).toContain('0.30 EUR');
    expect(await item.textContent()).toContain('consumable');
    // A wrong price is refused with the agent's sentence, and nothing changes.
    await item.getByRole('button', { name: 'Edit' }).click();
    await form.getByLabel(/^Price/).fill('0.001');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toContain('An amount is not a valid decimal for its currency.');
    await form.getByRole('button', { name: 'Cancel' }).click();
    expect(await item.textContent()).toContain('0.30 EUR');

    const buyer = await world.newCustomer('100.00');
    const fresh = await buyer.openTab({
      merchantId: world.merchantId,
      merchantOperatorId: MERCHANT_OPERATOR,
      merchantCurrency: 'EUR',
      deposit: { currency: 'SEK', value: '50.00' },
    });
    await expect(fresh.buy(world.merchant.agentUrl, 'article-5', price('article-5'))).rejects.toMatchObject({
      failure: { code: 'price_mismatch', message: 'article-5 costs 0.30 EUR.' },
    });
    expect((await fresh.buy(world.merchant.agentUrl, 'article-5', eur('0.30'))).payload.price).toEqual(eur('0.30'));
    await world.merchant.agent.stop(fresh.tabId);
    await buyer.sendRecord(fresh);
    await chargedAt(buyer, '3.41'); // 0.30 × 11.3595 = 3.40785
  });

  it('exports the purchases as CSV', async () => {
    await go('Export');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const text = await readFile((await download.path())!, 'utf8');
    const [header, ...lines] = text.trim().split('\r\n');
    expect(header).toBe(
      'purchase_id,tab_id,seq,item_id,title,price,currency,bought_at,tab_status,refund_id,refund_status',
    );
    const ofTab = lines.filter((line) => line.includes(tab.tabId)).map((line) => line.split(','));
    expect(ofTab.map((cells) => [cells[2], cells[3], cells[5], cells[10]])).toEqual([
      ['1', 'article-2', '0.15', 'taken'],
      ['2', 'article-3', '0.22', 'taken'],
      ['3', 'article-4', '0.06', ''],
    ]);
    expect(lines.some((line) => line.includes('article-5,"Article 5, revised",0.30,EUR'))).toBe(true);
    // The shop's day so far, at 1280 px (README shows this one).
    await go('Sales');
    await expect.poll(() => page.locator('.figures-row').textContent()).toContain('Refunded0.37 EUR');
    await page.getByRole('img', { name: 'Sales per day' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'merchant-dashboard-sales.png'), fullPage: true });
  });

  it('lets a viewer look but not refund or edit, and fits a phone', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await logIn(VIEWER.token);
    // Back on the page the address names (the export), now as Bob.
    await expect.poll(() => page.locator('header').textContent()).toContain('Bob (viewer)');
    await go('Purchases');
    await expect.poll(() => page.getByRole('table', { name: 'Purchases' }).getByRole('row').count()).toBeGreaterThan(3);
    expect(await page.getByRole('button', { name: 'Refund' }).count()).toBe(0);
    await go('Catalogue');
    expect(await page.getByRole('button', { name: 'Edit' }).count()).toBe(0);
    // What a viewer's token gets if it asks anyway: 403 with the agent's sentence, and no refund.
    const balanceBefore = await merchantBalance();
    const refused = await page.evaluate(
      async ([base, token, tabId]) => {
        const response = await fetch(`${base}/admin/refunds`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ refundId: '0'.repeat(32), tabId, seqs: [3], reason: 'Viewer tries.' }),
        });
        return { status: response.status, body: await response.json() };
      },
      [world.merchant.agentUrl, VIEWER.token, tab.tabId] as const,
    );
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(await merchantBalance()).toEqual(balanceBefore);

    // A phone: the pages lay out in its width, without the page scrolling sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    await go('Sales');
    await page.getByRole('img', { name: /^Sales per/ }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'merchant-dashboard-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});
