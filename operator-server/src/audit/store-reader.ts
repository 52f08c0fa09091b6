// The audit's only view of an operator's SQLite file: small named queries on a read-only
// connection, so the audit can run beside a live server and can never change what it checks.
// Everything the audit knows about table names, columns and states lives here; when the stores
// change, this is the file to follow them.

import Database from 'better-sqlite3';
import type { LockedRate } from '@opentab/protocol';
import { checkLedgerInvariants } from '../ledger/invariants';
import type { InvariantReport } from '../ledger/types';

/** AM transaction states after which no hold may stay pending. A lapsed transaction may still be cleared late. */
export const ENDED_TRANSACTION_STATES: ReadonlySet<string> = new Set(['cleared', 'failed', 'lapsed']);
/** MTA tab states the MTA never leaves. */
export const FINAL_TAB_STATES: ReadonlySet<string> = new Set(['cleared', 'failed']);

export interface AuditTransaction {
  readonly transactionId: string;
  readonly accountId: string;
  readonly merchantId: string;
  readonly merchantOperatorId: string;
  readonly state: string;
  readonly hold_minor: bigint;
  readonly customerCurrency: string;
  readonly deposit_minor: bigint;
  readonly merchantCurrency: string;
  readonly rate: LockedRate;
  /** The key the customer's initiation named for the tab: it tells that initiation's transactions apart. */
  readonly tabPublicKey: string;
  readonly tabId: string | null;
  readonly openedAt_ms: number;
  readonly expiresAt_ms: number;
  readonly charged_minor: bigint | null;
}

export interface AuditTab {
  readonly tabId: string;
  readonly merchantId: string;
  readonly customerOperatorId: string;
  readonly transactionId: string;
  readonly state: string;
  readonly deposit_minor: bigint;
  readonly currency: string;
  readonly openedAt_ms: number;
  readonly expiresAt_ms: number;
  readonly concludeAfter_ms: number;
  readonly cleared_minor: bigint | null;
  readonly outcome: string | null;
}

export interface AuditHold {
  readonly holdId: string;
  readonly accountId: string;
  readonly ref: string;
  readonly amount: bigint;
  readonly status: string;
  readonly capturedAmount: bigint | null;
  readonly createdAt_ms: number;
}

export interface UndeliveredOutboxRow {
  readonly recordId: string;
  readonly destination: string;
  readonly createdAt_ms: number;
  readonly attempts: number;
  readonly lastError: string | null;
}

/** A billing record as the outbox holds it for one sink, parsed from its payload. */
export interface OutboxBillingRecord {
  readonly recordId: string;
  readonly sinkIndex: number;
  readonly delivered: boolean;
  readonly payloadJson: string;
  readonly record: Readonly<Record<string, unknown>>;
}

export interface SettlementBalance {
  readonly accountId: string;
  readonly peerOperatorId: string;
  readonly currency: string;
  readonly balance: bigint;
}

export interface UnbalancedEntry {
  readonly entryId: string;
  readonly currency: string;
  readonly sum: bigint;
}

/** What is not yet final, for a caller waiting for the operator to settle down. */
export interface UnsettledCounts {
  readonly transactionsInFlight: number;
  readonly tabsInFlight: number;
  readonly outboxUndelivered: number;
}

type Row = Record<string, unknown>;
const int = (value: unknown): number => Number(value);
const big = (value: unknown): bigint => BigInt(value as bigint | number);
const bigOrNull = (value: unknown): bigint | null => (value === null || value === undefined ? null : big(value));

/** Ledger refs are the AM's transaction ids (holds, charges) and the MTA's tab ids (credits). */
const CUSTOMER_CHARGES_BY_REF = `
  SELECT e.ref AS ref, -SUM(p.amount) AS charged FROM ledger_entries e JOIN ledger_postings p ON p.entry_seq = e.seq
  WHERE e.ref IS NOT NULL AND (p.account_id LIKE 'customer:%' OR p.account_id LIKE 'writeoff:%') GROUP BY e.ref`;
const MERCHANT_CREDITS_BY_REF = `
  SELECT e.ref AS ref, SUM(p.amount) AS credited FROM ledger_entries e JOIN ledger_postings p ON p.entry_seq = e.seq
  WHERE e.ref IS NOT NULL AND p.account_id LIKE 'merchant:%' GROUP BY e.ref`;
const UNBALANCED_ENTRIES = `
  SELECT e.id AS entry_id, a.currency AS currency, SUM(p.amount) AS total
  FROM ledger_postings p JOIN ledger_entries e ON e.seq = p.entry_seq JOIN ledger_accounts a ON a.id = p.account_id
  GROUP BY e.seq, a.currency HAVING SUM(p.amount) != 0 ORDER BY e.seq`;

export class OperatorStoreReader {
  private constructor(private readonly db: Database.Database) {}

  /** Opens `<dataDir>/operator.sqlite` (or any path) read-only; the file must exist. */
  static open(path: string): OperatorStoreReader {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    return new OperatorStoreReader(db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /**
   * Reads in one snapshot: the server may commit between two queries otherwise. A read needs no
   * commit, so a COMMIT that fails (SQLite refuses one on a damaged file) only ends the snapshot.
   */
  snapshot<T>(read: () => T): T {
    this.db.exec('BEGIN DEFERRED');
    try {
      return read();
    } finally {
      try {
        this.db.exec('COMMIT');
      } catch {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      }
    }
  }

  /** PRAGMA integrity_check's complaints; empty when it says ok. A file too damaged to check is one complaint. */
  integrityProblems(): string[] {
    try {
      const rows = this.db.pragma('integrity_check', { simple: false }) as Array<{ integrity_check: string }>;
      return rows.map((row) => row.integrity_check).filter((line) => line !== 'ok');
    } catch (error) {
      return [(error as Error).message];
    }
  }

  ledgerReport(): InvariantReport {
    return checkLedgerInvariants(this.db);
  }

  unbalancedEntries(): UnbalancedEntry[] {
    return this.all(UNBALANCED_ENTRIES).map((row) => ({
      entryId: String(row.entry_id),
      currency: String(row.currency),
      sum: big(row.total),
    }));
  }

  holds(): AuditHold[] {
    return this.all(
      'SELECT id, account_id, ref, amount, status, captured_amount, created_at FROM ledger_holds ORDER BY created_at',
    ).map((row) => ({
      holdId: String(row.id),
      accountId: String(row.account_id),
      ref: String(row.ref),
      amount: big(row.amount),
      status: String(row.status),
      capturedAmount: bigOrNull(row.captured_amount),
      createdAt_ms: int(row.created_at),
    }));
  }

  transactions(): AuditTransaction[] {
    return this.all('SELECT * FROM transactions ORDER BY opened_at, transaction_id').map((row) => ({
      transactionId: String(row.transaction_id),
      accountId: String(row.account_id),
      merchantId: String(row.merchant_id),
      merchantOperatorId: String(row.merchant_operator_id),
      state: String(row.state),
      hold_minor: big(row.hold_minor),
      customerCurrency: String(row.customer_currency),
      deposit_minor: big(row.deposit_minor),
      merchantCurrency: String(row.merchant_currency),
      rate: JSON.parse(String(row.rate)) as LockedRate,
      tabPublicKey: String(row.tab_public_key),
      tabId: row.tab_id === null ? null : String(row.tab_id),
      openedAt_ms: int(row.opened_at),
      expiresAt_ms: int(row.expires_at),
      charged_minor: bigOrNull(row.charged_minor),
    }));
  }

  tabs(): AuditTab[] {
    return this.all('SELECT * FROM tabs ORDER BY opened_at, tab_id').map((row) => ({
      tabId: String(row.tab_id),
      merchantId: String(row.merchant_id),
      customerOperatorId: String(row.customer_operator_id),
      transactionId: String(row.transaction_id),
      state: String(row.state),
      deposit_minor: big(row.deposit_minor),
      currency: String(row.currency),
      openedAt_ms: int(row.opened_at),
      expiresAt_ms: int(row.expires_at),
      concludeAfter_ms: int(row.conclude_after),
      cleared_minor: bigOrNull(row.cleared_minor),
      outcome: row.outcome === null ? null : String(row.outcome),
    }));
  }

  /** What each ledger ref took from customers (or, for a late charge their credit did not cover, from the
   * write-off account). */
  customerChargesByRef(): Map<string, bigint> {
    return new Map(this.all(CUSTOMER_CHARGES_BY_REF).map((row) => [String(row.ref), big(row.charged)]));
  }

  /** What each ledger ref credited to merchants. */
  merchantCreditsByRef(): Map<string, bigint> {
    return new Map(this.all(MERCHANT_CREDITS_BY_REF).map((row) => [String(row.ref), big(row.credited)]));
  }

  settlementBalances(): SettlementBalance[] {
    return this.all("SELECT id, currency, balance FROM ledger_accounts WHERE kind = 'settlement' ORDER BY id").map(
      (row) => {
        const id = String(row.id);
        // settlement:<peer operator id>:<currency>; operator ids contain no colon.
        return {
          accountId: id,
          peerOperatorId: id.split(':')[1] ?? '',
          currency: String(row.currency),
          balance: big(row.balance),
        };
      },
    );
  }

  undeliveredOutbox(): UndeliveredOutboxRow[] {
    return this.all(
      'SELECT record_id, destination, created_at, attempts, last_error FROM outbox WHERE delivered_at IS NULL ORDER BY seq',
    ).map((row) => ({
      recordId: String(row.record_id),
      destination: String(row.destination),
      createdAt_ms: int(row.created_at),
      attempts: int(row.attempts),
      lastError: row.last_error === null ? null : String(row.last_error),
    }));
  }

  billingOutbox(): OutboxBillingRecord[] {
    return this.all(
      "SELECT record_id, destination, payload, delivered_at FROM outbox WHERE destination LIKE 'billing:%' ORDER BY seq",
    ).map((row) => ({
      recordId: String(row.record_id),
      sinkIndex: Number(String(row.destination).slice('billing:'.length)),
      delivered: row.delivered_at !== null,
      payloadJson: String(row.payload),
      record: JSON.parse(String(row.payload)) as Record<string, unknown>,
    }));
  }

  unsettledCounts(): UnsettledCounts {
    const count = (sql: string): number => int((this.db.prepare(sql).get() as { n: unknown }).n);
    return this.snapshot(() => ({
      transactionsInFlight: count("SELECT COUNT(*) AS n FROM transactions WHERE state IN ('opening', 'open')"),
      tabsInFlight: count("SELECT COUNT(*) AS n FROM tabs WHERE state IN ('opening', 'open')"),
      outboxUndelivered: count('SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NULL'),
    }));
  }

  private all(sql: string): Row[] {
    return this.db.prepare(sql).safeIntegers(true).all() as Row[];
  }
}
