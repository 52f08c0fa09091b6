// The merchant's admin API over real HTTP, against a real agent whose operators are real: logins
// and their refusals, the reads the dashboard shows, refunds before and after the clearing with
// their money checked at both operators, and catalogue edits that take effect without a restart.
// The world checks after each test that every currency's accounts sum to zero.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  callRoute,
  OPERATOR_API,
  seal,
  signerFromSecretKey,
  fromBase64urlOfLength,
  toBase64url,
} from '@opentab/protocol';
import type { PayloadBody, RefundPayload, WireAmount } from '@opentab/protocol';
import { lintOpenApi, nodeCrypto, waitFor } from '@opentab/test-kit';
import {
  hundredArticles,
  MERCHANT_OPERATOR,
  startMerchantSite,
  worldPerTest,
  type TestCustomer,
  type TestTab,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';

const OWNER = { name: 'Ada', token: 'owner-token-0123456789abcdef0123456789', role: 'owner' } as const;
const VIEWER = { name: 'Bob', token: 'viewer-token-0123456789abcdef012345678', role: 'viewer' } as const;
const merchantSecretKey = toBase64url(nodeCrypto.randomBytes(32));
let w: TwoOperatorWorld;
worldPerTest((started) => (w = started), { merchantSecretKey, adminLogins: [OWNER, VIEWER] });

const eur = (value: string): WireAmount => ({ currency: 'EUR', value });
const price = (itemId: string) => eur(hundredArticles().find((a) => a.itemId === itemId)!.price);
const newId = () => Buffer.from(nodeCrypto.randomBytes(16)).toString('hex');
const eu = () => w.world.operator(MERCHANT_OPERATOR);

async function call(path: string, token: string | null, body?: unknown, base = w.merchant.agentUrl) {
  const response = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text };
}
const asOwner = (path: string, body?: unknown) => call(path, OWNER.token, body);

/** Three articles: 0.15 + 0.22 + 0.06 = 0.43 EUR, on a 50.00 SEK deposit. */
async function tabWithThreeArticles(): Promise<{ customer: TestCustomer; tab: TestTab }> {
  const customer = await w.newCustomer('100.00');
  const tab = await customer.openTab({
    merchantId: w.merchantId,
    merchantOperatorId: MERCHANT_OPERATOR,
    merchantCurrency: 'EUR',
    deposit: { currency: 'SEK', value: '50.00' },
  });
  for (const itemId of ['article-2', 'article-3', 'article-4'])
    await tab.buy(w.merchant.agentUrl, itemId, price(itemId));
  return { customer, tab };
}

async function chargedAt(customer: TestCustomer, value: string) {
  return waitFor(
    `the AM to charge ${value} SEK`,
    async () => {
      const view = await customer.account();
      return view.tabs[0]?.charged?.value === value ? view : undefined;
    },
    10_000,
    100,
  );
}

async function merchantBalance() {
  const [merchant] = await eu().admin.call('listMerchants', undefined);
  return merchant?.balance;
}

async function conclude(customer: TestCustomer, tab: TestTab) {
  await w.merchant.agent.stop(tab.tabId);
  await customer.sendRecord(tab);
}

describe("the merchant's admin API", () => {
  it('answers only a login of this merchant, and changes only for an owner', async () => {
    const { customer, tab } = await tabWithThreeArticles();
    expect(await call('/admin/summary', null)).toMatchObject({
      status: 401,
      body: { error: { code: 'unauthorized' } },
    });
    expect(await call('/admin/summary', `${OWNER.token}x`)).toMatchObject({
      status: 401,
      body: { error: { code: 'unauthorized' } },
    });
    expect(await call('/admin/summary', OWNER.token.slice(0, -1))).toMatchObject({ status: 401 });
    expect(await call('/admin/export/purchases.csv', null)).toMatchObject({ status: 401 });
    expect(await call('/admin/me', VIEWER.token)).toMatchObject({
      status: 200,
      body: { name: 'Bob', role: 'viewer', merchantId: 'news', currency: 'EUR' },
    });
    // A viewer looks, and may not refund or edit: 403, and nothing changes.
    const refund = { refundId: newId(), tabId: tab.tabId, reason: 'Not an owner.' };
    expect(await call('/admin/refunds', VIEWER.token, refund)).toMatchObject({
      status: 403,
      body: { error: { code: 'forbidden' } },
    });
    expect(
      await call('/admin/catalogue/items', VIEWER.token, {
        itemId: 'article-1',
        title: 'Cheaper',
        price: eur('0.01'),
        kind: 'entitlement',
      }),
    ).toMatchObject({ status: 403 });
    expect((await asOwner('/admin/refunds')).body).toEqual([]);

    // Another merchant, with its own agent and logins, registered at the same operator.
    const other = await startMerchantSite({
      merchantId: 'gazette',
      operatorUrl: eu().url,
      operatorPublicKey: eu().running.context.identity.signer.kid,
      operatorId: MERCHANT_OPERATOR,
      currency: 'EUR',
      catalogue: hundredArticles(),
      dir: w.dir,
      clock: w.clock,
      adminLogins: [{ name: 'Gus', token: 'gazette-owner-token-0123456789abcdef', role: 'owner' }],
    });
    try {
      await eu().admin.call('registerMerchant', {
        merchantId: 'gazette',
        displayName: 'The Gazette',
        currency: 'EUR',
        origins: [other.url],
        agentUrl: other.agentUrl,
        publicKey: other.agent.publicKey,
      });
      const reader = await w.newCustomer('100.00');
      const theirs = await reader.openTab({
        merchantId: 'gazette',
        merchantOperatorId: MERCHANT_OPERATOR,
        merchantCurrency: 'EUR',
        deposit: { currency: 'SEK', value: '10.00' },
      });
      await theirs.buy(other.agentUrl, 'article-1', price('article-1'));
      // The other merchant's token does not open this merchant's data ...
      expect(await call('/admin/tabs', 'gazette-owner-token-0123456789abcdef')).toMatchObject({
        status: 401,
        body: { error: { code: 'unauthorized' } },
      });
      // ... nor this merchant's token the other's, and this agent knows none of the other's tabs.
      expect(await call('/admin/tabs', OWNER.token, undefined, other.agentUrl)).toMatchObject({ status: 401 });
      expect(await asOwner(`/admin/tabs/${theirs.tabId}`)).toMatchObject({
        status: 404,
        body: { error: { code: 'unknown_tab' } },
      });
      expect(await asOwner(`/admin/tabs/${theirs.tabId}/receipts`)).toMatchObject({ status: 404 });
      expect(
        await asOwner('/admin/refunds', { refundId: newId(), tabId: theirs.tabId, reason: 'Not mine.' }),
      ).toMatchObject({
        status: 404,
        body: { error: { code: 'unknown_tab' } },
      });
      await other.agent.stop(theirs.tabId);
      await reader.sendRecord(theirs);
      await chargedAt(reader, '0.91'); // 0.08 EUR × 11.3595
    } finally {
      await other.close();
    }
    await conclude(customer, tab);
    await chargedAt(customer, '4.88');
  });

  it('shows tabs, purchases, receipts, sales, clearings and the CSV of what was sold', async () => {
    const { customer, tab } = await tabWithThreeArticles();
    const open = await asOwner('/admin/tabs?status=open');
    expect(open.body).toEqual([
      expect.objectContaining({
        tabId: tab.tabId,
        status: 'open',
        spent: eur('0.43'),
        purchaseCount: 3,
        refunded: eur('0.00'),
      }),
    ]);
    const purchases = (await asOwner(`/admin/purchases?tabId=${tab.tabId}`)).body;
    expect(purchases.map((p: { seq: number; itemId: string; title: string }) => [p.seq, p.itemId, p.title])).toEqual([
      [3, 'article-4', 'Article 4'],
      [2, 'article-3', 'Article 3'],
      [1, 'article-2', 'Article 2'],
    ]);
    const receipts = (await asOwner(`/admin/tabs/${tab.tabId}/receipts`)).body;
    expect(receipts).toHaveLength(3);
    expect(receipts[0].receipt.payload).toMatchObject({
      type: 'receipt',
      tabId: tab.tabId,
      seq: 1,
      price: eur('0.15'),
    });
    const sales = (await asOwner('/admin/sales?bucket=hour')).body;
    expect(sales.items).toEqual(
      expect.arrayContaining([
        { itemId: 'article-3', title: 'Article 3', count: 1, sold: eur('0.22'), refunded: eur('0.00') },
      ]),
    );
    expect(sales.series).toEqual([expect.objectContaining({ count: 3, sold: eur('0.43') })]);
    expect(await asOwner('/admin/sales?from=2030-01-01T00:00:00Z&until=2029-01-01T00:00:00Z')).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_message' } },
    });
    expect(await asOwner('/admin/tabs?status=lost')).toMatchObject({ status: 400 });

    await conclude(customer, tab);
    await chargedAt(customer, '4.88');
    await waitFor(
      'the agent to learn the clearing',
      async () => (await w.merchant.agent.tab(tab.tabId))?.cleared !== null,
    );
    const [clearing] = (await asOwner('/admin/clearings')).body;
    expect(clearing).toMatchObject({
      tab: { tabId: tab.tabId, status: 'cleared', cleared: { amount: eur('0.43'), outcome: 'agreed', revision: 0 } },
      record: { acknowledged: true },
    });
    expect((await asOwner('/admin/summary')).body).toMatchObject({
      tabs: { open: 0, stopped: 0, cleared: 1 },
      purchases: 3,
      sold: eur('0.43'),
      cleared: eur('0.43'),
      refunded: eur('0.00'),
    });
    const csv = await call('/admin/export/purchases.csv', VIEWER.token);
    expect(csv.status).toBe(200);
    const lines = (csv.body as string).trim().split('\r\n');
    expect(lines[0]).toBe(
      'purchase_id,tab_id,seq,item_id,title,price,currency,bought_at,tab_status,refund_id,refund_status',
    );
    expect(lines.slice(1).map((line) => line.split(',').slice(2, 7))).toEqual([
      ['1', 'article-2', 'Article 2', '0.15', 'EUR'],
      ['2', 'article-3', 'Article 3', '0.22', 'EUR'],
      ['3', 'article-4', 'Article 4', '0.06', 'EUR'],
    ]);
  });

  it('refunds a purchase before the clearing and the rest of the tab after it, each once', async () => {
    const { customer, tab } = await tabWithThreeArticles();
    const first = { refundId: newId(), tabId: tab.tabId, seqs: [2], reason: 'Article 3 was a duplicate.' };
    const taken = await asOwner('/admin/refunds', first);
    expect(taken).toMatchObject({
      status: 200,
      body: { status: 'taken', timing: 'before-clearing', amount: eur('0.22'), seqs: [2], requestedBy: 'Ada' },
    });
    // The same purchase again, under another id: refused; the same refund again: the same answer.
    expect(await asOwner('/admin/refunds', { ...first, refundId: newId() })).toMatchObject({
      status: 409,
      body: { error: { code: 'already_refunded' } },
    });
    expect((await asOwner('/admin/refunds', first)).body).toEqual(taken.body);
    expect(await asOwner('/admin/refunds', { ...first, seqs: [1] })).toMatchObject({
      status: 409,
      body: { error: { code: 'refund_conflict' } },
    });
    expect(await asOwner('/admin/refunds', { ...first, refundId: newId(), seqs: [9] })).toMatchObject({
      status: 404,
      body: { error: { code: 'unknown_purchase' } },
    });

    await conclude(customer, tab);
    // 0.43 − 0.22 = 0.21 EUR clears: 2.39 SEK at the locked rate.
    await chargedAt(customer, '2.39');
    expect(await merchantBalance()).toEqual(eur('0.21'));

    // After the clearing: every purchase not refunded yet (seq 1 and 3: 0.21 EUR) goes back.
    await waitFor(
      'the agent to learn the clearing',
      async () => (await w.merchant.agent.tab(tab.tabId))?.cleared !== null,
    );
    const rest = { refundId: newId(), tabId: tab.tabId, reason: 'The whole visit went wrong.' };
    expect((await asOwner('/admin/refunds', rest)).body).toMatchObject({
      status: 'taken',
      timing: 'after-clearing',
      revision: 1,
      amount: eur('0.21'),
      seqs: [1, 3],
    });
    expect(await asOwner('/admin/refunds', { ...rest, refundId: newId() })).toMatchObject({
      status: 409,
      body: { error: { code: 'already_refunded' } },
    });
    expect(await merchantBalance()).toEqual(eur('0.00'));
    const account = await chargedAt(customer, '0.00');
    expect(account.balance).toEqual({ currency: 'SEK', value: '0.00' });
    expect(account.history).toContainEqual(
      expect.objectContaining({
        memo: expect.stringContaining('Refund from The Daily Tab: The whole visit went wrong.'),
      }),
    );
    await waitFor(
      'the agent to take revision 1',
      async () => (await w.merchant.agent.tab(tab.tabId))?.cleared?.amount.minor === 0n,
    );
    expect((await asOwner('/admin/summary')).body).toMatchObject({
      sold: eur('0.43'),
      refunded: eur('0.43'),
      cleared: eur('0.00'),
    });
    const refunded = (await asOwner(`/admin/purchases?tabId=${tab.tabId}`)).body;
    expect(refunded.every((p: { refund: { status: string } | null }) => p.refund?.status === 'taken')).toBe(true);
  });

  it('counts a refund once when the MTA took it before a crash and it is sent again', async () => {
    const { customer, tab } = await tabWithThreeArticles();
    await conclude(customer, tab);
    await chargedAt(customer, '4.88');
    // What the agent's first attempt sent before the agent stopped, unanswered: the MTA took it.
    const refundId = newId();
    const merchantKey = signerFromSecretKey(nodeCrypto, fromBase64urlOfLength(merchantSecretKey, 32));
    await callRoute(
      eu().url,
      OPERATOR_API.merchantRefund,
      seal(
        nodeCrypto,
        merchantKey,
        {
          type: 'refund',
          merchantId: w.merchantId,
          tabId: tab.tabId,
          refundId,
          amount: eur('0.15'),
          reason: 'Article 2 never loaded.',
        } satisfies PayloadBody<RefundPayload>,
        w.clock.now_ms(),
      ),
    );
    expect(await merchantBalance()).toEqual(eur('0.28'));
    w.clock.advance(60_000);
    const again = await asOwner('/admin/refunds', {
      refundId,
      tabId: tab.tabId,
      seqs: [1],
      reason: 'Article 2 never loaded.',
    });
    expect(again.body).toMatchObject({ status: 'taken', timing: 'after-clearing', revision: 1, amount: eur('0.15') });
    expect(await merchantBalance()).toEqual(eur('0.28'));
    await chargedAt(customer, '3.18');
  });

  it('edits the catalogue without a restart: a new price for new purchases, the old one refused', async () => {
    const customer = await w.newCustomer('100.00');
    const tab = await customer.openTab({
      merchantId: w.merchantId,
      merchantOperatorId: MERCHANT_OPERATOR,
      merchantCurrency: 'EUR',
      deposit: { currency: 'SEK', value: '50.00' },
    });
    const edited = await asOwner('/admin/catalogue/items', {
      itemId: 'article-2',
      title: 'Article 2, revised',
      price: eur('0.16'),
      kind: 'consumable',
    });
    expect(edited.status).toBe(200);
    expect(edited.body.items).toContainEqual({
      itemId: 'article-2',
      title: 'Article 2, revised',
      price: eur('0.16'),
      kind: 'consumable',
      access_s: null,
    });
    const info = await (await fetch(`${w.merchant.agentUrl}/info`)).json();
    expect(info.catalogue).toContainEqual({
      itemId: 'article-2',
      title: 'Article 2, revised',
      price: eur('0.16'),
      kind: 'consumable',
    });
    // A purchase quoted at the old price is refused, naming the new one; at the new price it is sold.
    await expect(tab.buy(w.merchant.agentUrl, 'article-2', eur('0.15'))).rejects.toMatchObject({
      failure: { code: 'price_mismatch', message: 'article-2 costs 0.16 EUR.' },
    });
    const receipt = await tab.buy(w.merchant.agentUrl, 'article-2', eur('0.16'));
    expect(receipt.payload.price).toEqual(eur('0.16'));
    // A new item, and a price that does not parse.
    expect(
      (
        await asOwner('/admin/catalogue/items', {
          itemId: 'podcast-1',
          title: 'Podcast 1',
          price: eur('0.50'),
          kind: 'entitlement',
          access_s: 7200,
        })
      ).body.items,
    ).toContainEqual({
      itemId: 'podcast-1',
      title: 'Podcast 1',
      price: eur('0.50'),
      kind: 'entitlement',
      access_s: 7200,
    });
    expect(
      await asOwner('/admin/catalogue/items', { itemId: 'x', title: 'X', price: eur('0.001'), kind: 'entitlement' }),
    ).toMatchObject({
      status: 400,
    });
    expect(
      await asOwner('/admin/catalogue/items', {
        itemId: 'x',
        title: 'X',
        price: { currency: 'SEK', value: '1.00' },
        kind: 'consumable',
      }),
    ).toMatchObject({
      status: 422,
      body: { error: { code: 'currency_mismatch' } },
    });
    // The edits outlive a restart.
    await w.merchant.stopAgent();
    await w.merchant.startAgent();
    expect((await asOwner('/admin/catalogue')).body.items).toContainEqual(
      expect.objectContaining({ itemId: 'article-2', price: eur('0.16') }),
    );
    await conclude(customer, tab);
    await chargedAt(customer, '1.82'); // 0.16 × 11.3595 = 1.81752
  });

  it("describes its routes in the agent's /openapi.json, with the logins as bearer tokens", async () => {
    const document = (await call('/openapi.json', null)).body;
    expect(document.paths['/admin/refunds'].post).toMatchObject({
      operationId: 'refund',
      security: [{ adminToken: [] }],
    });
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/admin/summary',
        '/admin/sales',
        '/admin/tabs/{tabId}/receipts',
        '/admin/catalogue/items',
      ]),
    );
    expect(document.components.securitySchemes.adminToken.description).toContain('adminLogins');
    expect(await lintOpenApi(document)).toEqual([]);
  });

  // Seven runs of the CLI, each a Node process compiling TypeScript: seconds each on a busy machine.
  it('answers the agent CLI: sales, a refund retried by its id, a price, the CSV; and refuses without a token', async () => {
    const run = promisify(execFile);
    const cli = (args: string[], token: string | undefined = OWNER.token) =>
      run(process.execPath, ['--import', 'tsx', 'merchant-widget/agent/cli/main.ts', ...args], {
        env: { ...process.env, OPENTAB_MERCHANT_ADMIN_TOKEN: token ?? '' },
      });
    const { customer, tab } = await tabWithThreeArticles();
    const agent = ['--agent', w.merchant.agentUrl];
    const sales = JSON.parse((await cli(['sales', ...agent, '--bucket', 'hour'])).stdout);
    expect(sales.series).toEqual([expect.objectContaining({ count: 3, sold: eur('0.43') })]);
    const refundArgs = ['refund', ...agent, '--tab', tab.tabId, '--purchase', '2', '--reason', 'Duplicate.'];
    const refund = JSON.parse((await cli(refundArgs)).stdout);
    expect(refund).toMatchObject({ status: 'taken', timing: 'before-clearing', amount: eur('0.22'), seqs: [2] });
    // Sent again with the printed refund id: the same refund, counted once.
    const again = JSON.parse((await cli([...refundArgs, '--refund-id', refund.refundId])).stdout);
    expect(again).toEqual(refund);
    expect(JSON.parse((await cli(['refunds', ...agent])).stdout)).toHaveLength(1);
    const edited = JSON.parse(
      (
        await cli([
          'catalogue-set',
          ...agent,
          '--item',
          'article-9',
          '--title',
          'Nine',
          '--price',
          '0.09',
          '--kind',
          'consumable',
        ])
      ).stdout,
    );
    expect(edited.items).toContainEqual({
      itemId: 'article-9',
      title: 'Nine',
      price: eur('0.09'),
      kind: 'consumable',
      access_s: null,
    });
    const csv = (await cli(['export', ...agent])).stdout.trim().split('\r\n');
    expect(csv).toHaveLength(4);
    expect(csv[2]).toContain(`${tab.tabId},2,article-3,Article 3,0.22,EUR`);
    await expect(cli(['refunds', ...agent], '')).rejects.toMatchObject({
      stderr: expect.stringContaining('OPENTAB_MERCHANT_ADMIN_TOKEN'),
    });
    await expect(cli(['refunds', ...agent], 'not-a-login-token-0123456789abcdef')).rejects.toMatchObject({
      stderr: expect.stringContaining('unauthorized'),
    });
    await conclude(customer, tab);
    await chargedAt(customer, '2.39');
  }, 180_000);
});
