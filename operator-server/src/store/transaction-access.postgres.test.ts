// The transactions group of the operator store (the AM's side of a tab), one suite run on both
// stores: what is written is read back whole and exact, the searches filter and order alike, and
// every state update moves exactly the states the transition table allows, once, however many
// race for it.

import { beforeAll, describe, expect, it } from 'vitest';
import {
  nextTransactionState,
  TRANSACTION_STATES,
  type TransactionEvent,
  type TransactionState,
} from '../account-manager/transaction-states';
import type { TransactionAccess } from './operator-storage';
import { BOTH_STORES, type StoreGroups } from './testing/both-stores';
import {
  ACCOUNT_ID,
  ackOf,
  BEYOND_DOUBLE_MINOR,
  MERCHANT_ID,
  recordOf,
  sampleTransaction,
  seedCustomerAndMerchant,
} from './testing/sample-records';

async function openSeeded(open: () => Promise<StoreGroups>): Promise<StoreGroups> {
  const groups = await open();
  await seedCustomerAndMerchant(groups);
  return groups;
}

/** Each event as the store applies it; true when the row changed. */
const UPDATES: Record<TransactionEvent, (transactions: TransactionAccess, id: string) => Promise<boolean>> = {
  'tab-acknowledged': (transactions, id) => transactions.markTransactionOpen(id, ackOf('tab_x'), 'News'),
  refused: (transactions, id) =>
    transactions.markTransactionFailed(id, 'refused', { code: 'merchant_refused', message: 'no' }),
  'opening-bound-passed': (transactions, id) =>
    transactions.markTransactionFailed(id, 'opening-bound-passed', { code: 'peer_unreachable', message: 'no answer' }),
  cleared: (transactions, id) => transactions.markTransactionCleared(id, 10n, 'agreed', 5, 10n, 0, null),
  'hold-deadline-passed': (transactions, id) => transactions.markTransactionLapsed(id),
  'clearing-corrected': (transactions, id) =>
    transactions.correctTransactionClearing(id, 20n, 'agreed', 20n, 1, 'corrected'),
};

/** The events that bring a new ('opening') transaction to each state. */
const PATHS: Record<TransactionState, readonly TransactionEvent[]> = {
  opening: [],
  open: ['tab-acknowledged'],
  cleared: ['cleared'],
  failed: ['refused'],
  lapsed: ['hold-deadline-passed'],
};

describe.each(BOTH_STORES)('the transactions of the operator store on $name', ({ open }) => {
  it('keeps a transaction whole and exact, found by its id, its initiation and its chain root', async () => {
    const { transactions } = await openSeeded(open);
    const fields = sampleTransaction(1, { hold_minor: BEYOND_DOUBLE_MINOR, deposit_minor: BEYOND_DOUBLE_MINOR - 7n });
    await transactions.insertTransaction(fields);
    const stored = await transactions.transaction(fields.transactionId);
    expect(stored).toEqual({
      ...fields,
      state: 'opening',
      tabId: null,
      merchantDisplayName: null,
      charged_minor: null,
      clearedAt: null,
      clearingOutcome: null,
      customerRecord: null,
      tabAck: null,
      failure: null,
      cleared_minor: null,
      clearingRevision: 0,
      clearingNote: null,
      disputeDecision: null,
    });
    expect(await transactions.transactionByInitiation('init-1')).toEqual(stored);
    expect(await transactions.transactionByChainRoot('root-t1')).toEqual(stored);
    expect(await transactions.transaction('op-se.1.2')).toBeNull();
    expect(await transactions.transactionByInitiation('init-2')).toBeNull();
    expect(await transactions.transactionByChainRoot('root-t2')).toBeNull();
    // An initiation and a chain root name one transaction only.
    await expect(transactions.insertTransaction(sampleTransaction(2, { initiationId: 'init-1' }))).rejects.toThrow();
    await expect(transactions.insertTransaction(sampleTransaction(3, { chainRoot: 'root-t1' }))).rejects.toThrow();
  });

  it('stores what opening, failing and clearing carry, with amounts beyond a double exact', async () => {
    const { transactions } = await openSeeded(open);
    for (const n of [1, 2]) await transactions.insertTransaction(sampleTransaction(n));
    const ack = ackOf('tab_a');
    expect(await transactions.markTransactionOpen('op-se.1.1', ack, 'News Daily')).toBe(true);
    await transactions.setTransactionCustomerRecord('op-se.1.1', recordOf('c1'));
    expect(
      await transactions.markTransactionCleared(
        'op-se.1.1',
        BEYOND_DOUBLE_MINOR,
        'agreed',
        5_000,
        BEYOND_DOUBLE_MINOR + 2n,
        3,
        'as recorded',
      ),
    ).toBe(true);
    expect(await transactions.transaction('op-se.1.1')).toMatchObject({
      state: 'cleared',
      tabId: 'tab_a',
      merchantDisplayName: 'News Daily',
      tabAck: ack,
      customerRecord: recordOf('c1'),
      charged_minor: BEYOND_DOUBLE_MINOR,
      cleared_minor: BEYOND_DOUBLE_MINOR + 2n,
      clearedAt: 5_000,
      clearingOutcome: 'agreed',
      clearingRevision: 3,
      clearingNote: 'as recorded',
    });
    const failure = { code: 'merchant_refused', message: 'The merchant is closed.' };
    expect(await transactions.markTransactionFailed('op-se.1.2', 'refused', failure)).toBe(true);
    expect(await transactions.transaction('op-se.1.2')).toMatchObject({ state: 'failed', failure });
  });

  it('lists an account newest first and overdue transactions oldest first, each up to a limit', async () => {
    const { transactions, customers } = await openSeeded(open);
    await customers.insertCustomer('acct_2', 'SEK', 'Bob', 1);
    const opened = [300, 100, 400, 200];
    for (const [i, openedAt] of opened.entries())
      await transactions.insertTransaction(sampleTransaction(i + 1, { openedAt, expiresAt: 10_000 - openedAt }));
    await transactions.insertTransaction(
      sampleTransaction(9, { accountId: 'acct_2', openedAt: 500, expiresAt: 20_000 }),
    );
    const ids = (list: ReadonlyArray<{ transactionId: string }>) => list.map((t) => t.transactionId);

    expect(ids(await transactions.transactionsOfAccount(ACCOUNT_ID, 10))).toEqual([
      'op-se.1.3',
      'op-se.1.1',
      'op-se.1.4',
      'op-se.1.2',
    ]);
    expect(ids(await transactions.transactionsOfAccount(ACCOUNT_ID, 2))).toEqual(['op-se.1.3', 'op-se.1.1']);

    expect(await transactions.markTransactionOpen('op-se.1.2', ackOf('tab_b'), 'News')).toBe(true);

    // Opening or open, expired at or before the bound, soonest expiry first; cleared ones are done.
    expect(await transactions.markTransactionCleared('op-se.1.3', 1n, 'agreed', 1, 1n, 0, null)).toBe(true);
    expect(ids(await transactions.overdueTransactions(9_800, 10))).toEqual(['op-se.1.1', 'op-se.1.4']);
    expect(ids(await transactions.overdueTransactions(9_900, 10))).toEqual(['op-se.1.1', 'op-se.1.4', 'op-se.1.2']);
    expect(ids(await transactions.overdueTransactions(9_900, 2))).toEqual(['op-se.1.1', 'op-se.1.4']);
  });

  it('searches by account, merchant, state and opening time (from inclusive, until exclusive), newest first', async () => {
    const { transactions, customers, merchants } = await openSeeded(open);
    await customers.insertCustomer('acct_2', 'SEK', 'Bob', 1);
    await merchants.upsertMerchant({
      merchantId: 'shop',
      displayName: 'Shop',
      currency: 'EUR',
      origins: [],
      agentUrl: 'http://shop.invalid',
      publicKey: 'shop-key',
      createdAt: 1,
    });
    await transactions.insertTransaction(sampleTransaction(1, { openedAt: 100 }));
    await transactions.insertTransaction(sampleTransaction(2, { openedAt: 200, merchantId: 'shop' }));
    await transactions.insertTransaction(sampleTransaction(3, { openedAt: 300, accountId: 'acct_2' }));
    await transactions.insertTransaction(sampleTransaction(4, { openedAt: 400 }));
    expect(await transactions.markTransactionLapsed('op-se.1.4')).toBe(true);
    const search = async (filter: Parameters<TransactionAccess['searchTransactions']>[0]) =>
      (await transactions.searchTransactions(filter)).map((t) => t.transactionId);

    expect(await search({ limit: 10 })).toEqual(['op-se.1.4', 'op-se.1.3', 'op-se.1.2', 'op-se.1.1']);
    expect(await search({ limit: 2 })).toEqual(['op-se.1.4', 'op-se.1.3']);
    expect(await search({ accountId: ACCOUNT_ID, limit: 10 })).toEqual(['op-se.1.4', 'op-se.1.2', 'op-se.1.1']);
    expect(await search({ merchantId: MERCHANT_ID, limit: 10 })).toEqual(['op-se.1.4', 'op-se.1.3', 'op-se.1.1']);
    expect(await search({ state: 'lapsed', limit: 10 })).toEqual(['op-se.1.4']);
    expect(await search({ from_ms: 200, until_ms: 400, limit: 10 })).toEqual(['op-se.1.3', 'op-se.1.2']);
    expect(await search({ accountId: ACCOUNT_ID, state: 'opening', from_ms: 101, limit: 10 })).toEqual(['op-se.1.2']);
  });

  it('applies a correction once per revision, never an older one', async () => {
    const { transactions } = await openSeeded(open);
    await transactions.insertTransaction(sampleTransaction(1));
    expect(await transactions.markTransactionCleared('op-se.1.1', 10n, 'agreed', 5, 10n, 0, null)).toBe(true);
    expect(await transactions.correctTransactionClearing('op-se.1.1', 20n, 'disputed', 20n, 2, 'more')).toBe(true);
    expect(await transactions.correctTransactionClearing('op-se.1.1', 15n, 'agreed', 15n, 1, 'older')).toBe(false);
    expect(await transactions.correctTransactionClearing('op-se.1.1', 20n, 'agreed', 20n, 2, 'again')).toBe(false);
    expect(await transactions.transaction('op-se.1.1')).toMatchObject({
      charged_minor: 20n,
      cleared_minor: 20n,
      clearingOutcome: 'disputed',
      clearingRevision: 2,
      clearingNote: 'more',
    });
  });

  it('clears a transaction once when ten clearings race for it, and lapses it once when two sweeps do', async () => {
    const { transactions } = await openSeeded(open);
    await transactions.insertTransaction(sampleTransaction(1));
    await transactions.insertTransaction(sampleTransaction(2));
    const clearings = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        transactions.markTransactionCleared('op-se.1.1', BigInt(i + 1), 'agreed', 5, BigInt(i + 1), 0, null),
      ),
    );
    expect(clearings.filter(Boolean)).toHaveLength(1);
    const winner = BigInt(clearings.indexOf(true) + 1);
    expect(await transactions.transaction('op-se.1.1')).toMatchObject({ state: 'cleared', charged_minor: winner });

    const sweeps = await Promise.all([1, 2].map(() => transactions.markTransactionLapsed('op-se.1.2')));
    expect(sweeps.filter(Boolean)).toHaveLength(1);
  });

  describe('state updates follow the transition table', () => {
    let groups: StoreGroups;
    let n = 0;
    beforeAll(async () => {
      groups = await openSeeded(open);
    });

    /** A new transaction brought to `state` through the store's own updates. */
    async function transactionIn(state: TransactionState): Promise<string> {
      n += 1;
      await groups.transactions.insertTransaction(sampleTransaction(n));
      const id = `op-se.1.${n}`;
      for (const event of PATHS[state]) expect(await UPDATES[event](groups.transactions, id)).toBe(true);
      expect((await groups.transactions.transaction(id))?.state).toBe(state);
      return id;
    }

    const cases = TRANSACTION_STATES.flatMap((state) =>
      (Object.keys(UPDATES) as TransactionEvent[]).map((event) => [state, event] as const),
    );
    it.each(cases)('from %s on %s', async (state, event) => {
      const id = await transactionIn(state);
      const next = nextTransactionState(state, event);
      expect(await UPDATES[event](groups.transactions, id)).toBe(next !== null);
      expect((await groups.transactions.transaction(id))?.state).toBe(next ?? state);
      // The same event again is a replay: nothing more changes (a correction is tested per revision).
      if (next !== null && event !== 'clearing-corrected')
        expect(await UPDATES[event](groups.transactions, id)).toBe(false);
    });
  });
});
