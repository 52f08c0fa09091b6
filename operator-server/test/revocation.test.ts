// Revocation over real HTTP between two operators: a revoked merchant or peer operator is refused
// anything new at once, with a stable code, while the records and clearings of tabs opened before
// the revocation still flow and clear (late evidence is never dropped).

import { describe, expect, it } from 'vitest';
import { waitFor } from '@opentab/test-kit';
import {
  CUSTOMER_OPERATOR,
  hundredArticles,
  MERCHANT_OPERATOR,
  worldPerTest,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';
import { send } from '../testing/http';

let w: TwoOperatorWorld;
worldPerTest((started) => (w = started));

const se = () => w.world.operator(CUSTOMER_OPERATOR);
const eu = () => w.world.operator(MERCHANT_OPERATOR);
type Customer = Awaited<ReturnType<TwoOperatorWorld['newCustomer']>>;

const openTab = (customer: Customer) =>
  customer.openTab({
    merchantId: w.merchantId,
    merchantOperatorId: MERCHANT_OPERATOR,
    merchantCurrency: 'EUR',
    deposit: { currency: 'SEK', value: '20.00' },
  });
type Tab = Awaited<ReturnType<typeof openTab>>;

const articleOne = { currency: 'EUR', value: hundredArticles().find((a) => a.itemId === 'article-1')!.price };

async function chargedOn(customer: Customer, tab: Tab) {
  return waitFor(
    'the AM to capture',
    async () => {
      const found = (await customer.account()).tabs.find((t) => t.tabId === tab.tabId);
      return found?.state === 'cleared' ? found : undefined;
    },
    10_000,
    100,
  );
}

/** One article bought and the merchant's record sent: the tab is in flight when the revocation comes. */
async function tabInFlight(customer: Customer): Promise<Tab> {
  const tab = await openTab(customer);
  await tab.buy(w.merchant.agentUrl, 'article-1', articleOne);
  await w.merchant.agent.stop(tab.tabId);
  await w.merchantRecordAcknowledged(tab.tabId);
  return tab;
}

describe('a revoked merchant', () => {
  it('gets no new tab and cannot register again, while its tab in flight still clears and pays it', async () => {
    const customer = await w.newCustomer('100.00');
    const inFlight = await openTab(customer);
    await inFlight.buy(w.merchant.agentUrl, 'article-1', articleOne);

    const revocation = await eu().admin.call(
      'revokeMerchant',
      { reason: 'Signing key leaked' },
      { merchantId: w.merchantId },
    );
    expect(revocation).toMatchObject({
      kind: 'merchant',
      subjectId: w.merchantId,
      reason: 'Signing key leaked',
      revokedBy: 'admin',
    });

    // At once: the customer's next tab is refused by the merchant's operator, through its own.
    await expect(openTab(customer)).rejects.toMatchObject({ failure: { code: 'merchant_revoked' } });
    expect((await customer.account()).held).toEqual({ currency: 'SEK', value: '20.00' });
    const [merchant] = await eu().admin.call('listMerchants', undefined);
    const again = await send(`${eu().url}/v1/admin/merchants`, {
      headers: { authorization: `Bearer ${eu().running.context.config.adminToken}` },
      body: {
        merchantId: merchant!.merchantId,
        displayName: 'Back again',
        currency: 'EUR',
        origins: merchant!.origins,
        agentUrl: merchant!.agentUrl,
        publicKey: (await eu().admin.call('getMerchant', undefined, { merchantId: w.merchantId })).publicKey,
      },
    });
    expect(again.status).toBe(403);
    expect(again.body.error.code).toBe('merchant_revoked');

    // The tab opened before: both records are taken after the revocation, and it clears as usual.
    await w.merchant.agent.stop(inFlight.tabId);
    await w.merchantRecordAcknowledged(inFlight.tabId);
    await customer.sendRecord(inFlight);
    expect((await chargedOn(customer, inFlight)).charged).toEqual({ currency: 'SEK', value: '0.91' });
    const [paid] = await eu().admin.call('listMerchants', undefined);
    expect(paid).toMatchObject({
      balance: { currency: 'EUR', value: '0.08' },
      revocation: { reason: 'Signing key leaked' },
    });

    // Revoking again changes nothing; the revocation is listed.
    const second = await eu().admin.call('revokeMerchant', { reason: 'other words' }, { merchantId: w.merchantId });
    expect(second).toEqual(revocation);
    expect(await eu().admin.call('listRevocations', undefined)).toEqual([revocation]);
  });
});

describe('a revoked peer operator', () => {
  it('is refused new tabs by the revoking MTA at once, while its customer records of tabs in flight still clear', async () => {
    const customer = await w.newCustomer('100.00');
    const inFlight = await tabInFlight(customer);

    await eu().admin.call('revokePeer', { reason: 'Settlement unpaid' }, { operatorId: CUSTOMER_OPERATOR });
    expect(await eu().admin.call('listPeers', undefined)).toEqual([
      expect.objectContaining({ operatorId: CUSTOMER_OPERATOR, revocation: expect.objectContaining({ kind: 'peer' }) }),
    ]);

    // op-se's next request for a new tab gets op-eu's 403, passed on to the customer with its code.
    await expect(openTab(customer)).rejects.toMatchObject({ failure: { code: 'peer_revoked' } });

    // The customer record of the tab in flight crosses after the revocation, is taken, and clears it.
    await customer.sendRecord(inFlight);
    expect((await chargedOn(customer, inFlight)).charged).toEqual({ currency: 'SEK', value: '0.91' });
    const statement = await eu().admin.call('settlement', undefined, {}, { peer: CUSTOMER_OPERATOR });
    expect(statement.lines).toEqual([
      expect.objectContaining({ currency: 'EUR', receivable: { currency: 'EUR', value: '0.08' } }),
    ]);
  });

  it('is refused by the customer’s own AM before any money is held, while the clearing it sends is taken', async () => {
    const customer = await w.newCustomer('100.00');
    const inFlight = await tabInFlight(customer);

    await se().admin.call('revokePeer', { reason: 'Certificate compromised' }, { operatorId: MERCHANT_OPERATOR });
    await expect(openTab(customer)).rejects.toMatchObject({ failure: { code: 'peer_revoked' } });
    expect((await customer.account()).held).toEqual({ currency: 'SEK', value: '20.00' });

    await customer.sendRecord(inFlight);
    expect((await chargedOn(customer, inFlight)).charged).toEqual({ currency: 'SEK', value: '0.91' });
  });

  it('must be a configured peer other than the operator itself, and needs the admin token', async () => {
    await expect(eu().admin.call('revokePeer', { reason: 'x' }, { operatorId: 'op-nowhere' })).rejects.toMatchObject({
      failure: { code: 'unknown_peer' },
    });
    await expect(
      eu().admin.call('revokePeer', { reason: 'x' }, { operatorId: MERCHANT_OPERATOR }),
    ).rejects.toMatchObject({ failure: { code: 'invalid_message' } });
    const anonymous = await send(`${eu().url}/v1/admin/peers/${CUSTOMER_OPERATOR}/revocation`, {
      body: { reason: 'x' },
    });
    expect(anonymous.status).toBe(401);
    expect(await eu().admin.call('listRevocations', undefined)).toEqual([]);
    await expect(eu().admin.call('revokeMerchant', { reason: 'x' }, { merchantId: 'nobody' })).rejects.toMatchObject({
      failure: { code: 'unknown_merchant' },
    });
  });
});
