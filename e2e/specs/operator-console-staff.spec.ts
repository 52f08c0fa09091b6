// Scenario: the operator's staff in the console, in Chromium. An owner disables a login (its
// session ends at once) and enables it again, unlocks a login that failed log-ins locked, and
// changes their own password (the wrong current one is refused; their other session ends). And
// a tab's story at the merchant's operator lists the merchant's refunds of it, the one before the
// clearing and the one after with its clearing revision.
// Needs the built console: npm run build:console.

import { randomBytes } from 'node:crypto';
import { chromium, type Page } from '@playwright/test';
import { DEMO_DISPLAY_NAME } from '@opentab/demo-shop';
import { CHROMIUM } from '@opentab/test-kit/browsers';
import { worldTest } from '../fixtures/world';
import { expect, test } from '../fixtures/test';
import { buyFirstArticleApprovingAllowance } from '../pages/first-purchase';
import { articleIds } from '../testing/catalogue';
import type { DemoWorld } from '../world/demo-world';

const OWNER = { name: 'olive', password: 'an owner password of some length' };
const NEW_PASSWORD = 'another owner password entirely';

async function openConsole(world: DemoWorld): Promise<{ page: Page; close: () => Promise<void> }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${world.merchantOperator.url}/console/`);
  return { page, close: () => browser.close() };
}

async function logInAs(page: Page, name: string, password: string): Promise<void> {
  const form = page.getByRole('form', { name: 'Staff sign-in' });
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByText(`Signed in as ${name}`)).toBeVisible();
}

/** A session of `name` opened outside the page: its cookie, as another browser would hold it. */
async function sessionElsewhere(world: DemoWorld, name: string, password: string): Promise<string> {
  const response = await fetch(`${world.merchantOperator.url}/v1/staff/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  expect(response.status).toBe(200);
  return response.headers.get('set-cookie')!.split(';')[0]!;
}

const statusWith = async (world: DemoWorld, cookie: string) =>
  (await fetch(`${world.merchantOperator.url}/v1/admin/session`, { headers: { cookie } })).status;

worldTest('an owner disables, enables and unlocks logins, and changes their own password', async ({ world }) => {
  await world.merchantOperator.admin.call('createStaff', { ...OWNER, role: 'owner' });
  const demoSession = await sessionElsewhere(world, world.staff.name, world.staff.password);
  const ownerElsewhere = await sessionElsewhere(world, OWNER.name, OWNER.password);
  const { page, close } = await openConsole(world);
  try {
    await logInAs(page, OWNER.name, OWNER.password);
    await page.getByRole('link', { name: 'Staff' }).click();
    const logins = page.getByRole('table', { name: 'Staff logins' });
    const demoRow = logins.getByRole('row').filter({ hasText: world.staff.name });
    await expect(demoRow).toContainText('active');
    // No way to disable one's own login.
    await expect(page.getByRole('button', { name: `Disable ${OWNER.name}` })).toHaveCount(0);

    await page.getByRole('button', { name: `Disable ${world.staff.name}` }).click();
    await expect(page.getByRole('status')).toHaveText(`${world.staff.name} is disabled; its sessions ended.`);
    await expect(demoRow).toContainText('disabled since');
    expect(await statusWith(world, demoSession)).toBe(401);
    await page.getByRole('button', { name: `Enable ${world.staff.name}` }).click();
    await expect(demoRow).not.toContainText('disabled');

    // Five wrong passwords lock the login; the owner unlocks it.
    for (let i = 0; i < 5; i++)
      await fetch(`${world.merchantOperator.url}/v1/staff/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: world.staff.name, password: randomBytes(12).toString('hex') }),
      });
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('link', { name: 'Staff' }).click();
    await expect(demoRow).toContainText('locked until');
    await page.getByRole('button', { name: `Unlock ${world.staff.name}` }).click();
    await expect(page.getByRole('status')).toHaveText(`${world.staff.name} is unlocked.`);
    await expect(demoRow).not.toContainText('locked');
    expect((await sessionElsewhere(world, world.staff.name, world.staff.password)).length).toBeGreaterThan(0);

    // The owner's own password: the current one is asked for.
    const form = page.getByRole('form', { name: 'Change your password' });
    await form.getByLabel('Current password').fill('not my password at all');
    await form.getByLabel('New password').fill(NEW_PASSWORD);
    await form.getByRole('button', { name: 'Change the password' }).click();
    await expect(page.getByRole('status')).toContainText('The current password is wrong');
    expect(await statusWith(world, ownerElsewhere)).toBe(200);
    await form.getByLabel('Current password').fill(OWNER.password);
    await form.getByLabel('New password').fill(NEW_PASSWORD);
    await form.getByRole('button', { name: 'Change the password' }).click();
    await expect(page.getByRole('status')).toHaveText('Your password is changed; 1 other session(s) of yours ended.');
    expect(await statusWith(world, ownerElsewhere)).toBe(401);
    // This page's session goes on.
    await page.getByRole('link', { name: 'Overview' }).click();
    await expect(page.getByText(`Signed in as ${OWNER.name}`)).toBeVisible();
    await page.getByRole('button', { name: 'Log out' }).click();
    await logInAs(page, OWNER.name, NEW_PASSWORD);
  } finally {
    await close();
  }
});

/** Refunds purchases of the tab through the merchant agent's admin API, as the merchant's dashboard does. */
async function refund(world: DemoWorld, tabId: string, seqs: number[], reason: string): Promise<string> {
  const refundId = randomBytes(16).toString('hex');
  const response = await fetch(`${world.shop.url}${world.shop.agent.mountPath}/admin/refunds`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${world.shop.dashboard.login.token}` },
    body: JSON.stringify({ refundId, tabId, seqs, reason }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  return refundId;
}

const storyRefunds = async (world: DemoWorld, tabId: string) =>
  (await world.merchantOperator.admin.call('tabStory', undefined, { tabId })).refunds;

test("a tab's story lists the merchant's refunds, before and after the clearing", async ({
  context,
  wallet,
  shop,
  world,
}) => {
  const bought = articleIds(1, 2);
  await buyFirstArticleApprovingAllowance(context, shop, bought[0]!);
  await shop.buyArticle(bought[1]!);
  const [tab] = await world.merchantOperator.admin.call('searchTabs', undefined, {}, {});
  const tabId = tab!.tabId;
  const before = await refund(world, tabId, [1], 'The first article did not load.');
  await expect.poll(async () => (await storyRefunds(world, tabId)).length).toBe(1);

  await wallet.popup.reload();
  await wallet.popup.closeTab(DEMO_DISPLAY_NAME);
  await expect
    .poll(async () => (await world.merchantOperator.admin.call('getTab', undefined, { tabId })).state)
    .toBe('cleared');
  const after = await refund(world, tabId, [2], 'The second article was a duplicate.');
  await expect.poll(async () => (await storyRefunds(world, tabId)).length).toBe(2);

  const { page, close } = await openConsole(world);
  try {
    await logInAs(page, world.staff.name, world.staff.password);
    await page.getByRole('link', { name: 'Tabs' }).click();
    await page.getByLabel('Tab id').fill(tabId);
    await page.getByRole('button', { name: 'Tell its story' }).click();
    const refunds = page.getByRole('table', { name: 'Refunds' });
    const first = refunds.getByRole('row').filter({ hasText: before });
    await expect(first).toContainText('before');
    await expect(first).toContainText('The first article did not load.');
    await expect(first).toContainText('—');
    const second = refunds.getByRole('row').filter({ hasText: after });
    await expect(second).toContainText('after');
    await expect(second.getByRole('cell').nth(4)).toHaveText('1');
    await expect(page.getByRole('article', { name: `Story of ${tabId}` })).toContainText(`Refund ${after} of`);
  } finally {
    await close();
  }
});
