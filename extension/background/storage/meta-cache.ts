// The meta records every click reads (vault, enrolment, spending rules, preferences), kept in
// worker memory with write-through, so a purchase does not wait for IndexedDB to hand back what
// this worker itself wrote. The database stays the truth: a stopped worker takes the copies with
// it and the next one reads them again. Only this worker writes the database, so a copy can go
// stale only through a failed write, after which the key is read again.

import type { AgentDatabase, MetaShapes, MetaStore } from './database';

type MetaKey = keyof MetaShapes;

/** Read on every click. The rate table and operator session are read per page or per tab, not per click. */
export const CACHED_META_KEYS: ReadonlySet<MetaKey> = new Set<MetaKey>([
  'vault',
  'enrolment',
  'rules',
  'preferences',
  'owedReceipts',
]);

/** A frozen clone: callers share one copy, as if each had read its own from storage. */
function frozenCopy<T>(value: T): T {
  return deepFreeze(structuredClone(value));
}

function deepFreeze<T>(value: T): T {
  // Typed arrays with elements cannot be frozen; nothing in the code writes into stored bytes.
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || Object.isFrozen(value)) return value;
  for (const field of Object.values(value)) deepFreeze(field);
  return Object.freeze(value);
}

class CachedMetaStore implements MetaStore {
  /** undefined as a value: known to be absent. */
  private readonly copies = new Map<MetaKey, unknown>();
  /** Bumped by every write and clear, so a read that raced one does not put an older value back. */
  private generation = 0;

  constructor(private readonly inner: MetaStore) {}

  async get<K extends MetaKey>(key: K): Promise<MetaShapes[K] | undefined> {
    if (!CACHED_META_KEYS.has(key)) return this.inner.get(key);
    if (this.copies.has(key)) return this.copies.get(key) as MetaShapes[K] | undefined;
    const generation = this.generation;
    const stored = await this.inner.get(key);
    if (this.generation !== generation) return this.get(key);
    const copy = stored === undefined ? undefined : frozenCopy(stored);
    this.copies.set(key, copy);
    return copy;
  }

  put<K extends MetaKey>(key: K, value: MetaShapes[K]): Promise<void> {
    return this.write(key, value === undefined ? undefined : frozenCopy(value), () => this.inner.put(key, value));
  }

  delete(key: MetaKey): Promise<void> {
    return this.write(key, undefined, () => this.inner.delete(key));
  }

  forgetAll(): void {
    this.copies.clear();
    this.generation++;
  }

  private async write(key: MetaKey, copy: unknown, store: () => Promise<void>): Promise<void> {
    if (!CACHED_META_KEYS.has(key)) return store();
    this.generation++;
    // Visible at once, as IndexedDB shows a write to every read issued after it.
    this.copies.set(key, copy);
    try {
      await store();
    } catch (error) {
      this.copies.delete(key);
      throw error;
    }
  }
}

/** `db` with its per-click meta records kept in memory (see above). */
export function withMetaCache(db: AgentDatabase): AgentDatabase {
  const meta = new CachedMetaStore(db.meta);
  return {
    meta,
    tabs: db.tabs,
    purchases: db.purchases,
    outbox: db.outbox,
    entitlements: db.entitlements,
    batch: (writes) => db.batch(writes),
    async clear() {
      meta.forgetAll();
      try {
        await db.clear();
      } finally {
        meta.forgetAll();
      }
    },
  };
}
