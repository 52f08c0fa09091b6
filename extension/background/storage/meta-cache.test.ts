import { describe, expect, it } from 'vitest';
import { DEFAULT_PREFERENCES } from '../wallet/preferences';
import type { AgentDatabase } from './database';
import { createMemoryDatabase } from './memory-database';
import { withMetaCache } from './meta-cache';

/** The memory database, counting the meta reads that reach it and able to fail its writes. */
function countingDatabase() {
  const db = createMemoryDatabase();
  const reads: string[] = [];
  let failWrites = false;
  const inner = db.meta;
  const counted: AgentDatabase = {
    ...db,
    meta: {
      get: (key) => {
        reads.push(key);
        return inner.get(key);
      },
      put: async (key, value) => {
        if (failWrites) throw new Error('disk full');
        return inner.put(key, value);
      },
      delete: (key) => inner.delete(key),
    },
  };
  return { stored: db, counted, reads, failWritesFromNowOn: (fail: boolean) => (failWrites = fail) };
}

const PREFERENCES = { tabTimeout_s: 600, idleLock_min: 5 };

describe('the per-click meta records in worker memory', () => {
  it('reads each record from storage once, then answers from memory, absent records included', async () => {
    const { stored, counted, reads } = countingDatabase();
    await stored.meta.put('preferences', PREFERENCES);
    const db = withMetaCache(counted);
    expect(await db.meta.get('preferences')).toEqual(PREFERENCES);
    expect(await db.meta.get('preferences')).toEqual(PREFERENCES);
    expect(await db.meta.get('rules')).toBeUndefined();
    expect(await db.meta.get('rules')).toBeUndefined();
    expect(reads).toEqual(['preferences', 'rules']);
  });

  it('writes through: storage has every write, and memory shows it without a read', async () => {
    const { stored, counted, reads } = countingDatabase();
    const db = withMetaCache(counted);
    await db.meta.put('preferences', PREFERENCES);
    expect(await db.meta.get('preferences')).toEqual(PREFERENCES);
    expect(await stored.meta.get('preferences')).toEqual(PREFERENCES);
    await db.meta.delete('preferences');
    expect(await db.meta.get('preferences')).toBeUndefined();
    expect(await stored.meta.get('preferences')).toBeUndefined();
    expect(reads).toEqual([]);
  });

  it('keeps no copy of records a click does not read (the operator session, the rate table)', async () => {
    const { stored, counted, reads } = countingDatabase();
    const db = withMetaCache(counted);
    await db.meta.get('operatorSession');
    await stored.meta.put('operatorSession', { sessionId: 'op-se.1', expiresAt_ms: 1 });
    expect(await db.meta.get('operatorSession')).toEqual({ sessionId: 'op-se.1', expiresAt_ms: 1 });
    expect(reads).toEqual(['operatorSession', 'operatorSession']);
  });

  it('after a failed write reads storage again instead of trusting the copy', async () => {
    const { stored, counted, failWritesFromNowOn } = countingDatabase();
    await stored.meta.put('preferences', DEFAULT_PREFERENCES);
    const db = withMetaCache(counted);
    failWritesFromNowOn(true);
    await expect(db.meta.put('preferences', PREFERENCES)).rejects.toThrow('disk full');
    expect(await db.meta.get('preferences')).toEqual(DEFAULT_PREFERENCES);
  });

  it('hands out copies that cannot be changed behind its back', async () => {
    const { counted } = countingDatabase();
    const db = withMetaCache(counted);
    const written = { ...PREFERENCES };
    await db.meta.put('preferences', written);
    written.idleLock_min = 60;
    const read = await db.meta.get('preferences');
    expect(read).toEqual(PREFERENCES);
    expect(() => ((read as { idleLock_min: number }).idleLock_min = 60)).toThrow(TypeError);
  });

  it('a read that raced a write does not bring the older value back', async () => {
    const { stored, counted } = countingDatabase();
    await stored.meta.put('preferences', DEFAULT_PREFERENCES);
    const db = withMetaCache(counted);
    const reading = db.meta.get('preferences');
    await db.meta.put('preferences', PREFERENCES);
    expect(await reading).toEqual(PREFERENCES);
    expect(await db.meta.get('preferences')).toEqual(PREFERENCES);
  });

  it('forgets everything with clear(), and a new worker (a new wrapper) reads storage afresh', async () => {
    const { stored, counted, reads } = countingDatabase();
    const db = withMetaCache(counted);
    await db.meta.put('preferences', PREFERENCES);
    await db.clear();
    expect(await db.meta.get('preferences')).toBeUndefined();
    await stored.meta.put('preferences', PREFERENCES);
    expect(await withMetaCache(counted).meta.get('preferences')).toEqual(PREFERENCES);
    expect(reads).toEqual(['preferences', 'preferences']);
  });
});
