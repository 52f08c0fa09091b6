// Counts what one complete tab really costs in protocol work, on the operator suite's real world
// (two operators, a merchant agent, a customer, all over HTTP on 127.0.0.1 with real signatures),
// and holds bench/support/lifecycle-work.ts to it.

import { Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nodeCrypto } from '@opentab/server-kit';
import {
  CUSTOMER_OPERATOR,
  MERCHANT_OPERATOR,
  startTwoOperatorWorld,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';
import { waitFor } from '@opentab/test-kit';
import { LIFECYCLE_WORK, lifecycleFloor_ms } from './support/lifecycle-work';
import type { TestCustomer } from '@opentab/test-kit/worlds';

let w: TwoOperatorWorld;

beforeEach(async () => {
  // Background jobs tick often, so clearing and billing follow at once; nothing else runs meanwhile.
  w = await startTwoOperatorWorld();
});

afterEach(async () => {
  vi.restoreAllMocks();
  await w.close();
});

function countRequests(): { count: () => number } {
  let requests = 0;
  const emit = Server.prototype.emit;
  vi.spyOn(Server.prototype, 'emit').mockImplementation(function (
    this: Server,
    event: string | symbol,
    ...args: unknown[]
  ) {
    if (event === 'request') requests++;
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  });
  return { count: () => requests };
}

const ARTICLE = { itemId: 'article-1', price: { currency: 'EUR', value: '0.08' } } as const;

function billedSoFar(): number {
  return w.billingRecords(CUSTOMER_OPERATOR).length + w.billingRecords(MERCHANT_OPERATOR).length;
}

/**
 * One tab from opening to both billing records, as the lifecycle case runs it, and then until
 * everything it set off has happened: the merchant agent's record acknowledged, every outbox
 * message delivered (the merchant agent hears of the clearing that way, possibly after the
 * billing records), and the merchant agent's tab cleared.
 */
async function completeTab(customer: TestCustomer): Promise<void> {
  const billedBefore = billedSoFar();
  const tab = await customer.openTab({
    merchantId: w.merchantId,
    merchantOperatorId: MERCHANT_OPERATOR,
    merchantCurrency: 'EUR',
    deposit: { currency: 'SEK', value: '10.00' },
  });
  await tab.buy(w.merchant.agentUrl, ARTICLE.itemId, ARTICLE.price);
  await tab.terminate(w.merchant.agentUrl);
  await customer.sendRecord(tab);
  await waitFor('both billing records', () =>
    billedSoFar() - billedBefore === LIFECYCLE_WORK.billingDeliveries ? true : undefined,
  );
  await w.merchantRecordAcknowledged(tab.tabId);
  await waitFor('every outbox to be delivered', () =>
    Object.values(w.world.operators).every((operator) => operator.running.sqlite!.outbox.pending() === 0),
  );
  await waitFor(
    'the merchant agent to learn of the clearing',
    async () => (await w.merchant.agent.tab(tab.tabId))?.status === 'cleared',
  );
}

describe('the protocol work of one complete tab', () => {
  it('is the HTTP exchanges and Ed25519 operations the lifecycle benchmark budgets for', async () => {
    const customer = await w.newCustomer('100.00');
    // The first tab also fetches what every later one reuses (the rate table, the peer's certificate).
    await completeTab(customer);
    const billedBefore = billedSoFar();
    const requests = countRequests();
    const signatures = vi.spyOn(nodeCrypto.ed25519, 'sign');
    const verifications = vi.spyOn(nodeCrypto.ed25519, 'verify');

    await completeTab(customer);

    expect({
      httpExchanges: requests.count(),
      billingDeliveries: billedSoFar() - billedBefore,
      signatures: signatures.mock.calls.length,
      verifications: verifications.mock.calls.length,
    }).toEqual(LIFECYCLE_WORK);
    expect(verifications.mock.results.every((result) => result.value === true)).toBe(true);
  });

  it('prices the floor from the counts and the per-operation costs', () => {
    const floor = lifecycleFloor_ms(
      { httpExchanges: 10, billingDeliveries: 2, signatures: 4, verifications: 5 },
      { httpExchange_us: 100, sign_us: 25, verify_us: 60 },
    );
    expect(floor).toBeCloseTo((12 * 100 + 4 * 25 + 5 * 60) / 1000, 10);
  });
});
