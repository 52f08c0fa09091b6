// Who did what is kept in the same transaction as the change, over real HTTP: a refused change
// leaves no line and changes nothing, and a line that cannot be written takes its whole change
// with it (here a credit that made the operator's funding account and posted to the ledger).

import { describe, expect, it } from 'vitest';
import { CUSTOMER_OPERATOR, StoredTables, worldPerTest, type TwoOperatorWorld } from '@opentab/test-kit/worlds';

let w: TwoOperatorWorld;
worldPerTest((started) => (w = started));

const se = () => w.world.operator(CUSTOMER_OPERATOR);
const linesOn = async (subject: string) =>
  (await se().admin.call('staffActions', undefined)).filter((line) => line.subject === subject);
const sek = (value: string) => ({ currency: 'SEK', value });

describe('the staff log', () => {
  it('keeps no line of a refused change, and the change is not made', async () => {
    const { accountId } = await w.newCustomer('100.00');
    const credit = (value: string) =>
      se().admin.call('creditCustomer', { amount: sek(value), reference: 'top-up-1' }, { accountId });
    expect((await credit('5.00')).balance.value).toBe('5.00');
    await expect(credit('7.00')).rejects.toMatchObject({ failure: { code: 'id_reused', status: 409 } });
    await expect(
      se().admin.call('setCreditLimit', { creditLimit: { currency: 'EUR', value: '1.00' } }, { accountId }),
    ).rejects.toMatchObject({ failure: { code: 'currency_mismatch' } });
    await expect(
      se().admin.call('setCustomerStatus', { status: 'closed', reason: 'asked' }, { accountId }),
    ).rejects.toMatchObject({ failure: { code: 'account_busy' } });
    // Newest first: the account's creation and enrolment code, then the one credit.
    expect((await linesOn(accountId)).map((line) => line.action)).toEqual([
      'creditCustomer',
      'enrollmentCode',
      'createCustomer',
    ]);
    const customer = await se().admin.call('getCustomer', undefined, { accountId });
    expect([customer.balance.value, customer.creditLimit.value]).toEqual(['5.00', '100.00']);
  });

  it('takes the whole change back when its line cannot be written', async () => {
    const { accountId } = await w.newCustomer('100.00');
    const { ledger } = se().running.context.storage;
    const stored = StoredTables.ofOperator(se());
    // The log refuses every line, as a full disk or a broken table would.
    const allowLines = await stored.refuseInserts('staff_actions', 'no lines');
    const credit = () =>
      se().admin.call('creditCustomer', { amount: sek('5.00'), reference: 'top-up-1' }, { accountId });
    const raise = () => se().admin.call('setCreditLimit', { creditLimit: sek('250.00') }, { accountId });
    await expect(credit()).rejects.toMatchObject({ failure: { status: 500 } });
    await expect(raise()).rejects.toMatchObject({ failure: { status: 500 } });
    await expect(
      se().admin.call('setCustomerStatus', { status: 'suspended', reason: 'chargeback' }, { accountId }),
    ).rejects.toMatchObject({ failure: { status: 500 } });
    expect(await ledger.findAccount('funding:SEK')).toBeUndefined();
    const customer = await se().admin.call('getCustomer', undefined, { accountId });
    expect([customer.balance.value, customer.creditLimit.value, customer.history]).toEqual(['0.00', '100.00', []]);
    const [summary] = await se().admin.call('searchCustomers', undefined, {}, { text: accountId });
    expect(summary?.status).toBe('active');

    await allowLines();
    await stored.close();
    expect((await credit()).balance.value).toBe('5.00');
    expect((await raise()).creditLimit.value).toBe('250.00');
    expect((await linesOn(accountId)).map((line) => [line.action, line.actor])).toEqual([
      ['setCreditLimit', 'admin'],
      ['creditCustomer', 'admin'],
      ['enrollmentCode', 'admin'],
      ['createCustomer', 'admin'],
    ]);
  });
});
