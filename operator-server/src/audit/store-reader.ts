// The audit's only view of an operator's SQLite file: small named queries on a read-only
// connection, so the audit can run beside a live server and can never change what it checks.
// Everything the audit knows about table names, columns and states lives here (the PostgreSQL
// reader, postgres-store-reader.ts, runs the same queries); when the stores change, this is the
// file to follow them.

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

/** Every read the audit's checks make, the same on either store, all within one snapshot. */
export interface OperatorAuditReads {
  ledgerReport(): InvariantReport;
  unbalancedEntries(): UnbalancedEntry[];
  holds(): AuditHold[];
  transactions(): AuditTransaction[];
  tabs(): AuditTab[];
  customerChargesByRef(): Map<string, bigint>;
  merchantCreditsByRef(): Map<string, bigint>;
  settlementBalances(): SettlementBalance[];
  undeliveredOutbox(): UndeliveredOutboxRow[];
  billingOutbox(): OutboxBillingRecord[];
}

type Row = Record<string, unknown>;
const int = (value: unknown): number => Number(value);
// SQLite's integers arrive as bigint, PostgreSQL's BIGINTs and sums as decimal strings.
const big = (value: unknown): bigint => BigInt(value as bigint | number | string);
const bigOrNull = (value: unknown): bigint | null => (value === null || value === undefined ? null : big(value));
const textOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

/** The queries of the audit's reads, the same on SQLite and PostgreSQL. Ledger refs are the AM's
 * transaction ids (holds, charges) and the MTA's tab ids (credits). */
export const OPERATOR_AUDIT_QUERIES = {
  customerChargesByRef: `
  SELECT e.ref AS ref, -SUM(p.amount) AS charged FROM ledger_entries e JOIN ledger_postings p ON p.entry_seq = e.seq
  WHERE e.ref IS NOT NULL AND (p.account_id LIKE 'customer:%' OR p.account_id LIKE 'writeoff:%') GROUP BY e.ref`,
  merchantCreditsByRef: `
  SELECT e.ref AS ref, SUM(p.amount) AS credited FROM ledger_entries e JOIN ledger_postings p ON p.entry_seq = e.seq
  WHERE e.ref IS NOT NULL AND p.account_id LIKE 'merchant:%' GROUP BY e.ref`,
  unbalancedEntries: `
  SELECT e.id AS entry_id, a.currency AS currency, SUM(p.amount) AS total
  FROM ledger_postings p JOIN ledger_entries e ON e.seq = p.entry_seq JOIN ledger_accounts a ON a.id = p.account_id
  GROUP BY e.seq, a.currency HAVING SUM(p.amount) != 0 ORDER BY e.seq`,
  holds:
    'SELECT id, account_id, ref, amount, status, captured_amount, created_at FROM ledger_holds ORDER BY created_at, id',
  transactions: 'SELECT * FROM transactions ORDER BY opened_at, transaction_id',
  tabs: 'SELECT * FROM tabs ORDER BY opened_at, tab_id',
  settlementBalances: "SELECT id, currency, balance FROM ledger_accounts WHERE kind = 'settlement' ORDER BY id",
  undeliveredOutbox:
    'SELECT record_id, destination, created_at, attempts, last_error FROM outbox WHERE delivered_at IS NULL ORDER BY seq',
  billingOutbox:
    "SELECT record_id, destination, payload, delivered_at FROM outbox WHERE destination LIKE 'billing:%' ORDER BY seq",
  transactionsInFlight: "SELECT COUNT(*) AS n FROM transactions WHERE state IN ('opening', 'open')",
  tabsInFlight: "SELECT COUNT(*) AS n FROM tabs WHERE state IN ('opening', 'open')",
  outboxUndelivered: 'SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NULL',
} as const;

export function unbalancedEntryOf(row: Row): UnbalancedEntry {
  return { entryId: String(row.entry_id), currency: String(row.currency), sum: big(row.total) };
}

export function auditHoldOf(row: Row): AuditHold {
  return {
    holdId: String(row.id),
    accountId: String(row.account_id),
    ref: String(row.ref),
    amount: big(row.amount),
    status: String(row.status),
    capturedAmount: bigOrNull(row.captured_amount),
    createdAt_ms: int(row.created_at),
  };
}

export function auditTransactionOf(row: Row): AuditTransaction {
  return {
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
    tabId: textOrNull(row.tab_id),
    openedAt_ms: int(row.opened_at),
    expiresAt_ms: int(row.expires_at),
    charged_minor: bigOrNull(row.charged_minor),
  };
}

export function auditTabOf(row: Row): AuditTab {
  return {
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
    outcome: textOrNull(row.outcome),
  };
}

export function settlementBalanceOf(row: Row): SettlementBalance {
  const id = String(row.id);
  // settlement:<peer operator id>:<currency>; operator ids contain no colon.
  return {
    accountId: id,
    peerOperatorId: id.split(':')[1] ?? '',
    currency: String(row.currency),
    balance: big(row.balance),
  };
}

export function undeliveredOutboxRowOf(row: Row): UndeliveredOutboxRow {
  return {
    recordId: String(row.record_id),
    destination: String(row.destination),
    createdAt_ms: int(row.created_at),
    attempts: int(row.attempts),
    lastError: textOrNull(row.last_error),
  };
}

export function billingRecordOf(row: Row): OutboxBillingRecord {
  return {
    recordId: String(row.record_id),
    sinkIndex: Number(String(row.destination).slice('billing:'.length)),
    delivered: row.delivered_at !== null,
    payloadJson: String(row.payload),
    record: JSON.parse(String(row.payload)) as Record<string, unknown>,
  };
}

/** Per ref, the amount of a `ref`/`amount` query's rows. */
export function amountsByRef(rows: readonly Row[], column: 'charged' | 'credited'): Map<string, bigint> {
  return new Map(rows.map((row) => [String(row.ref), big(row[column])]));
}

export function countOf(row: Row | undefined): number {
  return int(row?.n ?? 0);
}

export class OperatorStoreReader implements OperatorAuditReads {
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
    return this.all(OPERATOR_AUDIT_QUERIES.unbalancedEntries).map(unbalancedEntryOf);
  }

  holds(): AuditHold[] {
    return this.all(OPERATOR_AUDIT_QUERIES.holds).map(auditHoldOf);
  }

  transactions(): AuditTransaction[] {
    return this.all(OPERATOR_AUDIT_QUERIES.transactions).map(auditTransactionOf);
  }

  tabs(): AuditTab[] {
    return this.all(OPERATOR_AUDIT_QUERIES.tabs).map(auditTabOf);
  }

  /** What each ledger ref took from customers (or, for a late charge their credit did not cover, from the
   * write-off account). */
  customerChargesByRef(): Map<string, bigint> {
    return amountsByRef(this.all(OPERATOR_AUDIT_QUERIES.customerChargesByRef), 'charged');
  }

  /** What each ledger ref credited to merchants. */
  merchantCreditsByRef(): Map<string, bigint> {
    return amountsByRef(this.all(OPERATOR_AUDIT_QUERIES.merchantCreditsByRef), 'credited');
  }

  settlementBalances(): SettlementBalance[] {
    return this.all(OPERATOR_AUDIT_QUERIES.settlementBalances).map(settlementBalanceOf);
  }

  undeliveredOutbox(): UndeliveredOutboxRow[] {
    return this.all(OPERATOR_AUDIT_QUERIES.undeliveredOutbox).map(undeliveredOutboxRowOf);
  }

  billingOutbox(): OutboxBillingRecord[] {
    return this.all(OPERATOR_AUDIT_QUERIES.billingOutbox).map(billingRecordOf);
  }

  unsettledCounts(): UnsettledCounts {
    const count = (sql: string): number => countOf(this.db.prepare(sql).get() as Row | undefined);
    return this.snapshot(() => ({
      transactionsInFlight: count(OPERATOR_AUDIT_QUERIES.transactionsInFlight),
      tabsInFlight: count(OPERATOR_AUDIT_QUERIES.tabsInFlight),
      outboxUndelivered: count(OPERATOR_AUDIT_QUERIES.outboxUndelivered),
    }));
  }

  private all(sql: string): Row[] {
    return this.db.prepare(sql).safeIntegers(true).all() as Row[];
  }
}
