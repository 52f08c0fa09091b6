// The agent's store in one SQLite file (the embedded default): a restart of the merchant's server
// loses no tab, no purchase and no record. Statements are prepared once and run synchronously on
// one connection; transactions take turns (one at a time, BEGIN IMMEDIATE), and a read outside
// a transaction waits for the one in progress, so nothing sees a write that may yet roll back.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { int, text } from './sqlite-columns';
import type {
  AgentStore,
  AgentStoreTransaction,
  OutboxEntry,
  SqlRow,
  SqlSession,
  StoredDisputeDecision,
  StoredKeyRotation,
  StoredReceipt,
  StoredReply,
} from './store';
import {
  disputeDecisionColumns,
  disputeDecisionFromRow,
  INSERT_DISPUTE_DECISION,
  KEEP_OPERATOR_KEY_ROTATION,
  keyRotationFromRow,
  lifecycleColumns,
  outboxEntryFromRow,
  purchaseFromRow,
  tabFromRow,
  type Row,
} from './store-rows';
import type { PurchaseRecord, TabLifecycle, TabRecord, TabStatus } from './tab-record';
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
 * purchase-list key. 6: what the agent learned of its operator's keys (the CA, rotation notices).
 * 7: the operator's decisions on disputed tabs. Never edit a step that has shipped: add the next one.
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

const VERSION_6 = `
CREATE TABLE operator_ca (
  operator_public_key TEXT PRIMARY KEY,
  ca_public_key TEXT NOT NULL,
  pinned_at_ms INTEGER NOT NULL
) STRICT;
CREATE TABLE operator_key_rotations (
  retiring_key TEXT PRIMARY KEY,
  successor_key TEXT NOT NULL,
  retires_at_ms INTEGER NOT NULL,
  notice_json TEXT NOT NULL,
  received_at_ms INTEGER NOT NULL
) STRICT;
`;

const VERSION_7 = `
CREATE TABLE dispute_decisions (
  tab_id TEXT PRIMARY KEY REFERENCES tabs (tab_id),
  dispute_id TEXT NOT NULL,
  decision TEXT NOT NULL CHECK (decision IN ('uphold', 'adjust')),
  cleared_before_minor INTEGER NOT NULL,
  cleared_after_minor INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  reason TEXT NOT NULL,
  decided_at_ms INTEGER NOT NULL,
  resolution_json TEXT NOT NULL,
  received_at_ms INTEGER NOT NULL
) STRICT;
`;

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
  steps: [SCHEMA, '', REPLIES_BY_AGE, VERSION_4, VERSION_5, VERSION_6, VERSION_7],
};

export class SqliteAgentStore implements AgentStore {
  readonly kind = 'sqlite';

  private readonly statements: Statements;

  private readonly flusher: WalFlusher | null;

  /** Settles when the transaction in progress ends; null when none is. */
  private turn: Promise<void> | null = null;

  private readonly tx: AgentStoreTransaction;

  readonly sql: SqlSession;

  private constructor(
    private readonly db: Database.Database,
    private readonly walFile: SyncedFile | null,
  ) {
    this.statements = prepareStatements(db);
    this.flusher = walFile === null ? null : new WalFlusher(walFile.sync, sqliteWriteCount(db));
    const session = sqliteSession(db);
    this.tx = sqliteTransaction(this.statements, session);
    this.sql = {
      all: (sql, params) => this.outside(() => session.all(sql, params)),
      run: (sql, params) => this.outside(() => session.run(sql, params)),
    };
  }

  /** Opens (creating if needed) the agent's SQLite file in WAL mode. */
  static open(path: string): SqliteAgentStore {
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
      return new SqliteAgentStore(db, path === ':memory:' ? null : syncedFile(`${path}-wal`));
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** The SQLite file, for an extension's own tables (extension.ts); the agent's tables are this class's to change. */
  get database(): Database.Database {
    return this.db;
  }

  ensureTables(ddl: string): Promise<void> {
    return this.outside(async () => {
      this.db.exec(ddl);
    });
  }

  async transaction<T>(work: (tx: AgentStoreTransaction) => Promise<T>): Promise<T> {
    while (this.turn !== null) await this.turn;
    let endTurn!: () => void;
    this.turn = new Promise((resolve) => (endTurn = resolve));
    try {
      this.statements.begin.run();
      let result: T;
      try {
        result = await work(this.tx);
      } catch (error) {
        if (this.db.inTransaction) this.statements.rollback.run();
        throw error;
      }
      this.statements.commit.run();
      return result;
    } finally {
      this.turn = null;
      endTurn();
    }
  }

  /** Runs a read or a one-statement write once no transaction is in progress. */
  private async outside<T>(work: () => Promise<T>): Promise<T> {
    while (this.turn !== null) await this.turn;
    return work();
  }

  /** Resolves once every transaction committed so far is on disk; shared by all callers waiting at once. */
  durable(): Promise<void> {
    return this.flusher?.flushed() ?? Promise.resolve();
  }

  async close(): Promise<void> {
    while (this.turn !== null) await this.turn;
    if (this.db.open) this.db.close();
    this.walFile?.close();
  }

  findTab(tabId: string) {
    return this.outside(() => this.tx.findTab(tabId));
  }

  findTabByChainRoot(chainRoot: string) {
    return this.outside(() => this.tx.findTabByChainRoot(chainRoot));
  }

  listTabs(filter: { status?: TabStatus; limit: number }) {
    return this.outside(() => this.tx.listTabs(filter));
  }

  expiredOpenTabIds(now_ms: number, limit: number) {
    return this.outside(() => this.tx.expiredOpenTabIds(now_ms, limit));
  }

  findPurchaseReply(purchaseId: string) {
    return this.outside(() => this.tx.findPurchaseReply(purchaseId));
  }

  receiptsAfter(tabId: string, afterSeq: number, limit: number) {
    return this.outside(() => this.tx.receiptsAfter(tabId, afterSeq, limit));
  }

  purchasesOf(tabId: string) {
    return this.outside(() => this.tx.purchasesOf(tabId));
  }

  findReply(messageId: string) {
    return this.outside(() => this.tx.findReply(messageId));
  }

  outboxEntry(tabId: string) {
    return this.outside(() => this.tx.outboxEntry(tabId));
  }

  nextRecordDue_ms() {
    return this.outside(() => this.tx.nextRecordDue_ms());
  }

  pruneReplies(olderThan_ms: number, limit: number): Promise<number> {
    return this.outside(async () => Number(this.statements.pruneReplies.run(olderThan_ms, limit).changes));
  }

  claimDueRecords(now_ms: number, limit: number, leaseUntil_ms: number): Promise<OutboxEntry[]> {
    return this.outside(async () =>
      (this.statements.claimDueRecords.all(leaseUntil_ms, now_ms, limit) as Row[]).map(outboxEntryFromRow),
    );
  }

  insertDisputeDecision(decision: StoredDisputeDecision, now_ms: number): Promise<boolean> {
    return this.outside(
      async () => this.statements.insertDisputeDecision.run(...disputeDecisionColumns(decision, now_ms)).changes > 0,
    );
  }

  disputeDecisionOf(tabId: string): Promise<StoredDisputeDecision | null> {
    return this.outside(async () => {
      const row = this.statements.disputeDecisionOf.get(tabId) as Row | undefined;
      return row === undefined ? null : disputeDecisionFromRow(row);
    });
  }

  operatorCa(operatorPublicKey: string): Promise<string | null> {
    return this.outside(async () => {
      const row = this.statements.operatorCa.get(operatorPublicKey) as Row | undefined;
      return row === undefined ? null : text(row.ca_public_key);
    });
  }

  pinOperatorCa(operatorPublicKey: string, caPublicKey: string, now_ms: number): Promise<void> {
    return this.outside(async () => void this.statements.pinOperatorCa.run(operatorPublicKey, caPublicKey, now_ms));
  }

  operatorKeyRotations(): Promise<StoredKeyRotation[]> {
    return this.outside(async () => (this.statements.operatorKeyRotations.all() as Row[]).map(keyRotationFromRow));
  }

  keepOperatorKeyRotation(rotation: StoredKeyRotation, now_ms: number): Promise<void> {
    return this.outside(
      async () =>
        void this.statements.keepOperatorKeyRotation.run(
          rotation.retiringKey,
          rotation.successorKey,
          rotation.retiresAt_ms,
          rotation.noticeJson,
          now_ms,
        ),
    );
  }
}

/**
 * The statements as the transaction's operations. Each runs synchronously and returns a settled
 * promise, so a whole business step holds the connection for one turn of the event loop.
 */
function sqliteTransaction(statements: Statements, sql: SqlSession): AgentStoreTransaction {
  const one = <T>(row: unknown, map: (row: Row) => T): T | null => (row === undefined ? null : map(row as Row));
  return {
    sql,
    async findTab(tabId) {
      return one(statements.findTab.get(tabId), tabFromRow);
    },
    async lockTab(tabId) {
      // BEGIN IMMEDIATE already holds the file's write lock.
      return one(statements.findTab.get(tabId), tabFromRow);
    },
    async findTabByChainRoot(chainRoot) {
      return one(statements.findTabByChainRoot.get(chainRoot), tabFromRow);
    },
    async listTabs(filter) {
      return (statements.listTabs.all({ status: filter.status ?? null, limit: filter.limit }) as Row[]).map(tabFromRow);
    },
    async expiredOpenTabIds(now_ms, limit) {
      return (statements.expiredOpenTabIds.all(now_ms, limit) as Row[]).map((row) => text(row.tab_id));
    },
    async findPurchaseReply(purchaseId) {
      return one(statements.findPurchaseReply.get(purchaseId), (row) => ({
        requestDigest: text(row.request_digest),
        responseJson: text(row.receipt_json),
      }));
    },
    async receiptsAfter(tabId, afterSeq, limit): Promise<StoredReceipt[]> {
      return (statements.receiptsAfter.all(tabId, afterSeq, limit) as Row[]).map((row) => ({
        receiptJson: text(row.receipt_json),
        chainLink: text(row.chain_link),
      }));
    },
    async purchasesOf(tabId) {
      return (statements.purchasesOf.all(tabId) as Row[]).map(purchaseFromRow);
    },
    async findReply(messageId): Promise<StoredReply | null> {
      return one(statements.findReply.get(messageId), (row) => ({
        requestDigest: text(row.request_digest),
        responseJson: text(row.response_json),
      }));
    },
    async outboxEntry(tabId) {
      return one(statements.outboxEntry.get(tabId), outboxEntryFromRow);
    },
    async nextRecordDue_ms() {
      const row = statements.nextRecordDue.get() as Row;
      return row.due === null ? null : int(row.due);
    },
    async insertTab(tab: TabRecord, informationJson: string) {
      assert(tab.lifecycle.status === 'open', 'a new tab is open');
      statements.insertTab.run({
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
    },
    async advanceTab(before: TabRecord, after: TabRecord) {
      const result = statements.advanceTab.run({
        tabId: after.tabId,
        spent: after.spent_minor,
        lastChainIndex: after.lastChainIndex,
        lastChainLink: after.lastChainLink,
        purchaseCount: after.purchaseCount,
        listKey: after.listKey,
        countBefore: before.purchaseCount,
        indexBefore: before.lastChainIndex,
      });
      return result.changes === 1;
    },
    async updateTabLifecycle(tabId: string, lifecycle: TabLifecycle) {
      const result = statements.updateLifecycle.run({ tabId, ...lifecycleColumns(lifecycle) });
      assert(result.changes === 1, `no tab ${tabId}`);
    },
    async insertPurchase(purchase: PurchaseRecord, requestDigest: string, receiptJson: string) {
      const result = statements.insertPurchase.run({
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
      return result.changes === 1;
    },
    async insertReply(messageId, kind, reply, now_ms) {
      statements.insertReply.run(messageId, kind, reply.requestDigest, reply.responseJson, now_ms);
    },
    async enqueueRecord(tabId, recordId, envelopeJson, firstAttemptAt_ms) {
      statements.enqueueRecord.run(tabId, recordId, envelopeJson, firstAttemptAt_ms);
    },
    async markRecordAcknowledged(tabId, recordId, ackJson, now_ms) {
      statements.markAcknowledged.run(now_ms, ackJson, tabId, recordId);
    },
    async markRecordRefused(tabId, code, message, now_ms) {
      statements.markRefused.run(now_ms, code, message.slice(0, 500), tabId);
    },
    async markRecordAttemptFailed(tabId, attempts, nextAttemptAt_ms, error) {
      statements.markAttemptFailed.run(attempts, nextAttemptAt_ms, error.slice(0, 500), tabId);
    },
    async replaceRecordEnvelope(tabId, recordId, envelopeJson) {
      statements.replaceEnvelope.run(recordId, envelopeJson, tabId);
    },
  };
}

/** Plain SQL on the file's one connection, each statement prepared once. */
function sqliteSession(db: Database.Database): SqlSession {
  const prepared = new Map<string, Database.Statement>();
  const statement = (sql: string) => {
    let found = prepared.get(sql);
    if (found === undefined) prepared.set(sql, (found = db.prepare(sql)));
    return found;
  };
  return {
    all: async (sql, params = []) => statement(sql).all(...params) as SqlRow[],
    run: async (sql, params = []) => Number(statement(sql).run(...params).changes),
  };
}

function prepareStatements(db: Database.Database) {
  return {
    findTab: db.prepare('SELECT * FROM tabs WHERE tab_id = ?'),
    insertTab:
      db.prepare(`INSERT INTO tabs (tab_id, information_id, information_json, pseudonym, tab_public_key, currency, deposit_minor,
      spent_minor, chain_unit_minor, chain_length, chain_root, last_chain_index, last_chain_link, purchase_count, opened_at_ms, expires_at_ms, status)
      VALUES (@tabId, @informationId, @informationJson, @pseudonym, @tabPublicKey, @currency, @deposit, @spent, @chainUnit, @chainLength,
      @chainRoot, @lastChainIndex, @lastChainLink, @purchaseCount, @openedAt, @expiresAt, 'open')`),
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    advanceTab:
      db.prepare(`UPDATE tabs SET spent_minor = @spent, last_chain_index = @lastChainIndex, last_chain_link = @lastChainLink,
      purchase_count = @purchaseCount, list_key = @listKey
      WHERE tab_id = @tabId AND status = 'open' AND purchase_count = @countBefore AND last_chain_index = @indexBefore`),
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
      receipt_json, created_at_ms) VALUES (@purchaseId, @tabId, @seq, @itemId, @price, @chainIndex, @chainLink, @requestDigest, @receiptJson, @createdAt)
      ON CONFLICT (purchase_id) DO NOTHING`),
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
    claimDueRecords: db.prepare(
      `UPDATE record_outbox SET next_attempt_at_ms = ? WHERE tab_id IN (SELECT tab_id FROM record_outbox
      WHERE acknowledged_at_ms IS NULL AND next_attempt_at_ms <= ? ORDER BY next_attempt_at_ms LIMIT ?) RETURNING *`,
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
    operatorCa: db.prepare('SELECT ca_public_key FROM operator_ca WHERE operator_public_key = ?'),
    insertDisputeDecision: db.prepare(INSERT_DISPUTE_DECISION.replace(/\$\d+/g, '?')),
    disputeDecisionOf: db.prepare('SELECT * FROM dispute_decisions WHERE tab_id = ?'),
    pinOperatorCa: db.prepare(
      'INSERT INTO operator_ca (operator_public_key, ca_public_key, pinned_at_ms) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    operatorKeyRotations: db.prepare('SELECT * FROM operator_key_rotations ORDER BY received_at_ms'),
    keepOperatorKeyRotation: db.prepare(KEEP_OPERATOR_KEY_ROTATION.replace(/\$\d/g, '?')),
  };
}
type Statements = ReturnType<typeof prepareStatements>;
