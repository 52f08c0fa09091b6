// What the console and /metrics read of the store, and the staff's outbox retry, on both stores:
// the counts by state, the outbox rows that mention a tab, and undelivered messages brought forward.

import { describe, expect, it } from 'vitest';
import { BOTH_STORES } from './testing/both-stores';

const NOW_MS = 1_800_000_000_000;

describe.each(BOTH_STORES)('the operator store’s figures and outbox views on $name', ({ open }) => {
  it('counts what is stored and finds the messages that mention a tab', async () => {
    const store = await open();
    await store.customers.insertCustomer('acct:alice', 'EUR', 'Alice', NOW_MS);
    await store.customers.insertCustomer('acct:bob', 'EUR', 'Bob', NOW_MS);
    await store.customers.setCustomerStatus('acct:bob', 'suspended', 'asked to pause');
    await store.transaction(async (tx) => {
      await tx.outbox.enqueue('notice:tab_a', { kind: 'merchant-notice', merchantId: 'news' }, { n: 1 }, NOW_MS);
      await tx.outbox.enqueue('clearing:tab_a', { kind: 'peer-clearing', operatorId: 'op-se' }, { n: 2 }, NOW_MS);
      await tx.outbox.enqueue('notice:tab_b', { kind: 'merchant-notice', merchantId: 'news' }, { n: 3 }, NOW_MS);
    });
    await store.storage.outbox.markDelivered(
      'notice:tab_b',
      { kind: 'merchant-notice', merchantId: 'news' },
      NOW_MS + 1,
    );

    const figures = await store.tabs.figures();
    expect(figures.customersByStatus).toEqual({ active: 1, suspended: 1 });
    expect(figures.outbox).toEqual({ pending: 2, failing: 0, delivered: 1 });
    expect(figures.tabsByState).toEqual({});
    expect(figures.clearedByCurrency).toEqual([]);

    const mentioning = await store.tabs.outboxRowsMentioning('tab_a');
    expect(mentioning.map((row) => row.recordId)).toEqual(['notice:tab_a', 'clearing:tab_a']);
    expect(mentioning[0]).toMatchObject({ destination: 'merchant-notice:news', attempts: 0, deliveredAt: null });

    expect((await store.storage.outbox.undelivered(false, 10)).map((m) => m.recordId)).toEqual([
      'notice:tab_a',
      'clearing:tab_a',
    ]);
    expect(await store.storage.outbox.undelivered(true, 10)).toEqual([]);
  });

  it('brings named undelivered messages forward, and only those not due yet', async () => {
    const store = await open();
    await store.transaction(async (tx) => {
      const later_ms = NOW_MS + 60_000;
      await tx.outbox.enqueue('m1', { kind: 'merchant-notice', merchantId: 'news' }, {}, NOW_MS, later_ms);
      await tx.outbox.enqueue('m2', { kind: 'merchant-notice', merchantId: 'news' }, {}, NOW_MS, later_ms);
    });
    expect(await store.storage.outbox.retryNow(NOW_MS + 5, ['m1'])).toBe(1);
    expect(await store.storage.outbox.retryNow(NOW_MS + 5, ['m1'])).toBe(0);
    const [m1, m2] = await store.storage.outbox.undelivered(false, 10);
    expect(m1).toMatchObject({ recordId: 'm1', nextAttemptAt: NOW_MS + 5 });
    expect(m2).toMatchObject({ recordId: 'm2', nextAttemptAt: NOW_MS + 60_000 });
  });
});
