import type Database from 'better-sqlite3';
import { toAccount, toEntry, toHold, type EntryRow, type HoldRow } from './rows';
import { ENTRY_COLUMNS, HOLD_COLUMNS, type LedgerStatements } from './statements';
import type { Account, CurrencyBalances, EntryFilter, Hold, HoldFilter, JournalEntry } from './types';
import { assertHoldStatus, assertIdentifier, assertLimit, assertTimestampMs } from './validation';

type QueryParams = Record<string, string | number>;

// SQLite treats a negative LIMIT as "no limit", which keeps one SQL text per filter shape.
const NO_LIMIT = -1;

/**
 * Read side of the ledger. Filtered lists build their SQL from which filters are present (so
 * each shape can use its index instead of `(? IS NULL OR col = ?)`), and cache one prepared
 * statement per shape.
 */
export class LedgerQueries {
  private readonly holdQueries = new Map<string, Database.Statement<[QueryParams], HoldRow>>();
  private readonly entryQueries = new Map<string, Database.Statement<[QueryParams], EntryRow>>();

  constructor(
    private readonly db: Database.Database,
    private readonly statements: LedgerStatements,
  ) {}

  findAccount(accountId: string): Account | undefined {
    assertIdentifier(accountId, 'account id');
    const row = this.statements.selectAccount.get(accountId);
    return row === undefined ? undefined : toAccount(row);
  }

  findHold(holdId: string): Hold | undefined {
    assertIdentifier(holdId, 'hold id');
    const row = this.statements.selectHold.get(holdId);
    return row === undefined ? undefined : toHold(row);
  }

  findEntry(entryId: string): JournalEntry | undefined {
    assertIdentifier(entryId, 'entry id');
    const row = this.statements.selectEntry.get(entryId);
    return row === undefined ? undefined : this.withPostings(row);
  }

  /** Oldest first. */
  listHolds(filter: HoldFilter): Hold[] {
    const conditions: string[] = [];
    const params: QueryParams = {};
    if (filter.accountId !== undefined) {
      assertIdentifier(filter.accountId, 'accountId filter');
      conditions.push('account_id = @accountId');
      params.accountId = filter.accountId;
    }
    if (filter.ref !== undefined) {
      assertIdentifier(filter.ref, 'ref filter');
      conditions.push('ref = @ref');
      params.ref = filter.ref;
    }
    if (filter.status !== undefined) {
      assertHoldStatus(filter.status);
      conditions.push('status = @status');
      params.status = filter.status;
    }
    const sql = `SELECT ${HOLD_COLUMNS} FROM ledger_holds ${whereClause(conditions)} ORDER BY created_at, id`;
    return cached(this.holdQueries, sql, () => this.db.prepare<QueryParams, HoldRow>(sql).safeIntegers(true))
      .all(params)
      .map(toHold);
  }

  /** Oldest first, with postings; with accountId, only entries that post to that account. */
  listEntries(filter: EntryFilter): JournalEntry[] {
    const byAccount = filter.accountId !== undefined;
    // Driving the account case from the postings index makes an account's history one range scan.
    const source = byAccount ? 'ledger_postings p JOIN ledger_entries e ON e.seq = p.entry_seq' : 'ledger_entries e';
    const time = byAccount ? 'p.created_at' : 'e.created_at';
    const order = byAccount ? 'p.created_at, p.entry_seq' : 'e.created_at, e.seq';

    const conditions: string[] = [];
    const params: QueryParams = { limit: NO_LIMIT };
    if (filter.accountId !== undefined) {
      assertIdentifier(filter.accountId, 'accountId filter');
      conditions.push('p.account_id = @accountId');
      params.accountId = filter.accountId;
    }
    if (filter.ref !== undefined) {
      assertIdentifier(filter.ref, 'ref filter');
      conditions.push('e.ref = @ref');
      params.ref = filter.ref;
    }
    if (filter.sinceMs !== undefined) {
      assertTimestampMs(filter.sinceMs, 'sinceMs');
      conditions.push(`${time} >= @sinceMs`);
      params.sinceMs = filter.sinceMs;
    }
    if (filter.untilMs !== undefined) {
      assertTimestampMs(filter.untilMs, 'untilMs');
      conditions.push(`${time} < @untilMs`);
      params.untilMs = filter.untilMs;
    }
    if (filter.limit !== undefined) {
      assertLimit(filter.limit);
      params.limit = filter.limit;
    }
    const sql = `SELECT ${ENTRY_COLUMNS} FROM ${source} ${whereClause(conditions)} ORDER BY ${order} LIMIT @limit`;
    // One postings query per entry: in-process SQLite makes many small indexed reads cheap.
    return cached(this.entryQueries, sql, () => this.db.prepare<QueryParams, EntryRow>(sql).safeIntegers(true))
      .all(params)
      .map((row) => this.withPostings(row));
  }

  balancesByCurrency(): Record<string, CurrencyBalances> {
    const balances: Record<string, { total: bigint; held: bigint; balanceByKind: CurrencyBalances['balanceByKind'] }> =
      {};
    for (const row of this.statements.selectBalancesByCurrencyAndKind.all()) {
      const currency = (balances[row.currency] ??= { total: 0n, held: 0n, balanceByKind: {} });
      currency.total += row.balance;
      currency.held += row.held;
      currency.balanceByKind[row.kind] = row.balance;
    }
    return balances;
  }

  private withPostings(row: EntryRow): JournalEntry {
    return toEntry(row, this.statements.selectPostingsOfEntry.all(row.seq));
  }
}

function whereClause(conditions: readonly string[]): string {
  return conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
}

function cached<Value>(cache: Map<string, Value>, key: string, create: () => Value): Value {
  let value = cache.get(key);
  if (value === undefined) {
    value = create();
    cache.set(key, value);
  }
  return value;
}
