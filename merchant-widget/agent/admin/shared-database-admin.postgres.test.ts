// The admin API of two agent processes of one merchant on one PostgreSQL database, as behind a
// load balancer, with real operators: a refund that reaches both at once is taken once, rival
// refunds that together would give back more than the tab paid are taken only as far as they fit,
// and a price changed through one process is the price at the other for its next purchase.

import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { WireAmount } from '@opentab/protocol';
import { nodeCrypto, waitFor } from '@opentab/test-kit';
import {
  hundredArticles,
  MERCHANT_OPERATOR,
  worldPerTest,
  type PeerAgent,
  type TestCustomer,
  type TestTab,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';

const OWNER = { name: 'Ada', token: 'owner-token-0123456789abcdef0123456789', role: 'owner' } as const;
let w: TwoOperatorWorld;
worldPerTest((started) => (w = started), { adminLogins: [OWNER] });

const eur = (value: string): WireAmount => ({ currency: 'EUR', value });
const price = (itemId: string) => eur(hundredArticles().find((a) => a.itemId === itemId)!.price);
const newId = () => Buffer.from(nodeCrypto.randomBytes(16)).toString('hex');

async function asOwner(agentUrl: string, path: string, body?: unknown) {
  const response = await fetch(`${agentUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${OWNER.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.json() };
}

/** The rows of the shared database, read through a connection of the test's own. */
async function query(sql: string, values: unknown[]): Promise<Record<string, unknown>[]> {
  const store = w.merchant.store;
  if (store.kind !== 'postgres') throw new Error('this test is about a PostgreSQL store');
  const client = new pg.Client({ connectionString: store.url });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** Three articles: 0.15 + 0.22 + 0.06 = 0.43 EUR. */
async function tabWithThreeArticles(customer: TestCustomer): Promise<TestTab> {
  const tab = await customer.openTab({
    merchantId: w.merchantId,
    merchantOperatorId: MERCHANT_OPERATOR,
    merchantCurrency: 'EUR',
    deposit: { currency: 'SEK', value: '10.00' },
  });
  for (const itemId of ['article-2', 'article-3', 'article-4'])
    await tab.buy(w.merchant.agentUrl, itemId, price(itemId));
  return tab;
}

/** Stops the tabs and clears them at both operators: the world then checks that every hold ended. */
async function clearAll(customer: TestCustomer, tabs: readonly TestTab[]): Promise<void> {
  for (const tab of tabs) {
    await w.merchant.agent.stop(tab.tabId);
    await customer.sendRecord(tab);
  }
  await waitFor('the AM to clear every tab', async () => {
    const account = await customer.account();
    return account.tabs.length === tabs.length && account.tabs.every((tab) => tab.state === 'cleared');
  });
}

describe('the admin API of two agent processes on one PostgreSQL database', () => {
  it('takes a refund that reaches both processes at once once', async () => {
    const peer: PeerAgent = await w.merchant.startPeerAgent();
    const customer = await w.newCustomer('100.00');
    const tab = await customer.openTab({
      merchantId: w.merchantId,
      merchantOperatorId: MERCHANT_OPERATOR,
      merchantCurrency: 'EUR',
      deposit: { currency: 'SEK', value: '20.00' },
    });
    const articles = Array.from({ length: 9 }, (_, i) => `article-${i + 1}`);
    for (const itemId of articles) await tab.buy(w.merchant.agentUrl, itemId, price(itemId));
    // Each of the first eight purchases refunded under its own id, sent to both processes at once.
    for (let seq = 1; seq <= 8; seq++) {
      const refund = { refundId: newId(), tabId: tab.tabId, seqs: [seq], reason: 'Sent through both.' };
      const answers = await Promise.all([
        asOwner(w.merchant.agentUrl, '/admin/refunds', refund),
        asOwner(peer.agentUrl, '/admin/refunds', refund),
      ]);
      expect(answers, `purchase ${seq}`).toMatchObject([{ status: 200 }, { status: 200 }]);
      expect(answers[1]!.body).toMatchObject({ refundId: refund.refundId, seqs: [seq], status: 'taken' });
      expect(answers[1]!.body.amount).toEqual(answers[0]!.body.amount);
    }
    const rows = await query(
      'SELECT r.refund_id, COUNT(rp.seq)::int AS purchases FROM refunds r ' +
        'JOIN refunded_purchases rp ON rp.refund_id = r.refund_id WHERE r.tab_id = $1 GROUP BY r.refund_id',
      [tab.tabId],
    );
    expect(rows).toHaveLength(8);
    expect(rows.every((row) => row.purchases === 1)).toBe(true);
    // The MTA took each refund once: only the ninth purchase is left to the merchant once the tab clears.
    await clearAll(customer, [tab]);
    await waitFor('the MTA to credit the merchant', async () => {
      const [merchant] = await w.world.operator(MERCHANT_OPERATOR).admin.call('listMerchants', undefined);
      return merchant?.balance.value === price('article-9').value ? true : undefined;
    });
    const summary = await asOwner(peer.agentUrl, '/admin/summary');
    expect(summary.body).toMatchObject({ sold: eur('1.17'), refunded: eur('0.99'), pendingRefunds: 0 });
  });

  it('takes rival refunds of one tab only as far as they fit in what it paid', async () => {
    const peer = await w.merchant.startPeerAgent();
    const customer = await w.newCustomer('100.00');
    const tabs: TestTab[] = [];
    for (let round = 0; round < 4; round++) {
      const tab = await tabWithThreeArticles(customer);
      tabs.push(tab);
      // 0.37 and 0.28: together 0.65, more than the 0.43 the tab paid; they share purchase 2.
      const rivals = [
        { refundId: newId(), tabId: tab.tabId, seqs: [1, 2], reason: 'Rival one.' },
        { refundId: newId(), tabId: tab.tabId, seqs: [2, 3], reason: 'Rival two.' },
      ];
      const [toFirst, toPeer] = round % 2 === 0 ? rivals : [...rivals].reverse();
      const answers = await Promise.all([
        asOwner(w.merchant.agentUrl, '/admin/refunds', toFirst),
        asOwner(peer.agentUrl, '/admin/refunds', toPeer),
      ]);
      const taken = answers.filter((answer) => answer.status === 200);
      expect(taken, `round ${round}: ${JSON.stringify(answers)}`).toHaveLength(1);
      expect(answers.find((answer) => answer.status !== 200)).toMatchObject({
        status: 409,
        body: { error: { code: 'already_refunded' } },
      });
      const rows = await query(
        "SELECT COALESCE(SUM(amount_minor), 0)::text AS refunded FROM refunds WHERE tab_id = $1 AND status != 'refused'",
        [tab.tabId],
      );
      expect(rows).toEqual([{ refunded: (taken[0]!.body as { seqs: number[] }).seqs[0] === 1 ? '37' : '28' }]);
      // What is left (purchase 3, or purchase 1) still fits, through either process.
      const rest = await asOwner(peer.agentUrl, '/admin/refunds', {
        refundId: newId(),
        tabId: tab.tabId,
        reason: 'The rest.',
      });
      expect(rest).toMatchObject({ status: 200, body: { status: 'taken' } });
      const all = await query(
        "SELECT SUM(amount_minor)::text AS refunded FROM refunds WHERE tab_id = $1 AND status != 'refused'",
        [tab.tabId],
      );
      expect(all).toEqual([{ refunded: '43' }]);
    }
    await clearAll(customer, tabs);
  });

  it('prices a purchase at one process by a catalogue edit made through the other', async () => {
    const peer = await w.merchant.startPeerAgent();
    const customer = await w.newCustomer('100.00');
    const tab = await customer.openTab({
      merchantId: w.merchantId,
      merchantOperatorId: MERCHANT_OPERATOR,
      merchantCurrency: 'EUR',
      deposit: { currency: 'SEK', value: '10.00' },
    });
    // The peer sells at the configured price first: its catalogue and its cached tab are warm.
    await tab.buy(peer.agentUrl, 'article-2', price('article-2'));
    expect(price('article-2')).toEqual(eur('0.15'));
    const edited = await asOwner(w.merchant.agentUrl, '/admin/catalogue/items', {
      itemId: 'article-2',
      title: 'Article 2, revised',
      price: eur('0.16'),
      kind: 'consumable',
    });
    expect(edited.status).toBe(200);
    await expect(tab.buy(peer.agentUrl, 'article-2', eur('0.15'))).rejects.toMatchObject({
      failure: { code: 'price_mismatch', message: 'article-2 costs 0.16 EUR.' },
    });
    const receipt = await tab.buy(peer.agentUrl, 'article-2', eur('0.16'));
    expect(receipt.payload.price).toEqual(eur('0.16'));
    // And the peer's own admin API shows the edited catalogue.
    const catalogue = await asOwner(peer.agentUrl, '/admin/catalogue');
    expect(catalogue.body.items).toContainEqual(expect.objectContaining({ itemId: 'article-2', price: eur('0.16') }));
    // Without a purchase there, the peer's merchant information shows the next edit by its next sweep.
    expect(
      (
        await asOwner(w.merchant.agentUrl, '/admin/catalogue/items', {
          itemId: 'article-2',
          title: 'Article 2, revised again',
          price: eur('0.17'),
          kind: 'consumable',
        })
      ).status,
    ).toBe(200);
    await waitFor('the peer to show the second edit', async () => {
      const info = (await (await fetch(`${peer.agentUrl}/info`)).json()) as {
        catalogue: { itemId: string; price: WireAmount }[];
      };
      return info.catalogue.find((item) => item.itemId === 'article-2')?.price.value === '0.17' ? true : undefined;
    });
    await clearAll(customer, [tab]);
  });
});
