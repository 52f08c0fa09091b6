// SQLite persistence of tabs, purchases, answered messages and the record outbox, so a restart
// of the merchant's server loses no tab, no purchase and no record. Statements are prepared once;
// callers compose them inside `transaction` so that each business step commits atomically.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { big, int, text } from './sqlite-columns';
import type { ClearingOutcome, PurchaseRecord, StopReason, TabLifecycle, TabRecord, TabStatus } from './tab-record';
import {
  migrate,
  sqliteWriteCount,
  syncedFile,
  WalFlusher,
  type StoreMigrations,
  type SyncedFile,
} from '@opentab/server-kit';

/**
 * The agent's numbered steps (the server kit's migrate). 1: tabs, purchases, replies, record
 * outbox. 2: no change to the agent's own tables. 3: replies by age. 4: one tab per chain root,
 * clearing revisions, records the MTA refused for good (a tab that never opened). 5: the tab's
 * purchase-list key. Never edit a step that has shipped: add the next one.
 */

const VERSION_4 = `
ALTER TABLE tabs ADD COLUMN clearing_revision INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX tabs_by_chain_root ON tabs (chain_root);
ALTER TABLE record_outbox ADD COLUMN refused_code TEXT;
`;

// A tab that took purchases before purchases carried a key has none: its record hashes its list
// under the all-zero key, which the customer's record will not match, and the MTA clears what
// the chain proves, as for any two lists that differ.
const VERSION_5 = 'ALTER TABLE tabs ADD COLUMN list_key TEXT;';

/** Answers are forgotten oldest first through this index, without reading the table in key order. */
const REPLIES_BY_AGE = 'CREATE INDEX IF NOT EXISTS replies_by_age ON replies (created_at_ms)';

/** A tab's receipts after a sequence number: a search of the index UNIQUE (tab_id, seq) makes, not a scan
 * (receipts.test.ts checks the plan). */
export const RECEIPTS_AFTER =
  'SELECT receipt_json, chain_link FROM purchases WHERE tab_id = ? AND seq > ? ORDER BY seq LIMIT ?';

const SCHEMA = `
CREATE TABLE tabs (
  tab_id TEXT PRIMARY KEY,
  information_id TEXT NOT NULL UNIQUE,
  information_json TEXT NOT NULL,
  pseudonym TEXT NOT NULL,
  tab_public_key TEXT NOT NULL,
  currency TEXT NOT NULL,
  deposit_minor INTEGER NOT NULL CHECK (deposit_minor > 0),
  spent_minor INTEGER NOT NULL CHECK (spent_minor >= 0 AND spent_minor <= deposit_minor),
  chain_unit_minor INTEGER NOT NULL CHECK (chain_unit_minor > 0),
  chain_length INTEGER NOT NULL,
  chain_root TEXT NOT NULL,
  last_chain_index INTEGER NOT NULL CHECK (last_chain_index <= chain_length),
  last_chain_link TEXT NOT NULL,
  purchase_count INTEGER NOT NULL,
  opened_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'stopped', 'cleared')),
  stop_reason TEXT,
  stopped_at_ms INTEGER,
  cleared_minor INTEGER,
  clearing_outcome TEXT,
  cleared_at_ms INTEGER
) STRICT;
CREATE INDEX tabs_open_by_expiry ON tabs (expires_at_ms) WHERE status = 'open';

CREATE TABLE purchases (
  purchase_id TEXT PRIMARY KEY,
  tab_id TEXT NOT NULL REFERENCES tabs (tab_id),
  seq INTEGER NOT NULL,
  item_id TEXT NOT NULL,
  price_minor INTEGER NOT NULL,
  chain_index INTEGER NOT NULL,
  chain_link TEXT NOT NULL,
  request_digest TEXT NOT NULL,
  receipt_json TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  UNIQUE (tab_id, seq)
) STRICT;

-- First answers to signed messages other than purchases, so a replay gets the same answer.
CREATE TABLE replies (
  message_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  request_digest TEXT NOT NULL,
  response_json TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
) STRICT;

-- One merchant record per stopped tab, delivered to the MTA at least once.
CREATE TABLE record_outbox (
  tab_id TEXT PRIMARY KEY REFERENCES tabs (tab_id),
  record_id TEXT NOT NULL,
  envelope_json TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at_ms INTEGER NOT NULL,
  last_error TEXT,
  acknowledged_at_ms INTEGER,
  ack_json TEXT
) STRICT;
CREATE INDEX record_outbox_due ON record_outbox (next_attempt_at_ms) WHERE acknowledged_at_ms IS NULL;
`;

export const AGENT_STORE_MIGRATIONS: StoreMigrations = {
  store: 'merchant agent database',
  steps: [SCHEMA, '', REPLIES_BY_AGE, VERSION_4, VERSION_5],
};

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

type Row = Record<string, unknown>;

export class AgentStore {
  private readonly statements: Statements;

  private readonly flusher: WalFlusher | null;

  private constructor(
    private readonly db: Database.Database,
    private readonly walFile: SyncedFile | null,
  ) {
    this.statements = prepareStatements(db);
    this.flusher = walFile === null ? null : new WalFlusher(walFile.sync, sqliteWriteCount(db));
  }

  /** Opens (creating if needed) the agent's SQLite file in WAL mode. */
  static open(path: string): AgentStore {
    // A fresh install names a file in a directory that may not exist yet (./data/agent.sqlite).
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    try {
      db.defaultSafeIntegers(true);
      const journalMode = db.pragma('journal_mode = WAL', { simple: true });
      assert(
        journalMode === 'wal' || path === ':memory:',
        `could not switch ${path} to WAL (journal_mode is ${String(journalMode)})`,
      );
      // A receipt handed out is money the merchant must be able to claim even after a power cut:
      // commits do not wait for the disk, but no answer leaves before `durable()` (group commit).
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      migrate(db, AGENT_STORE_MIGRATIONS);
      return new AgentStore(db, path === ':memory:' ? null : syncedFile(`${path}-wal`));
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** The SQLite file, for an extension's own tables (extension.ts); the agent's tables are this class's to change. */
  get database(): Database.Database {
    return this.db;
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  /** Resolves once every transaction committed so far is on disk; shared by all callers waiting at once. */
  durable(): Promise<void> {
    return this.flusher?.flushed() ?? Promise.resolve();
  }

  close(): void {
    if (this.db.open) this.db.close();
    this.walFile?.close();
  }

  findTab(tabId: string): TabRecord | null {
    const row = this.statements.findTab.get(tabId) as Row | undefined;
    return row === undefined ? null : tabFromRow(row);
  }

  findTabByChainRoot(chainRoot: string): TabRecord | null {
    const row = this.statements.findTabByChainRoot.get(chainRoot) as Row | undefined;
    return row === undefined ? null : tabFromRow(row);
  }

  insertTab(tab: TabRecord, informationJson: string): void {
    assert(tab.lifecycle.status === 'open', 'a new tab is open');
    this.statements.insertTab.run({
      tabId: tab.tabId,
      informationId: tab.informationId,
      informationJson,
      pseudonym: tab.pseudonym,
      tabPublicKey: tab.tabPublicKey,
      currency: tab.currency,
      deposit: tab.deposit_minor,
      spent: tab.spent_minor,
      chainUnit: tab.chainUnit_minor,
      chainLength: tab.chainLength,
      chainRoot: tab.chainRoot,
      lastChainIndex: tab.lastChainIndex,
      lastChainLink: tab.lastChainLink,
      purchaseCount: tab.purchaseCount,
      openedAt: tab.openedAt_ms,
      expiresAt: tab.expiresAt_ms,
    });
  }

  /** Spent amount, count, chain position and list key of an open tab. */
  updateTabProgress(tab: TabRecord): void {
    const result = this.statements.updateProgress.run({
      tabId: tab.tabId,
      spent: tab.spent_minor,
      lastChainIndex: tab.lastChainIndex,
      lastChainLink: tab.lastChainLink,
      purchaseCount: tab.purchaseCount,
      listKey: tab.listKey,
    });
    assert(result.changes === 1, `tab ${tab.tabId} is not open`);
  }

  updateTabLifecycle(tabId: string, lifecycle: TabLifecycle): void {
    const stopped = lifecycle.status === 'open' ? null : lifecycle;
    const cleared = lifecycle.status === 'cleared' ? lifecycle : null;
    const result = this.statements.updateLifecycle.run({
      tabId,
      status: lifecycle.status,
      reason: stopped?.reason ?? null,
      stoppedAt: stopped?.stoppedAt_ms ?? null,
      cleared: cleared?.cleared_minor ?? null,
      outcome: cleared?.outcome ?? null,
      clearedAt: cleared?.clearedAt_ms ?? null,
      revision: cleared?.revision ?? 0,
    });
    assert(result.changes === 1, `no tab ${tabId}`);
  }

  listTabs(filter: { status?: TabStatus; limit: number }): TabRecord[] {
    return (this.statements.listTabs.all({ status: filter.status ?? null, limit: filter.limit }) as Row[]).map(
      tabFromRow,
    );
  }

  expiredOpenTabIds(now_ms: number, limit: number): string[] {
    return (this.statements.expiredOpenTabIds.all(now_ms, limit) as Row[]).map((row) => text(row.tab_id));
  }

  insertPurchase(purchase: PurchaseRecord, requestDigest: string, receiptJson: string): void {
    this.statements.insertPurchase.run({
      purchaseId: purchase.purchaseId,
      tabId: purchase.tabId,
      seq: purchase.seq,
      itemId: purchase.itemId,
      price: purchase.price_minor,
      chainIndex: purchase.chainIndex,
      chainLink: purchase.chainLink,
      requestDigest,
      receiptJson,
      createdAt: purchase.createdAt_ms,
    });
  }

  findPurchaseReply(purchaseId: string): StoredReply | null {
    const row = this.statements.findPurchaseReply.get(purchaseId) as Row | undefined;
    return row === undefined ? null : { requestDigest: text(row.request_digest), responseJson: text(row.receipt_json) };
  }

  /** The receipts first answered to this tab's purchases after `afterSeq` (stored JSON) with their chain links, in seq order, at most `limit`. */
  receiptsAfter(tabId: string, afterSeq: number, limit: number): StoredReceipt[] {
    return (this.statements.receiptsAfter.all(tabId, afterSeq, limit) as Row[]).map((row) => ({
      receiptJson: text(row.receipt_json),
      chainLink: text(row.chain_link),
    }));
  }

  purchasesOf(tabId: string): PurchaseRecord[] {
    return (this.statements.purchasesOf.all(tabId) as Row[]).map((row) => ({
      purchaseId: text(row.purchase_id),
      tabId: text(row.tab_id),
      seq: int(row.seq),
      itemId: text(row.item_id),
      price_minor: big(row.price_minor),
      chainIndex: int(row.chain_index),
      chainLink: text(row.chain_link),
      createdAt_ms: int(row.created_at_ms),
    }));
  }

  findReply(messageId: string): StoredReply | null {
    const row = this.statements.findReply.get(messageId) as Row | undefined;
    return row === undefined
      ? null
      : { requestDigest: text(row.request_digest), responseJson: text(row.response_json) };
  }

  insertReply(messageId: string, kind: string, reply: StoredReply, now_ms: number): void {
    this.statements.insertReply.run(messageId, kind, reply.requestDigest, reply.responseJson, now_ms);
  }

  /** Forgets up to `limit` of the oldest answers stored before `olderThan_ms`; returns how many. */
  pruneReplies(olderThan_ms: number, limit: number): number {
    return Number(this.statements.pruneReplies.run(olderThan_ms, limit).changes);
  }

  enqueueRecord(tabId: string, recordId: string, envelopeJson: string, firstAttemptAt_ms: number): void {
    this.statements.enqueueRecord.run(tabId, recordId, envelopeJson, firstAttemptAt_ms);
  }

  dueRecords(now_ms: number, limit: number): OutboxEntry[] {
    return (this.statements.dueRecords.all(now_ms, limit) as Row[]).map(outboxEntryFromRow);
  }

  /** When the earliest unacknowledged record is due, or null when every record is acknowledged. */
  nextRecordDue_ms(): number | null {
    const row = this.statements.nextRecordDue.get() as Row;
    return row.due === null ? null : int(row.due);
  }

  outboxEntry(tabId: string): OutboxEntry | null {
    const row = this.statements.outboxEntry.get(tabId) as Row | undefined;
    return row === undefined ? null : outboxEntryFromRow(row);
  }

  markRecordAcknowledged(tabId: string, recordId: string, ackJson: string, now_ms: number): void {
    this.statements.markAcknowledged.run(now_ms, ackJson, tabId, recordId);
  }

  /** The MTA refused the record for good (the tab never opened there): it is done with, never sent again. */
  markRecordRefused(tabId: string, code: string, message: string, now_ms: number): void {
    this.statements.markRefused.run(now_ms, code, message.slice(0, 500), tabId);
  }

  markRecordAttemptFailed(tabId: string, attempts: number, nextAttemptAt_ms: number, error: string): void {
    this.statements.markAttemptFailed.run(attempts, nextAttemptAt_ms, error.slice(0, 500), tabId);
  }

  replaceRecordEnvelope(tabId: string, recordId: string, envelopeJson: string): void {
    this.statements.replaceEnvelope.run(recordId, envelopeJson, tabId);
  }
}

function prepareStatements(db: Database.Database) {
  return {
    findTab: db.prepare('SELECT * FROM tabs WHERE tab_id = ?'),
    insertTab:
      db.prepare(`INSERT INTO tabs (tab_id, information_id, information_json, pseudonym, tab_public_key, currency, deposit_minor,
      spent_minor, chain_unit_minor, chain_length, chain_root, last_chain_index, last_chain_link, purchase_count, opened_at_ms, expires_at_ms, status)
      VALUES (@tabId, @informationId, @informationJson, @pseudonym, @tabPublicKey, @currency, @deposit, @spent, @chainUnit, @chainLength,
      @chainRoot, @lastChainIndex, @lastChainLink, @purchaseCount, @openedAt, @expiresAt, 'open')`),
    updateProgress:
      db.prepare(`UPDATE tabs SET spent_minor = @spent, last_chain_index = @lastChainIndex, last_chain_link = @lastChainLink,
      purchase_count = @purchaseCount, list_key = @listKey WHERE tab_id = @tabId AND status = 'open'`),
    updateLifecycle:
      db.prepare(`UPDATE tabs SET status = @status, stop_reason = @reason, stopped_at_ms = @stoppedAt, cleared_minor = @cleared,
      clearing_outcome = @outcome, cleared_at_ms = @clearedAt, clearing_revision = @revision WHERE tab_id = @tabId`),
    findTabByChainRoot: db.prepare('SELECT * FROM tabs WHERE chain_root = ?'),
    listTabs: db.prepare(
      'SELECT * FROM tabs WHERE (@status IS NULL OR status = @status) ORDER BY opened_at_ms DESC, tab_id LIMIT @limit',
    ),
    expiredOpenTabIds: db.prepare(
      "SELECT tab_id FROM tabs WHERE status = 'open' AND expires_at_ms <= ? ORDER BY expires_at_ms LIMIT ?",
    ),
    insertPurchase:
      db.prepare(`INSERT INTO purchases (purchase_id, tab_id, seq, item_id, price_minor, chain_index, chain_link, request_digest,
      receipt_json, created_at_ms) VALUES (@purchaseId, @tabId, @seq, @itemId, @price, @chainIndex, @chainLink, @requestDigest, @receiptJson, @createdAt)`),
    findPurchaseReply: db.prepare('SELECT request_digest, receipt_json FROM purchases WHERE purchase_id = ?'),
    purchasesOf: db.prepare('SELECT * FROM purchases WHERE tab_id = ? ORDER BY seq'),
    receiptsAfter: db.prepare(RECEIPTS_AFTER),
    findReply: db.prepare('SELECT request_digest, response_json FROM replies WHERE message_id = ?'),
    insertReply: db.prepare(
      'INSERT INTO replies (message_id, kind, request_digest, response_json, created_at_ms) VALUES (?, ?, ?, ?, ?)',
    ),
    pruneReplies: db.prepare(
      'DELETE FROM replies WHERE message_id IN (SELECT message_id FROM replies WHERE created_at_ms < ? ORDER BY created_at_ms LIMIT ?)',
    ),
    enqueueRecord: db.prepare(
      'INSERT INTO record_outbox (tab_id, record_id, envelope_json, next_attempt_at_ms) VALUES (?, ?, ?, ?)',
    ),
    dueRecords: db.prepare(
      'SELECT * FROM record_outbox WHERE acknowledged_at_ms IS NULL AND next_attempt_at_ms <= ? ORDER BY next_attempt_at_ms LIMIT ?',
    ),
    nextRecordDue: db.prepare(
      'SELECT MIN(next_attempt_at_ms) AS due FROM record_outbox WHERE acknowledged_at_ms IS NULL',
    ),
    outboxEntry: db.prepare('SELECT * FROM record_outbox WHERE tab_id = ?'),
    markAcknowledged: db.prepare(
      'UPDATE record_outbox SET acknowledged_at_ms = ?, ack_json = ?, last_error = NULL WHERE tab_id = ? AND record_id = ?',
    ),
    markRefused: db.prepare(
      'UPDATE record_outbox SET acknowledged_at_ms = ?, refused_code = ?, last_error = ? WHERE tab_id = ? AND acknowledged_at_ms IS NULL',
    ),
    markAttemptFailed: db.prepare(
      'UPDATE record_outbox SET attempts = ?, next_attempt_at_ms = ?, last_error = ? WHERE tab_id = ? AND acknowledged_at_ms IS NULL',
    ),
    replaceEnvelope: db.prepare(
      'UPDATE record_outbox SET record_id = ?, envelope_json = ? WHERE tab_id = ? AND acknowledged_at_ms IS NULL',
    ),
  };
}
type Statements = ReturnType<typeof prepareStatements>;

function tabFromRow(row: Row): TabRecord {
  return {
    tabId: text(row.tab_id),
    informationId: text(row.information_id),
    pseudonym: text(row.pseudonym),
    tabPublicKey: text(row.tab_public_key),
    currency: text(row.currency),
    deposit_minor: big(row.deposit_minor),
    spent_minor: big(row.spent_minor),
    chainUnit_minor: big(row.chain_unit_minor),
    chainLength: int(row.chain_length),
    chainRoot: text(row.chain_root),
    lastChainIndex: int(row.last_chain_index),
    lastChainLink: text(row.last_chain_link),
    purchaseCount: int(row.purchase_count),
    listKey: row.list_key === null ? null : text(row.list_key),
    openedAt_ms: int(row.opened_at_ms),
    expiresAt_ms: int(row.expires_at_ms),
    lifecycle: lifecycleFromRow(row),
  };
}

function lifecycleFromRow(row: Row): TabLifecycle {
  const status = text(row.status);
  if (status === 'open') return { status };
  const reason = row.stop_reason === null ? null : (text(row.stop_reason) as StopReason);
  const stoppedAt_ms = row.stopped_at_ms === null ? null : int(row.stopped_at_ms);
  if (status === 'stopped') {
    assert(reason !== null && stoppedAt_ms !== null, 'a stopped tab has a reason and a time');
    return { status, reason, stoppedAt_ms };
  }
  assert(status === 'cleared', `unknown tab status ${status}`);
  return {
    status,
    reason,
    stoppedAt_ms,
    cleared_minor: big(row.cleared_minor),
    outcome: text(row.clearing_outcome) as ClearingOutcome,
    clearedAt_ms: int(row.cleared_at_ms),
    revision: int(row.clearing_revision),
  };
}

function outboxEntryFromRow(row: Row): OutboxEntry {
  return {
    tabId: text(row.tab_id),
    recordId: text(row.record_id),
    envelopeJson: text(row.envelope_json),
    attempts: int(row.attempts),
    nextAttemptAt_ms: int(row.next_attempt_at_ms),
    lastError: row.last_error === null ? null : text(row.last_error),
    acknowledgedAt_ms: row.acknowledged_at_ms === null ? null : int(row.acknowledged_at_ms),
    refusedCode: row.refused_code === null ? null : text(row.refused_code),
  };
}
