// The customers group of the operator's store (customers, enrolment codes, sessions), one suite
// run on both stores; the conditional updates are raced on each.

import { describe, expect, it } from 'vitest';
import { makeSessionId } from '@opentab/protocol';
import { BOTH_STORES, OPERATOR_ID } from './testing/both-stores';

const NOW_MS = 1_800_000_000_000;

describe.each(BOTH_STORES)('the customers of the operator store on $name', ({ open }) => {
  it('enrols a customer once: the code is used once and the key bound once, however many race for it', async () => {
    const { customers } = await open();
    await customers.insertCustomer('acct:alice', 'EUR', 'Alice Andersson', NOW_MS);
    await customers.insertEnrollmentCode('code-1', 'acct:alice', NOW_MS + 60_000);
    expect(await customers.enrollmentCode('code-1')).toEqual({
      accountId: 'acct:alice',
      expiresAt: NOW_MS + 60_000,
      usedAt: null,
    });
    const uses = await Promise.all([1, 2, 3].map(() => customers.useEnrollmentCode('code-1', NOW_MS + 5)));
    expect(uses.filter(Boolean)).toHaveLength(1);
    expect((await customers.enrollmentCode('code-1'))?.usedAt).toBe(NOW_MS + 5);

    const binds = await Promise.all(['key-a', 'key-b'].map((key) => customers.bindCustomerKey('acct:alice', key)));
    expect(binds.filter(Boolean)).toHaveLength(1);
    const bound = binds[0] ? 'key-a' : 'key-b';
    expect((await customers.customerByPublicKey(bound))?.accountId).toBe('acct:alice');
    expect(await customers.customerByPublicKey(bound === 'key-a' ? 'key-b' : 'key-a')).toBeNull();
    expect(await customers.unfinishedTransactionsOfAccount('acct:alice')).toBe(0);
  });

  it('numbers a session and its transactions, one number each however many ask at once', async () => {
    const { customers } = await open();
    await customers.insertCustomer('acct:alice', 'EUR', 'Alice', NOW_MS);
    const session = await customers.insertSession('acct:alice', NOW_MS, NOW_MS + 3_600_000);
    expect(await customers.session(session.seq)).toEqual(session);
    expect(session.sessionId).toBe(makeSessionId(OPERATOR_ID, session.seq));
    const numbers = await Promise.all(Array.from({ length: 10 }, () => customers.nextTransactionSeq(session.seq)));
    expect([...numbers].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await customers.session(session.seq + 1)).toBeNull();
  });

  it('finds customers by part of their id or name in any case, by status, newest first', async () => {
    const { customers } = await open();
    await customers.insertCustomer('acct:alice', 'EUR', 'Alice Andersson', NOW_MS);
    await customers.insertCustomer('acct:bob', 'EUR', 'Bob Berg', NOW_MS + 1);
    await customers.insertCustomer('acct:carl', 'SEK', 'Carl Alvén', NOW_MS + 2);
    await customers.setCustomerStatus('acct:bob', 'suspended', 'asked to pause');
    const ids = async (filter: Parameters<typeof customers.searchCustomers>[0]) =>
      (await customers.searchCustomers(filter)).map((customer) => customer.accountId);
    expect(await ids({ text: 'AL', limit: 10 })).toEqual(['acct:carl', 'acct:alice']);
    expect(await ids({ status: 'suspended', limit: 10 })).toEqual(['acct:bob']);
    expect(await ids({ limit: 2 })).toEqual(['acct:carl', 'acct:bob']);
    expect(await customers.customer('acct:bob')).toMatchObject({ status: 'suspended', statusReason: 'asked to pause' });
  });
});
