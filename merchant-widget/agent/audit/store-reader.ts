// The merchant agent audit's only view of the agent's SQLite file: small named queries on a
// read-only connection, so it runs beside the live agent and can never change what it checks.
// Everything the audit knows about the agent's tables, columns and statuses lives here (the
// PostgreSQL reader, postgres-store-reader.ts, runs the same queries).

import Database from 'better-sqlite3';

/** Tab statuses the agent never leaves. */
export const FINAL_AGENT_TAB_STATUSES: ReadonlySet<string> = new Set(['cleared']);

export interface AgentAuditTab {
  readonly tabId: string;
  readonly currency: string;
  readonly deposit_minor: bigint;
  readonly spent_minor: bigint;
  readonly chainUnit_minor: bigint;
  readonly chainLength: number;
  readonly chainRoot: string;
  readonly lastChainIndex: number;
  readonly lastChainLink: string;
  readonly purchaseCount: number;
  readonly openedAt_ms: number;
  readonly expiresAt_ms: number;
  readonly status: string;
  readonly stopReason: string | null;
  readonly stoppedAt_ms: number | null;
  readonly cleared_minor: bigint | null;
  readonly outcome: string | null;
}

export interface AgentAuditPurchase {
  readonly purchaseId: string;
  readonly tabId: string;
  readonly seq: number;
  readonly itemId: string;
  readonly price_minor: bigint;
  readonly chainIndex: number;
}

export interface AgentAuditRecord {
  readonly tabId: string;
  readonly recordId: string;
  readonly attempts: number;
  readonly acknowledged: boolean;
  readonly lastError: string | null;
}

type Row = Record<string, unknown>;
const int = (value: unknown): number => Number(value);
// SQLite's integers arrive as bigint, PostgreSQL's BIGINTs (without the agent's type parser) as decimal strings.
const big = (value: unknown): bigint => BigInt(value as bigint | number | string);
const textOrNull = (value: unknown): string | null => (value === null ? null : String(value));

/** The queries of the audit's reads, the same on SQLite and PostgreSQL. */
export const AUDIT_QUERIES = {
  tabs: 'SELECT * FROM tabs ORDER BY opened_at_ms, tab_id',
  purchases: 'SELECT purchase_id, tab_id, seq, item_id, price_minor, chain_index FROM purchases ORDER BY tab_id, seq',
  records: 'SELECT tab_id, record_id, attempts, acknowledged_at_ms, last_error FROM record_outbox ORDER BY tab_id',
} as const;

export function auditTabOf(row: Row): AgentAuditTab {
  return {
    tabId: String(row.tab_id),
    currency: String(row.currency),
    deposit_minor: big(row.deposit_minor),
    spent_minor: big(row.spent_minor),
    chainUnit_minor: big(row.chain_unit_minor),
    chainLength: int(row.chain_length),
    chainRoot: String(row.chain_root),
    lastChainIndex: int(row.last_chain_index),
    lastChainLink: String(row.last_chain_link),
    purchaseCount: int(row.purchase_count),
    openedAt_ms: int(row.opened_at_ms),
    expiresAt_ms: int(row.expires_at_ms),
    status: String(row.status),
    stopReason: textOrNull(row.stop_reason),
    stoppedAt_ms: row.stopped_at_ms === null ? null : int(row.stopped_at_ms),
    cleared_minor: row.cleared_minor === null ? null : big(row.cleared_minor),
    outcome: textOrNull(row.clearing_outcome),
  };
}

export function auditPurchaseOf(row: Row): AgentAuditPurchase {
  return {
    purchaseId: String(row.purchase_id),
    tabId: String(row.tab_id),
    seq: int(row.seq),
    itemId: String(row.item_id),
    price_minor: big(row.price_minor),
    chainIndex: int(row.chain_index),
  };
}

export function auditRecordOf(row: Row): AgentAuditRecord {
  return {
    tabId: String(row.tab_id),
    recordId: String(row.record_id),
    attempts: int(row.attempts),
    acknowledged: row.acknowledged_at_ms !== null,
    lastError: textOrNull(row.last_error),
  };
}

export class AgentStoreReader {
  private constructor(private readonly db: Database.Database) {}

  static open(path: string): AgentStoreReader {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    return new AgentStoreReader(db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Reads in one snapshot; a read needs no commit, so a failing COMMIT (a damaged file) only ends it. */
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

  integrityProblems(): string[] {
    try {
      const rows = this.db.pragma('integrity_check', { simple: false }) as Array<{ integrity_check: string }>;
      return rows.map((row) => row.integrity_check).filter((line) => line !== 'ok');
    } catch (error) {
      return [(error as Error).message];
    }
  }

  tabs(): AgentAuditTab[] {
    return this.all(AUDIT_QUERIES.tabs).map(auditTabOf);
  }

  /** Every purchase, in seq order per tab. */
  purchases(): AgentAuditPurchase[] {
    return this.all(AUDIT_QUERIES.purchases).map(auditPurchaseOf);
  }

  records(): AgentAuditRecord[] {
    return this.all(AUDIT_QUERIES.records).map(auditRecordOf);
  }

  /** What is not yet final, for a caller waiting for the agent to settle down. */
  unsettledCounts(): { readonly tabsUnfinished: number; readonly recordsUnacknowledged: number } {
    const count = (sql: string): number => int((this.db.prepare(sql).safeIntegers(true).get() as { n: unknown }).n);
    return this.snapshot(() => ({
      tabsUnfinished: count("SELECT COUNT(*) AS n FROM tabs WHERE status != 'cleared'"),
      recordsUnacknowledged: count('SELECT COUNT(*) AS n FROM record_outbox WHERE acknowledged_at_ms IS NULL'),
    }));
  }

  private all(sql: string): Row[] {
    return this.db.prepare(sql).safeIntegers(true).all() as Row[];
  }
}
