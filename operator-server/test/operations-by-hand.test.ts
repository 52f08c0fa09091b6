// Operations by hand: the staff see the messages the outbox could not deliver and send them again
// without waiting out their backoff, once the receiver is back; and publish a rate table on demand.

import { expect, it } from 'vitest';
import { waitFor } from '@opentab/test-kit';
import { hundredArticles, MERCHANT_OPERATOR, worldPerTest, type TwoOperatorWorld } from '@opentab/test-kit/worlds';

let w: TwoOperatorWorld;
worldPerTest((started) => (w = started), { settings: { tick_ms: 60_000 } });

const eu = () => w.world.operator(MERCHANT_OPERATOR);

it('lists a notice the merchant agent refused and delivers it at once when retried by hand', async () => {
  const customer = await w.newCustomer('100.00');
  const tab = await customer.openTab({
    merchantId: w.merchantId,
    merchantOperatorId: MERCHANT_OPERATOR,
    merchantCurrency: 'EUR',
    deposit: { currency: 'SEK', value: '20.00' },
  });
  await tab.buy(w.merchant.agentUrl, 'article-1', { currency: 'EUR', value: hundredArticles()[0]!.price });
  w.merchant.blockRoute('/mta/tab-cleared');
  await w.merchant.agent.stop(tab.tabId);
  await w.merchantRecordAcknowledged(tab.tabId);
  await customer.sendRecord(tab);
  const notice = `tab-cleared:${tab.tabId}`;
  const failing = await waitFor('the notice to fail', async () => {
    await w.elapse(0);
    const list = await eu().admin.call('listOutbox', undefined);
    return list.find((message) => message.recordId === notice);
  });
  expect(failing).toMatchObject({ destination: `merchant-notice:${w.merchantId}`, attempts: 1 });
  expect(failing.lastError).not.toBeNull();

  // Back up, but its next attempt is not due yet: a pass delivers nothing.
  w.merchant.blockRoute('/mta/tab-cleared', false);
  await w.elapse(0);
  expect((await eu().admin.call('listOutbox', undefined)).map((m) => m.recordId)).toContain(notice);
  expect((await w.merchant.agent.tab(tab.tabId))?.cleared).toBeNull();

  expect(await eu().admin.call('retryOutbox', { recordIds: [notice, 'nothing-by-that-id'] })).toEqual({ scheduled: 1 });
  await w.elapse(0);
  expect((await eu().admin.call('listOutbox', undefined)).map((m) => m.recordId)).not.toContain(notice);
  expect((await w.merchant.agent.tab(tab.tabId))?.cleared?.outcome).toBe('agreed');
  await w.elapse(0);
  await waitFor('the AM to capture', async () => (await customer.account()).tabs[0]?.state === 'cleared', 10_000, 100);
});

it('publishes a fresh rate table on demand, the one customers are then given', async () => {
  const se = w.world.operator('op-se');
  const first = await se.admin.call('publishRates', {});
  w.clock.advance(1000);
  const second = await se.admin.call('publishRates', {});
  expect(second.tableId).not.toBe(first.tableId);
  expect(second.source).toMatchObject({ publisher: 'ecb', publishedOn: '2024-06-28', sample: true });
  expect(Date.parse(second.issuedAt)).toBe(w.clock.now_ms());
  const served = await fetch(`${se.url}/v1/rates`).then((response) => response.json());
  expect(served.payload.id).toBe(second.tableId);
});
