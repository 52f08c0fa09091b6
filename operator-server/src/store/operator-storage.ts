// What the operator keeps, behind one asynchronous interface: its ledger, customers and their
// enrolment, merchants, the AM's transactions, the MTA's tabs and disputes, the outbox, the first
// answer to each message (for idempotency), and the records beside a tab's life
// (operator-records-storage.ts). The SQLite file (sqlite-operator-storage.ts) is the embedded
// default; PostgreSQL (postgres-operator-storage.ts) serves operator processes that share one
// database. Every domain step that changes money is one `transaction(async (tx) => …)`: everything
// it writes through `tx` commits together or not at all. A call on the storage itself, outside a
// transaction, is a transaction of its own and sees only what others committed.

import type { Ledger } from '../ledger';
import type { Outbox, OutboxDeliverer } from '../outbox/outbox';
import type { MessageReceiptStore } from './message-receipt-store';
import type { OperatorRecordGroups } from './operator-records-storage';
import type { StaffStore } from '../staff/staff-store';
import type { OperatorStore } from './operator-store';

/** The methods of `T`, each answering through a promise. */
export type Promised<T> = {
  readonly [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

export const LEDGER_METHODS = [
  'createAccount',
  'setMinBalance',
  'placeHold',
  'captureHold',
  'releaseHold',
  'postEntry',
  'findAccount',
  'getAccount',
  'findHold',
  'getHold',
  'findEntry',
  'listHolds',
  'listEntries',
  'balancesByCurrency',
  'checkInvariants',
] as const satisfies ReadonlyArray<keyof Ledger>;

/** Customers, their enrolment codes and log-on sessions. */
export const CUSTOMER_METHODS = [
  'insertCustomer',
  'customer',
  'customerByPublicKey',
  'bindCustomerKey',
  'setCustomerStatus',
  'searchCustomers',
  'unfinishedTransactionsOfAccount',
  'insertEnrollmentCode',
  'enrollmentCode',
  'useEnrollmentCode',
  'insertSession',
  'session',
  'nextTransactionSeq',
] as const satisfies ReadonlyArray<keyof OperatorStore>;

export const MERCHANT_METHODS = [
  'upsertMerchant',
  'merchant',
  'merchants',
  'setMerchantStatus',
] as const satisfies ReadonlyArray<keyof OperatorStore>;

/** The AM's side of a tab: the customer's transaction and its hold's fate. */
export const TRANSACTION_METHODS = [
  'insertTransaction',
  'transaction',
  'transactionByInitiation',
  'transactionByChainRoot',
  'claimStalledOpenings',
  'transactionsOfAccount',
  'markTransactionOpen',
  'markTransactionFailed',
  'setTransactionCustomerRecord',
  'markTransactionCleared',
  'correctTransactionClearing',
  'overdueTransactions',
  'markTransactionLapsed',
  'searchTransactions',
] as const satisfies ReadonlyArray<keyof OperatorStore>;

/**
 * The MTA's side: tabs, the records they wait for, late records, disputes and their resolutions;
 * the messages sent about a tab, and the figures of the work for /metrics and the console.
 */
export const TAB_METHODS = [
  'insertTab',
  'tabByChainRoot',
  'tab',
  'tabForUpdate',
  'tabByTransaction',
  'tabsOfMerchant',
  'markTabOpen',
  'markTabFailed',
  'setTabCustomerRecord',
  'setTabMerchantRecord',
  'markMerchantAsked',
  'markMerchantHasNoRecord',
  'markTabCleared',
  'correctTabClearing',
  'insertLateRecord',
  'lateRecordsOfTab',
  'failOpeningTabs',
  'postponeDueTabs',
  'dueTabs',
  'searchTabs',
  'insertDispute',
  'disputes',
  'disputesOfTab',
  'dispute',
  'insertResolution',
  'resolutionOfTab',
  'resolveTabClearing',
  'outboxRowsMentioning',
  'figures',
] as const satisfies ReadonlyArray<keyof OperatorStore>;

/** Writing to the outbox, inside the transaction of the change a message reports; the staff's view and retry. */
export const OUTBOX_METHODS = ['enqueue', 'markDelivered', 'undelivered', 'retryNow'] as const satisfies ReadonlyArray<
  keyof Outbox
>;

/** The staff: their logins and console sessions, and the log of who changed what. */
export const STAFF_METHODS = [
  'createAccount',
  'account',
  'accounts',
  'setPasswordHash',
  'setDisabled',
  'countFailedLogin',
  'clearFailedLogins',
  'startSession',
  'session',
  'endSession',
  'endSessionsOf',
  'recordAction',
  'actionsOn',
  'recentActions',
] as const satisfies ReadonlyArray<keyof StaffStore>;

/** The first answer to each message id, for idempotency (support/message-receipts.ts). */
export const RECEIPT_METHODS = ['storedAnswer', 'insertAnswer', 'pruneAnswers'] as const satisfies ReadonlyArray<
  keyof MessageReceiptStore
>;

export type LedgerAccess = Promised<Pick<Ledger, (typeof LEDGER_METHODS)[number]>>;
export type CustomerAccess = Promised<Pick<OperatorStore, (typeof CUSTOMER_METHODS)[number]>>;
export type MerchantAccess = Promised<Pick<OperatorStore, (typeof MERCHANT_METHODS)[number]>>;
export type TransactionAccess = Promised<Pick<OperatorStore, (typeof TRANSACTION_METHODS)[number]>>;
export type TabAccess = Promised<Pick<OperatorStore, (typeof TAB_METHODS)[number]>>;
export type OutboxAccess = Promised<Pick<Outbox, (typeof OUTBOX_METHODS)[number]>>;
export type ReceiptAccess = Promised<Pick<MessageReceiptStore, (typeof RECEIPT_METHODS)[number]>>;
export type StaffAccess = Promised<Pick<StaffStore, (typeof STAFF_METHODS)[number]>>;

/** What one transaction may read and write; everything it writes commits together or not at all. */
export interface OperatorStoreTransaction extends OperatorRecordGroups {
  readonly ledger: LedgerAccess;
  readonly customers: CustomerAccess;
  readonly merchants: MerchantAccess;
  readonly transactions: TransactionAccess;
  readonly tabs: TabAccess;
  readonly outbox: OutboxAccess;
  readonly receipts: ReceiptAccess;
  readonly staff: StaffAccess;
}

export interface OperatorStorage extends OperatorStoreTransaction {
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Runs `work` as one transaction: committed when it resolves, rolled back when it throws. The
   * work uses only `tx` and awaits nothing but `tx` (no call to a peer inside a transaction); the
   * storage's own methods see its writes only once it commits. The work may run more than once (on
   * PostgreSQL, after a deadlock), so it decides by the answers of `tx`'s conditional updates.
   */
  transaction<T>(work: (tx: OperatorStoreTransaction) => Promise<T>): Promise<T>;
  /**
   * Runs read-only `work` on one snapshot: every read sees the store as it was at the first, so a
   * view made of several reads (a balance and the tabs that made it) never mixes before and after
   * a change committed in between. A write in it fails.
   */
  snapshot<T>(work: (tx: OperatorStoreTransaction) => Promise<T>): Promise<T>;
  /**
   * One pass over the outbox: claims the messages due by `now_ms` with a lease, sends each through
   * `deliver` and records the outcomes (a failure is due again after the backoff). Of several
   * processes draining one PostgreSQL database only one claims a message (`FOR UPDATE SKIP
   * LOCKED`). One pass at a time per storage: a call while one is under way sends nothing. How
   * many were delivered.
   */
  deliverDueOutbox(now_ms: number, deliver: OutboxDeliverer): Promise<number>;
}
