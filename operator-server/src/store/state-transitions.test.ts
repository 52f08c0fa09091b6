// The store's state updates are the only writes of a transaction's or a tab's state, and each
// must move exactly the states the transition tables allow: for every state, the update changes
// the row when the table has that transition, and leaves it alone when it does not. The updates
// of the transactions and tabs groups are checked on both stores (transaction-access and
// tab-access .postgres.test.ts); here, a refund's, which is the refunds group's.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../ledger';
import { TAB_STATES, nextTabState, type TabState } from '../mta/tab-states';
import { OperatorStore } from './operator-store';

function freshStore(): OperatorStore {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'opentab-states-')), 'operator.sqlite'));
  const store = new OperatorStore(db, 'op-se');
  store.insertCustomer('acct_1', 'SEK', 'A', 1);
  store.upsertMerchant({
    merchantId: 'news',
    displayName: 'News',
    currency: 'EUR',
    origins: [],
    agentUrl: 'http://agent.invalid',
    publicKey: 'key',
    createdAt: 1,
  });
  return store;
}

const CHAIN = (root: string) => ({ root, unit: { currency: 'EUR', value: '0.01' }, length: 100 });

function tabIn(store: OperatorStore, state: TabState, n: number): string {
  const tabId = `tab_${String(n).padStart(24, '0')}`;
  store.insertTab({
    tabId,
    merchantId: 'news',
    customerOperatorId: 'op-se',
    transactionId: `op-se.1.${n}`,
    pseudonym: 'psn',
    tabPublicKey: 'k',
    deposit_minor: 88n,
    currency: 'EUR',
    chain: CHAIN(`root-${n}`),
    openedAt: 1,
    expiresAt: 2,
    concludeAfter: 3,
  });
  store.db.prepare('UPDATE tabs SET state = ?, cleared_minor = 0 WHERE tab_id = ?').run(state, tabId);
  return tabId;
}

describe("the MTA's refund of a tab", () => {
  it.each(TAB_STATES)('from %s: the update follows the table', (state) => {
    const store = freshStore();
    const id = tabIn(store, state, 1);
    const next = nextTabState(state, 'refunded');
    // The test's cleared tabs clear nothing, so the refund that fits is zero.
    expect(store.refundTabClearing(id, 0n) !== null).toBe(next !== null);
    expect(store.tab(id)!.state).toBe(next ?? state);
  });
});
