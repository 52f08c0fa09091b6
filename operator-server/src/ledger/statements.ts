import type Database from 'better-sqlite3';
import type { AccountRow, EntryRow, HoldRow, PostingRow } from './rows';
import type { AccountKind, HoldStatus } from './types';
import { MAX_AMOUNT } from './validation';

export const ACCOUNT_COLUMNS = 'id, currency, kind, min_balance, balance, held, created_at';
export const HOLD_COLUMNS =
  'id, account_id, amount, ref, status, captured_amount, capture_entry_id, created_at, ended_at';
export const ENTRY_COLUMNS = 'e.seq, e.id, e.memo, e.ref, e.created_at';

/** Every statement the ledger runs more than once, prepared once per Ledger. */
export function prepareLedgerStatements(db: Database.Database) {
  // Reads return bigint for every INTEGER; the caller's own defaults are left alone.
  const reader = <Params extends object, Row>(sql: string) => db.prepare<Params, Row>(sql).safeIntegers(true);
  const writer = <Params extends object>(sql: string) => db.prepare<Params>(sql);

  return {
    insertAccount: writer<{
      id: string;
      currency: string;
      kind: AccountKind;
      minBalance: bigint | null;
      createdAt: number;
    }>(
      `INSERT INTO ledger_accounts (id, currency, kind, min_balance, created_at)
       VALUES (@id, @currency, @kind, @minBalance, @createdAt)
       ON CONFLICT (id) DO NOTHING`,
    ),
    selectAccount: reader<[string], AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts WHERE id = ?`),
    /** Refuses a floor that the account's current balance and holds already violate. */
    setMinBalance: writer<{ id: string; minBalance: bigint | null }>(
      `UPDATE ledger_accounts SET min_balance = @minBalance
       WHERE id = @id AND (@minBalance IS NULL OR balance - held >= @minBalance)`,
    ),

    /** The whole double-spend defence: check and reserve in one statement. */
    reserveFunds: writer<{ accountId: string; amount: bigint; currency: string | null }>(
      `UPDATE ledger_accounts SET held = held + @amount
       WHERE id = @accountId
         AND (@currency IS NULL OR currency = @currency)
         AND held + @amount <= ${MAX_AMOUNT}
         AND (min_balance IS NULL OR balance - held - @amount >= min_balance)`,
    ),
    unreserveFunds: writer<{ accountId: string; amount: bigint }>(
      `UPDATE ledger_accounts SET held = held - @amount WHERE id = @accountId AND held >= @amount`,
    ),
    /** Moves the balance unless that leaves the range or goes below the floor. */
    applyBalanceDelta: writer<{ accountId: string; delta: bigint }>(
      `UPDATE ledger_accounts SET balance = balance + @delta
       WHERE id = @accountId
         AND balance + @delta BETWEEN -${MAX_AMOUNT} AND ${MAX_AMOUNT}
         AND (min_balance IS NULL OR balance + @delta - held >= min_balance)`,
    ),

    insertHold: writer<{ id: string; accountId: string; amount: bigint; ref: string; createdAt: number }>(
      `INSERT INTO ledger_holds (id, account_id, amount, ref, status, created_at)
       VALUES (@id, @accountId, @amount, @ref, 'pending', @createdAt)
       ON CONFLICT (id) DO NOTHING`,
    ),
    selectHold: reader<[string], HoldRow>(`SELECT ${HOLD_COLUMNS} FROM ledger_holds WHERE id = ?`),
    endHold: writer<{
      id: string;
      status: Exclude<HoldStatus, 'pending'>;
      capturedAmount: bigint | null;
      captureEntryId: string | null;
      endedAt: number;
    }>(
      `UPDATE ledger_holds
       SET status = @status, captured_amount = @capturedAmount, capture_entry_id = @captureEntryId, ended_at = @endedAt
       WHERE id = @id AND status = 'pending'`,
    ),

    insertEntry: writer<{ id: string; memo: string; ref: string | null; createdAt: number }>(
      `INSERT INTO ledger_entries (id, memo, ref, created_at) VALUES (@id, @memo, @ref, @createdAt)`,
    ),
    selectEntry: reader<[string], EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM ledger_entries e WHERE e.id = ?`),
    insertPosting: writer<{ entrySeq: bigint; position: number; accountId: string; amount: bigint; createdAt: number }>(
      `INSERT INTO ledger_postings (entry_seq, position, account_id, amount, created_at)
       VALUES (@entrySeq, @position, @accountId, @amount, @createdAt)`,
    ),
    selectPostingsOfEntry: reader<[bigint], PostingRow>(
      `SELECT p.account_id, p.amount, a.currency
       FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id
       WHERE p.entry_seq = ? ORDER BY p.position`,
    ),

    selectBalancesByCurrencyAndKind: reader<[], { currency: string; kind: AccountKind; balance: bigint; held: bigint }>(
      `SELECT currency, kind, SUM(balance) AS balance, SUM(held) AS held
       FROM ledger_accounts GROUP BY currency, kind ORDER BY currency, kind`,
    ),
  };
}

export type LedgerStatements = ReturnType<typeof prepareLedgerStatements>;
