import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole } from '@opentab/operator-server/console/build';
import { readKeyPair, signOperatorCertificate } from '@opentab/operator-server';
import { toBase64url } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/test-kit';
import { CHROMIUM, requireBrowser } from '@opentab/test-kit/browsers';
import {
  CUSTOMER_OPERATOR,
  MERCHANT_OPERATOR,
  startTwoOperatorWorld,
  TestCustomer,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';

// The operator console's operations in Chromium, against real operators and a real merchant
// agent: a staff member's own login and its refusals (wrong password, a session that ended),
// request rates and latency percentiles charted, a merchant registered, updated and revoked, an
// account opened, topped up and enrolled, the operator's key rotated with the CA's certificate
// pasted in, and a peer operator revoked.

const SCREENSHOTS = fileURLToPath(new URL('../artifacts/results/', import.meta.url));
const PASSWORD = 'a long console password';
let world: TwoOperatorWorld;
let consoleDir: string;
let browser: Browser;

const eu = () => world.world.operator(MERCHANT_OPERATOR);
const se = () => world.world.operator(CUSTOMER_OPERATOR);

beforeAll(async () => {
  requireBrowser(CHROMIUM);
  consoleDir = await mkdtemp(join(tmpdir(), 'opentab-console-'));
  await buildConsole(consoleDir);
  process.env.OPENTAB_CONSOLE_DIR = consoleDir;
  world = await startTwoOperatorWorld();
  for (const operator of [eu(), se()]) await operator.admin.call('createStaff', { name: 'grace', password: PASSWORD });
  browser = await chromium.launch({
    headless: true,
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await world?.close();
  delete process.env.OPENTAB_CONSOLE_DIR;
  if (consoleDir !== undefined) await rm(consoleDir, { recursive: true, force: true });
});

async function loggedIn(url: string, hash = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${url}/console/${hash}`);
  await page.getByLabel('Name').fill('grace');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.getByText('Signed in as grace').waitFor();
  return page;
}

const openTab = async () => {
  const customer = await world.newCustomer('100.00');
  return customer.openTab({
    merchantId: world.merchantId,
    merchantOperatorId: MERCHANT_OPERATOR,
    merchantCurrency: 'EUR',
    deposit: { currency: 'SEK', value: '20.00' },
  });
};

describe('the operator console, run by a person of the staff', () => {
  it('logs a staff member in by name and password only, and charts request rates and latency', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${eu().url}/console/`);
    // Without a login the API refuses the browser too.
    expect(await page.evaluate(async () => (await fetch('/v1/admin/merchants')).status)).toBe(401);
    await page.getByLabel('Name').fill('grace');
    await page.getByLabel('Password').fill('not her password');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('The name or the password is wrong.');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.getByText('Signed in as grace').waitFor();
    // The session is an HttpOnly cookie: the page's script cannot read it.
    expect(await page.evaluate(() => document.cookie)).toBe('');

    await openTab();
    await page.getByRole('img', { name: 'Requests per second' }).waitFor();
    await page.getByRole('img', { name: 'Latency of peer requests (ms)' }).waitFor();
    await expect.poll(() => page.locator('dl.figures').textContent()).toMatch(/peer: [\d.]+\/s, p50 [\d.]+ ms, p95/);
    await page.screenshot({ path: join(SCREENSHOTS, 'operator-console-overview.png'), fullPage: true });
    await page.close();
  });

  it('brings the login back when the session has ended', async () => {
    const page = await loggedIn(eu().url);
    world.clock.advance(8 * 3600 * 1000);
    // Whichever request finds the session ended first (this page's, or the overview's polling, which
    // may already have brought the login back and taken the links away) brings the login back.
    await page.evaluate(() => {
      location.hash = '#/merchants';
    });
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Your session has ended');
    await page.getByLabel('Password').waitFor();
    await page.close();
  });

  it('registers a merchant, updates it, shows its certificate’s term, and revokes it', async () => {
    // The demo merchant's certificate, signed for the first test's tab about twelve hours ahead, has
    // about four left once the second test moved the clock on by eight.
    const page = await loggedIn(eu().url, '#/merchants');
    const news = page.getByRole('row').filter({ hasText: world.merchantId });
    await expect.poll(() => news.textContent()).toContain('(expires soon) · 1 issued');
    expect(await news.locator('.warning').count()).toBe(1);
    const form = page.getByRole('form', { name: 'Register a merchant' });
    const key = toBase64url(nodeCrypto.ed25519.publicKeyOf(nodeCrypto.ed25519.generateSecretKey()));
    await form.getByLabel('Merchant id').fill('bookshop');
    await form.getByLabel('Display name').fill('The Book Shop');
    await form.getByLabel('Currency').fill('eur');
    await form.getByLabel(/^Web origins/).fill('https://books.example');
    await form.getByLabel('Agent URL').fill('https://books.example/opentab');
    await form.getByLabel('Merchant public key').fill(key);
    await form.getByRole('button', { name: 'Register' }).click();
    await expect.poll(() => form.getByRole('status').textContent()).toBe('Registered bookshop.');
    const row = page.getByRole('row').filter({ hasText: 'bookshop' });
    await expect.poll(() => row.textContent()).toContain('The Book Shop');

    await row.getByRole('button', { name: 'Edit' }).click();
    await expect.poll(() => form.getByLabel('Merchant public key').inputValue()).toBe(key);
    await form.getByLabel('Display name').fill('Books and More');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => row.textContent()).toContain('Books and More');

    // Revoking the demo merchant: refused anything new at once.
    expect(await row.textContent()).toContain('none issued');
    await page.getByLabel('Reason for a change').fill('Signing key leaked');
    await news.getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => news.textContent()).toContain('revoked (Signing key leaked)');
    await expect(openTab()).rejects.toMatchObject({ failure: { code: 'merchant_revoked' } });
    const [revocation] = await eu().admin.call('listRevocations', undefined);
    expect(revocation).toMatchObject({ subjectId: world.merchantId, revokedBy: 'grace' });
    await page.close();
  });

  it('opens an account, tops it up and issues an enrolment code a wallet enrols with', async () => {
    const page = await loggedIn(se().url, '#/accounts');
    await page.getByLabel("New account's name").fill('Ada Lovelace');
    await page.getByLabel('Credit limit').fill('10.00');
    await page.getByRole('button', { name: 'Open account' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/^Opened acct_/);
    const accountId = (await page.getByRole('status').textContent())!.slice('Opened '.length, -1);
    await page.getByLabel('Id or name').fill('lovelace');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('row').filter({ hasText: accountId }).click();
    const account = page.getByRole('article', { name: `Account ${accountId}` });
    await account.getByLabel(/^Amount/).fill('25.00');
    await account.getByLabel('Reason or reference').fill('invoice-7');
    await account.getByRole('button', { name: 'Top up' }).click();
    await expect.poll(() => account.textContent()).toContain('Balance 25.00 SEK');
    await account.getByRole('button', { name: 'Enrolment code' }).click();
    await expect
      .poll(() => account.getByRole('status').textContent())
      .toMatch(/^Enrolment code [A-Z2-9]{4}(-[A-Z2-9]{4}){3},/);
    const code = (await account.getByRole('status').textContent())!.match(/^Enrolment code (\S+),/)![1]!;
    // The code the console showed enrols a wallet, which sees the money topped up.
    const wallet = await TestCustomer.enroll(se().url, code, { clock: world.clock });
    expect((await wallet.account()).balance).toEqual({ currency: 'SEK', value: '25.00' });
    const [topUp] = (await se().admin.call('staffActions', undefined)).filter((a) => a.action === 'creditCustomer');
    expect(topUp).toMatchObject({ actor: 'grace', subject: accountId });
    await page.close();
  });

  it('rotates the operator’s key with the CA’s certificate, and revokes a peer', async () => {
    const page = await loggedIn(se().url, '#/trust');
    const before = se().running.context.identity.signer.kid;
    await page.getByRole('button', { name: 'Prepare a successor key' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/^Prepared key [\w-]{43}:/);
    const publicKey = (await page.getByRole('status').textContent())!.match(/^Prepared key ([\w-]{43}):/)![1]!;
    // The CA, out of band, certifies the key the console shows.
    const ca = readKeyPair(nodeCrypto, join(world.dir, 'ca', 'ca.key'));
    const certificate = signOperatorCertificate(
      nodeCrypto,
      ca.secretKey,
      {
        operatorId: CUSTOMER_OPERATOR,
        publicKey,
        baseUrl: se().running.context.identity.certificate.payload.baseUrl,
        currencies: ['SEK'],
        validFor_days: 365,
      },
      world.clock.now_ms(),
    );
    await page.getByLabel('CA certificate of the successor').fill(JSON.stringify(certificate));
    await page.getByLabel('Overlap in days').fill('2');
    await page.getByRole('button', { name: 'Rotate to the successor' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Rotated: the old key is refused from');
    const rotations = page.getByRole('table', { name: 'Rotations' });
    await expect.poll(() => rotations.textContent()).toContain(before);
    expect(await rotations.textContent()).toContain('(overlap)');
    expect(await rotations.textContent()).toContain('grace');
    expect(se().running.context.identity.signer.kid).toBe(publicKey);

    await page.getByLabel('Reason for a revocation').fill('Settlement unpaid');
    const peer = page
      .getByRole('table', { name: 'Peer operators' })
      .getByRole('row')
      .filter({ hasText: MERCHANT_OPERATOR });
    await peer.getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => peer.textContent()).toContain('revoked (Settlement unpaid)');
    await expect
      .poll(() => page.getByRole('table', { name: 'Revocations' }).textContent())
      .toContain('Settlement unpaid');
    await expect(openTab()).rejects.toMatchObject({ failure: { code: 'peer_revoked' } });
    await page.screenshot({ path: join(SCREENSHOTS, 'operator-console-trust.png'), fullPage: true });
    await page.close();
  });
});
