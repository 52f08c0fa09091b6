// What a replay of each message does in each state it can meet (docs/state-machines.md): the
// amended initiation at the MTA, the customer's record, and the clearing at the customer's AM.
// A replay under a new message id (an outbox's next attempt, a resend after a stop) must find the
// earlier effects and answer from them; nothing is done twice.

import { describe, expect, it } from 'vitest';
import { seal } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import type { ClearingBody } from '../src/mta/clearing';
import {
  CUSTOMER_OPERATOR,
  MERCHANT_OPERATOR,
  hundredArticles,
  StoredTables,
  worldPerTest,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';
import { waitFor } from '@opentab/test-kit';

let w: TwoOperatorWorld;
const terms = () => ({
  merchantId: w.merchantId,
  merchantOperatorId: MERCHANT_OPERATOR,
  merchantCurrency: 'EUR',
  deposit: { currency: 'SEK', value: '20.00' },
});
const price = (itemId: string) => ({
  currency: 'EUR',
  value: hundredArticles().find((a) => a.itemId === itemId)!.price,
});

worldPerTest((started) => (w = started));

const am = () => w.world.operator(CUSTOMER_OPERATOR).running.context;
const mta = () => w.world.operator(MERCHANT_OPERATOR).running.context;
/** The operators' stores, read through their storage. */
const amStore = () => w.world.operator(CUSTOMER_OPERATOR).running.context.storage;
const mtaStore = () => w.world.operator(MERCHANT_OPERATOR).running.context.storage;

/** The clearing the MTA's outbox holds for the AM, as it was sent. */
async function clearingSent(tabId: string): Promise<ClearingBody> {
  const tables = StoredTables.ofOperator(w.world.operator(MERCHANT_OPERATOR));
  try {
    const [row] = await tables.query('SELECT payload FROM outbox WHERE record_id = ?', [`clearing:${tabId}`]);
    return JSON.parse(row!.payload as string) as ClearingBody;
  } finally {
    await tables.close();
  }
}

/** The AM's amended initiation of a transaction, sealed afresh: what the AM sends when it asks again. */
async function resendAmended(transactionId: string) {
  const body = (await amStore().transactions.transaction(transactionId))!.amendedInitiation!;
  return am().peers.call(MERCHANT_OPERATOR, 'peerInitiation', seal(am().crypto, am().identity.signer, body));
}

async function refusalOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  return error instanceof OpentabError ? error.code : String(error);
}

describe('the amended initiation asked again', () => {
  it('of an open tab: acknowledged again with the same tab, nothing registered twice', async () => {
    const customer = await w.newCustomer('100.00');
    const tab = await customer.openTab(terms());
    const ack = await resendAmended(tab.transactionId);
    expect(ack.payload).toMatchObject({ tabId: tab.tabId, transactionId: tab.transactionId });
    expect(await mtaStore().tabs.tabsOfMerchant(w.merchantId, 10)).toHaveLength(1);
    expect(await w.merchant.agent.tabs()).toHaveLength(1);
    await tab.terminate(w.merchant.agentUrl);
    await customer.sendRecord(tab);
    await waitFor('clearing', async () => (await customer.account()).tabs[0]?.state === 'cleared');
    // Of a cleared tab: the same acknowledgement; nothing reopens.
    expect((await resendAmended(tab.transactionId)).payload.tabId).toBe(tab.tabId);
    expect((await mtaStore().tabs.tab(tab.tabId))!.state).toBe('cleared');
  }, 30_000);

  it('of a failed registration: refused as never opened, every time', async () => {
    const customer = await w.newCustomer('100.00');
    w.merchant.setAvailable(false);
    await customer.openTab(terms()).catch(() => undefined);
    const [transaction] = await amStore().transactions.transactionsOfAccount(customer.accountId, 1);
    expect(transaction!.state).toBe('failed');
    w.merchant.setAvailable(true);
    expect(await refusalOf(resendAmended(transaction!.transactionId))).toBe('tab_not_opened');
    expect(await refusalOf(resendAmended(transaction!.transactionId))).toBe('tab_not_opened');
    expect((await mtaStore().tabs.tabsOfMerchant(w.merchantId, 10)).map((tab) => tab.state)).toEqual(['failed']);
  }, 30_000);
});

describe("the customer's record sent again", () => {
  it('to an open tab under a new id: the first record stands', async () => {
    const customer = await w.newCustomer('100.00');
    const tab = await customer.openTab(terms());
    await tab.buy(w.merchant.agentUrl, 'article-1', price('article-1'));
    await tab.terminate(w.merchant.agentUrl);
    const first = tab.record();
    await customer.sendRecordEnvelope(first);
    await customer.sendRecordEnvelope(first); // the very same message: answered from its receipt
    await customer.sendRecord(tab); // the same content under a new id
    await waitFor('clearing', async () => (await mtaStore().tabs.tab(tab.tabId))?.state === 'cleared');
    expect(await mtaStore().tabs.tab(tab.tabId)).toMatchObject({
      cleared_minor: 8n,
      outcome: 'agreed',
      customerRecord: { payload: { id: first.payload.id } },
    });
    await waitFor('the AM to capture', async () => (await customer.account()).tabs[0]?.state === 'cleared');
  }, 30_000);
});

describe('the clearing delivered again at the AM', () => {
  it('of a cleared transaction, at the same revision: the same charge, nothing captured twice', async () => {
    const customer = await w.newCustomer('100.00');
    const tab = await customer.openTab(terms());
    await tab.buy(w.merchant.agentUrl, 'article-1', price('article-1'));
    await tab.terminate(w.merchant.agentUrl);
    await customer.sendRecord(tab);
    await waitFor(
      'the AM to capture',
      async () => (await amStore().transactions.transaction(tab.transactionId))?.state === 'cleared',
    );
    const body = await clearingSent(tab.tabId);
    const again = seal(mta().crypto, mta().identity.signer, {
      ...body,
      operatorCertificate: mta().identity.certificate,
    });
    const ack = await mta().peers.call(CUSTOMER_OPERATOR, 'peerClearing', again);
    expect(ack.payload.charge).toEqual({ currency: 'SEK', value: '0.91' });
    expect(await amStore().ledger.listEntries({ accountId: `customer:${customer.accountId}` })).toHaveLength(1);
    // A lower amount under a higher revision is the operator's decision of a dispute: the customer
    // is charged what 0.01 EUR costs (0.11 SEK) and given the rest back, once.
    const lower = seal(mta().crypto, mta().identity.signer, {
      ...body,
      cleared: { currency: 'EUR', value: '0.01' },
      revision: 1,
      operatorCertificate: mta().identity.certificate,
    });
    expect((await mta().peers.call(CUSTOMER_OPERATOR, 'peerClearing', lower)).payload.charge).toEqual({
      currency: 'SEK',
      value: '0.11',
    });
    // The first clearing again, now older than the revision applied, changes nothing.
    const older = seal(mta().crypto, mta().identity.signer, {
      ...body,
      operatorCertificate: mta().identity.certificate,
    });
    expect((await mta().peers.call(CUSTOMER_OPERATOR, 'peerClearing', older)).payload.charge.value).toBe('0.11');
    expect(await amStore().ledger.listEntries({ accountId: `customer:${customer.accountId}` })).toHaveLength(2);
  }, 30_000);

  it('of a failed transaction: zero is accepted, anything more refused as never opened', async () => {
    const customer = await w.newCustomer('100.00');
    w.merchant.setAvailable(false);
    await customer.openTab(terms()).catch(() => undefined);
    const [transaction] = await amStore().transactions.transactionsOfAccount(customer.accountId, 1);
    const [mtaTab] = await mtaStore().tabs.tabsOfMerchant(w.merchantId, 1);
    const clearing = (value: string) =>
      seal(mta().crypto, mta().identity.signer, {
        type: 'clearing',
        operatorCertificate: mta().identity.certificate,
        transactionId: transaction!.transactionId,
        tabId: mtaTab!.tabId,
        cleared: { currency: 'EUR', value },
        outcome: 'voided',
        note: 'voided',
      } as const);
    expect((await mta().peers.call(CUSTOMER_OPERATOR, 'peerClearing', clearing('0.00'))).payload.charge).toEqual({
      currency: 'SEK',
      value: '0.00',
    });
    expect(await refusalOf(mta().peers.call(CUSTOMER_OPERATOR, 'peerClearing', clearing('0.05')))).toBe(
      'tab_not_opened',
    );
    expect((await amStore().transactions.transaction(transaction!.transactionId))!.state).toBe('failed');
  }, 30_000);
});
