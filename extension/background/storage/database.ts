// Everything the customer agent must remember across service-worker restarts, behind one small
// interface: IndexedDB in the browser (idb-database.ts), Maps in tests (memory-database.ts).
// Values are structured-cloned, so bigint amounts are stored as they are.

import type { RateTable } from '@opentab/protocol';
import type { RateRefusal } from '../rates/rate-table';
import type { VaultRecord } from '../keys/vault-record';
import type { Enrolment, OperatorSession } from '../wallet/enrolment-record';
import type { SpendingRules } from '../limits/spending-rules';
import type { Preferences } from '../wallet/preferences';
import type { StoredTab } from '../tabs/tab-record';
import type { StoredPurchase } from '../tabs/purchase-record';
import type { PendingRecord } from '../tabs/pending-record';
import type { StoredEntitlement } from '../entitlements/entitlement-record';
import type { OwedReceipt } from '../tabs/owed-receipts';
import type { AccountSummaryView } from '../../messaging/views';

/** Single records, one per key. */
export interface MetaShapes {
  vault: VaultRecord;
  enrolment: Enrolment;
  operatorSession: OperatorSession;
  rules: SpendingRules;
  preferences: Preferences;
  rateTable: RateTable;
  /** The operator's latest refusal to publish a rate table; removed when it publishes one. */
  rateRefusal: RateRefusal;
  /** Receipts of purchases paid after their page was told they were pending (tabs/owed-receipts.ts). */
  owedReceipts: readonly OwedReceipt[];
  /** The account as last read from the operator, shown (with its time) while the operator cannot be reached. */
  lastAccount: LastKnownAccount;
}

export interface LastKnownAccount {
  readonly accountId: string;
  readonly account: AccountSummaryView;
  readonly at_ms: number;
}

export interface MetaStore {
  get<K extends keyof MetaShapes>(key: K): Promise<MetaShapes[K] | undefined>;
  put<K extends keyof MetaShapes>(key: K, value: MetaShapes[K]): Promise<void>;
  delete(key: keyof MetaShapes): Promise<void>;
}

export interface KeyedStore<T> {
  get(key: string): Promise<T | undefined>;
  put(key: string, value: T): Promise<void>;
  delete(key: string): Promise<void>;
  /** Every value whose key starts with `prefix`, in key order. */
  withPrefix(prefix: string): Promise<T[]>;
  all(): Promise<T[]>;
}

/** One record to write as part of a batch. */
export type BatchWrite =
  | { readonly store: 'tabs'; readonly key: string; readonly value: StoredTab }
  | { readonly store: 'purchases'; readonly key: string; readonly value: StoredPurchase }
  | { readonly store: 'entitlements'; readonly key: string; readonly value: StoredEntitlement };

export interface AgentDatabase {
  readonly meta: MetaStore;
  /** Keyed by the tab's local id (its initiation message id). */
  readonly tabs: KeyedStore<StoredTab>;
  /** Keyed by purchaseKey(localTabId, seq), so one tab's purchases are one key range. */
  readonly purchases: KeyedStore<StoredPurchase>;
  /** Customer records not yet accepted by the operator, keyed by local tab id. */
  readonly outbox: KeyedStore<PendingRecord>;
  /** The latest entitlement bought per merchant and item, keyed by entitlementKey(merchant, itemId). */
  readonly entitlements: KeyedStore<StoredEntitlement>;
  /** Writes every record in one transaction: all of them or none. */
  batch(writes: readonly BatchWrite[]): Promise<void>;
  /** Removes everything (restore from backup starts from a clean slate). */
  clear(): Promise<void>;
}

export const STORE_NAMES = ['meta', 'tabs', 'purchases', 'outbox', 'entitlements'] as const;

/** Sequence numbers are zero-padded so that key order is purchase order. */
export function purchaseKey(localTabId: string, seq: number): string {
  return `${localTabId}/${String(seq).padStart(8, '0')}`;
}

export function purchasePrefix(localTabId: string): string {
  return `${localTabId}/`;
}
