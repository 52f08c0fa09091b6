import { describe, expect, it } from 'vitest';
import type { AgentDatabase, BatchWrite } from '../storage/database';
import { createMemoryDatabase } from '../storage/memory-database';
import type { StoredPurchase } from './purchase-record';
import { TabBook } from './tab-book';
import type { OpenTab, StoredTab } from './tab-record';

// Only the fields the book itself reads; the rest of a tab is opaque to it.
function tab(localId: string, phase: StoredTab['phase'], merchantId = 'news', chainIndex = 0): StoredTab {
  const merchantCertificate = { payload: { origins: ['https://news.example'] } };
  return {
    localId,
    phase,
    merchant: { merchantId, operatorId: 'op-eu' },
    merchantCertificate,
    transactionId: `tx-${localId}`,
    chainIndex,
  } as unknown as StoredTab;
}

/** A consumable's purchase unless the receipt states an entitlement. */
function purchase(localTabId: string, seq: number, entitledUntil?: string): StoredPurchase {
  const receipt = {
    payload: { accessToken: `token-${seq}`, ...(entitledUntil !== undefined ? { entitledUntil } : {}) },
  };
  return { localTabId, seq, itemId: `item-${seq}`, receipt, at_ms: seq } as unknown as StoredPurchase;
}

/** The memory database, counting whole-store reads of the tabs and able to fail its batches. */
function observedDatabase() {
  const db = createMemoryDatabase();
  const counts = { tabScans: 0, batches: [] as (readonly BatchWrite[])[] };
  let failBatches = false;
  const scan = db.tabs.all.bind(db.tabs);
  db.tabs.all = () => {
    counts.tabScans++;
    return scan();
  };
  const observed: AgentDatabase = {
    ...db,
    batch: async (writes) => {
      counts.batches.push(writes);
      if (failBatches) throw new Error('disk full');
      return db.batch(writes);
    },
  };
  return { db: observed, counts, failBatches: (fail: boolean) => (failBatches = fail) };
}

describe('TabBook', () => {
  it('reads the active tabs once per worker and answers every click from memory', async () => {
    const { db, counts } = observedDatabase();
    await db.tabs.put('t1', tab('t1', 'open'));
    await db.tabs.put('t0', tab('t0', 'closed'));
    const book = new TabBook(db);
    expect((await book.activeAt({ merchantId: 'news', operatorId: 'op-eu' }))?.localId).toBe('t1');
    expect((await book.activeAt({ merchantId: 'news', operatorId: 'op-eu' }))?.localId).toBe('t1');
    expect((await book.active()).map((t) => t.localId)).toEqual(['t1']);
    expect(counts.tabScans).toBe(1);
    // A closed tab is not kept, but still found.
    expect((await book.get('t0'))?.phase).toBe('closed');
  });

  it('writes through: a saved tab is in storage and in memory, a closed one leaves memory', async () => {
    const { db } = observedDatabase();
    const book = new TabBook(db);
    await book.save(tab('t1', 'open'));
    expect(await book.active()).toHaveLength(1);
    await book.save(tab('t1', 'closed'));
    expect(await book.active()).toHaveLength(0);
    expect((await db.tabs.get('t1'))?.phase).toBe('closed');
  });

  it('records a purchase and the tab after it in one batch', async () => {
    const { db, counts } = observedDatabase();
    const book = new TabBook(db);
    await book.save(tab('t1', 'open'));
    await book.recordPurchases(tab('t1', 'open', 'news', 8) as OpenTab, [purchase('t1', 1)]);
    expect(counts.batches).toHaveLength(1);
    expect(counts.batches[0]!.map((write) => write.store).sort()).toEqual(['purchases', 'tabs']);
    expect(await book.purchasesOf('t1')).toHaveLength(1);
    expect(((await db.tabs.get('t1')) as OpenTab).chainIndex).toBe(8);
  });

  it('writes the entitlement a purchase grants in the same batch, keyed by merchant and item', async () => {
    const { db, counts } = observedDatabase();
    const book = new TabBook(db);
    await book.save(tab('t1', 'open'));
    const until = '2030-01-01T00:00:00.000Z';
    await book.recordPurchases(tab('t1', 'open', 'news', 8) as OpenTab, [purchase('t1', 1), purchase('t1', 2, until)]);
    expect(counts.batches.map((writes) => writes.map((write) => write.store))).toEqual([
      ['purchases', 'purchases', 'entitlements', 'tabs'],
    ]);
    expect(await db.entitlements.all()).toEqual([
      expect.objectContaining({
        merchant: { merchantId: 'news', operatorId: 'op-eu' },
        itemId: 'item-2',
        origins: ['https://news.example'],
        entitledUntil_ms: Date.parse(until),
      }),
    ]);
    expect(await db.entitlements.get('op-eu/news/item-2')).toBeDefined();
  });

  it('shows a write to reads made while it is under way, and drops the copy if it fails', async () => {
    const { db, counts, failBatches } = observedDatabase();
    const book = new TabBook(db);
    await book.save(tab('t1', 'open'));
    await book.active();
    failBatches(true);
    const recording = book
      .recordPurchases(tab('t1', 'open', 'news', 8) as OpenTab, [purchase('t1', 1)])
      .catch((error: Error) => error);
    expect(((await book.get('t1')) as OpenTab).chainIndex).toBe(8);
    expect(await recording).toMatchObject({ message: 'disk full' });
    // Storage is the truth again, read afresh: the tab as it was before the failed write.
    expect(((await book.get('t1')) as OpenTab).chainIndex).toBe(0);
    expect(counts.tabScans).toBe(2);
  });

  it('a new worker (a new book) reads storage afresh', async () => {
    const { db, counts } = observedDatabase();
    await new TabBook(db).save(tab('t1', 'open'));
    expect(await new TabBook(db).active()).toHaveLength(1);
    expect(counts.tabScans).toBe(1);
  });
});
