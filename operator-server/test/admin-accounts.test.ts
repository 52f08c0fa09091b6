// The staff's account and merchant controls over real HTTP: search, credit limits, suspending,
// resuming and closing accounts, and suspending merchants, with what each does to tabs.

import { describe, expect, it } from 'vitest';
import { hundredArticles, MERCHANT_OPERATOR, worldPerTest, type TwoOperatorWorld } from '@opentab/test-kit/worlds';
import { waitFor } from '@opentab/test-kit';
import { send } from '../testing/http';

let w: TwoOperatorWorld;
worldPerTest((started) => (w = started));

const se = () => w.world.operator('op-se');
const eu = () => w.world.operator(MERCHANT_OPERATOR);
const price = (itemId: string) => ({
  currency: 'EUR',
  value: hundredArticles().find((a) => a.itemId === itemId)!.price,
});
const deposit = { currency: 'SEK', value: '20.00' };

async function openTab(customer: Awaited<ReturnType<TwoOperatorWorld['newCustomer']>>) {
  return customer.openTab({
    merchantId: w.merchantId,
    merchantOperatorId: MERCHANT_OPERATOR,
    merchantCurrency: 'EUR',
    deposit,
  });
}

type Customer = Awaited<ReturnType<TwoOperatorWorld['newCustomer']>>;
type Tab = Awaited<ReturnType<typeof openTab>>;

/** Both sides send their records and the AM captures: every hold ends, as the world's invariants want. */
async function finish(customer: Customer, tab: Tab) {
  await w.merchant.agent.stop(tab.tabId);
  await customer.sendRecord(tab);
  await waitFor(
    'the AM to capture',
    async () => {
      const view = await customer.account();
      return view.tabs.find((t) => t.tabId === tab.tabId)?.state === 'cleared' ? view : undefined;
    },
    10_000,
    100,
  );
}

/** One article (0.08 EUR, 0.91 SEK at the sample rate), then both records and the clearing. */
async function clearTab(customer: Customer, tab: Tab) {
  await tab.buy(w.merchant.agentUrl, 'article-1', price('article-1'));
  await finish(customer, tab);
}

describe('accounts', () => {
  it('are found by part of their id or name and by status', async () => {
    const { accountId } = await se().admin.call('createCustomer', {
      displayName: 'Ada Lovelace',
      creditLimit: { currency: 'SEK', value: '100.00' },
    });
    await se().admin.call('createCustomer', { displayName: 'Bob', creditLimit: { currency: 'SEK', value: '5.00' } });
    const found = await se().admin.call('searchCustomers', undefined, {}, { text: 'lovel' });
    expect(found.map((c) => c.accountId)).toEqual([accountId]);
    expect(found[0]).toMatchObject({
      displayName: 'Ada Lovelace',
      status: 'active',
      enrolled: false,
      creditLimit: { value: '100.00' },
    });
    expect(await se().admin.call('searchCustomers', undefined, {}, { text: accountId.slice(5, 15) })).toHaveLength(1);
    await se().admin.call('setCustomerStatus', { status: 'suspended', reason: 'chargeback' }, { accountId });
    const suspended = await se().admin.call('searchCustomers', undefined, {}, { status: 'suspended' });
    expect(suspended.map((c) => [c.accountId, c.statusReason])).toEqual([[accountId, 'chargeback']]);
    expect(await se().admin.call('searchCustomers', undefined, {}, { limit: '1' })).toHaveLength(1);
  });

  it('take a new credit limit, never one below what they use', async () => {
    const customer = await w.newCustomer('100.00');
    const tab = await openTab(customer); // holds 20.00 SEK
    const raised = await se().admin.call(
      'setCreditLimit',
      { creditLimit: { currency: 'SEK', value: '250.00' } },
      {
        accountId: customer.accountId,
      },
    );
    expect(raised).toMatchObject({ creditLimit: { value: '250.00' }, available: { value: '230.00' } });
    await expect(
      se().admin.call(
        'setCreditLimit',
        { creditLimit: { currency: 'SEK', value: '19.99' } },
        { accountId: customer.accountId },
      ),
    ).rejects.toMatchObject({ failure: { code: 'credit_limit_below_use', status: 409 } });
    await expect(
      se().admin.call(
        'setCreditLimit',
        { creditLimit: { currency: 'EUR', value: '50.00' } },
        { accountId: customer.accountId },
      ),
    ).rejects.toMatchObject({ failure: { code: 'currency_mismatch' } });
    expect((await customer.account()).creditLimit.value).toBe('250.00');
    const lowered = await se().admin.call(
      'setCreditLimit',
      { creditLimit: { currency: 'SEK', value: '20.00' } },
      {
        accountId: customer.accountId,
      },
    );
    expect(lowered).toMatchObject({ available: { value: '0.00' } });
    await finish(customer, tab);
  });

  it('suspended, open no new tab, while the tab already open runs to its clearing; resumed, open tabs again', async () => {
    const customer = await w.newCustomer('100.00');
    const open = await openTab(customer);
    await se().admin.call(
      'setCustomerStatus',
      { status: 'suspended', reason: 'fraud check' },
      { accountId: customer.accountId },
    );
    await expect(openTab(customer)).rejects.toMatchObject({ failure: { code: 'account_suspended', status: 403 } });
    // The customer still sees the account, and the open tab buys and clears.
    await clearTab(customer, open);
    expect((await customer.account()).tabs).toHaveLength(1);
    await se().admin.call(
      'setCustomerStatus',
      { status: 'active', reason: 'cleared' },
      { accountId: customer.accountId },
    );
    const again = await openTab(customer);
    expect((await customer.account()).tabs).toHaveLength(2);
    await finish(customer, again);
  });

  it('close only with no tab open, nothing held and a balance of zero; closed, they are refused everything', async () => {
    const customer = await w.newCustomer('100.00');
    const close = () =>
      se().admin.call(
        'setCustomerStatus',
        { status: 'closed', reason: 'customer asked' },
        { accountId: customer.accountId },
      );
    const tab = await openTab(customer);
    await expect(close()).rejects.toMatchObject({ failure: { code: 'account_busy', status: 409 } });
    await clearTab(customer, tab);
    // A debt to settle first.
    const owing = await customer.account();
    expect(owing.balance.value).toBe('-0.91');
    await expect(close()).rejects.toMatchObject({
      failure: { code: 'account_busy', message: expect.stringContaining('-0.91 SEK') },
    });
    await se().admin.call(
      'creditCustomer',
      { amount: { currency: 'SEK', value: '0.91' }, reference: 'settle-1' },
      {
        accountId: customer.accountId,
      },
    );
    expect(await close()).toMatchObject({
      status: 'closed',
      statusReason: 'customer asked',
      creditLimit: { value: '0.00' },
    });
    await expect(customer.logon()).rejects.toMatchObject({ failure: { code: 'account_closed', status: 403 } });
    await expect(customer.account()).rejects.toMatchObject({ failure: { code: 'account_closed' } });
    await expect(
      se().admin.call('setCustomerStatus', { status: 'active', reason: 'oops' }, { accountId: customer.accountId }),
    ).rejects.toMatchObject({ failure: { code: 'account_closed' } });
    await expect(
      se().admin.call(
        'setCreditLimit',
        { creditLimit: { currency: 'SEK', value: '5.00' } },
        { accountId: customer.accountId },
      ),
    ).rejects.toMatchObject({ failure: { code: 'account_closed' } });
  });

  it('refuse bad input with a stable code and change nothing', async () => {
    const customer = await w.newCustomer('100.00');
    const url = `${se().url}/v1/admin/customers/${customer.accountId}/status`;
    const token = { authorization: `Bearer ${se().running.context.config.adminToken}` };
    expect(await send(url, { body: { status: 'suspended', reason: 'x' } })).toMatchObject({
      status: 401,
      body: { error: { code: 'unauthorized' } },
    });
    expect(await send(url, { body: { status: 'frozen', reason: 'x' }, headers: token })).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_message' } },
    });
    expect(await send(url, { body: { status: 'suspended', reason: '' }, headers: token })).toMatchObject({
      status: 400,
    });
    expect(
      await send(`${se().url}/v1/admin/customers/acct_nobody/status`, {
        body: { status: 'suspended', reason: 'x' },
        headers: token,
      }),
    ).toMatchObject({ status: 404, body: { error: { code: 'unknown_account' } } });
    expect(await send(`${se().url}/v1/admin/customers?limit=0`, { headers: token })).toMatchObject({ status: 400 });
    expect((await customer.account()).creditLimit.value).toBe('100.00');
    expect(
      (await se().admin.call('searchCustomers', undefined, {}, { status: 'active' })).map((c) => c.accountId),
    ).toContain(customer.accountId);
  });
});

describe('merchants', () => {
  it('are listed with status and balance', async () => {
    const merchants = await eu().admin.call('listMerchants', undefined);
    expect(merchants).toEqual([
      expect.objectContaining({
        merchantId: w.merchantId,
        status: 'active',
        balance: { currency: 'EUR', value: '0.00' },
        certificate: null,
        certificatesIssued: 0,
      }),
    ]);
  });

  it('suspended, get no new tab, while the open tab still clears and pays them; resumed, they get tabs again', async () => {
    const customer = await w.newCustomer('100.00');
    const open = await openTab(customer);
    // The tab needed the merchant's certificate: the staff see which is in force and until when.
    const [certified] = await eu().admin.call('listMerchants', undefined);
    expect(certified?.certificate?.signedBy).toBe(eu().running.context.identity.signer.kid);
    expect(Date.parse(certified!.certificate!.validUntil)).toBeGreaterThan(w.clock.now_ms());
    expect(certified?.certificatesIssued).toBe(1);
    const suspended = await eu().admin.call(
      'setMerchantStatus',
      { status: 'suspended', reason: 'complaints' },
      {
        merchantId: w.merchantId,
      },
    );
    expect(suspended).toMatchObject({ status: 'suspended', statusReason: 'complaints' });
    await expect(openTab(customer)).rejects.toMatchObject({ failure: { code: 'merchant_suspended' } });
    await clearTab(customer, open);
    const [paid] = await eu().admin.call('listMerchants', undefined);
    expect(paid?.balance).toEqual({ currency: 'EUR', value: '0.08' });
    await eu().admin.call('setMerchantStatus', { status: 'active', reason: 'resolved' }, { merchantId: w.merchantId });
    await finish(customer, await openTab(customer));
    await expect(
      eu().admin.call('setMerchantStatus', { status: 'active', reason: 'x' }, { merchantId: 'nobody' }),
    ).rejects.toMatchObject({ failure: { code: 'unknown_merchant' } });
  });
});
