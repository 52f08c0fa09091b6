// The store's state updates are the only writes of a transaction's or a tab's state, and each
// must move exactly the states the transition tables allow: for every state and every event, the
// update changes the row when the table has that transition, and leaves it alone when it does not.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TabAck } from '@opentab/protocol';
import {
  TRANSACTION_STATES,
  nextTransactionState,
  type TransactionEvent,
  type TransactionState,
} from '../account-manager/transaction-states';
import { openDatabase } from '../ledger';
import { TAB_STATES, nextTabState, type TabEvent, type TabState } from '../mta/tab-states';
import { OperatorStore } from './operator-store';
import type { AmendedInitiationBody } from './records';

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
const RATE = {
  tableId: 't',
  customer: { currency: 'SEK', value: '1' },
  merchant: { currency: 'EUR', value: '0.088' },
} as never;

function transactionIn(store: OperatorStore, state: TransactionState, n: number): string {
  const transactionId = `op-se.1.${n}`;
  store.insertTransaction({
    transactionId,
    sessionId: 'op-se.1',
    accountId: 'acct_1',
    merchantId: 'news',
    merchantOperatorId: 'op-eu',
    hold_minor: 1000n,
    customerCurrency: 'SEK',
    deposit_minor: 88n,
    merchantCurrency: 'EUR',
    rate: RATE,
    tabPublicKey: 'k',
    chain: CHAIN(`root-t${n}`),
    pseudonym: 'psn',
    openedAt: 1,
    expiresAt: 2,
    initiationId: `init-${n}`,
    chainRoot: `root-t${n}`,
    amendedInitiation: {} as AmendedInitiationBody,
  });
  store.db.prepare('UPDATE transactions SET state = ? WHERE transaction_id = ?').run(state, transactionId);
  return transactionId;
}

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
  // A cleared tab has cleared something: corrections raise it.
  store.db.prepare('UPDATE tabs SET state = ?, cleared_minor = 0 WHERE tab_id = ?').run(state, tabId);
  return tabId;
}

const ACK = { payload: { tabId: 'tab_x' } } as unknown as TabAck;

/** Each event as the store applies it; true when the row changed. */
const TRANSACTION_UPDATES: Record<TransactionEvent, (store: OperatorStore, id: string) => boolean> = {
  'tab-acknowledged': (store, id) => store.markTransactionOpen(id, ACK, 'News'),
  refused: (store, id) => store.markTransactionFailed(id, 'refused', { code: 'merchant_refused', message: 'no' }),
  'opening-bound-passed': (store, id) =>
    store.markTransactionFailed(id, 'opening-bound-passed', { code: 'peer_unreachable', message: 'no answer' }),
  cleared: (store, id) => store.markTransactionCleared(id, 10n, 'agreed', 5, 10n, 0, null),
  'hold-deadline-passed': (store, id) => store.markTransactionLapsed(id),
  'clearing-corrected': (store, id) => store.correctTransactionClearing(id, 20n, 'agreed', 20n, 1, 'corrected'),
};

const TAB_UPDATES: Record<TabEvent, (store: OperatorStore, id: string) => boolean> = {
  'merchant-acknowledged': (store, id) => store.markTabOpen(id),
  'registration-failed': (store, id) => store.markTabFailed(id),
  'registration-interrupted': (store, id) => store.failOpeningTabs().some((tab) => tab.tabId === id),
  cleared: (store, id) => store.markTabCleared(id, 10n, 'agreed', 5),
  'clearing-corrected': (store, id) => store.correctTabClearing(id, 20n, 'agreed') !== null,
  'dispute-resolved': (store, id) => store.resolveTabClearing(id, 5n) !== null,
  // The test's cleared tabs clear nothing, so the refund that fits is zero.
  refunded: (store, id) => store.refundTabClearing(id, 0n) !== null,
};

describe("the AM's transaction transitions", () => {
  const cases = TRANSACTION_STATES.flatMap((state) =>
    (Object.keys(TRANSACTION_UPDATES) as TransactionEvent[]).map((event) => [state, event] as const),
  );
  it.each(cases)('from %s on %s: the update follows the table', (state, event) => {
    const store = freshStore();
    const id = transactionIn(store, state, 1);
    const next = nextTransactionState(state, event);
    expect(TRANSACTION_UPDATES[event](store, id)).toBe(next !== null);
    expect(store.transaction(id)!.state).toBe(next ?? state);
    // The same event again is a replay: nothing more changes (a correction is tested below, per revision).
    if (next !== null && event !== 'clearing-corrected') expect(TRANSACTION_UPDATES[event](store, id)).toBe(false);
  });

  it('applies a correction once per revision, never an older one', () => {
    const store = freshStore();
    const id = transactionIn(store, 'cleared', 1);
    expect(store.correctTransactionClearing(id, 20n, 'agreed', 20n, 2, 'corrected')).toBe(true);
    expect(store.correctTransactionClearing(id, 15n, 'agreed', 15n, 1, 'corrected')).toBe(false);
    expect(store.correctTransactionClearing(id, 20n, 'agreed', 20n, 2, 'corrected')).toBe(false);
    expect(store.transaction(id)).toMatchObject({ charged_minor: 20n, clearingRevision: 2 });
  });
});

describe("the MTA's tab transitions", () => {
  const cases = TAB_STATES.flatMap((state) =>
    (Object.keys(TAB_UPDATES) as TabEvent[]).map((event) => [state, event] as const),
  );
  it.each(cases)('from %s on %s: the update follows the table', (state, event) => {
    const store = freshStore();
    const id = tabIn(store, state, 1);
    const next = nextTabState(state, event);
    expect(TAB_UPDATES[event](store, id)).toBe(next !== null);
    expect(store.tab(id)!.state).toBe(next ?? state);
  });

  it('raises a correction only to more than was cleared, counting revisions', () => {
    const store = freshStore();
    const id = tabIn(store, 'cleared', 1);
    expect(store.correctTabClearing(id, 20n, 'customer-record-missing')).toBe(1);
    expect(store.correctTabClearing(id, 20n, 'customer-record-missing')).toBeNull();
    expect(store.correctTabClearing(id, 30n, 'disputed')).toBe(2);
    expect(store.tab(id)).toMatchObject({ cleared_minor: 30n, clearingRevision: 2, outcome: 'disputed' });
  });

  it("sets a resolved dispute's amount either way, as the next revision", () => {
    const store = freshStore();
    const id = tabIn(store, 'cleared', 1);
    expect(store.resolveTabClearing(id, 4n)).toBe(1);
    expect(store.tab(id)).toMatchObject({ cleared_minor: 4n, clearingRevision: 1 });
    expect(store.resolveTabClearing(id, 9n)).toBe(2);
    expect(store.tab(id)).toMatchObject({ cleared_minor: 9n, clearingRevision: 2 });
  });

  it("keeps the first record of each party and never moves the conclusion earlier on the customer's", () => {
    const store = freshStore();
    const id = tabIn(store, 'open', 1);
    const record = (n: number) => ({ payload: { id: `r${n}` } }) as never;
    expect(store.setTabCustomerRecord(id, record(1))).toBe(true);
    expect(store.setTabCustomerRecord(id, record(2))).toBe(false);
    expect(store.tab(id)).toMatchObject({ concludeAfter: 3, customerRecord: { payload: { id: 'r1' } } });
    expect(store.setTabMerchantRecord(id, record(3), 2)).toBe(true);
    expect(store.tab(id)!.concludeAfter).toBe(2);
  });
});
