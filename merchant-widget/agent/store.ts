// What the merchant agent keeps, behind one asynchronous interface with two implementations: a
// SQLite file (sqlite-store.ts, the embedded default) and a PostgreSQL database that several agent
// processes share (postgres-store.ts). Every business step is one `transaction`; the few reads a
// step makes before it decides run outside one.

import type { PurchaseRecord, TabLifecycle, TabRecord, TabStatus } from './tab-record';

export interface StoredReply {
  /** SHA-256 of the request's canonical JSON: tells a true replay from a reused id. */
  readonly requestDigest: string;
  readonly responseJson: string;
}

export interface StoredReceipt {
  /** The receipt exactly as the purchase was first answered with. */
  readonly receiptJson: string;
  readonly chainLink: string;
}

export interface OutboxEntry {
  readonly tabId: string;
  readonly recordId: string;
  readonly envelopeJson: string;
  readonly attempts: number;
  readonly nextAttemptAt_ms: number;
  readonly lastError: string | null;
  /** When the MTA acknowledged the record, or refused it for good (then `refusedCode` says why). */
  readonly acknowledgedAt_ms: number | null;
  readonly refusedCode: string | null;
}

/** A row of plain SQL, by column name. */
export type SqlRow = Record<string, unknown>;

/**
 * Plain SQL on the store's connection, for the agent's parts with tables of their own (the admin
 * API, secure delivery) and for extensions: `?` placeholders, and SQL that means the same on
 * SQLite and PostgreSQL. Integers arrive as bigint, except PostgreSQL's sums of BIGINT (NUMERIC),
 * which arrive as decimal strings: read numbers with Number() or BigInt(), never by type.
 */
export interface SqlSession {
  all(sql: string, params?: readonly unknown[]): Promise<SqlRow[]>;
  /** Runs a write; resolves to how many rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

/** A rotation notice of the operator's key the agent checked and follows (operator-keys.ts). */
export interface StoredKeyRotation {
  readonly retiringKey: string;
  readonly successorKey: string;
  readonly retiresAt_ms: number;
  readonly noticeJson: string;
}

/** What the agent learned of its operator's keys: kept so that a restart neither forgets a successor nor trusts a retired key again. */
export interface OperatorTrustStore {
  /** The CA that certified the pinned operator key, once learned. */
  operatorCa(operatorPublicKey: string): Promise<string | null>;
  /** Keeps the first CA learned for the key; a later, different one changes nothing. */
  pinOperatorCa(operatorPublicKey: string, caPublicKey: string, now_ms: number): Promise<void>;
  operatorKeyRotations(): Promise<StoredKeyRotation[]>;
  /** Keeps a checked notice; of two about the same key the earlier retirement wins, so none lengthens a key's life. */
  keepOperatorKeyRotation(rotation: StoredKeyRotation, now_ms: number): Promise<void>;
}

/** The operator's signed decision on a disputed tab of this merchant (dispute-decisions.ts). */
export interface StoredDisputeDecision {
  readonly tabId: string;
  readonly disputeId: string;
  readonly decision: 'uphold' | 'adjust';
  readonly clearedBefore_minor: bigint;
  readonly clearedAfter_minor: bigint;
  readonly revision: number;
  readonly reason: string;
  readonly decidedAt_ms: number;
  /** The decision as the operator signed it, for the merchant's own evidence. */
  readonly resolutionJson: string;
}

/** Decisions on disputed tabs: one per tab, the first kept, so a resent decision is taken once. */
export interface DisputeDecisionStore {
  /** False, writing nothing, when the tab already has a decision. */
  insertDisputeDecision(decision: StoredDisputeDecision, now_ms: number): Promise<boolean>;
  disputeDecisionOf(tabId: string): Promise<StoredDisputeDecision | null>;
}

export interface AgentStoreReads {
  findTab(tabId: string): Promise<TabRecord | null>;
  findTabByChainRoot(chainRoot: string): Promise<TabRecord | null>;
  /** Newest first. */
  listTabs(filter: { status?: TabStatus; limit: number }): Promise<TabRecord[]>;
  expiredOpenTabIds(now_ms: number, limit: number): Promise<string[]>;
  findPurchaseReply(purchaseId: string): Promise<StoredReply | null>;
  /** The receipts first answered to this tab's purchases after `afterSeq`, in seq order, at most `limit`. */
  receiptsAfter(tabId: string, afterSeq: number, limit: number): Promise<StoredReceipt[]>;
  /** In seq order. */
  purchasesOf(tabId: string): Promise<PurchaseRecord[]>;
  findReply(messageId: string): Promise<StoredReply | null>;
  outboxEntry(tabId: string): Promise<OutboxEntry | null>;
  /** When the earliest unacknowledged record is due, or null when every record is acknowledged. */
  nextRecordDue_ms(): Promise<number | null>;
}

/** What one transaction may do; everything it writes commits together or not at all. */
export interface AgentStoreTransaction extends AgentStoreReads {
  /** Plain SQL inside this transaction. */
  readonly sql: SqlSession;
  /** The tab as stored now, locked against every other writer until the transaction ends. */
  lockTab(tabId: string): Promise<TabRecord | null>;
  insertTab(tab: TabRecord, informationJson: string): Promise<void>;
  /**
   * Moves an open tab from `before` to `after` (spent amount, count, chain position, list key) only
   * if the stored tab is still open at `before`'s purchase count and chain index: false when another
   * purchase or a stop came first (another process, with a database that several share).
   */
  advanceTab(before: TabRecord, after: TabRecord): Promise<boolean>;
  updateTabLifecycle(tabId: string, lifecycle: TabLifecycle): Promise<void>;
  /** False, writing nothing, when the purchase id is taken. */
  insertPurchase(purchase: PurchaseRecord, requestDigest: string, receiptJson: string): Promise<boolean>;
  insertReply(messageId: string, kind: string, reply: StoredReply, now_ms: number): Promise<void>;
  enqueueRecord(tabId: string, recordId: string, envelopeJson: string, firstAttemptAt_ms: number): Promise<void>;
  markRecordAcknowledged(tabId: string, recordId: string, ackJson: string, now_ms: number): Promise<void>;
  /** The MTA refused the record for good (the tab never opened there): it is done with, never sent again. */
  markRecordRefused(tabId: string, code: string, message: string, now_ms: number): Promise<void>;
  markRecordAttemptFailed(tabId: string, attempts: number, nextAttemptAt_ms: number, error: string): Promise<void>;
  replaceRecordEnvelope(tabId: string, recordId: string, envelopeJson: string): Promise<void>;
}

export interface AgentStore extends AgentStoreReads, OperatorTrustStore, DisputeDecisionStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Plain SQL outside a transaction: each statement on its own (a read, or a write that is whole in one statement). */
  readonly sql: SqlSession;
  /**
   * Runs idempotent DDL (CREATE TABLE IF NOT EXISTS …) written for this store's kind; several
   * processes starting at once on one PostgreSQL database run it one after another.
   */
  ensureTables(ddl: string): Promise<void>;
  /**
   * Runs `work` as one transaction: committed when it resolves, rolled back when it throws. The
   * work must use only `tx` (the store's own methods wait for the transaction to end).
   */
  transaction<T>(work: (tx: AgentStoreTransaction) => Promise<T>): Promise<T>;
  /** Forgets up to `limit` of the oldest answers stored before `olderThan_ms`; returns how many. */
  pruneReplies(olderThan_ms: number, limit: number): Promise<number>;
  /**
   * Takes up to `limit` unacknowledged records due by `now_ms` for delivery by this process: their
   * next attempt moves to `leaseUntil_ms`, so no other process takes them before this one has
   * reported the outcome or, if it died, before then.
   */
  claimDueRecords(now_ms: number, limit: number, leaseUntil_ms: number): Promise<OutboxEntry[]>;
  /** Resolves once every transaction committed so far is on disk; shared by all callers waiting at once. */
  durable(): Promise<void>;
  close(): Promise<void>;
}

/** A write that broke a uniqueness rule: another request (or process) wrote the same id first. */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof Error) || !('code' in error)) return false;
  const code = error.code;
  // PostgreSQL's SQLSTATE, SQLite's extended result codes.
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
