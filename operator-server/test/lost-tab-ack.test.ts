// A merchant agent that commits its acknowledgement of a tab and stops before the answer leaves
// holds a tab the MTA never opened. Every path that fails a tab tells the merchant agent (a void
// notice through the outbox), and an agent whose record the MTA refuses as "never opened" ends
// that tab for good instead of retrying for ever.

import { outboxRowsOfRecord } from '../testing/outbox-rows';
import { describe, expect, it } from 'vitest';
import type { RemoteCallError } from '@opentab/protocol';
import { voidNoticeId } from '../src/mta/interrupted-registrations';
import { MERCHANT_OPERATOR, worldPerTest, type TwoOperatorWorld } from '@opentab/test-kit/worlds';
import { waitFor } from '@opentab/test-kit';

let w: TwoOperatorWorld;
const terms = (timeout_s = 600) => ({
  merchantId: w.merchantId,
  merchantOperatorId: MERCHANT_OPERATOR,
  merchantCurrency: 'EUR',
  deposit: { currency: 'SEK', value: '20.00' },
  timeout_s,
});

worldPerTest((started) => (w = started));

describe('a tab acknowledgement lost after the merchant agent committed it', () => {
  it('fails the tab at the MTA, voids it at the agent, and releases the hold', async () => {
    const customer = await w.newCustomer('100.00');
    w.merchant.loseAnswers('/mta/tab-information');
    const refusal = await customer.openTab(terms()).catch((error: unknown) => error);
    expect((refusal as RemoteCallError).failure).toMatchObject({ kind: 'refused', code: 'merchant_unreachable' });

    // The agent committed the tab; the MTA never heard its acknowledgement.
    const [orphan] = await w.merchant.agent.tabs();
    expect(orphan).toMatchObject({ status: expect.stringMatching(/open|cleared/) });
    const mta = w.world.operator(MERCHANT_OPERATOR).running.context.storage;
    expect((await mta.tabs.tab(orphan!.tabId))!.state).toBe('failed');
    expect(await outboxRowsOfRecord(mta, voidNoticeId(orphan!.tabId))).toHaveLength(1);

    const voided = await waitFor('the void notice to close the tab at the agent', async () => {
      const view = await w.merchant.agent.tab(orphan!.tabId);
      return view?.status === 'cleared' ? view : undefined;
    });
    expect(voided.cleared).toMatchObject({ amount: { currency: 'EUR', minor: 0n }, outcome: 'voided' });
    expect(await w.merchant.agent.tabs({ status: 'open' })).toEqual([]);
    // The MTA's refusal was definite: the customer's AM failed the transaction and released the hold.
    expect((await customer.account()).held).toEqual({ currency: 'SEK', value: '0.00' });
  }, 30_000);

  it("ends the agent's tab for good when the MTA refuses its record as never opened", async () => {
    const customer = await w.newCustomer('100.00');
    w.merchant.loseAnswers('/mta/tab-information');
    // The void notice cannot reach the agent.
    w.merchant.blockRoute('/mta/tab-cleared');
    await customer.openTab(terms()).catch(() => undefined);
    const [orphan] = await w.merchant.agent.tabs();
    expect(orphan!.status).toBe('open');

    // The agent stops the tab itself (its timeout, or as here the merchant) and sends its record.
    await w.merchant.agent.stop(orphan!.tabId);
    const delivery = await waitFor('the record to be refused for good', async () => {
      const view = await w.merchant.agent.recordDelivery(orphan!.tabId);
      return view?.refusedCode !== null ? view : undefined;
    });
    expect(delivery).toMatchObject({ refusedCode: 'tab_not_opened', acknowledged: false });
    expect(await w.merchant.agent.tab(orphan!.tabId)).toMatchObject({
      status: 'cleared',
      cleared: { outcome: 'voided', amount: { minor: 0n } },
    });
    // Done with: no further attempt after the refusal.
    const attempts = delivery!.attempts;
    await w.merchant.agent.flushRecords();
    expect((await w.merchant.agent.recordDelivery(orphan!.tabId))!.attempts).toBe(attempts);
  }, 30_000);
});
