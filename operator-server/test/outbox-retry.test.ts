// The staff see the messages the outbox could not deliver and send them again by hand, without
// waiting out their backoff, once the receiver is back.

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
  w.merchant.agent.stop(tab.tabId);
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
  expect(w.merchant.agent.tab(tab.tabId)?.cleared).toBeNull();

  expect(await eu().admin.call('retryOutbox', { recordIds: [notice, 'nothing-by-that-id'] })).toEqual({ scheduled: 1 });
  await w.elapse(0);
  expect((await eu().admin.call('listOutbox', undefined)).map((m) => m.recordId)).not.toContain(notice);
  expect(w.merchant.agent.tab(tab.tabId)?.cleared?.outcome).toBe('agreed');
  await w.elapse(0);
  await waitFor('the AM to capture', async () => (await customer.account()).tabs[0]?.state === 'cleared', 10_000, 100);
});
