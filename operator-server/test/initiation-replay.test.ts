// The initiation's message id is the idempotency key of the whole initiation, across stops of the
// customer's AM: a customer agent that re-sends an initiation its AM never answered gets one
// transaction, one hold and one tab, whether the AM stopped before or after the MTA registered the
// tab. Nothing stays 'opening' past the opening bound, and one chain root backs one tab only.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RemoteCallError } from '@opentab/protocol';
import { seal } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import type { PeerDirectory } from '../src/peers/peer-directory';
import type { TestCustomer, TestTab } from '@opentab/test-kit/worlds';
import { waitFor } from '@opentab/test-kit';
import { Restarts } from '../testing/restarts';
import {
  CUSTOMER_OPERATOR,
  MERCHANT_OPERATOR,
  startTwoOperatorWorld,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';

let w: TwoOperatorWorld;
const restarts = new Restarts();
const terms = () => ({
  merchantId: w.merchantId,
  merchantOperatorId: MERCHANT_OPERATOR,
  merchantCurrency: 'EUR',
  deposit: { currency: 'SEK', value: '20.00' },
});

beforeEach(async () => {
  w = await startTwoOperatorWorld({
    settings: { tick_ms: 20, tabs: { recordGrace_s: 1, minTimeout_s: 10, openingBound_s: 5 } },
  });
});

afterEach(async () => {
  await restarts.closeAll();
  await w.close();
});

/**
 * Makes the AM's initiation call to the MTA stop where a crash would: before the MTA is asked, or
 * once the MTA has answered but before the AM could record the answer. Resolves when it got there.
 */
function stallInitiation(peers: PeerDirectory, where: 'before-mta' | 'after-mta'): Promise<void> {
  const call = peers.call.bind(peers);
  return new Promise((reached) => {
    peers.call = (async (operatorId: string, route: string, body: unknown) => {
      if (route !== 'peerInitiation') return call(operatorId as never, route as never, body as never);
      if (where === 'after-mta') await call(operatorId as never, route as never, body as never);
      reached();
      return new Promise(() => undefined);
    }) as typeof peers.call;
  });
}

/** The AM stops with the initiation half done, and starts again on the same store. */
async function crashMidInitiation(customer: TestCustomer, where: 'before-mta' | 'after-mta', downtime_ms = 0) {
  const am = w.world.operator(CUSTOMER_OPERATOR);
  const stalled = stallInitiation(am.running.context.peers, where);
  const initiation = await customer.initiation(terms());
  const unanswered = customer.sendInitiation(initiation).catch((error: unknown) => error);
  await stalled;
  await am.running.close();
  expect(await unanswered).toBeInstanceOf(Error);
  w.clock.advance(downtime_ms);
  const successor = await restarts.restart(am, w.clock);
  return { initiation, successor };
}

/** Ends the tab as a customer does (terminate, record) and waits for the AM to capture: every hold ends. */
async function closeAndClear(customer: TestCustomer, tab: TestTab): Promise<void> {
  await tab.terminate(w.merchant.agentUrl);
  await customer.sendRecord(tab);
  await waitFor('the AM to capture', async () => (await customer.account()).tabs.every((t) => t.state === 'cleared'));
}

async function holdsOf(successor: Awaited<ReturnType<Restarts['restart']>>, accountId: string) {
  return await successor.running.context.storage.ledger.listHolds({ accountId: `customer:${accountId}` });
}

describe('an initiation re-sent after the AM stopped in the middle of it', () => {
  it('after the MTA registered the tab: the same transaction, hold and tab, not a second of each', async () => {
    const customer = await w.newCustomer('100.00');
    const { initiation, successor } = await crashMidInitiation(customer, 'after-mta');
    const tab = await customer.sendInitiation(initiation);

    const transactions = await successor.running.context.storage.transactions.transactionsOfAccount(
      customer.accountId,
      10,
    );
    expect(transactions).toHaveLength(1);
    expect(transactions[0]).toMatchObject({
      state: 'open',
      tabId: tab.tabId,
      initiationId: initiation.message.payload.id,
    });
    expect(await holdsOf(successor, customer.accountId)).toEqual([
      expect.objectContaining({ status: 'pending', amount: 2000n }),
    ]);
    const mtaTabs = await w.world
      .operator(MERCHANT_OPERATOR)
      .running.context.storage.tabs.tabsOfMerchant(w.merchantId, 10);
    expect(mtaTabs.map((t) => t.tabId)).toEqual([tab.tabId]);
    expect((await customer.account()).held).toEqual({ currency: 'SEK', value: '20.00' });
    // A third send is answered the same way: the tab it opened.
    expect((await customer.sendInitiation(initiation)).tabId).toBe(tab.tabId);
    await closeAndClear(customer, tab);
  }, 30_000);

  it('before the MTA heard of it: one transaction and one hold, and the tab opens', async () => {
    const customer = await w.newCustomer('100.00');
    const { initiation, successor } = await crashMidInitiation(customer, 'before-mta');
    const tab = await customer.sendInitiation(initiation);
    expect(await successor.running.context.storage.transactions.transactionsOfAccount(customer.accountId, 10)).toEqual([
      expect.objectContaining({ state: 'open', tabId: tab.tabId }),
    ]);
    expect(await holdsOf(successor, customer.accountId)).toHaveLength(1);
    expect((await w.merchant.agent.tabs()).map((t) => t.tabId)).toEqual([tab.tabId]);
    await closeAndClear(customer, tab);
  }, 30_000);

  it('is not left opening past the opening bound when the customer never comes back', async () => {
    const customer = await w.newCustomer('100.00');
    // Down longer than the opening bound.
    const { successor } = await crashMidInitiation(customer, 'before-mta', 6_000);
    // The MTA cannot be reached now either: the sweep gets no answer, and the bound has passed.
    successor.running.context.peers.call = (async () => {
      throw new OpentabError('peer_unreachable');
    }) as PeerDirectory['call'];
    await successor.running.runJobs();
    const [transaction] = await successor.running.context.storage.transactions.transactionsOfAccount(
      customer.accountId,
      10,
    );
    expect(transaction).toMatchObject({ state: 'failed', failure: { code: 'tab_not_opened' } });
    expect(await holdsOf(successor, customer.accountId)).toEqual([expect.objectContaining({ status: 'released' })]);
    expect((await customer.account()).held).toEqual({ currency: 'SEK', value: '0.00' });
  }, 30_000);
});

describe('one chain root', () => {
  it('backs one transaction at the AM, and one tab at the MTA even if an AM asks for a second', async () => {
    const customer = await w.newCustomer('100.00');
    const first = await customer.initiation(terms());
    const tab = await customer.sendInitiation(first);
    // The same chain under a new initiation id.
    const { id: _id, iat: _iat, ...body } = first.message.payload;
    const again = {
      ...first,
      message: seal(w.world.operator(CUSTOMER_OPERATOR).running.context.crypto, customer.signer, body),
    };
    expect(again.message.payload.id).not.toBe(first.message.payload.id);
    const refusal = await customer.sendInitiation(again).catch((error: unknown) => error);
    expect((refusal as RemoteCallError).failure).toMatchObject({ kind: 'refused', code: 'chain_reused' });

    // An AM that sends the MTA a second transaction on the same chain is refused there too.
    const am = w.world.operator(CUSTOMER_OPERATOR).running.context;
    const [transaction] = await w.world
      .operator(CUSTOMER_OPERATOR)
      .running.context.storage.transactions.transactionsOfAccount(customer.accountId, 1);
    const amended = transaction!.amendedInitiation!;
    const otherTransaction = `${transaction!.transactionId}9`;
    const certificate = seal(am.crypto, am.identity.signer, {
      ...withoutHeader(amended.customerCertificate.payload),
      transactionId: otherTransaction,
    });
    const forged = seal(am.crypto, am.identity.signer, {
      ...amended,
      transactionId: otherTransaction,
      customerCertificate: certificate,
    });
    const mtaRefusal = await am.peers
      .call(MERCHANT_OPERATOR, 'peerInitiation', forged)
      .catch((error: unknown) => error);
    expect(mtaRefusal).toMatchObject({ code: 'chain_reused' });
    expect(
      await w.world.operator(MERCHANT_OPERATOR).running.context.storage.tabs.tabsOfMerchant(w.merchantId, 10),
    ).toHaveLength(1);
    await closeAndClear(customer, tab);
  }, 30_000);
});

function withoutHeader<P extends { id: string; iat: string }>(payload: P): Omit<P, 'id' | 'iat'> {
  const { id: _id, iat: _iat, ...rest } = payload;
  return rest;
}
