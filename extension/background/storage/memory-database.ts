// The Map-backed AgentDatabase for tests. Values are cloned in and out, as IndexedDB does, so a
// test cannot pass by mutating a stored object behind the agent's back.

import type { AgentDatabase, KeyedStore, MetaShapes, MetaStore } from './database';

class MemoryKeyedStore<T> implements KeyedStore<T> {
  private readonly rows = new Map<string, T>();

  async get(key: string): Promise<T | undefined> {
    const value = this.rows.get(key);
    return value === undefined ? undefined : structuredClone(value);
  }

  async put(key: string, value: T): Promise<void> {
    this.rows.set(key, structuredClone(value));
  }

  /** For batches, which clone every value before storing any. */
  putCloned(key: string, value: T): void {
    this.rows.set(key, value);
  }

  async delete(key: string): Promise<void> {
    this.rows.delete(key);
  }

  async withPrefix(prefix: string): Promise<T[]> {
    return [...this.rows.keys()]
      .filter((key) => key.startsWith(prefix))
      .sort()
      .map((key) => structuredClone(this.rows.get(key)!));
  }

  async all(): Promise<T[]> {
    return this.withPrefix('');
  }

  clear(): void {
    this.rows.clear();
  }
}

export function createMemoryDatabase(): AgentDatabase {
  const meta = new MemoryKeyedStore<unknown>();
  const tabs = new MemoryKeyedStore<never>();
  const purchases = new MemoryKeyedStore<never>();
  const outbox = new MemoryKeyedStore<never>();
  const entitlements = new MemoryKeyedStore<never>();
  const batched = { tabs, purchases, entitlements };
  const metaStore: MetaStore = {
    get: async <K extends keyof MetaShapes>(key: K) => (await meta.get(key)) as MetaShapes[K] | undefined,
    put: (key, value) => meta.put(key, value),
    delete: (key) => meta.delete(key),
  };
  return {
    meta: metaStore,
    tabs,
    purchases,
    outbox,
    entitlements,
    batch: async (writes) => {
      // Cloned before any is stored: a value that cannot be stored leaves none of them written.
      const copies = writes.map((write) => ({
        store: batched[write.store],
        key: write.key,
        value: structuredClone(write.value),
      }));
      for (const copy of copies) copy.store.putCloned(copy.key, copy.value as never);
    },
    clear: async () => [meta, tabs, purchases, outbox, entitlements].forEach((store) => store.clear()),
  };
}
