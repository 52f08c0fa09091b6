// Records that disagree: only what a chain link proves is cleared, and a dispute is recorded.
// A missing customer record: after the grace period the merchant's record clears on its proof.

import { describe, expect, it } from 'vitest';
import { callRoute } from '@opentab/protocol';
import { OPERATOR_API } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import { toBase64url } from '@opentab/protocol';
import { merchantStopRecord } from '@opentab/test-kit/worlds';
import {
  MERCHANT_OPERATOR,
  RECORD_GRACE_MS,
  hundredArticles,
  worldPerTest,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';
import { waitFor } from '@opentab/test-kit';

const merchantSecretKey = toBase64url(nodeCrypto.randomBytes(32));
let w: TwoOperatorWorld;
const price = (itemId: string) => ({
  currency: 'EUR',
  value: hundredArticles().find((a) => a.itemId === itemId)!.price,
});

worldPerTest((started) => (w = started), { merchantSecretKey });

async function openWithPurchases(itemIds: string[]) {
  const customer = await w.newCustomer('100.00');
  const tab = await customer.openTab({
    merchantId: w.merchantId,
    merchantOperatorId: MERCHANT_OPERATOR,
    merchantCurrency: 'EUR',
    deposit: { currency: 'SEK', value: '50.00' },
  });
  for (const itemId of itemIds) await tab.buy(w.merchant.agentUrl, itemId, price(itemId));
  return { customer, tab };
}

/** The customer's AM has captured (or released) the hold: every hold ended. */
async function captured(customer: Awaited<ReturnType<TwoOperatorWorld['newCustomer']>>) {
  return waitFor('the AM to capture', async () => {
    const view = await customer.account();
    return view.tabs[0]?.state === 'cleared' ? view : undefined;
  });
}

async function clearedTab(tabId: string) {
  return waitFor('clearing at the MTA', async () => {
    const view = await w.world.operator(MERCHANT_OPERATOR).admin.call('getTab', undefined, { tabId });
    return view.state === 'cleared' ? view : undefined;
  });
}

describe('mismatched records', () => {
  it('a merchant claiming more than the chain proves gets only the proven amount, and a dispute is stored', async () => {
    const { customer, tab } = await openWithPurchases(['article-1', 'article-2', 'article-3']); // 8 + 15 + 22 = 45 cents
    // The merchant (its own key) inflates its total to 5.00 EUR while the link proves 45 cents.
    const inflated = merchantStopRecord(merchantSecretKey, w.merchantId, tab, {
      count: 3,
      total: { currency: 'EUR', value: '5.00' },
      lastChainIndex: 45,
    });
    await callRoute(w.world.operator(MERCHANT_OPERATOR).url, OPERATOR_API.merchantRecord, inflated);
    await customer.sendRecord(tab);

    const view = await clearedTab(tab.tabId);
    expect(view).toMatchObject({ outcome: 'disputed', cleared: { currency: 'EUR', value: '0.45' } });
    expect(view.dispute?.reason).toContain('totals differ');
    const disputes = await w.world.operator(MERCHANT_OPERATOR).admin.call('listDisputes', undefined);
    expect(disputes.map((d) => d.tabId)).toContain(tab.tabId);
    const account = await captured(customer);
    // 45 cents × 11.3595 = 511.18 öre → 5.11 SEK.
    expect(account.tabs[0]!.charged).toEqual({ currency: 'SEK', value: '5.11' });
  });

  it('a customer under-reporting is held to the merchant link it released', async () => {
    const { customer, tab } = await openWithPurchases(['article-1', 'article-2', 'article-3']);
    await w.merchant.agent.stop(tab.tabId);
    // The customer claims only the first purchase, with the link of 8 cents.
    await customer.sendRecord(tab, {
      count: 1,
      total: { currency: 'EUR', value: '0.08' },
      lastChainIndex: 8,
      lastChainLink: tab.chain.encodedLinkAt(8),
    });
    const view = await clearedTab(tab.tabId);
    expect(view).toMatchObject({ outcome: 'disputed', cleared: { currency: 'EUR', value: '0.45' } });
    expect(view.dispute?.reason).toContain('counts differ');
    expect((await captured(customer)).tabs[0]!.charged).toEqual({ currency: 'SEK', value: '5.11' });
  });

  it('a record whose link proves nothing clears nothing beyond the other proof', async () => {
    const { customer, tab } = await openWithPurchases(['article-4']); // 6 cents
    // A forged link: the customer's record names index 6 with a random value.
    await w.merchant.agent.stop(tab.tabId);
    await customer.sendRecord(tab, { lastChainLink: toBase64url(nodeCrypto.randomBytes(32)) });
    const view = await clearedTab(tab.tabId);
    expect(view).toMatchObject({ outcome: 'disputed', cleared: { currency: 'EUR', value: '0.06' } });
    expect(view.dispute?.reason).toContain("customer's chain link does not prove");
    // 6 cents × 11.3595 = 68.157 öre → 0.68 SEK.
    expect((await captured(customer)).tabs[0]!.charged).toEqual({ currency: 'SEK', value: '0.68' });
  });
});

describe('a missing record', () => {
  it('after the grace period the merchant record alone clears, bounded by its chain proof', async () => {
    const { customer, tab } = await openWithPurchases(['article-10', 'article-11']); // 2 + 9 cents
    await w.merchant.agent.stop(tab.tabId);
    await w.merchantRecordAcknowledged(tab.tabId);
    await w.elapse(RECORD_GRACE_MS - 1);
    expect(
      (await w.world.operator(MERCHANT_OPERATOR).admin.call('getTab', undefined, { tabId: tab.tabId })).state,
    ).toBe('open');
    await w.elapse(1);
    const view = await clearedTab(tab.tabId);
    expect(view).toMatchObject({
      outcome: 'customer-record-missing',
      cleared: { currency: 'EUR', value: '0.11' },
      customerRecord: null,
      dispute: null,
    });
    // A late customer record is acknowledged as already cleared and changes nothing.
    const ack = await customer.sendRecord(tab);
    expect(ack.payload.status).toBe('cleared');
    const again = await w.world.operator(MERCHANT_OPERATOR).admin.call('getTab', undefined, { tabId: tab.tabId });
    expect(again.cleared).toEqual({ currency: 'EUR', value: '0.11' });
    // 11 cents × 11.3595 = 124.95 öre → 1.25 SEK.
    expect((await captured(customer)).tabs[0]!.charged).toEqual({ currency: 'SEK', value: '1.25' });
  });
});
