// Every hold ends even when the merchant's operator vanishes: the customer's AM releases the hold
// at the deadline, and a clearing that still arrives later is charged without it. Time moves
// only when the test advances the world's clock.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertStoredLedgerInvariants } from '../src/ledger';
import type { WorldOperator } from '@opentab/test-kit/worlds';
import { Restarts } from '../testing/restarts';
import { nodeCrypto, waitFor } from '@opentab/test-kit';
import { callRoute, OPERATOR_API, toBase64url } from '@opentab/protocol';
import { merchantStopRecord } from '@opentab/test-kit/worlds';
import { resolveDispute } from '../src/mta/dispute-resolution';
import {
  CUSTOMER_OPERATOR,
  MERCHANT_OPERATOR,
  MERCHANT_RECORD_RETRY_MAX_MS,
  MIN_TIMEOUT_MS,
  RECORD_GRACE_MS,
  hundredArticles,
  startTwoOperatorWorld,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';

const HOLD_DEADLINE_MS = 1_000;
const merchantSecretKey = toBase64url(nodeCrypto.randomBytes(32));
let w: TwoOperatorWorld;
const restarts = new Restarts();

beforeEach(async () => {
  w = await startTwoOperatorWorld({
    merchantSecretKey,
    settings: {
      tick_ms: 20,
      tabs: {
        recordGrace_s: RECORD_GRACE_MS / 1000,
        minTimeout_s: MIN_TIMEOUT_MS / 1000,
        holdDeadline_s: HOLD_DEADLINE_MS / 1000,
      },
    },
  });
});

/**
 * Starts the MTA again on the same data. The merchant agent, which stopped the tab at its timeout,
 * delivers its record at its next retry, and the MTA clears on it when its grace period ends.
 */
async function restartAndClear(mta: WorldOperator, tabId: string): Promise<void> {
  await waitFor(
    'the merchant agent to have tried to deliver its record',
    async () => ((await w.merchant.agent.recordDelivery(tabId))?.attempts ?? 0) >= 1,
  );
  const successor = await restarts.restart(mta, w.clock);
  w.clock.advance(MERCHANT_RECORD_RETRY_MAX_MS);
  await w.merchantRecordAcknowledged(tabId);
  w.clock.advance(RECORD_GRACE_MS);
  await successor.running.runJobs();
}

afterEach(async () => {
  // The first MTA process is closed; its successor holds the merchant side's ledger now.
  await assertStoredLedgerInvariants(w.world.operator(CUSTOMER_OPERATOR).running.context.storage.ledger);
  await restarts.closeAll();
  await w.close();
});

describe('the hold deadline', () => {
  it('releases the hold of a tab its MTA never cleared, and charges a clearing that comes late', async () => {
    const customer = await w.newCustomer('100.00');
    const tab = await customer.openTab({
      merchantId: w.merchantId,
      merchantOperatorId: MERCHANT_OPERATOR,
      merchantCurrency: 'EUR',
      deposit: { currency: 'SEK', value: '20.00' },
      timeout_s: MIN_TIMEOUT_MS / 1000,
    });
    await tab.buy(w.merchant.agentUrl, 'article-1', { currency: 'EUR', value: hundredArticles()[0]!.price }); // 8 cents
    const mta = w.world.operator(MERCHANT_OPERATOR);
    await mta.running.close(); // the merchant's operator goes away before clearing anything

    // The hold stays up to the deadline past the tab's timeout, and lapses then.
    await w.elapse(MIN_TIMEOUT_MS + HOLD_DEADLINE_MS - 1);
    expect((await customer.account()).tabs[0]?.state).toBe('open');
    await w.elapse(1);
    const lapsed = await customer.account();
    expect(lapsed.tabs[0]?.state).toBe('lapsed');
    expect(lapsed.held).toEqual({ currency: 'SEK', value: '0.00' });
    expect(lapsed.available).toEqual({ currency: 'SEK', value: '100.00' });
    await assertStoredLedgerInvariants(w.world.operator(CUSTOMER_OPERATOR).running.context.storage.ledger); // no pending hold left behind

    // The MTA comes back on the same data, clears the expired tab, and delivers the clearing.
    await restartAndClear(mta, tab.tabId);
    const charged = await customer.account();
    expect(charged.tabs[0]?.state).toBe('cleared');
    // 8 cents × 11.3595 = 90.876 öre → 0.91 SEK, charged without a hold.
    expect(charged.tabs[0]!.charged).toEqual({ currency: 'SEK', value: '0.91' });
    expect(charged.balance).toEqual({ currency: 'SEK', value: '-0.91' });
  });

  it('writes off a late charge the customer can no longer cover, and still pays the merchant side', async () => {
    const customer = await w.newCustomer('100.00');
    const tab = await customer.openTab({
      merchantId: w.merchantId,
      merchantOperatorId: MERCHANT_OPERATOR,
      merchantCurrency: 'EUR',
      deposit: { currency: 'SEK', value: '20.00' },
      timeout_s: MIN_TIMEOUT_MS / 1000,
    });
    await tab.buy(w.merchant.agentUrl, 'article-1', { currency: 'EUR', value: hundredArticles()[0]!.price }); // 8 cents
    const mta = w.world.operator(MERCHANT_OPERATOR);
    await mta.running.close();
    await w.elapse(MIN_TIMEOUT_MS + HOLD_DEADLINE_MS);
    expect((await customer.account()).tabs[0]?.state).toBe('lapsed');
    // Meanwhile the operator withdraws the customer's credit altogether.
    const customerOperator = w.world.operator(CUSTOMER_OPERATOR).running.context.storage;
    await customerOperator.ledger.setMinBalance(`customer:${customer.accountId}`, 0n);

    await restartAndClear(mta, tab.tabId);
    expect((await customer.account()).tabs[0]?.state).toBe('cleared');
    expect((await customer.account()).balance).toEqual({ currency: 'SEK', value: '0.00' });
    // 0.91 SEK carried by the operator; the 0.08 EUR owed to the merchant's operator all the same.
    expect((await customerOperator.ledger.getAccount('writeoff:SEK')).balance).toBe(-91n);
    expect((await customerOperator.ledger.getAccount(`settlement:${MERCHANT_OPERATOR}:EUR`)).balance).toBe(8n);
  });
  it('gives back only what the customer paid when a written-off charge is resolved in its favour', async () => {
    const customer = await w.newCustomer('100.00');
    const tab = await customer.openTab({
      merchantId: w.merchantId,
      merchantOperatorId: MERCHANT_OPERATOR,
      merchantCurrency: 'EUR',
      deposit: { currency: 'SEK', value: '50.00' },
      timeout_s: MIN_TIMEOUT_MS / 1000,
    });
    for (const [index, itemId] of ['article-1', 'article-2', 'article-3'].entries())
      await tab.buy(w.merchant.agentUrl, itemId, { currency: 'EUR', value: hundredArticles()[index]!.price });
    const mta = w.world.operator(MERCHANT_OPERATOR);
    await mta.running.close();
    await w.elapse(MIN_TIMEOUT_MS + HOLD_DEADLINE_MS);
    expect((await customer.account()).tabs[0]?.state).toBe('lapsed');
    const customerOperator = w.world.operator(CUSTOMER_OPERATOR).running.context.storage;
    await customerOperator.ledger.setMinBalance(`customer:${customer.accountId}`, 0n);

    // The merchant claims 5.00 EUR for what its chain proves at 0.45: the MTA clears 0.45 and
    // records a dispute; the AM charges 0.45 EUR = 5.11 SEK without a hold, all of it written off.
    const successor = await restarts.restart(mta, w.clock);
    const inflated = merchantStopRecord(merchantSecretKey, w.merchantId, tab, {
      count: 3,
      total: { currency: 'EUR', value: '5.00' },
      lastChainIndex: 45,
    });
    await callRoute(successor.url, OPERATOR_API.merchantRecord, inflated);
    await customer.sendRecord(tab);
    const charged = await waitFor('the written-off charge', async () => {
      const view = await customer.account();
      return view.tabs[0]?.charged?.value === '5.11' ? view : undefined;
    });
    expect(charged.balance).toEqual({ currency: 'SEK', value: '0.00' });
    expect((await customerOperator.ledger.getAccount('writeoff:SEK')).balance).toBe(-511n);

    // The operator decides for the customer: the tab clears 0.20 EUR (2.27 SEK). The 2.84 SEK given
    // back were never paid by the customer: they go back to the write-off, not to the customer.
    const mtaContext = successor.running.context;
    const [dispute] = await successor.running.context.storage.tabs.disputes(10);
    await resolveDispute(
      mtaContext,
      { disputeId: dispute!.disputeId, decision: 'adjust', cleared_minor: 20n, reason: 'Two articles never loaded.' },
      w.clock.now_ms(),
    );
    await successor.running.runJobs();
    const revised = await waitFor('the revised charge', async () => {
      const view = await customer.account();
      return view.tabs[0]?.charged?.value === '2.27' ? view : undefined;
    });
    expect(revised.balance).toEqual({ currency: 'SEK', value: '0.00' });
    expect((await customerOperator.ledger.getAccount('writeoff:SEK')).balance).toBe(-227n);
  });
});
