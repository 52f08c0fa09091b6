import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@opentab/test-kit';
import type { MerchantInfo } from '@opentab/protocol';
import {
  CUSTOMER_OPERATOR,
  MERCHANT_OPERATOR,
  eur,
  expectOk,
  expectPaid,
  startAgentWorld,
  type AgentWorld,
} from '../testing/agent-world';
import type { OpenTab, StoredTab } from './tab-record';

// The chain unit of a tab is the merchant's price step, read from the merchant agent that the
// merchant certificate names: at a merchant whose prices are all multiples of 5 cents, a 5-cent
// article reveals one link and the merchant checks it with one SHA-256 call.

let w: AgentWorld;

afterEach(async () => {
  await w?.close();
});

const STEP_CATALOGUE = [
  { itemId: 'brief', title: 'A brief', price: '0.05' },
  { itemId: 'article', title: 'An article', price: '0.15' },
  { itemId: 'long-read', title: 'A long read', price: '0.25' },
];
const BRIEF = { itemId: 'brief', price: eur('0.05') };
const ARTICLE = { itemId: 'article', price: eur('0.15') };

async function openTabs(): Promise<OpenTab[]> {
  return (await w.db.tabs.all()).filter((tab: StoredTab): tab is OpenTab => tab.phase === 'open');
}

function purchasesSent(): number {
  return w.ports.fetched.filter((url) => url.endsWith('/purchase')).length;
}

/** Makes the merchant agent's info route publish `chainUnit` instead of its own. */
async function publishUnit(chainUnit: MerchantInfo['chainUnit']): Promise<void> {
  const info = (await (await fetch(`${w.world.merchant.agentUrl}/info`)).json()) as MerchantInfo;
  const body = JSON.stringify({ ...info, chainUnit });
  w.ports.intercept = (url) =>
    url.endsWith('/info')
      ? new Response(body, { status: 200, headers: { 'content-type': 'application/json' } })
      : undefined;
}

describe('a tab at a merchant whose prices step by 5 cents', () => {
  it('commits to a 5-cent unit and advances the chain by price ÷ unit; the merchant accepts and the operators agree', async () => {
    w = await startAgentWorld({ catalogue: STEP_CATALOGUE });
    const { accountId } = await w.readyWallet();
    const first = expectPaid(await w.page('pay', { ...w.merchant, ...BRIEF }));
    // Read from the agent of the merchant certificate.
    expect(w.ports.fetched).toContain(`${w.world.merchant.agentUrl}/info`);
    const [tab] = await openTabs();
    // 20.00 SEK → 176 cents; ceil(176 / 5) = 36 links cover 180 cents ≥ 176.
    expect(tab!.initiation.payload.chain).toMatchObject({ unit: eur('0.05'), length: 36 });
    expect(tab).toMatchObject({ chainUnit_minor: 5n, chainLength: 36, depositMerchant_minor: 176n });
    expect(first.receipt.payload).toMatchObject({ seq: 1, chainIndex: 1, spent: eur('0.05'), remaining: eur('1.71') });

    const second = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE }));
    expect(second.receipt.payload).toMatchObject({ seq: 2, chainIndex: 4, spent: eur('0.20'), remaining: eur('1.56') });
    expect(await w.world.merchant.agent.tab(first.receipt.payload.tabId)).toMatchObject({
      lastChainIndex: 4,
      purchaseCount: 2,
      spent: { currency: 'EUR', minor: 20n },
    });
    expect(expectOk(await w.page('tabStatus', w.merchant))).toMatchObject({
      open: true,
      deposit: eur('1.76'),
      spent: eur('0.20'),
      remaining: eur('1.56'),
    });
    expect(expectOk(await w.ui('getOverview', {})).tabs).toEqual([
      expect.objectContaining({ spent: eur('0.20'), remaining: eur('1.56') }),
    ]);

    // The customer record states 4 links × 5 cents; the MTA finds both records agree.
    expectOk(await w.page('closeTab', w.merchant));
    const admin = w.world.world.operator(MERCHANT_OPERATOR).admin;
    const cleared = await waitFor('the tab to clear', async () => {
      const view = await admin.call('getTab', undefined, { tabId: first.receipt.payload.tabId });
      return view.state === 'cleared' ? view : undefined;
    });
    expect(cleared).toMatchObject({ outcome: 'agreed', cleared: eur('0.20') });
    const customerAdmin = w.world.world.operator(CUSTOMER_OPERATOR).admin;
    const charged = await waitFor('the AM to capture', async () => {
      const view = await customerAdmin.call('getCustomer', undefined, { accountId });
      return view.tabs[0]?.state === 'cleared' ? view : undefined;
    });
    // 20 cents × 11.3595 = 227.19 öre → 2.27 SEK charged, the rest released.
    expect(charged.tabs[0]!.charged).toEqual({ currency: 'SEK', value: '2.27' });
    await w.world.assertInvariants();
  });

  it('falls back to one cent a link when the merchant agent does not say', async () => {
    w = await startAgentWorld({ catalogue: STEP_CATALOGUE });
    await w.readyWallet();
    w.ports.intercept = (url) =>
      url.endsWith('/info')
        ? new Response('{"error":{"code":"internal","message":"down"}}', { status: 500 })
        : undefined;
    const paid = expectPaid(await w.page('pay', { ...w.merchant, ...BRIEF }));
    expect(paid.receipt.payload).toMatchObject({ chainIndex: 5, spent: eur('0.05') });
    expect((await openTabs())[0]!.initiation.payload.chain).toMatchObject({ unit: eur('0.01'), length: 176 });
  });

  it('narrows a published unit that does not divide the first price', async () => {
    w = await startAgentWorld({ catalogue: STEP_CATALOGUE });
    await w.readyWallet();
    await publishUnit(eur('0.10'));
    const paid = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE }));
    // gcd(10, 15) = 5 cents: three links.
    expect(paid.receipt.payload).toMatchObject({ chainIndex: 3, spent: eur('0.15') });
    expect((await openTabs())[0]!.initiation.payload.chain.unit).toEqual(eur('0.05'));
  });
});

describe('a price the tab unit cannot pay', () => {
  it('is not sent; the tab is closed and a new one opened for the purchase', async () => {
    // The merchant sells a 7-cent item, so its own unit is one cent; a 5-cent unit (published in
    // error, or before the item was added) cannot pay it.
    w = await startAgentWorld({
      catalogue: [...STEP_CATALOGUE, { itemId: 'odd', title: 'An odd one', price: '0.07' }],
    });
    await w.readyWallet();
    await publishUnit(eur('0.05'));
    const first = expectPaid(await w.page('pay', { ...w.merchant, ...BRIEF }));
    expect(first.receipt.payload).toMatchObject({ chainIndex: 1 });
    expect(purchasesSent()).toBe(1);

    const odd = expectPaid(await w.page('pay', { ...w.merchant, itemId: 'odd', price: eur('0.07') }));
    // The first tab never saw the 7-cent purchase: the only purchase sent since is the new tab's.
    expect(purchasesSent()).toBe(2);
    expect(odd.receipt.payload.tabId).not.toBe(first.receipt.payload.tabId);
    // gcd(5, 7) = 1: the new tab pays seven one-cent links.
    expect(odd.receipt.payload).toMatchObject({ seq: 1, chainIndex: 7, spent: eur('0.07') });
    expect(w.asked).toHaveLength(2);
    const closed = (await w.db.tabs.all()).find((tab) => tab.phase === 'closed');
    expect(closed).toMatchObject({ stopReason: 'customer-terminate', chainIndex: 1, chainUnit_minor: 5n });

    const admin = w.world.world.operator(MERCHANT_OPERATOR).admin;
    const cleared = await waitFor('the first tab to clear', async () => {
      const view = await admin.call('getTab', undefined, { tabId: first.receipt.payload.tabId });
      return view.state === 'cleared' ? view : undefined;
    });
    expect(cleared).toMatchObject({ outcome: 'agreed', cleared: eur('0.05') });
  });
});
