// A handler that does not await commits its effects and its stored answer in one transaction:
// when the answer cannot be stored, the effects are undone too, so the sender's retry of the same
// message runs the handler on an unchanged tab instead of on top of its own earlier effects.

import { describe, expect, it } from 'vitest';
import { OPERATOR_API } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import { toBase64url } from '@opentab/protocol';
import { merchantStopRecord } from '@opentab/test-kit/worlds';
import { MERCHANT_OPERATOR, StoredTables, worldPerTest, type TwoOperatorWorld } from '@opentab/test-kit/worlds';
import { send } from '../testing/http';
import { waitFor } from '@opentab/test-kit';

const merchantSecretKey = toBase64url(nodeCrypto.randomBytes(32));
let w: TwoOperatorWorld;

worldPerTest((started) => (w = started), { merchantSecretKey });

describe('the answer commits with the effects', () => {
  it('a merchant record whose answer cannot be stored is not kept either, and its retry is kept once', async () => {
    const customer = await w.newCustomer('100.00');
    const tab = await customer.openTab({
      merchantId: w.merchantId,
      merchantOperatorId: MERCHANT_OPERATOR,
      merchantCurrency: 'EUR',
      deposit: { currency: 'SEK', value: '50.00' },
    });
    await tab.buy(w.merchant.agentUrl, 'article-1', { currency: 'EUR', value: '0.08' });
    const record = merchantStopRecord(merchantSecretKey, w.merchantId, tab, {
      count: 1,
      total: { currency: 'EUR', value: '0.08' },
      lastChainIndex: 8,
    });
    const mta = w.world.operator(MERCHANT_OPERATOR);
    const { tabs } = mta.running.context.storage;
    const url = `${mta.url}${OPERATOR_API.merchantRecord.path}`;
    const stored = StoredTables.ofOperator(mta);
    try {
      const allowAnswers = await stored.refuseInserts('message_receipts', 'the disk is full');
      expect((await send(url, { body: record })).status).toBe(500);
      expect((await tabs.tab(tab.tabId))?.merchantRecord).toBeNull();

      await allowAnswers();
    } finally {
      await stored.close();
    }
    const kept = await send(url, { body: record });
    expect(kept).toMatchObject({ status: 200, body: { payload: { tabId: tab.tabId, status: 'recorded' } } });
    expect((await tabs.tab(tab.tabId))?.merchantRecord?.payload.id).toBe(record.payload.id);
    expect(await send(url, { body: record })).toEqual(kept);

    // The customer's record clears the tab, through the same single-transaction path at both operators.
    expect((await customer.sendRecord(tab)).payload.status).toBe('cleared');
    const account = await waitFor('the AM to capture', async () => {
      const view = await customer.account();
      return view.tabs[0]?.state === 'cleared' ? view : undefined;
    });
    expect(account.tabs[0]!.charged).toEqual({ currency: 'SEK', value: '0.91' }); // 8 cents × 11.3595
  });
});
