import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page, type Route } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole } from '@opentab/operator-server/console/build';
import { callRoute, OPERATOR_API, toBase64url } from '@opentab/protocol';
import { nodeCrypto, waitFor } from '@opentab/test-kit';
import { CHROMIUM, requireBrowser } from '@opentab/test-kit/browsers';
import {
  CUSTOMER_OPERATOR,
  hundredArticles,
  MERCHANT_OPERATOR,
  merchantStopRecord,
  startTwoOperatorWorld,
  type TestCustomer,
  type TestTab,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';

// The operator console as the operator's staff meet it, in Chromium, against real operators and
// a real merchant agent: log in with the admin token (a wrong one is refused), find a dispute,
// read both records side by side, decide it, and see the decision reach the customer's account.

/** Kept after the run, as the e2e suite keeps its screenshots. */
const SCREENSHOTS = fileURLToPath(new URL('../artifacts/results/', import.meta.url));
const merchantSecretKey = toBase64url(nodeCrypto.randomBytes(32));
let world: TwoOperatorWorld;
let consoleDir: string;
let browser: Browser;
let page: Page;

const eu = () => world.world.operator(MERCHANT_OPERATOR);
const price = (itemId: string) => ({
  currency: 'EUR',
  value: hundredArticles().find((a) => a.itemId === itemId)!.price,
});

beforeAll(async () => {
  requireBrowser(CHROMIUM);
  consoleDir = await mkdtemp(join(tmpdir(), 'opentab-console-'));
  await buildConsole(consoleDir);
  process.env.OPENTAB_CONSOLE_DIR = consoleDir;
  world = await startTwoOperatorWorld({ merchantSecretKey });
  browser = await chromium.launch({
    headless: true,
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await world?.close();
  delete process.env.OPENTAB_CONSOLE_DIR;
  if (consoleDir !== undefined) await rm(consoleDir, { recursive: true, force: true });
});

/** Three articles (0.45 EUR); the merchant's record claims 5.00 EUR: the MTA clears 0.45 and records a dispute. */
async function disputedTab(): Promise<{ customer: TestCustomer; tab: TestTab }> {
  const customer = await world.newCustomer('100.00');
  const tab = await customer.openTab({
    merchantId: world.merchantId,
    merchantOperatorId: MERCHANT_OPERATOR,
    merchantCurrency: 'EUR',
    deposit: { currency: 'SEK', value: '50.00' },
  });
  for (const itemId of ['article-1', 'article-2', 'article-3'])
    await tab.buy(world.merchant.agentUrl, itemId, price(itemId));
  const inflated = merchantStopRecord(merchantSecretKey, world.merchantId, tab, {
    count: 3,
    total: { currency: 'EUR', value: '5.00' },
    lastChainIndex: 45,
  });
  await callRoute(eu().url, OPERATOR_API.merchantRecord, inflated);
  await customer.sendRecord(tab);
  await chargedAt(customer, '5.11');
  return { customer, tab };
}

function chargedAt(customer: TestCustomer, value: string) {
  return waitFor(
    `the AM to charge ${value} SEK`,
    async () => (await customer.account()).tabs[0]?.charged?.value === value,
    15_000,
    100,
  );
}

describe('the operator console', () => {
  it('logs in with the admin token only', async () => {
    await page.goto(`${eu().url}/console`);
    await page.getByLabel('Admin token').fill('not-the-token');
    await page.getByRole('button', { name: 'Log in with the token' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not this operator’s admin token');
    await page.getByLabel('Admin token').fill(eu().running.context.config.adminToken);
    await page.getByRole('button', { name: 'Log in with the token' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('img', { name: 'Tabs' }).waitFor();
  });

  it('resolves a dispute in the customer’s favour and shows the signed decision', async () => {
    const { customer, tab } = await disputedTab();
    await page.getByRole('link', { name: 'Disputes' }).click();
    const row = page.getByRole('row').filter({ hasText: tab.tabId });
    await expect.poll(() => row.textContent()).toContain('open');
    await row.getByRole('button', { name: 'Open' }).click();
    const dispute = page.getByRole('article');
    await dispute.getByRole('heading', { name: `Tab ${tab.tabId}` }).waitFor();
    // Both records side by side: the merchant claims 5.00 EUR, its link proves 0.45 EUR like the customer's.
    await expect.poll(() => dispute.textContent()).toContain('5.00 EUR');
    expect(await dispute.getByText('proves 0.45 EUR').count()).toBe(2);

    await dispute.getByLabel('Adjust what the tab clears').check();
    await dispute.getByLabel(/^Tab clears/).fill('0.20');
    await dispute.getByLabel('Reason').fill('Two of the three articles never loaded.');
    await dispute.getByRole('button', { name: 'Sign and record the decision' }).click();
    const decision = page.getByRole('region', { name: 'Decision' });
    await expect
      .poll(() => decision.textContent())
      .toContain('Adjusted: the tab clears 0.20 EUR instead of 0.45 EUR (-0.25 EUR to the merchant).');
    expect(await decision.textContent()).toContain('Two of the three articles never loaded.');
    // Logged in with the admin token: the decision says so.
    expect(await decision.getByRole('heading').textContent()).toMatch(/ by admin$/);
    expect(await decision.textContent()).toContain(eu().running.context.identity.signer.kid);
    await expect.poll(() => row.textContent()).toContain('adjust: 0.20 EUR');

    // What the browser did reached the ledgers: the merchant holds 0.20 EUR, the customer pays 2.27 SEK.
    const [merchant] = await eu().admin.call('listMerchants', undefined);
    expect(merchant?.balance).toEqual({ currency: 'EUR', value: '0.20' });
    await chargedAt(customer, '2.27');
    await page.screenshot({ path: join(SCREENSHOTS, 'operator-console-dispute.png'), fullPage: true });
    // The tab's story, found by its id, tells the decision in its place.
    await page.getByRole('link', { name: 'Tabs' }).click();
    await page.getByLabel('Tab id').fill(tab.tabId);
    await page.getByRole('button', { name: 'Tell its story' }).click();
    const story = page.getByRole('article', { name: `Story of ${tab.tabId}` });
    await expect
      .poll(() => story.textContent())
      .toContain(
        'Dispute decided: the tab clears 0.20 EUR instead of 0.45 EUR. Reason: Two of the three articles never loaded.',
      );
  });

  it('shows the settlement with the peer and exports it as CSV and JSON', async () => {
    await page.getByRole('link', { name: 'Settlement' }).click();
    await page.getByLabel('Peer operator').fill(CUSTOMER_OPERATOR);
    await page.getByRole('button', { name: 'Statement' }).click();
    const statement = page.getByRole('article', { name: 'Statement' });
    // The dispute's tab: op-se owed 0.45 EUR for it, 0.25 EUR went back at the decision: 0.20 EUR net to this operator.
    await expect.poll(() => statement.textContent()).toContain('-0.20 EUR');
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      statement.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const text = await readFile((await csv.path())!, 'utf8');
    const [header, line] = text.trim().split('\n');
    expect(header).toBe('operator,peer,from,until,currency,payable,receivable,net,entries');
    expect(line).toMatch(/^op-eu,op-se,[^,]+,[^,]+,EUR,0\.25,0\.45,-0\.20,2$/);
    const [json] = await Promise.all([
      page.waitForEvent('download'),
      statement.getByRole('button', { name: 'Export JSON' }).click(),
    ]);
    const exported = JSON.parse(await readFile((await json.path())!, 'utf8'));
    const fromApi = await eu().admin.call(
      'settlement',
      undefined,
      {},
      { peer: CUSTOMER_OPERATOR, until: exported.until },
    );
    expect(exported).toEqual({ ...fromApi, from: exported.from });
  });

  it('lists a delivery that failed and retries it by hand', async () => {
    const customer = await world.newCustomer('100.00');
    const tab = await customer.openTab({
      merchantId: world.merchantId,
      merchantOperatorId: MERCHANT_OPERATOR,
      merchantCurrency: 'EUR',
      deposit: { currency: 'SEK', value: '20.00' },
    });
    await tab.buy(world.merchant.agentUrl, 'article-1', price('article-1'));
    world.merchant.blockRoute('/mta/tab-cleared');
    await world.merchant.agent.stop(tab.tabId);
    await world.merchantRecordAcknowledged(tab.tabId);
    await customer.sendRecord(tab);
    await page.getByRole('link', { name: 'Outbox' }).click();
    const row = page.getByRole('row').filter({ hasText: `tab-cleared:${tab.tabId}` });
    await expect
      .poll(async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        return row.count();
      })
      .toBe(1);
    expect(await row.textContent()).toContain(`merchant-notice:${world.merchantId}`);
    // Its next attempt waits for a clock that does not move here: only the retry by hand delivers it.
    world.merchant.blockRoute('/mta/tab-cleared', false);
    await row.getByRole('button', { name: 'Retry now' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('1 message(s) will be tried');
    await waitFor(
      'the notice to reach the agent',
      async () => (await world.merchant.agent.tab(tab.tabId))?.cleared != null,
    );
    await expect
      .poll(async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        return row.count();
      })
      .toBe(0);
    await chargedAt(customer, '0.91');
  });

  it('suspends a merchant and shows it', async () => {
    await page.getByRole('link', { name: 'Merchants' }).click();
    await page.getByLabel('Reason for a change').fill('Complaints under review');
    const row = page.getByRole('row').filter({ hasText: world.merchantId });
    await row.getByRole('button', { name: 'Suspend' }).click();
    await expect.poll(() => row.textContent()).toContain('suspended (Complaints under review)');
    const [merchant] = await eu().admin.call('listMerchants', undefined);
    expect(merchant).toMatchObject({ status: 'suspended', statusReason: 'Complaints under review' });
  });

  it('draws the figures history on opening, before any live sample, then appends live samples', async () => {
    // Four minutes of the operator's clock: the jobs sample the figures once in each.
    await world.settleBackgroundWork();
    for (let minute = 0; minute < 3; minute++) await world.elapse(60_000);
    const history = await eu().admin.call('figureHistory', undefined);
    expect(history.length).toBeGreaterThanOrEqual(4);

    const fresh = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Live samples wait unanswered: whatever the chart holds meanwhile came from the history.
    const heldLiveSamples: Route[] = [];
    const liveSample = (url: URL) => url.pathname === '/v1/admin/figures';
    await fresh.route(liveSample, (route) => {
      heldLiveSamples.push(route);
    });
    await fresh.goto(`${eu().url}/console/`);
    await fresh.getByLabel('Admin token').fill(eu().running.context.config.adminToken);
    await fresh.getByRole('button', { name: 'Log in with the token' }).click();
    const tabsChart = fresh.getByRole('img', { name: 'Tabs' });
    await expect.poll(() => tabsChart.getAttribute('data-points'), { timeout: 15_000 }).toBe(String(history.length));
    await expect.poll(() => heldLiveSamples.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    expect(await tabsChart.getAttribute('data-points')).toBe(String(history.length));

    await fresh.unroute(liveSample); // the held requests go on to the operator too
    await expect
      .poll(async () => Number(await tabsChart.getAttribute('data-points')), { timeout: 15_000 })
      .toBeGreaterThan(history.length);
    await fresh.close();
  }, 60_000);

  it('opens an account, changes its credit limit and suspends it', async () => {
    const se = world.world.operator(CUSTOMER_OPERATOR);
    const sePage = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await sePage.goto(`${se.url}/console/#/accounts`);
    await sePage.getByLabel('Admin token').fill(se.running.context.config.adminToken);
    await sePage.getByRole('button', { name: 'Log in with the token' }).click();
    await sePage.getByRole('heading', { name: 'Accounts' }).waitFor();
    await sePage.getByLabel("New account's name").fill('Grace Hopper');
    await sePage.getByLabel('Credit limit').fill('75.00');
    await sePage.getByRole('button', { name: 'Open account' }).click();
    await expect.poll(() => sePage.getByRole('status').textContent()).toMatch(/^Opened acct_/);
    const accountId = (await sePage.getByRole('status').textContent())!.slice('Opened '.length, -1);

    await sePage.getByLabel('Id or name').fill('hopper');
    await sePage.getByRole('button', { name: 'Search' }).click();
    const row = sePage.getByRole('row').filter({ hasText: accountId });
    await expect.poll(() => row.textContent()).toContain('75.00 SEK');
    await row.click();
    const account = sePage.getByRole('article', { name: `Account ${accountId}` });
    await account.getByLabel(/^Amount/).fill('120.00');
    await account.getByRole('button', { name: 'Set credit limit' }).click();
    await expect.poll(() => account.textContent()).toContain('credit limit 120.00 SEK');
    await account.getByLabel('Reason or reference').fill('Unpaid invoice');
    await account.getByRole('button', { name: 'Suspend' }).click();
    await expect.poll(() => row.textContent()).toContain('suspended');
    const [found] = await se.admin.call('searchCustomers', undefined, {}, { text: accountId });
    expect(found).toMatchObject({
      status: 'suspended',
      statusReason: 'Unpaid invoice',
      creditLimit: { value: '120.00' },
    });
    await sePage.close();
  });

  it('fits a phone: no page wider than the screen', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 800 } });
    await phone.goto(`${eu().url}/console/`);
    await phone.getByLabel('Admin token').fill(eu().running.context.config.adminToken);
    await phone.getByRole('button', { name: 'Log in with the token' }).click();
    for (const name of [
      'Overview',
      'Accounts',
      'Merchants',
      'Tabs',
      'Disputes',
      'Settlement',
      'Outbox',
      'Trust and keys',
    ]) {
      await phone.getByRole('link', { name, exact: true }).click();
      await phone.getByRole('heading', { level: 1 }).first().waitFor();
      const width = await phone.evaluate(() => document.documentElement.scrollWidth);
      expect(width, name).toBeLessThanOrEqual(390);
    }
    await phone.close();
  });
});
