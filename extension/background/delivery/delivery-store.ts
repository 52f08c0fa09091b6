// Deliveries at rest: an IndexedDB database of their own (idb), apart from the wallet's, so the
// delivery records change nothing in the wallet's schema; a Map for tests.

import { openDB } from 'idb';
import type { StoredDelivery } from './delivery-record';

export interface DeliveryStore {
  get(localId: string): Promise<StoredDelivery | undefined>;
  put(record: StoredDelivery): Promise<void>;
  all(): Promise<StoredDelivery[]>;
  delete(localId: string): Promise<void>;
}

const DATABASE = 'opentab-deliveries';
const STORE = 'deliveries';

export async function openIdbDeliveryStore(): Promise<DeliveryStore> {
  const db = await openDB(DATABASE, 1, {
    upgrade(database) {
      database.createObjectStore(STORE);
    },
  });
  return {
    get: (localId) => db.get(STORE, localId) as Promise<StoredDelivery | undefined>,
    put: async (record) => void (await db.put(STORE, record, record.localId)),
    all: () => db.getAll(STORE) as Promise<StoredDelivery[]>,
    delete: (localId) => db.delete(STORE, localId),
  };
}

export function memoryDeliveryStore(): DeliveryStore {
  const records = new Map<string, StoredDelivery>();
  return {
    get: async (localId) => records.get(localId),
    put: async (record) => void records.set(record.localId, structuredClone(record)),
    all: async () => [...records.values()],
    delete: async (localId) => void records.delete(localId),
  };
}
