// The browser's AgentDatabase: one IndexedDB database with a store per collection. IndexedDB
// (unlike storage.local) keeps bigint and Uint8Array values as they are.

import { openDB, type IDBPDatabase } from 'idb';
import { STORE_NAMES, type AgentDatabase, type KeyedStore, type MetaShapes, type MetaStore } from './database';

const DATABASE_NAME = 'opentab';
// A new version only for a new store or index: values are structured clones read back as they were
// written, so a field added to a record (optional, as StoredPurchase.title) needs no migration.
// 2: the entitlements store (created by the upgrade below, which adds every store that is missing).
const DATABASE_VERSION = 2;

type StoreName = (typeof STORE_NAMES)[number];

function keyedStore<T>(db: IDBPDatabase, store: StoreName): KeyedStore<T> {
  return {
    get: async (key) => (await db.get(store, key)) as T | undefined,
    put: async (key, value) => {
      await db.put(store, value, key);
    },
    delete: (key) => db.delete(store, key),
    // '\uffff' sorts after every character a key of ours contains.
    withPrefix: async (prefix) => (await db.getAll(store, IDBKeyRange.bound(prefix, `${prefix}\uffff`))) as T[],
    all: async () => (await db.getAll(store)) as T[],
  };
}

export async function openIdbDatabase(): Promise<AgentDatabase> {
  const db = await openDB(DATABASE_NAME, DATABASE_VERSION, {
    upgrade(database) {
      for (const name of STORE_NAMES) {
        if (!database.objectStoreNames.contains(name)) database.createObjectStore(name);
      }
    },
  });
  const meta = keyedStore<unknown>(db, 'meta');
  const metaStore: MetaStore = {
    get: async <K extends keyof MetaShapes>(key: K) => (await meta.get(key)) as MetaShapes[K] | undefined,
    put: (key, value) => meta.put(key, value),
    delete: (key) => meta.delete(key),
  };
  return {
    meta: metaStore,
    tabs: keyedStore(db, 'tabs'),
    purchases: keyedStore(db, 'purchases'),
    outbox: keyedStore(db, 'outbox'),
    entitlements: keyedStore(db, 'entitlements'),
    batch: async (writes) => {
      // One transaction is one commit: cheaper than a commit per record, and never half written.
      const transaction = db.transaction([...new Set(writes.map((write) => write.store))], 'readwrite');
      await Promise.all([
        ...writes.map((write) => transaction.objectStore(write.store).put(write.value, write.key)),
        transaction.done,
      ]);
    },
    clear: async () => {
      const transaction = db.transaction([...STORE_NAMES], 'readwrite');
      await Promise.all([...STORE_NAMES.map((name) => transaction.objectStore(name).clear()), transaction.done]);
    },
  };
}
