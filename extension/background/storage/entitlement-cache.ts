// The entitlements of each merchant a page has asked about, kept in worker memory with write-through:
// every click first asks whether its item is already owned, and should not wait for IndexedDB to
// answer that. A merchant's entitlements are one key range, read once per worker when first
// needed; every later click there is answered from memory. The database stays the truth: writes
// (purchase batches) go through to it, a failed one drops the merchant's copy so it is read
// again, and a stopped worker takes the copies with it.

import { entitlementKey, merchantPrefixOfKey, type StoredEntitlement } from '../entitlements/entitlement-record';
import type { AgentDatabase, KeyedStore } from './database';

class CachedEntitlements implements KeyedStore<StoredEntitlement> {
  /** By merchant prefix, then by key. */
  private readonly merchants = new Map<string, Map<string, StoredEntitlement>>();
  /** Bumped by every write and clear, so a read that raced one does not put older values back. */
  private generation = 0;

  constructor(private readonly inner: KeyedStore<StoredEntitlement>) {}

  async get(key: string): Promise<StoredEntitlement | undefined> {
    return (await this.merchant(merchantPrefixOfKey(key))).get(key);
  }

  put(key: string, value: StoredEntitlement): Promise<void> {
    return this.writing([{ key, value }], () => this.inner.put(key, value));
  }

  delete(key: string): Promise<void> {
    return this.writing([{ key, value: undefined }], () => this.inner.delete(key));
  }

  /** A merchant's prefix is answered from memory; any other from storage. */
  async withPrefix(prefix: string): Promise<StoredEntitlement[]> {
    if (merchantPrefixOfKey(prefix) !== prefix) return this.inner.withPrefix(prefix);
    const entries = [...(await this.merchant(prefix)).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return entries.map(([, value]) => value);
  }

  all(): Promise<StoredEntitlement[]> {
    return this.inner.all();
  }

  /** Shows `changes` to every read from now on (as IndexedDB does once a write is issued), and forgets their merchants if `write` fails. */
  async writing(
    changes: readonly { key: string; value: StoredEntitlement | undefined }[],
    write: () => Promise<void>,
  ): Promise<void> {
    this.generation++;
    for (const { key, value } of changes) {
      const copy = this.merchants.get(merchantPrefixOfKey(key));
      if (copy === undefined) continue;
      if (value === undefined) copy.delete(key);
      else copy.set(key, structuredClone(value));
    }
    try {
      await write();
    } catch (error) {
      for (const { key } of changes) this.merchants.delete(merchantPrefixOfKey(key));
      this.generation++;
      throw error;
    }
  }

  forgetAll(): void {
    this.merchants.clear();
    this.generation++;
  }

  private async merchant(prefix: string): Promise<Map<string, StoredEntitlement>> {
    const known = this.merchants.get(prefix);
    if (known !== undefined) return known;
    const generation = this.generation;
    const stored = await this.inner.withPrefix(prefix);
    if (this.generation !== generation) return this.merchant(prefix);
    const copy = new Map(
      stored.map((entitlement) => [entitlementKey(entitlement.merchant, entitlement.itemId), entitlement]),
    );
    this.merchants.set(prefix, copy);
    return copy;
  }
}

/** `db` with each merchant's entitlements kept in memory once read (see above). */
export function withEntitlementCache(db: AgentDatabase): AgentDatabase {
  const entitlements = new CachedEntitlements(db.entitlements);
  return {
    ...db,
    entitlements,
    batch: (writes) => {
      const changes = writes.flatMap((write) =>
        write.store === 'entitlements' ? [{ key: write.key, value: write.value }] : [],
      );
      return changes.length === 0 ? db.batch(writes) : entitlements.writing(changes, () => db.batch(writes));
    },
    async clear() {
      entitlements.forgetAll();
      try {
        await db.clear();
      } finally {
        entitlements.forgetAll();
      }
    },
  };
}
