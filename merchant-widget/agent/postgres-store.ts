// The agent's store in a PostgreSQL database, which several agent processes of one merchant can
// share behind a load balancer. Each transaction runs on one pooled connection at the server's
// default isolation (READ COMMITTED on PostgreSQL); what keeps processes from stepping on each
// other is explicit: a purchase advances its tab with a conditional UPDATE (it matches only the
// tab as the purchase was decided on), every other change reads its tab FOR UPDATE first, and the
// record outbox is claimed with FOR UPDATE SKIP LOCKED plus a lease. A commit is on disk when
// COMMIT returns (synchronous_commit), so `durable` has nothing to wait for.

import { migratePostgres, type PostgresMigrations } from '@opentab/server-kit';
import pg from 'pg';
import { ADMIN_AND_DELIVERY_TABLES } from './postgres-admin-delivery-schema';
import { int, text } from './sqlite-columns';
import type {
  AgentStore,
  AgentStoreReads,
  AgentStoreTransaction,
  OutboxEntry,
  SqlSession,
  StoredDisputeDecision,
  StoredKeyRotation,
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
import type { TabStatus } from './tab-record';

/**
 * The agent's numbered steps on PostgreSQL (the server kit's migratePostgres). 1: tabs (one per
 * chain root), purchases, replies, record outbox, as SQLite's five steps leave them. 2: refunds,
 * catalogue edits and delivery orders (postgres-admin-delivery-schema.ts). 3: what the agent
 * learned of its operator's keys (the CA, rotation notices). 4: the operator's decisions on
 * disputed tabs. Never edit a step that has shipped: add the next one. Integers are BIGINT, money
 * in minor units.
 */
const SCHEMA = `
CREATE TABLE tabs (
  tab_id TEXT PRIMARY KEY,
  information_id TEXT NOT NULL UNIQUE,
  information_json TEXT NOT NULL,
  pseudonym TEXT NOT NULL,
  tab_public_key TEXT NOT NULL,
  currency TEXT NOT NULL,
  deposit_minor BIGINT NOT NULL CHECK (deposit_minor > 0),
  spent_minor BIGINT NOT NULL CHECK (spent_minor >= 0 AND spent_minor <= deposit_minor),
  chain_unit_minor BIGINT NOT NULL CHECK (chain_unit_minor > 0),
  chain_length BIGINT NOT NULL,
  chain_root TEXT NOT NULL UNIQUE,
  last_chain_index BIGINT NOT NULL CHECK (last_chain_index <= chain_length),
  last_chain_link TEXT NOT NULL,
  purchase_count BIGINT NOT NULL,
  list_key TEXT,
  opened_at_ms BIGINT NOT NULL,
  expires_at_ms BIGINT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'stopped', 'cleared')),
  stop_reason TEXT,
  stopped_at_ms BIGINT,
  cleared_minor BIGINT,
  clearing_outcome TEXT,
  cleared_at_ms BIGINT,
  clearing_revision BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX tabs_open_by_expiry ON tabs (expires_at_ms) WHERE status = 'open';

CREATE TABLE purchases (
  purchase_id TEXT PRIMARY KEY,
  tab_id TEXT NOT NULL REFERENCES tabs (tab_id),
  seq BIGINT NOT NULL,
  item_id TEXT NOT NULL,
  price_minor BIGINT NOT NULL,
  chain_index BIGINT NOT NULL,
  chain_link TEXT NOT NULL,
  request_digest TEXT NOT NULL,
  receipt_json TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  UNIQUE (tab_id, seq)
);

CREATE TABLE replies (
  message_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  request_digest TEXT NOT NULL,
  response_json TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL
);
CREATE INDEX replies_by_age ON replies (created_at_ms);

CREATE TABLE record_outbox (
  tab_id TEXT PRIMARY KEY REFERENCES tabs (tab_id),
  record_id TEXT NOT NULL,
  envelope_json TEXT NOT NULL,
  attempts BIGINT NOT NULL DEFAULT 0,
  next_attempt_at_ms BIGINT NOT NULL,
  last_error TEXT,
  acknowledged_at_ms BIGINT,
  ack_json TEXT,
  refused_code TEXT
);
CREATE INDEX record_outbox_due ON record_outbox (next_attempt_at_ms) WHERE acknowledged_at_ms IS NULL;
`;

const OPERATOR_KEYS = `
CREATE TABLE operator_ca (
  operator_public_key TEXT PRIMARY KEY,
  ca_public_key TEXT NOT NULL,
  pinned_at_ms BIGINT NOT NULL
);
CREATE TABLE operator_key_rotations (
  retiring_key TEXT PRIMARY KEY,
  successor_key TEXT NOT NULL,
  retires_at_ms BIGINT NOT NULL,
  notice_json TEXT NOT NULL,
  received_at_ms BIGINT NOT NULL
);
`;

const DISPUTE_DECISIONS = `
CREATE TABLE dispute_decisions (
  tab_id TEXT PRIMARY KEY REFERENCES tabs (tab_id),
  dispute_id TEXT NOT NULL,
  decision TEXT NOT NULL CHECK (decision IN ('uphold', 'adjust')),
  cleared_before_minor BIGINT NOT NULL,
  cleared_after_minor BIGINT NOT NULL,
  revision BIGINT NOT NULL,
  reason TEXT NOT NULL,
  decided_at_ms BIGINT NOT NULL,
  resolution_json TEXT NOT NULL,
  received_at_ms BIGINT NOT NULL
);
`;

export const AGENT_POSTGRES_MIGRATIONS: PostgresMigrations = {
  store: 'merchant agent database',
  steps: [SCHEMA, ADMIN_AND_DELIVERY_TABLES, OPERATOR_KEYS, DISPUTE_DECISIONS],
};

/** SQLSTATEs after which a transaction is run again from the start: nothing it did was kept. */
const RETRYABLE = new Set(['40001', '40P01']);
const TRANSACTION_ATTEMPTS = 5;

/** The advisory lock under which processes starting at once create extension tables one at a time. */
const ENSURE_TABLES_LOCK = 0x6f70_6e74_6162; // "opntab"

const INT8_OID = 20;
/** BIGINT columns arrive as bigint, exact, as SQLite's do with safe integers on. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => BigInt(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

const SQL = {
  findTab: 'SELECT * FROM tabs WHERE tab_id = $1',
  lockTab: 'SELECT * FROM tabs WHERE tab_id = $1 FOR UPDATE',
  findTabByChainRoot: 'SELECT * FROM tabs WHERE chain_root = $1',
  listTabs: 'SELECT * FROM tabs WHERE ($1::text IS NULL OR status = $1) ORDER BY opened_at_ms DESC, tab_id LIMIT $2',
  expiredOpenTabIds:
    "SELECT tab_id FROM tabs WHERE status = 'open' AND expires_at_ms <= $1 ORDER BY expires_at_ms LIMIT $2",
  findPurchaseReply: 'SELECT request_digest, receipt_json FROM purchases WHERE purchase_id = $1',
  receiptsAfter: 'SELECT receipt_json, chain_link FROM purchases WHERE tab_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
  purchasesOf: 'SELECT * FROM purchases WHERE tab_id = $1 ORDER BY seq',
  findReply: 'SELECT request_digest, response_json FROM replies WHERE message_id = $1',
  outboxEntry: 'SELECT * FROM record_outbox WHERE tab_id = $1',
  nextRecordDue: 'SELECT MIN(next_attempt_at_ms) AS due FROM record_outbox WHERE acknowledged_at_ms IS NULL',
  insertTab: `INSERT INTO tabs (tab_id, information_id, information_json, pseudonym, tab_public_key, currency,
    deposit_minor, spent_minor, chain_unit_minor, chain_length, chain_root, last_chain_index, last_chain_link,
    purchase_count, opened_at_ms, expires_at_ms, status)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'open')`,
  advanceTab: `UPDATE tabs SET spent_minor = $2, last_chain_index = $3, last_chain_link = $4, purchase_count = $5,
    list_key = $6 WHERE tab_id = $1 AND status = 'open' AND purchase_count = $7 AND last_chain_index = $8`,
  updateLifecycle: `UPDATE tabs SET status = $2, stop_reason = $3, stopped_at_ms = $4, cleared_minor = $5,
    clearing_outcome = $6, cleared_at_ms = $7, clearing_revision = $8 WHERE tab_id = $1`,
  insertPurchase: `INSERT INTO purchases (purchase_id, tab_id, seq, item_id, price_minor, chain_index, chain_link,
    request_digest, receipt_json, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
    ON CONFLICT (purchase_id) DO NOTHING`,
  insertReply:
    'INSERT INTO replies (message_id, kind, request_digest, response_json, created_at_ms) VALUES ($1, $2, $3, $4, $5)',
  pruneReplies: `DELETE FROM replies WHERE message_id IN
    (SELECT message_id FROM replies WHERE created_at_ms < $1 ORDER BY created_at_ms LIMIT $2)`,
  enqueueRecord:
    'INSERT INTO record_outbox (tab_id, record_id, envelope_json, next_attempt_at_ms) VALUES ($1, $2, $3, $4)',
  // SKIP LOCKED: two processes claiming at once take different records instead of queueing on the same.
  claimDueRecords: `UPDATE record_outbox SET next_attempt_at_ms = $1 WHERE tab_id IN
    (SELECT tab_id FROM record_outbox WHERE acknowledged_at_ms IS NULL AND next_attempt_at_ms <= $2
     ORDER BY next_attempt_at_ms LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING *`,
  markAcknowledged: `UPDATE record_outbox SET acknowledged_at_ms = $1, ack_json = $2, last_error = NULL
    WHERE tab_id = $3 AND record_id = $4`,
  markRefused: `UPDATE record_outbox SET acknowledged_at_ms = $1, refused_code = $2, last_error = $3
    WHERE tab_id = $4 AND acknowledged_at_ms IS NULL`,
  markAttemptFailed: `UPDATE record_outbox SET attempts = $1, next_attempt_at_ms = $2, last_error = $3
    WHERE tab_id = $4 AND acknowledged_at_ms IS NULL`,
  replaceEnvelope:
    'UPDATE record_outbox SET record_id = $1, envelope_json = $2 WHERE tab_id = $3 AND acknowledged_at_ms IS NULL',
  operatorCa: 'SELECT ca_public_key FROM operator_ca WHERE operator_public_key = $1',
  pinOperatorCa:
    'INSERT INTO operator_ca (operator_public_key, ca_public_key, pinned_at_ms) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
  operatorKeyRotations: 'SELECT * FROM operator_key_rotations ORDER BY received_at_ms',
  keepOperatorKeyRotation: KEEP_OPERATOR_KEY_ROTATION,
  insertDisputeDecision: INSERT_DISPUTE_DECISION,
  disputeDecisionOf: 'SELECT * FROM dispute_decisions WHERE tab_id = $1',
} as const;
type Statement = keyof typeof SQL;

/** Runs one of the store's statements, prepared once per connection under its name. */
type Run = (statement: Statement, values: readonly unknown[]) => Promise<pg.QueryResult<Row>>;

export class PostgresAgentStore implements AgentStore {
  readonly kind = 'postgres';

  private readonly reads: AgentStoreReads;

  readonly sql: SqlSession;

  private constructor(private readonly pool: pg.Pool) {
    this.reads = postgresOperations(
      (statement, values) => pool.query<Row>(named(statement, values)),
      plainSql((text, values) => pool.query<Row>(text, values)),
    );
    this.sql = plainSql((text, values) => pool.query<Row>(text, values));
  }

  /** Connects, and brings the database to the schema this code expects (once, however many processes start). */
  static async open(settings: { url: string; poolSize: number }, onError: (error: Error) => void) {
    const pool = new pg.Pool({ connectionString: settings.url, max: settings.poolSize, types });
    // An idle connection the server dropped: the pool replaces it; without a listener it would crash the process.
    pool.on('error', onError);
    try {
      const client = await pool.connect();
      try {
        await migratePostgres(client, AGENT_POSTGRES_MIGRATIONS);
      } finally {
        client.release();
      }
      return new PostgresAgentStore(pool);
    } catch (error) {
      await pool.end();
      throw error;
    }
  }

  async ensureTables(ddl: string): Promise<void> {
    // CREATE TABLE IF NOT EXISTS is not safe against itself: two at once may both try to create.
    await this.transaction(async (tx) => {
      await tx.sql.all('SELECT pg_advisory_xact_lock(?)', [ENSURE_TABLES_LOCK]);
      await tx.sql.run(ddl);
    });
  }

  async transaction<T>(work: (tx: AgentStoreTransaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      const tx = postgresOperations(
        (statement, values) => client.query<Row>(named(statement, values)),
        plainSql((text, values) => client.query<Row>(text, values)),
      );
      for (let attempt = 1; ; attempt++) {
        await client.query('BEGIN');
        try {
          const result = await work(tx);
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
          if (broken !== undefined || attempt >= TRANSACTION_ATTEMPTS || !isRetryable(error)) throw error;
        }
      }
    } finally {
      // A connection whose ROLLBACK failed is in an unknown state: the pool closes it instead of reusing it.
      client.release(broken);
    }
  }

  findTab = (tabId: string) => this.reads.findTab(tabId);
  findTabByChainRoot = (chainRoot: string) => this.reads.findTabByChainRoot(chainRoot);
  listTabs = (filter: { status?: TabStatus; limit: number }) => this.reads.listTabs(filter);
  expiredOpenTabIds = (now_ms: number, limit: number) => this.reads.expiredOpenTabIds(now_ms, limit);
  findPurchaseReply = (purchaseId: string) => this.reads.findPurchaseReply(purchaseId);
  receiptsAfter = (tabId: string, afterSeq: number, limit: number) => this.reads.receiptsAfter(tabId, afterSeq, limit);
  purchasesOf = (tabId: string) => this.reads.purchasesOf(tabId);
  findReply = (messageId: string) => this.reads.findReply(messageId);
  outboxEntry = (tabId: string) => this.reads.outboxEntry(tabId);
  nextRecordDue_ms = () => this.reads.nextRecordDue_ms();

  async pruneReplies(olderThan_ms: number, limit: number): Promise<number> {
    return (await this.pool.query(named('pruneReplies', [olderThan_ms, limit]))).rowCount ?? 0;
  }

  async claimDueRecords(now_ms: number, limit: number, leaseUntil_ms: number): Promise<OutboxEntry[]> {
    const { rows } = await this.pool.query<Row>(named('claimDueRecords', [leaseUntil_ms, now_ms, limit]));
    return rows.map(outboxEntryFromRow);
  }

  async insertDisputeDecision(decision: StoredDisputeDecision, now_ms: number): Promise<boolean> {
    const result = await this.pool.query(named('insertDisputeDecision', disputeDecisionColumns(decision, now_ms)));
    return (result.rowCount ?? 0) > 0;
  }

  async disputeDecisionOf(tabId: string): Promise<StoredDisputeDecision | null> {
    const { rows } = await this.pool.query<Row>(named('disputeDecisionOf', [tabId]));
    return rows.length === 0 ? null : disputeDecisionFromRow(rows[0]!);
  }

  async operatorCa(operatorPublicKey: string): Promise<string | null> {
    const { rows } = await this.pool.query<Row>(named('operatorCa', [operatorPublicKey]));
    return rows.length === 0 ? null : text(rows[0]!.ca_public_key);
  }

  async pinOperatorCa(operatorPublicKey: string, caPublicKey: string, now_ms: number): Promise<void> {
    await this.pool.query(named('pinOperatorCa', [operatorPublicKey, caPublicKey, now_ms]));
  }

  async operatorKeyRotations(): Promise<StoredKeyRotation[]> {
    return (await this.pool.query<Row>(named('operatorKeyRotations', []))).rows.map(keyRotationFromRow);
  }

  async keepOperatorKeyRotation(rotation: StoredKeyRotation, now_ms: number): Promise<void> {
    const { retiringKey, successorKey, retiresAt_ms, noticeJson } = rotation;
    await this.pool.query(
      named('keepOperatorKeyRotation', [retiringKey, successorKey, retiresAt_ms, noticeJson, now_ms]),
    );
  }

  durable(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

function named(statement: Statement, values: readonly unknown[]): pg.QueryConfig {
  return { name: `agent_${statement}`, text: SQL[statement], values: [...values] };
}

function isRetryable(error: unknown): boolean {
  return error instanceof Error && 'code' in error && RETRYABLE.has(String(error.code));
}

/** `?` placeholders numbered as PostgreSQL's $1, $2, …; the SQL's string literals never hold a `?`. */
function numbered(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
}

function plainSql(query: (text: string, values: unknown[] | undefined) => Promise<pg.QueryResult<Row>>): SqlSession {
  return {
    // Without parameters, a text of several statements runs as one (DDL).
    all: async (sql, params = []) => (await query(numbered(sql), params.length === 0 ? undefined : [...params])).rows,
    run: async (sql, params = []) =>
      (await query(numbered(sql), params.length === 0 ? undefined : [...params])).rowCount ?? 0,
  };
}

function postgresOperations(run: Run, sql: SqlSession): AgentStoreTransaction {
  const one = async <T>(statement: Statement, values: readonly unknown[], map: (row: Row) => T) => {
    const { rows } = await run(statement, values);
    return rows.length === 0 ? null : map(rows[0]!);
  };
  const changed = async (statement: Statement, values: readonly unknown[]) => (await run(statement, values)).rowCount;
  return {
    sql,
    findTab: (tabId) => one('findTab', [tabId], tabFromRow),
    lockTab: (tabId) => one('lockTab', [tabId], tabFromRow),
    findTabByChainRoot: (chainRoot) => one('findTabByChainRoot', [chainRoot], tabFromRow),
    listTabs: async (filter) => (await run('listTabs', [filter.status ?? null, filter.limit])).rows.map(tabFromRow),
    expiredOpenTabIds: async (now_ms, limit) =>
      (await run('expiredOpenTabIds', [now_ms, limit])).rows.map((row) => text(row.tab_id)),
    findPurchaseReply: (purchaseId) =>
      one('findPurchaseReply', [purchaseId], (row) => ({
        requestDigest: text(row.request_digest),
        responseJson: text(row.receipt_json),
      })),
    receiptsAfter: async (tabId, afterSeq, limit) =>
      (await run('receiptsAfter', [tabId, afterSeq, limit])).rows.map((row) => ({
        receiptJson: text(row.receipt_json),
        chainLink: text(row.chain_link),
      })),
    purchasesOf: async (tabId) => (await run('purchasesOf', [tabId])).rows.map(purchaseFromRow),
    findReply: (messageId) =>
      one('findReply', [messageId], (row) => ({
        requestDigest: text(row.request_digest),
        responseJson: text(row.response_json),
      })),
    outboxEntry: (tabId) => one('outboxEntry', [tabId], outboxEntryFromRow),
    nextRecordDue_ms: async () => {
      const due = (await run('nextRecordDue', [])).rows[0]?.due;
      return due === null || due === undefined ? null : int(due);
    },
    insertTab: async (tab, informationJson) => {
      await run('insertTab', [
        tab.tabId,
        tab.informationId,
        informationJson,
        tab.pseudonym,
        tab.tabPublicKey,
        tab.currency,
        tab.deposit_minor,
        tab.spent_minor,
        tab.chainUnit_minor,
        tab.chainLength,
        tab.chainRoot,
        tab.lastChainIndex,
        tab.lastChainLink,
        tab.purchaseCount,
        tab.openedAt_ms,
        tab.expiresAt_ms,
      ]);
    },
    advanceTab: async (before, after) =>
      (await changed('advanceTab', [
        after.tabId,
        after.spent_minor,
        after.lastChainIndex,
        after.lastChainLink,
        after.purchaseCount,
        after.listKey,
        before.purchaseCount,
        before.lastChainIndex,
      ])) === 1,
    updateTabLifecycle: async (tabId, lifecycle) => {
      const c = lifecycleColumns(lifecycle);
      const count = await changed('updateLifecycle', [
        tabId,
        c.status,
        c.reason,
        c.stoppedAt,
        c.cleared,
        c.outcome,
        c.clearedAt,
        c.revision,
      ]);
      if (count !== 1) throw new Error(`no tab ${tabId}`);
    },
    insertPurchase: async (purchase, requestDigest, receiptJson) =>
      (await changed('insertPurchase', [
        purchase.purchaseId,
        purchase.tabId,
        purchase.seq,
        purchase.itemId,
        purchase.price_minor,
        purchase.chainIndex,
        purchase.chainLink,
        requestDigest,
        receiptJson,
        purchase.createdAt_ms,
      ])) === 1,
    insertReply: async (messageId, kind, reply, now_ms) => {
      await run('insertReply', [messageId, kind, reply.requestDigest, reply.responseJson, now_ms]);
    },
    enqueueRecord: async (tabId, recordId, envelopeJson, firstAttemptAt_ms) => {
      await run('enqueueRecord', [tabId, recordId, envelopeJson, firstAttemptAt_ms]);
    },
    markRecordAcknowledged: async (tabId, recordId, ackJson, now_ms) => {
      await run('markAcknowledged', [now_ms, ackJson, tabId, recordId]);
    },
    markRecordRefused: async (tabId, code, message, now_ms) => {
      await run('markRefused', [now_ms, code, message.slice(0, 500), tabId]);
    },
    markRecordAttemptFailed: async (tabId, attempts, nextAttemptAt_ms, error) => {
      await run('markAttemptFailed', [attempts, nextAttemptAt_ms, error.slice(0, 500), tabId]);
    },
    replaceRecordEnvelope: async (tabId, recordId, envelopeJson) => {
      await run('replaceEnvelope', [recordId, envelopeJson, tabId]);
    },
  };
}
