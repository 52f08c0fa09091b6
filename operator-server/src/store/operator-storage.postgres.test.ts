// The operator's whole storage, on both stores: a transaction's ledger, record and outbox writes
// commit together or not at all, a refused ledger call undoes only itself, and of many clearings
// racing for one tab exactly one captures its hold. On PostgreSQL alone, where transactions do
// run at the same time: processes on one database race, reads do not wait for a transaction in
// progress, and a deadlock's victim is run again (a bounded number of times), even when its work
// caught the error.

import { describe, expect, it } from 'vitest';
import type { OperatorStorage } from './operator-storage';
import type { RetriedSqlState } from './postgres-operator-storage';
import { BOTH_STORES, postgresStoragesOnOneDatabase } from './testing/both-stores';
import { recordOf, sampleTab, sampleTransaction, seedCustomerAndMerchant } from './testing/sample-records';

const NOW_MS = 1_800_000_000_000;
const CUSTOMER_ACCOUNT = 'cust:alice';
const MERCHANT_ACCOUNT = 'merch:news';
const FUNDING_ACCOUNT = 'funding:EUR';
const CLEARING = { kind: 'peer-clearing', operatorId: 'op-se' } as const;

async function seed(storage: OperatorStorage): Promise<void> {
  await seedCustomerAndMerchant(storage);
  await storage.ledger.createAccount({ id: CUSTOMER_ACCOUNT, currency: 'EUR', kind: 'customer', minBalance: -1_000n });
  await storage.ledger.createAccount({ id: MERCHANT_ACCOUNT, currency: 'EUR', kind: 'merchant', minBalance: 0n });
  await storage.ledger.createAccount({ id: FUNDING_ACCOUNT, currency: 'EUR', kind: 'funding', minBalance: null });
}

/** An open tab with a pending hold behind it, as the AM and the MTA leave one before its clearing. */
async function openTabWithHold(storage: OperatorStorage, n: number): Promise<string> {
  const tab = sampleTab(n);
  await storage.transaction(async (tx) => {
    await tx.ledger.placeHold({ id: `hold:${n}`, accountId: CUSTOMER_ACCOUNT, amount: 500n, ref: `tx${n}` });
    await tx.tabs.insertTab(tab);
    await tx.tabs.markTabOpen(tab.tabId);
  });
  return tab.tabId;
}

/** Clears the tab and captures its hold, the clearing message leaving with them; false when another cleared it first. */
function clearTab(storage: OperatorStorage, n: number, tabId: string, amount_minor: bigint): Promise<boolean> {
  return storage.transaction(async (tx) => {
    if (!(await tx.tabs.markTabCleared(tabId, amount_minor, 'agreed', NOW_MS))) return false;
    await tx.ledger.captureHold({
      holdId: `hold:${n}`,
      amount: amount_minor,
      entryId: `charge:${n}`,
      postings: [
        { accountId: CUSTOMER_ACCOUNT, amount: -amount_minor },
        { accountId: MERCHANT_ACCOUNT, amount: amount_minor },
      ],
      memo: `tab ${tabId}`,
    });
    await tx.outbox.enqueue(`clearing:${tabId}`, CLEARING, { cleared_minor: amount_minor.toString() }, NOW_MS);
    return true;
  });
}

/** What one clearing race left: the winner's amount on the tab, the hold and the ledger, and one message. */
async function expectClearedOnceFor(storage: OperatorStorage, n: number, tabId: string, amount_minor: bigint) {
  expect(await storage.tabs.tab(tabId)).toMatchObject({ state: 'cleared', cleared_minor: amount_minor });
  expect(await storage.ledger.getHold(`hold:${n}`)).toMatchObject({
    status: 'captured',
    capturedAmount: amount_minor,
  });
  expect((await storage.ledger.getAccount(MERCHANT_ACCOUNT)).balance).toBe(amount_minor);
  expect(await storage.ledger.listEntries({ accountId: MERCHANT_ACCOUNT })).toHaveLength(1);
  expect(await storage.outbox.markDelivered(`clearing:${tabId}`, CLEARING, NOW_MS)).toBe(true);
}

/**
 * At least one retry, each after a deadlock. A victim run again can meet the transaction it gave
 * way to once more (it may take its first lock before that one wakes), so there may be more.
 */
function expectDeadlockRetries(retries: ReadonlyArray<{ sqlState: RetriedSqlState; attempt: number }>) {
  expect(retries.length).toBeGreaterThan(0);
  for (const retry of retries) expect(retry.sqlState).toBe('40P01');
}

/** Resolves for everyone once `parties` have arrived (again at once for those arriving later). */
function barrier(parties: number) {
  let arrived = 0;
  let release!: () => void;
  const everyone = new Promise<void>((resolve) => (release = resolve));
  return {
    arrive(): Promise<void> {
      arrived += 1;
      if (arrived >= parties) release();
      return everyone;
    },
  };
}

describe.each(BOTH_STORES)('the operator storage on $name', ({ open }) => {
  it('commits a hold, a transaction and an outbox message together', async () => {
    const { storage } = await open();
    await seed(storage);
    const held = await storage.transaction(async (tx) => {
      const hold = await tx.ledger.placeHold({ id: 'hold:1', accountId: CUSTOMER_ACCOUNT, amount: 600n, ref: 'tx1' });
      await tx.transactions.insertTransaction(sampleTransaction(1));
      await tx.outbox.enqueue('deposit:1', { kind: 'billing', sinkIndex: 0 }, { tx: 'op-se.1.1' }, NOW_MS);
      return hold.amount;
    });
    expect(held).toBe(600n);
    expect((await storage.ledger.getHold('hold:1')).status).toBe('pending');
    expect((await storage.transactions.transaction('op-se.1.1'))?.state).toBe('opening');
    expect(await storage.outbox.markDelivered('deposit:1', { kind: 'billing', sinkIndex: 0 }, NOW_MS)).toBe(true);
  });

  it('rolls back the hold, the transaction and the outbox message together when the work throws after them', async () => {
    const { storage } = await open();
    await seed(storage);
    await expect(
      storage.transaction(async (tx) => {
        await tx.ledger.placeHold({ id: 'hold:1', accountId: CUSTOMER_ACCOUNT, amount: 600n, ref: 'tx1' });
        await tx.transactions.insertTransaction(sampleTransaction(1));
        await tx.outbox.enqueue('deposit:1', { kind: 'billing', sinkIndex: 0 }, { tx: 'op-se.1.1' }, NOW_MS);
        throw new Error('the deposit could not be priced');
      }),
    ).rejects.toThrow('the deposit could not be priced');
    expect(await storage.ledger.findHold('hold:1')).toBeUndefined();
    expect((await storage.ledger.getAccount(CUSTOMER_ACCOUNT)).held).toBe(0n);
    expect(await storage.transactions.transaction('op-se.1.1')).toBeNull();
    expect(await storage.outbox.markDelivered('deposit:1', { kind: 'billing', sinkIndex: 0 }, NOW_MS)).toBe(false);
  });

  it('undoes only a refused ledger call that the work catches, and commits the rest', async () => {
    const { storage } = await open();
    await seed(storage);
    await storage.transaction(async (tx) => {
      await tx.ledger.placeHold({ id: 'hold:1', accountId: CUSTOMER_ACCOUNT, amount: 600n, ref: 'tx1' });
      // Beyond what is left of the credit: refused, and nothing of it stays.
      await expect(
        tx.ledger.placeHold({ id: 'hold:2', accountId: CUSTOMER_ACCOUNT, amount: 600n, ref: 'tx2' }),
      ).rejects.toThrow();
      await tx.transactions.insertTransaction(sampleTransaction(1));
    });
    expect((await storage.ledger.getHold('hold:1')).status).toBe('pending');
    expect(await storage.ledger.findHold('hold:2')).toBeUndefined();
    expect((await storage.ledger.getAccount(CUSTOMER_ACCOUNT)).held).toBe(600n);
    expect(await storage.transactions.transaction('op-se.1.1')).not.toBeNull();
  });

  it('captures a hold once when ten clearings of its tab race, each for its own amount', async () => {
    const { storage } = await open();
    await seed(storage);
    const tabId = await openTabWithHold(storage, 1);
    const amounts = Array.from({ length: 10 }, (_, i) => BigInt(100 + i));
    const cleared = await Promise.all(amounts.map((amount) => clearTab(storage, 1, tabId, amount)));
    expect(cleared.filter(Boolean)).toHaveLength(1);
    await expectClearedOnceFor(storage, 1, tabId, amounts[cleared.indexOf(true)]!);
  });
});

describe('the operator storage on PostgreSQL, where transactions run at once', () => {
  it('captures a hold once when two processes on one database race to clear its tab', async () => {
    const [first, second] = await postgresStoragesOnOneDatabase(2);
    await seed(first!);
    const tabId = await openTabWithHold(first!, 1);
    const racers = Array.from({ length: 10 }, (_, i) => ({
      storage: i % 2 === 0 ? first! : second!,
      amount: 100n + BigInt(i),
    }));
    const cleared = await Promise.all(racers.map(({ storage, amount }) => clearTab(storage, 1, tabId, amount)));
    expect(cleared.filter(Boolean)).toHaveLength(1);
    await expectClearedOnceFor(second!, 1, tabId, racers[cleared.indexOf(true)]!.amount);
  });

  it('answers a read outside a transaction at once, with only what was committed', async () => {
    const [storage] = await postgresStoragesOnOneDatabase(1);
    await seed(storage!);
    const inserted = barrier(2);
    const commitMay = barrier(2);
    const writing = storage!.transaction(async (tx) => {
      await tx.transactions.insertTransaction(sampleTransaction(1));
      await inserted.arrive();
      await commitMay.arrive();
    });
    await inserted.arrive();
    expect(await storage!.transactions.transaction('op-se.1.1')).toBeNull();
    await commitMay.arrive();
    await writing;
    expect(await storage!.transactions.transaction('op-se.1.1')).not.toBeNull();
  });

  it("makes a second reader of a tab for update wait for the first's commit, then see its write", async () => {
    const [first, second] = await postgresStoragesOnOneDatabase(2);
    await seed(first!);
    const tabId = await openTabWithHold(first!, 1);
    const read = barrier(2);
    let committed = false;
    const writing = first!.transaction(async (tx) => {
      expect((await tx.tabs.tabForUpdate(tabId))?.customerRecord).toBeNull();
      await tx.tabs.setTabCustomerRecord(tabId, recordOf('customer'));
      await read.arrive();
      // Long enough for the other reader to reach the row, were it not held.
      await new Promise((resolve) => setTimeout(resolve, 200));
      committed = true;
    });
    await read.arrive();
    // The merchant's record of the same tab, taken at the same moment in another process: it must
    // see the customer's, or neither would clear the tab.
    const seen = await second!.transaction(async (tx) => {
      const tab = await tx.tabs.tabForUpdate(tabId);
      return { committedBefore: committed, customerRecord: tab?.customerRecord ?? null };
    });
    await writing;
    expect(seen.committedBefore).toBe(true);
    expect(seen.customerRecord).toEqual(recordOf('customer'));
  });

  it('reads one snapshot in a view of several reads, whatever commits between them, and writes nothing', async () => {
    const [storage] = await postgresStoragesOnOneDatabase(1);
    await seed(storage!);
    const tabId = await openTabWithHold(storage!, 1);
    const firstRead = barrier(2);
    const cleared = barrier(2);
    const view = storage!.snapshot(async (tx) => {
      const tab = await tx.tabs.tab(tabId);
      await firstRead.arrive();
      await cleared.arrive();
      // The clearing committed after the first read: this read still sees the store before it.
      return { tab, balance: (await tx.ledger.getAccount(CUSTOMER_ACCOUNT))?.balance };
    });
    await firstRead.arrive();
    expect(await clearTab(storage!, 1, tabId, 120n)).toBe(true);
    await cleared.arrive();
    expect(await view).toMatchObject({ tab: { state: 'open' }, balance: 0n });
    expect((await storage!.ledger.getAccount(CUSTOMER_ACCOUNT))?.balance).toBe(-120n);
    await expect(storage!.snapshot((tx) => tx.transactions.insertTransaction(sampleTransaction(2)))).rejects.toThrow(
      /read-only/,
    );
    expect(await storage!.transactions.transaction('op-se.1.2')).toBeNull();
  });

  /**
   * Two transactions that each write one tab and then the other's: once both hold their first row,
   * PostgreSQL finds the deadlock and fails one of them.
   */
  async function deadlockingPair(options: { maxAttempts?: number } = {}) {
    const retries: Array<{ sqlState: RetriedSqlState; attempt: number }> = [];
    const [storage] = await postgresStoragesOnOneDatabase(1, { ...options, onRetry: (retry) => retries.push(retry) });
    await seed(storage!);
    const [one, two] = [sampleTab(1), sampleTab(2)];
    for (const tab of [one!, two!]) {
      await storage!.tabs.insertTab(tab);
      await storage!.tabs.markTabOpen(tab.tabId);
    }
    const bothHoldTheirFirst = barrier(2);
    let runs = 0;
    const crossWrite = (party: string, first: string, second: string) =>
      storage!.transaction(async (tx) => {
        runs += 1;
        const customer = await tx.tabs.setTabCustomerRecord(first, recordOf(party));
        await bothHoldTheirFirst.arrive();
        const merchant = await tx.tabs.setTabMerchantRecord(second, recordOf(party), NOW_MS);
        return [customer, merchant];
      });
    const outcomes = await Promise.allSettled([
      crossWrite('a', one!.tabId, two!.tabId),
      crossWrite('b', two!.tabId, one!.tabId),
    ]);
    return { storage: storage!, retries, runs, outcomes, tabIds: [one!.tabId, two!.tabId] as const };
  }

  it("runs a deadlock's victim again once the other has committed, so both commit", async () => {
    const { storage, retries, runs, outcomes, tabIds } = await deadlockingPair();
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: [true, true] },
      { status: 'fulfilled', value: [true, true] },
    ]);
    expectDeadlockRetries(retries);
    expect(runs).toBe(2 + retries.length);
    expect(await storage.tabs.tab(tabIds[0])).toMatchObject({
      customerRecord: recordOf('a'),
      merchantRecord: recordOf('b'),
    });
    expect(await storage.tabs.tab(tabIds[1])).toMatchObject({
      customerRecord: recordOf('b'),
      merchantRecord: recordOf('a'),
    });
  });

  it("gives a deadlock's victim up after the attempts allowed, leaving nothing of it", async () => {
    const { storage, retries, runs, outcomes, tabIds } = await deadlockingPair({ maxAttempts: 1 });
    expect(retries).toEqual([]);
    expect(runs).toBe(2);
    const victim = outcomes.findIndex((outcome) => outcome.status === 'rejected');
    expect(outcomes[victim]).toMatchObject({ status: 'rejected', reason: { code: '40P01' } });
    expect(outcomes[1 - victim]).toEqual({ status: 'fulfilled', value: [true, true] });
    // The survivor wrote its customer record on its first tab and its merchant record on the other.
    const survivor = victim === 0 ? 'b' : 'a';
    const [survivorsFirst, victimsFirst] = victim === 0 ? [tabIds[1], tabIds[0]] : [tabIds[0], tabIds[1]];
    expect(await storage.tabs.tab(survivorsFirst)).toMatchObject({
      customerRecord: recordOf(survivor),
      merchantRecord: null,
    });
    expect(await storage.tabs.tab(victimsFirst)).toMatchObject({
      customerRecord: null,
      merchantRecord: recordOf(survivor),
    });
  });

  it('runs the work again when it caught the deadlock itself, taking it for a refusal', async () => {
    const retries: Array<{ sqlState: RetriedSqlState; attempt: number }> = [];
    const [storage] = await postgresStoragesOnOneDatabase(1, { onRetry: (retry) => retries.push(retry) });
    await seed(storage!);
    await storage!.tabs.insertTab(sampleTab(1));
    const tabId = sampleTab(1).tabId;
    const bothHoldTheirFirst = barrier(2);
    const topUp = (id: string) => ({
      id,
      memo: 'top-up',
      postings: [
        { accountId: FUNDING_ACCOUNT, amount: -5n },
        { accountId: CUSTOMER_ACCOUNT, amount: 5n },
      ],
    });
    // The ledger call runs in a savepoint: a deadlock in it is rolled back to the savepoint and
    // thrown, and the work could go on to commit what it wrote before.
    const recordThenPost = storage!.transaction(async (tx) => {
      await tx.tabs.setTabCustomerRecord(tabId, recordOf('c1'));
      await bothHoldTheirFirst.arrive();
      try {
        await tx.ledger.postEntry(topUp('top-up:1'));
        return 'posted';
      } catch {
        return 'refused';
      }
    });
    const postThenRecord = storage!.transaction(async (tx) => {
      await tx.ledger.postEntry(topUp('top-up:2'));
      await bothHoldTheirFirst.arrive();
      try {
        await tx.tabs.setTabMerchantRecord(tabId, recordOf('m1'), NOW_MS);
        return 'recorded';
      } catch {
        return 'gave up';
      }
    });
    expect(await Promise.all([recordThenPost, postThenRecord])).toEqual(['posted', 'recorded']);
    expectDeadlockRetries(retries);
    expect((await storage!.ledger.getAccount(CUSTOMER_ACCOUNT)).balance).toBe(10n);
    expect(await storage!.tabs.tab(tabId)).toMatchObject({
      customerRecord: recordOf('c1'),
      merchantRecord: recordOf('m1'),
    });
  });
});
