// Evidence that arrives late is never thrown away. A merchant agent that is down from its tab's
// expiry through the grace period is asked for its record and waited for (up to the merchant
// record wait) instead of its silence being taken for "nothing was bought"; a record with a valid
// chain proof that arrives after the clearing anyway corrects it: charged to the customer within
// the deposit, credited to the merchant, in both operators' billing records and in the settlement.

import { outboxRowsOfRecord } from '../testing/outbox-rows';
import { describe, expect, it } from 'vitest';
import { settlementStatement } from '../src/settlement/statement';
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

worldPerTest((started) => (w = started), {
  settings: { tick_ms: 20, tabs: { recordGrace_s: 5, minTimeout_s: 10, merchantRecordWait_s: 60 } },
});

describe('records that come after their tab was due', () => {
  it('a merchant agent down through expiry and grace is waited for, and its record decides', async () => {
    const customer = await w.newCustomer('100.00');
    const tab = await customer.openTab({
      merchantId: w.merchantId,
      merchantOperatorId: MERCHANT_OPERATOR,
      merchantCurrency: 'EUR',
      deposit: { currency: 'SEK', value: '20.00' },
      timeout_s: 10,
    });
    await tab.buy(w.merchant.agentUrl, 'article-1', price('article-1')); // 8 cents
    await w.merchant.stopAgent();
    await w.elapse(16_000); // past the timeout and the grace period: the MTA asks the agent for its record
    await w.elapse(1_000); // and tries to deliver the request
    const mtaStore = w.world.operator(MERCHANT_OPERATOR).running.context.storage;
    await waitFor(
      'the MTA to ask the merchant agent for its record',
      async () => (await outboxRowsOfRecord(mtaStore, recordRequestId(tab.tabId)))[0]?.attempts,
    );
    // Asked, not answered: the tab waits for the agent instead of clearing at nothing.
    expect((await mtaStore.tabs.tab(tab.tabId))!.state).toBe('open');

    // Back: it stops its expired tab and delivers its record.
    await w.merchant.startAgent();
    const cleared = await waitFor('the clearing on the merchant record', async () =>
      (await mtaStore.tabs.tab(tab.tabId))?.state === 'cleared' ? (await mtaStore.tabs.tab(tab.tabId))! : undefined,
    );
    expect(cleared).toMatchObject({ cleared_minor: 8n, outcome: 'customer-record-missing', clearingRevision: 0 });
    await w.elapse(0);
    await waitFor('the AM to capture', async () => (await customer.account()).tabs[0]?.state === 'cleared');
  }, 30_000);

  it('a record that comes after a clearing at nothing corrects it, once, through ledger, billing and settlement', async () => {
    const customer = await w.newCustomer('100.00');
    const tab = await customer.openTab({
      merchantId: w.merchantId,
      merchantOperatorId: MERCHANT_OPERATOR,
      merchantCurrency: 'EUR',
      deposit: { currency: 'SEK', value: '20.00' },
      timeout_s: 10,
    });
    await tab.buy(w.merchant.agentUrl, 'article-1', price('article-1')); // 8 cents
    await tab.buy(w.merchant.agentUrl, 'article-2', price('article-2')); // 15 cents
    await w.merchant.stopAgent();
    // Past the timeout, the grace period and the merchant record wait: cleared on nothing.
    await w.elapse(16_000);
    const mta = w.world.operator(MERCHANT_OPERATOR).running.context;
    const mtaStore = w.world.operator(MERCHANT_OPERATOR).running.context.storage;
    expect((await mtaStore.tabs.tab(tab.tabId))!.merchantAskedAt).toEqual(expect.any(Number));
    await w.elapse(61_000);
    const atNothing = (await mtaStore.tabs.tab(tab.tabId))!;
    expect(atNothing).toMatchObject({ state: 'cleared', cleared_minor: 0n, outcome: 'no-records' });
    const am = w.world.operator(CUSTOMER_OPERATOR).running.context;
    const amStore = w.world.operator(CUSTOMER_OPERATOR).running.context.storage;
    await w.elapse(0); // the clearing leaves the MTA's outbox
    await waitFor(
      'the AM to release the hold',
      async () => (await amStore.transactions.transaction(tab.transactionId))?.state === 'cleared',
    );
    expect((await amStore.transactions.transaction(tab.transactionId))!.charged_minor).toBe(0n);

    // The agent comes back: it stops its expired tab and sends its record, proven by its chain link.
    await w.merchant.startAgent();
    const corrected = await waitFor('the correction', async () => {
      await w.elapse(1_000); // the agent's record, and the MTA's outbox
      return (await mtaStore.tabs.tab(tab.tabId))!.clearingRevision === 1
        ? (await mtaStore.tabs.tab(tab.tabId))!
        : undefined;
    });
    expect(corrected).toMatchObject({ cleared_minor: 23n, outcome: 'customer-record-missing' });
    const charged = await waitFor('the AM to charge the correction', async () => {
      await w.elapse(0);
      const transaction = (await amStore.transactions.transaction(tab.transactionId))!;
      return transaction.clearingRevision === 1 ? transaction : undefined;
    });
    // 0.23 EUR at 11.3595 SEK/EUR = 2.6127 SEK → 2.61 SEK, the same as had it come in time.
    expect(charged).toMatchObject({ charged_minor: 261n, cleared_minor: 23n });
    expect((await customer.account()).available).toEqual({ currency: 'SEK', value: '97.39' });
    expect(await w.merchant.agent.tab(tab.tabId)).toMatchObject({
      status: 'cleared',
      cleared: { amount: { minor: 23n } },
    });

    // The customer's own record, later still, agrees and changes nothing.
    await customer.sendRecord(tab);
    expect(await mtaStore.tabs.tab(tab.tabId)).toMatchObject({ clearingRevision: 1, cleared_minor: 23n });
    expect((await mtaStore.tabs.lateRecordsOfTab(tab.tabId)).map((late) => [late.party, late.effect])).toEqual([
      ['merchant', 'corrected:1'],
      ['customer', 'no-change'],
    ]);

    // Billing: the first clearing and its correction, each once, the correction for the difference.
    await waitFor('billing records of the correction', async () => {
      await w.elapse(0);
      return (
        w.billingRecords(CUSTOMER_OPERATOR).some((r) => r.revision === 1) &&
        w.billingRecords(MERCHANT_OPERATOR).some((r) => r.revision === 1)
      );
    });
    const withdrawals = w.billingRecords(CUSTOMER_OPERATOR).filter((r) => r.recordType === 'withdrawal');
    expect(withdrawals.map((r) => [r.recordId.endsWith(':r1'), r.amount.value, r.revision ?? 0])).toEqual([
      [false, '0.00', 0],
      [true, '2.61', 1],
    ]);
    const deposits = w.billingRecords(MERCHANT_OPERATOR).filter((r) => r.recordType === 'deposit');
    expect(deposits.map((r) => [r.amount.value, r.revision ?? 0])).toEqual([
      ['0.00', 0],
      ['0.23', 1],
    ]);

    // Settlement: what the customer's operator owes the merchant's includes the correction.
    const owed = (
      await settlementStatement(am.storage.ledger, CUSTOMER_OPERATOR, MERCHANT_OPERATOR, 0, w.clock.now_ms() + 1000)
    ).lines.find((line) => line.currency === 'EUR');
    expect(owed).toMatchObject({ payable: { value: '0.23' }, net: { value: '0.23' } });
    const owedToUs = (
      await settlementStatement(mta.storage.ledger, MERCHANT_OPERATOR, CUSTOMER_OPERATOR, 0, w.clock.now_ms() + 1000)
    ).lines.find((line) => line.currency === 'EUR');
    expect(owedToUs).toMatchObject({ receivable: { value: '0.23' } });
  }, 40_000);
});
