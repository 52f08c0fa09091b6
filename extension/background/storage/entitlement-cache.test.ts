import { describe, expect, it } from 'vitest';
import { entitlementKey, type StoredEntitlement } from '../entitlements/entitlement-record';
import type { AgentDatabase } from './database';
import { withEntitlementCache } from './entitlement-cache';
import { createMemoryDatabase } from './memory-database';

const NEWS = { merchantId: 'news', operatorId: 'op-eu' };
const SHOP = { merchantId: 'shop', operatorId: 'op-eu' };

function entitlement(merchant: typeof NEWS, itemId: string, entitledUntil_ms = 1_000): StoredEntitlement {
  return {
    merchant,
    itemId,
    origins: ['https://news.example'],
    receipt: { payload: { accessToken: `token-${itemId}` } } as StoredEntitlement['receipt'],
    entitledUntil_ms,
  };
}

const write = (value: StoredEntitlement) => ({
  store: 'entitlements' as const,
  key: entitlementKey(value.merchant, value.itemId),
  value,
});

/** The memory database, counting the entitlement reads that reach it and able to fail its batches. */
function countingDatabase() {
  const stored = createMemoryDatabase();
  const reads: string[] = [];
  let failBatches = false;
  const inner = stored.entitlements;
  const counted: AgentDatabase = {
    ...stored,
    entitlements: {
      ...inner,
      get: (key) => (reads.push(`get ${key}`), inner.get(key)),
      withPrefix: (prefix) => (reads.push(`prefix ${prefix}`), inner.withPrefix(prefix)),
    },
    batch: async (writes) => {
      if (failBatches) throw new Error('disk full');
      return stored.batch(writes);
    },
  };
  return { stored, db: withEntitlementCache(counted), reads, failBatches: (fail: boolean) => (failBatches = fail) };
}

describe("each merchant's entitlements in worker memory", () => {
  it("reads a merchant's entitlements once, then answers every item there from memory, absent ones included", async () => {
    const { stored, db, reads } = countingDatabase();
    await stored.batch([write(entitlement(NEWS, 'article-1')), write(entitlement(SHOP, 'ebook-1'))]);
    expect((await db.entitlements.get('op-eu/news/article-1'))?.itemId).toBe('article-1');
    expect(await db.entitlements.get('op-eu/news/article-2')).toBeUndefined();
    expect((await db.entitlements.withPrefix('op-eu/news/')).map((held) => held.itemId)).toEqual(['article-1']);
    expect(reads).toEqual(['prefix op-eu/news/']);
    expect((await db.entitlements.get('op-eu/shop/ebook-1'))?.itemId).toBe('ebook-1');
    expect(reads).toEqual(['prefix op-eu/news/', 'prefix op-eu/shop/']);
  });

  it('shows a batch at once and keeps it, and forgets the merchant when the batch fails', async () => {
    const { stored, db, reads, failBatches } = countingDatabase();
    await db.entitlements.get('op-eu/news/article-1');
    await db.batch([write(entitlement(NEWS, 'article-1', 2_000))]);
    expect((await db.entitlements.get('op-eu/news/article-1'))?.entitledUntil_ms).toBe(2_000);
    expect((await stored.entitlements.get('op-eu/news/article-1'))?.entitledUntil_ms).toBe(2_000);

    failBatches(true);
    await expect(db.batch([write(entitlement(NEWS, 'article-1', 3_000))])).rejects.toThrow('disk full');
    failBatches(false);
    // Storage is the truth again, read afresh: the entitlement as it was before the failed batch.
    expect((await db.entitlements.get('op-eu/news/article-1'))?.entitledUntil_ms).toBe(2_000);
    expect(reads).toEqual(['prefix op-eu/news/', 'prefix op-eu/news/']);
  });

  it('forgets everything when the database is cleared', async () => {
    const { db } = countingDatabase();
    await db.entitlements.get('op-eu/news/article-1');
    await db.batch([write(entitlement(NEWS, 'article-1'))]);
    await db.clear();
    expect(await db.entitlements.get('op-eu/news/article-1')).toBeUndefined();
  });
});
