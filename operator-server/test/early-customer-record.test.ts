// A customer agent that sends its record right after opening, claims nothing, never terminates
// and keeps buying must not pay less than the merchant's chain link proves. The customer's record
// never shortens the time the merchant has: the MTA asks the merchant agent for its record, which
// stops the tab there, and clears on what the merchant's chain link proves.

import { outboxRowsOfRecord } from '../testing/outbox-rows';
import { describe, expect, it } from 'vitest';
import { RemoteCallError } from '@opentab/protocol';
import { recordRequestId } from '../src/mta/records';
import {
  CUSTOMER_OPERATOR,
  MERCHANT_OPERATOR,
  hundredArticles,
  worldPerTest,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';
import { waitFor } from '@opentab/test-kit';

let w: TwoOperatorWorld;
const price = (itemId: string) => ({
  currency: 'EUR',
  value: hundredArticles().find((a) => a.itemId === itemId)!.price,
});

// A grace period far longer than the test: a clearing can only come from the merchant's record.
worldPerTest((started) => (w = started), {
  settings: { tick_ms: 20, tabs: { recordGrace_s: 3600, minTimeout_s: 10 } },
});

describe("a customer's record sent early", () => {
  it("stops the tab at the merchant and clears what the merchant's chain link proves, not what the customer claims", async () => {
    const customer = await w.newCustomer('100.00');
    const tab = await customer.openTab({
      merchantId: w.merchantId,
      merchantOperatorId: MERCHANT_OPERATOR,
      merchantCurrency: 'EUR',
      deposit: { currency: 'SEK', value: '20.00' },
    });
    // The modified agent's record, before any purchase: nothing bought.
    const earlyRecord = tab.record();
    await tab.buy(w.merchant.agentUrl, 'article-1', price('article-1')); // 8 cents
    await tab.buy(w.merchant.agentUrl, 'article-2', price('article-2')); // 15 cents
    expect(earlyRecord.payload).toMatchObject({ count: 0, total: { currency: 'EUR', value: '0.00' } });
    await customer.sendRecordEnvelope(earlyRecord);

    // The MTA asked the merchant agent, which stopped the tab: the customer can buy no more on it.
    const mta = w.world.operator(MERCHANT_OPERATOR).running.context.storage;
    await waitFor(
      'the merchant agent to stop the tab',
      async () => (await w.merchant.agent.tab(tab.tabId))?.status !== 'open',
    );
    const refusal = await tab
      .buy(w.merchant.agentUrl, 'article-3', price('article-3'))
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RemoteCallError);
    expect((refusal as RemoteCallError).failure).toMatchObject({ kind: 'refused', code: 'tab_closed' });

    const cleared = await waitFor('the MTA to clear', async () =>
      (await mta.tabs.tab(tab.tabId))?.state === 'cleared' ? (await mta.tabs.tab(tab.tabId))! : undefined,
    );
    expect(cleared.cleared_minor).toBe(23n);
    expect(cleared.outcome).toBe('disputed');
    expect(await outboxRowsOfRecord(mta, recordRequestId(tab.tabId))).toEqual([
      expect.objectContaining({ deliveredAt: expect.any(Number) }),
    ]);
    const account = await waitFor('the AM to charge', async () => {
      await w.elapse(0);
      const view = await customer.account();
      return view.tabs[0]?.state === 'cleared' ? view : undefined;
    });
    // 0.23 EUR at the locked rate (1 EUR = 11.3595 SEK): 2.61 SEK, rounded half to even.
    expect(account.tabs[0]!.charged).toEqual({ currency: 'SEK', value: '2.61' });
    expect(
      (await w.world.operator(CUSTOMER_OPERATOR).running.context.storage.transactions.transaction(tab.transactionId))!
        .cleared_minor,
    ).toBe(23n);
  }, 30_000);

  it('leaves the conclusion time as it was: without the merchant record the tab is not cleared on the customer record', async () => {
    const customer = await w.newCustomer('100.00');
    const tab = await customer.openTab({
      merchantId: w.merchantId,
      merchantOperatorId: MERCHANT_OPERATOR,
      merchantCurrency: 'EUR',
      deposit: { currency: 'SEK', value: '20.00' },
    });
    await tab.buy(w.merchant.agentUrl, 'article-1', price('article-1'));
    w.merchant.setAvailable(false); // the record request cannot reach the agent
    await customer.sendRecordEnvelope(
      tab.record({
        count: 0,
        total: { currency: 'EUR', value: '0.00' },
        lastChainIndex: 0,
        lastChainLink: tab.chain.encodedLinkAt(0),
      }),
    );
    const mta = w.world.operator(MERCHANT_OPERATOR).running.context.storage;
    const before = (await mta.tabs.tab(tab.tabId))!;
    expect(before.merchantAskedAt).toEqual(expect.any(Number));
    // Its due time is still the timeout plus the grace period (or later, waiting for the agent).
    expect(before.concludeAfter).toBeGreaterThanOrEqual(before.expiresAt + 3600 * 1000);
    await w.world.operator(MERCHANT_OPERATOR).running.runJobs();
    expect((await mta.tabs.tab(tab.tabId))!.state).toBe('open');
    // Once the agent answers (the request's next attempt, after its backoff), its record (8 cents, proven by
    // its link) decides.
    w.merchant.setAvailable(true);
    const cleared = await waitFor('the MTA to clear on the merchant record', async () => {
      await w.elapse(1_000);
      return (await mta.tabs.tab(tab.tabId))?.state === 'cleared' ? (await mta.tabs.tab(tab.tabId))! : undefined;
    });
    expect(cleared.cleared_minor).toBe(8n);
    await waitFor('the AM to capture', async () => {
      await w.elapse(0);
      return (await customer.account()).tabs[0]?.state === 'cleared';
    });
  }, 40_000);
});
