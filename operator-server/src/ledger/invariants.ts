import type Database from 'better-sqlite3';
import type { Ledger } from './ledger';
import type { Hold, InvariantReport } from './types';

// Each check recomputes a stored total from the rows it summarises, so a bug that updates one
// without the other shows up here. Run in one read transaction so the checks see one snapshot.
// The statements are plain SQL, the same on PostgreSQL (postgres-ledger.ts).
export const SUMS_BY_CURRENCY = `SELECT currency, SUM(balance) AS total FROM ledger_accounts GROUP BY currency ORDER BY currency`;
export const ACCOUNTS_BELOW_FLOOR = `
  SELECT id FROM ledger_accounts
  WHERE min_balance IS NOT NULL AND balance - held < min_balance ORDER BY id`;
export const HELD_MISMATCHES = `
  SELECT a.id FROM ledger_accounts a
  LEFT JOIN (SELECT account_id, SUM(amount) AS pending FROM ledger_holds WHERE status = 'pending' GROUP BY account_id) h
    ON h.account_id = a.id
  WHERE a.held != COALESCE(h.pending, 0) ORDER BY a.id`;
export const BALANCE_MISMATCHES = `
  SELECT a.id FROM ledger_accounts a
  LEFT JOIN (SELECT account_id, SUM(amount) AS posted FROM ledger_postings GROUP BY account_id) p
    ON p.account_id = a.id
  WHERE a.balance != COALESCE(p.posted, 0) ORDER BY a.id`;

export function checkLedgerInvariants(db: Database.Database): InvariantReport {
  const ids = (sql: string): string[] =>
    db
      .prepare<[], { id: string }>(sql)
      .all()
      .map((row) => row.id);
  return db
    .transaction(() => {
      const sumsByCurrency: Record<string, bigint> = {};
      const sums = db.prepare<[], { currency: string; total: bigint }>(SUMS_BY_CURRENCY).safeIntegers(true).all();
      for (const { currency, total } of sums) sumsByCurrency[currency] = total;
      return {
        sumsByCurrency,
        accountsBelowFloor: ids(ACCOUNTS_BELOW_FLOOR),
        heldMismatches: ids(HELD_MISMATCHES),
        balanceMismatches: ids(BALANCE_MISMATCHES),
      };
    })
    .deferred();
}

export interface LedgerInvariantOptions {
  /**
   * Pending holds are a leak ("every hold ends") unless their ref is listed or accepted here,
   * e.g. the transaction of a tab the test deliberately leaves open.
   */
  readonly pendingHoldRefsAllowed?: readonly string[] | ((ref: string) => boolean);
}

/** Lists every broken invariant, one per line; empty when the ledger is consistent. */
export function describeInvariantViolations(
  report: InvariantReport,
  pendingHolds: readonly Hold[],
  options: LedgerInvariantOptions = {},
): string[] {
  const allowed = options.pendingHoldRefsAllowed ?? [];
  const isAllowed = typeof allowed === 'function' ? allowed : (ref: string) => allowed.includes(ref);
  return [
    ...Object.entries(report.sumsByCurrency)
      .filter(([, total]) => total !== 0n)
      .map(([currency, total]) => `balances in ${currency} sum to ${total}, not 0`),
    ...report.accountsBelowFloor.map((id) => `account ${id} is below its floor`),
    ...report.heldMismatches.map((id) => `account ${id}: held differs from the sum of its pending holds`),
    ...report.balanceMismatches.map((id) => `account ${id}: balance differs from the sum of its postings`),
    ...pendingHolds
      .filter((hold) => !isAllowed(hold.ref))
      .map((hold) => `hold ${hold.id} (ref ${hold.ref}, ${hold.amount} on ${hold.accountId}) never ended`),
  ];
}

/** For tests: throws one message naming every broken invariant. */
export function assertLedgerInvariants(ledger: Ledger, options: LedgerInvariantOptions = {}): void {
  const violations = describeInvariantViolations(
    ledger.checkInvariants(),
    ledger.listHolds({ status: 'pending' }),
    options,
  );
  if (violations.length > 0) {
    throw new Error(`Ledger invariants violated:\n- ${violations.join('\n- ')}`);
  }
}

/** The reads of a ledger an invariant check makes, as the operator's storage answers them on either store. */
export interface StoredLedgerReads {
  checkInvariants(): Promise<InvariantReport>;
  listHolds(filter: { readonly status: 'pending' }): Promise<readonly Hold[]>;
}

/** For tests on either store: rejects with one message naming every broken invariant. */
export async function assertStoredLedgerInvariants(
  ledger: StoredLedgerReads,
  options: LedgerInvariantOptions = {},
): Promise<void> {
  const violations = describeInvariantViolations(
    await ledger.checkInvariants(),
    await ledger.listHolds({ status: 'pending' }),
    options,
  );
  if (violations.length > 0) {
    throw new Error(`Ledger invariants violated:\n- ${violations.join('\n- ')}`);
  }
}
