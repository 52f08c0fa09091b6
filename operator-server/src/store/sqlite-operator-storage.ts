// The operator's storage on its SQLite file, the embedded default. One connection, so one
// transaction at a time: `transaction` queues behind the one in progress, opens BEGIN IMMEDIATE,
// runs the work and commits, or rolls back if it throws. The statements themselves are the
// synchronous ones of OperatorStore, Ledger, Outbox and MessageReceiptStore: a call answers
// through a promise that is already settled, with no round trip and no thread hop. A ledger call inside the transaction
// runs in a savepoint of it, so a ledger refusal undoes only its own writes, as before.

import type Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import type { Ledger } from '../ledger';
import type { Outbox, OutboxDeliverer } from '../outbox/outbox';
import { MessageReceiptStore } from './message-receipt-store';
import { StaffStore } from '../staff/staff-store';
import type { OperatorStore } from './operator-store';
import {
  CUSTOMER_METHODS,
  LEDGER_METHODS,
  MERCHANT_METHODS,
  type OperatorStorage,
  type OperatorStoreTransaction,
  OUTBOX_METHODS,
  RECEIPT_METHODS,
  STAFF_METHODS,
  TAB_METHODS,
  TRANSACTION_METHODS,
} from './operator-storage';
import { type Call, promised } from './promised-methods';
import { type SqliteRecordTables, sqliteRecordGroups, sqliteRecordTables } from './sqlite-operator-records';

export interface SqliteOperatorParts {
  readonly db: Database.Database;
  readonly store: OperatorStore;
  readonly ledger: Ledger;
  readonly outbox: Outbox;
  /**
   * Resolves once everything committed so far is on disk (the WAL flusher): the outbox sends
   * nothing before it. Without one (a store on its own, in tests), a commit counts as durable.
   */
  readonly durable?: () => Promise<void>;
}

export class SqliteOperatorStorage implements OperatorStorage {
  readonly kind = 'sqlite';
  readonly ledger;
  readonly customers;
  readonly merchants;
  readonly transactions;
  readonly tabs;
  readonly outbox;
  readonly revocations;
  readonly ownKeys;
  readonly peerKeyRetirements;
  readonly issuedCertificates;
  readonly rateTables;
  readonly refunds;
  readonly disputeDecisions;
  readonly delivery;
  readonly processes;
  private readonly recordTables: SqliteRecordTables;
  readonly receipts;
  readonly staff;
  private readonly staffStore: StaffStore;
  private readonly tx: OperatorStoreTransaction;
  private readonly control: { readonly begin: Statement; readonly commit: Statement; readonly rollback: Statement };
  /** Settles when the transaction in progress (and every one queued before it) has ended. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly receiptStore: MessageReceiptStore;

  constructor(private readonly parts: SqliteOperatorParts) {
    // Prepared once, as better-sqlite3's own transactions do: exec() parses the text every time.
    this.control = {
      begin: parts.db.prepare('BEGIN IMMEDIATE'),
      commit: parts.db.prepare('COMMIT'),
      rollback: parts.db.prepare('ROLLBACK'),
    };
    this.recordTables = sqliteRecordTables(parts.db);
    this.receiptStore = new MessageReceiptStore(parts.db);
    this.staffStore = new StaffStore(parts.db);
    const inside: Call = async (step) => step();
    this.tx = this.accessThrough(inside);
    // One statement commits by itself: it only has to wait for the transaction in progress.
    const outside = this.accessThrough((step) => this.inTurn(async () => step()));
    this.ledger = outside.ledger;
    this.customers = outside.customers;
    this.merchants = outside.merchants;
    this.transactions = outside.transactions;
    this.tabs = outside.tabs;
    this.outbox = outside.outbox;
    this.revocations = outside.revocations;
    this.ownKeys = outside.ownKeys;
    this.peerKeyRetirements = outside.peerKeyRetirements;
    this.issuedCertificates = outside.issuedCertificates;
    this.rateTables = outside.rateTables;
    this.refunds = outside.refunds;
    this.disputeDecisions = outside.disputeDecisions;
    this.delivery = outside.delivery;
    this.processes = outside.processes;
    this.receipts = outside.receipts;
    this.staff = outside.staff;
  }

  transaction<T>(work: (tx: OperatorStoreTransaction) => Promise<T>): Promise<T> {
    return this.inTurn(() => this.runTransaction(work));
  }

  /** One connection, its transactions one after another: every transaction already reads one snapshot. */
  snapshot<T>(work: (tx: OperatorStoreTransaction) => Promise<T>): Promise<T> {
    return this.transaction(work);
  }

  async deliverDueOutbox(now_ms: number, deliver: OutboxDeliverer): Promise<number> {
    const { outbox, durable } = this.parts;
    // Billing records and notices report committed changes: those must be on disk before they leave.
    if (durable !== undefined && outbox.pending() > 0) await durable();
    return outbox.deliverDue(now_ms, deliver);
  }

  /** Runs `step` once everything queued before it has ended. */
  private inTurn<T>(step: () => Promise<T>): Promise<T> {
    const result = this.queue.then(step, step);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async runTransaction<T>(work: (tx: OperatorStoreTransaction) => Promise<T>): Promise<T> {
    const { db } = this.parts;
    this.control.begin.run();
    try {
      const result = await work(this.tx);
      this.control.commit.run();
      return result;
    } catch (error) {
      // A failed COMMIT (or a statement SQLite itself aborted) may have ended the transaction already.
      if (db.inTransaction) this.control.rollback.run();
      throw error;
    }
  }

  private accessThrough(call: Call): OperatorStoreTransaction {
    const { store, ledger, outbox } = this.parts;
    const receipts = this.receiptStore;
    return {
      ledger: promised(ledger, LEDGER_METHODS, call),
      customers: promised(store, CUSTOMER_METHODS, call),
      merchants: promised(store, MERCHANT_METHODS, call),
      transactions: promised(store, TRANSACTION_METHODS, call),
      tabs: promised(store, TAB_METHODS, call),
      outbox: promised(outbox, OUTBOX_METHODS, call),
      ...sqliteRecordGroups(this.recordTables, store, call),
      receipts: promised(receipts, RECEIPT_METHODS, call),
      staff: promised(this.staffStore, STAFF_METHODS, call),
    };
  }
}
