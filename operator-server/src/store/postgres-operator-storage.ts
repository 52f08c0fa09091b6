// The operator's storage on PostgreSQL, for operator processes that share one database. A
// transaction takes one client from the pool and runs every group of its work on that client
// (the ledger in a savepoint per call, as postgres-ledger.ts does), then commits, or rolls back
// when the work throws. A call on the storage itself runs on the pool: each of the record groups'
// methods is one statement, a transaction of its own; a ledger call, which needs a transaction
// for its savepoint, is given one.
//
// Isolation: READ COMMITTED, deliberately. The ledger is built for it: a hold is one conditional
// UPDATE of the account row, re-checked on the newest row version after the row lock is granted,
// and an entry locks its accounts in id order. Every state change of a transaction or a tab is one
// conditional UPDATE whose result decides (hold-deadline.ts: "the conditional state change
// decides"). Under READ COMMITTED, racers queue on the row lock and the loser's WHERE simply
// matches nothing. SERIALIZABLE would instead abort any transaction updating a row that another
// changed and committed since it began, and busy accounts (a merchant's, the funding and fx accounts that every capture
// moves) would retry once per concurrent writer. The cost of READ COMMITTED: unlike the SQLite
// file, transactions here do run at the same time, so work must base its decisions on the
// conditional updates' answers (and the ledger's refusals), never on a plain read made earlier.
//
// A deadlock (40P01) or a serialization failure (40001: PostgreSQL-compatible distributed
// databases raise it where PostgreSQL's READ COMMITTED would wait) rolls the transaction back and
// runs the work again, at most `maxAttempts` times in all, after a short jittered pause that lets
// the other transaction finish first (run again at once, the victim can take the same locks
// before the transaction it gave way to and deadlock anew). That is safe because the work uses
// only `tx`: a rolled-back attempt left nothing behind. A conflict the work caught (a ledger call
// failing with one, taken for a refusal) dooms that attempt all the same.

import {
  type BackoffPolicy,
  migratePostgres,
  type OutboxDelivery,
  type OutboxTableEntry,
  PostgresOutbox,
  retryDelay_ms,
} from '@opentab/server-kit';
import { type Clock, systemClock } from '@opentab/protocol';
import { POSTGRES_LEDGER_MIGRATIONS, PostgresLedger, postgresLedgerAccess } from '../ledger/postgres-ledger';
import { deliverDueMessages, operatorOutboxDelivery, type OutboxDeliverer } from '../outbox/outbox';
import { postgresOutboxAccess } from '../outbox/postgres-outbox-access';
import { postgresOperatorRecordGroups } from './postgres-operator-records';
import { postgresReceiptAccess } from './postgres-receipts';
import { postgresStaffAccess } from './postgres-staff';
import {
  LEDGER_METHODS,
  type LedgerAccess,
  type OperatorStorage,
  type OperatorStoreTransaction,
} from './operator-storage';
import { postgresCustomerAccess } from './postgres-customers';
import { postgresMerchantAccess, type StoreConnection } from './postgres-merchants';
import { POSTGRES_OPERATOR_MIGRATIONS } from './postgres-schema';
import { postgresTabAccess } from './postgres-tabs';
import { postgresTransactionAccess } from './postgres-transactions';

/** What the storage needs of a pool's client (node-postgres's PoolClient fits). */
export interface StoreClient extends StoreConnection {
  /** Back to the pool; with an error, the connection is closed instead. */
  release(error?: Error): void;
}

/** What the storage needs of a pool (node-postgres's Pool fits). */
export interface StorePool extends StoreConnection {
  connect(): Promise<StoreClient>;
  end(): Promise<void>;
}

/** The SQLSTATEs after which a transaction is run again: serialization_failure, deadlock_detected. */
export const RETRIED_SQLSTATES = ['40001', '40P01'] as const;
export type RetriedSqlState = (typeof RETRIED_SQLSTATES)[number];

export interface PostgresOperatorStorageOptions {
  readonly pool: StorePool;
  readonly operatorId: string;
  /** The ledger's clock (the time of its accounts, holds and entries). */
  readonly clock?: Clock;
  /** How many times in all a transaction's work may run when it meets deadlocks or serialization failures. */
  readonly maxAttempts?: number;
  /** The pause before running the work again. */
  readonly retryBackoff?: BackoffPolicy;
  /** Told of each attempt rolled back to be run again, and why. */
  readonly onRetry?: (retry: { readonly sqlState: RetriedSqlState; readonly attempt: number }) => void;
}

const DEFAULT_MAX_ATTEMPTS = 5;
/** A few milliseconds: time for the transaction that won to commit, not a wait on a receiver. */
const DEFAULT_RETRY_BACKOFF: BackoffPolicy = { base_ms: 5, max_ms: 100 };

export class PostgresOperatorStorage implements OperatorStorage {
  readonly kind = 'postgres';
  readonly ledger: LedgerAccess;
  readonly customers;
  readonly merchants;
  readonly transactions;
  readonly tabs;
  readonly outbox;
  readonly receipts;
  readonly staff;
  readonly revocations;
  readonly ownKeys;
  readonly peerKeyRetirements;
  readonly issuedCertificates;
  readonly rateTables;
  readonly refunds;
  readonly disputeDecisions;
  readonly delivery;
  readonly processes;
  private readonly pool: StorePool;
  private closing: Promise<void> | null = null;
  private readonly ledgerStatements: PostgresLedger;
  private readonly outboxTable: PostgresOutbox;
  private readonly outboxDelivery: OutboxDelivery<OutboxTableEntry>;
  private readonly maxAttempts: number;

  constructor(private readonly options: PostgresOperatorStorageOptions) {
    this.pool = options.pool;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.ledgerStatements = new PostgresLedger(options.clock ?? systemClock);
    this.outboxTable = new PostgresOutbox(options.pool, 'outbox');
    this.outboxDelivery = operatorOutboxDelivery(this.outboxTable.storage);
    const outside = this.groupsOn(options.pool);
    this.customers = outside.customers;
    this.merchants = outside.merchants;
    this.transactions = outside.transactions;
    this.tabs = outside.tabs;
    this.outbox = outside.outbox;
    this.receipts = outside.receipts;
    this.staff = outside.staff;
    this.revocations = outside.revocations;
    this.ownKeys = outside.ownKeys;
    this.peerKeyRetirements = outside.peerKeyRetirements;
    this.issuedCertificates = outside.issuedCertificates;
    this.rateTables = outside.rateTables;
    this.refunds = outside.refunds;
    this.disputeDecisions = outside.disputeDecisions;
    this.delivery = outside.delivery;
    this.processes = outside.processes;
    const ledger: Record<string, unknown> = {};
    for (const name of LEDGER_METHODS)
      ledger[name] = (...args: unknown[]) =>
        this.transaction((tx) => (tx.ledger[name] as (...args: unknown[]) => Promise<unknown>)(...args));
    this.ledger = ledger as unknown as LedgerAccess;
  }

  /** Brings the database to the ledger's and the store's latest schema (once, however many processes start). */
  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await migratePostgres(client, POSTGRES_LEDGER_MIGRATIONS);
      await migratePostgres(client, POSTGRES_OPERATOR_MIGRATIONS);
    } finally {
      client.release();
    }
  }

  /** COMMIT is durable here: a message may leave as soon as it is claimed. */
  deliverDueOutbox(now_ms: number, deliver: OutboxDeliverer): Promise<number> {
    return deliverDueMessages(this.outboxDelivery, now_ms, deliver);
  }

  /**
   * Closes the pool once the transactions in progress have returned their clients. A second call
   * waits for the same close, as closing a SQLite file twice does: the pool refuses a second end.
   */
  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }

  transaction<T>(work: (tx: OperatorStoreTransaction) => Promise<T>): Promise<T> {
    return this.run('BEGIN ISOLATION LEVEL READ COMMITTED', work);
  }

  /** REPEATABLE READ: every statement reads the snapshot the first one took; READ ONLY refuses writes. */
  snapshot<T>(work: (tx: OperatorStoreTransaction) => Promise<T>): Promise<T> {
    return this.run('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', work);
  }

  private async run<T>(begin: string, work: (tx: OperatorStoreTransaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      for (let attempt = 1; ; attempt++) {
        const watched = watchForConflicts(client);
        try {
          await watched.connection.query(begin);
          const result = await work(this.groupsOn(watched.connection));
          const caught = watched.conflict();
          if (caught !== null) throw caught.error;
          await watched.connection.query('COMMIT');
          return result;
        } catch (error) {
          try {
            // After a failed COMMIT there is no transaction left: PostgreSQL only warns.
            await client.query('ROLLBACK');
          } catch (rollbackError) {
            broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
            throw error;
          }
          const conflict = watched.conflict();
          if (conflict === null || attempt >= this.maxAttempts) throw error;
          this.options.onRetry?.({ sqlState: conflict.sqlState, attempt });
          const pause_ms = retryDelay_ms(attempt, this.options.retryBackoff ?? DEFAULT_RETRY_BACKOFF);
          await new Promise((resolve) => setTimeout(resolve, pause_ms));
        }
      }
    } finally {
      client.release(broken);
    }
  }

  private groupsOn(connection: StoreConnection): OperatorStoreTransaction {
    return {
      ledger: postgresLedgerAccess(this.ledgerStatements, connection),
      customers: postgresCustomerAccess(connection, this.options.operatorId),
      merchants: postgresMerchantAccess(connection),
      transactions: postgresTransactionAccess(connection),
      tabs: postgresTabAccess(connection),
      outbox: postgresOutboxAccess(this.outboxTable, connection),
      receipts: postgresReceiptAccess(connection),
      staff: postgresStaffAccess(connection),
      ...postgresOperatorRecordGroups(connection),
    };
  }
}

function retriedSqlState(error: unknown): RetriedSqlState | null {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return RETRIED_SQLSTATES.find((state) => state === code) ?? null;
}

/** `client`, remembering the first deadlock or serialization failure any statement met. */
function watchForConflicts(client: StoreConnection): {
  readonly connection: StoreConnection;
  conflict(): { readonly sqlState: RetriedSqlState; readonly error: unknown } | null;
} {
  let first: { readonly sqlState: RetriedSqlState; readonly error: unknown } | null = null;
  return {
    connection: {
      async query(text, values) {
        try {
          return await client.query(text, values);
        } catch (error) {
          const sqlState = retriedSqlState(error);
          if (sqlState !== null) first ??= { sqlState, error };
          throw error;
        }
      },
    },
    conflict: () => first,
  };
}
