// The ledger's accounts and holds on PostgreSQL, for operator processes that share one database.
// Each call runs on the caller's transaction client, inside a savepoint of its own, so that a
// refused call undoes only its own writes, as on SQLite. A hold is placed by one conditional
// UPDATE of the account row: of two processes holding against the same credit limit at once,
// the second waits for the first's row lock and then re-checks the floor on the row the first
// committed (READ COMMITTED re-evaluates the WHERE on the newest row version), so together they
// never pass the limit; the CHECK on the table says the same at the storage level. An entry or a
// capture locks every account it moves first, in id order, so two of them never wait on each other.

import type { PostgresMigrations } from '@opentab/server-kit';
import type { LedgerAccess } from '../store/operator-storage';
import { LedgerError } from './errors';
import { isSameCapture, isSameEntry, isSameHold } from './idempotency';
import { ACCOUNTS_BELOW_FLOOR, BALANCE_MISMATCHES, HELD_MISMATCHES, SUMS_BY_CURRENCY } from './invariants';
import { assertBalancedPerCurrency } from './postings';
import {
  explainRefusedBalanceDelta,
  explainRefusedFloor,
  explainRefusedReservation,
  unknownAccount,
} from './rejections';
import { toAccount, toEntry, toHold } from './rows';
import {
  ACCOUNT_KINDS,
  type Account,
  type CaptureHoldInput,
  type CaptureResult,
  type CurrencyBalances,
  type EntryFilter,
  HOLD_STATUSES,
  type Hold,
  type HoldFilter,
  type InvariantReport,
  type JournalEntry,
  type NewAccount,
  type NewHold,
  type NewJournalEntry,
} from './types';
import {
  assertAccountKind,
  assertCurrencyCode,
  assertFloor,
  assertHoldStatus,
  assertIdentifier,
  assertLimit,
  assertMemo,
  assertNonNegativeAmount,
  assertPositiveAmount,
  assertPostingsShape,
  assertTimestampMs,
  MAX_AMOUNT,
} from './validation';

/** What the ledger needs of a transaction's client (node-postgres's PoolClient fits). */
export interface LedgerConnection {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
}

const quoted = (values: readonly string[]): string => values.map((value) => `'${value}'`).join(', ');

/** The ledger's numbered schema steps on PostgreSQL (run with migratePostgres, under its advisory lock). */
export const POSTGRES_LEDGER_MIGRATIONS: PostgresMigrations = {
  store: 'operator ledger',
  steps: [
    `CREATE TABLE ledger_accounts (
      id          TEXT   PRIMARY KEY,
      currency    TEXT   NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      kind        TEXT   NOT NULL CHECK (kind IN (${quoted(ACCOUNT_KINDS)})),
      min_balance BIGINT CHECK (min_balance BETWEEN -${MAX_AMOUNT} AND 0),
      balance     BIGINT NOT NULL DEFAULT 0 CHECK (balance BETWEEN -${MAX_AMOUNT} AND ${MAX_AMOUNT}),
      held        BIGINT NOT NULL DEFAULT 0 CHECK (held BETWEEN 0 AND ${MAX_AMOUNT}),
      created_at  BIGINT NOT NULL,
      CHECK (min_balance IS NULL OR balance - held >= min_balance)
    );
    CREATE TABLE ledger_holds (
      id               TEXT   PRIMARY KEY,
      account_id       TEXT   NOT NULL REFERENCES ledger_accounts (id),
      amount           BIGINT NOT NULL CHECK (amount BETWEEN 1 AND ${MAX_AMOUNT}),
      ref              TEXT   NOT NULL,
      status           TEXT   NOT NULL CHECK (status IN (${quoted(HOLD_STATUSES)})),
      captured_amount  BIGINT CHECK (captured_amount BETWEEN 0 AND amount),
      capture_entry_id TEXT,
      created_at       BIGINT NOT NULL,
      ended_at         BIGINT,
      CHECK ((status = 'pending') = (ended_at IS NULL)),
      CHECK ((status = 'captured') = (captured_amount IS NOT NULL))
    );
    CREATE INDEX ledger_holds_by_ref ON ledger_holds (ref);
    CREATE INDEX ledger_holds_by_account ON ledger_holds (account_id, status);`,
    // Entries are append-only by the ledger's own statements: it never updates or deletes them.
    `CREATE TABLE ledger_entries (
      seq        BIGSERIAL PRIMARY KEY,
      id         TEXT   NOT NULL UNIQUE,
      memo       TEXT   NOT NULL,
      ref        TEXT,
      created_at BIGINT NOT NULL
    );
    CREATE INDEX ledger_entries_by_ref ON ledger_entries (ref);
    CREATE TABLE ledger_postings (
      entry_seq  BIGINT NOT NULL REFERENCES ledger_entries (seq),
      position   INTEGER NOT NULL,
      account_id TEXT   NOT NULL REFERENCES ledger_accounts (id),
      amount     BIGINT NOT NULL CHECK (amount != 0 AND amount BETWEEN -${MAX_AMOUNT} AND ${MAX_AMOUNT}),
      created_at BIGINT NOT NULL,
      PRIMARY KEY (entry_seq, position),
      UNIQUE (entry_seq, account_id)
    );
    CREATE INDEX ledger_postings_by_account_time ON ledger_postings (account_id, created_at, entry_seq);`,
    // The reads by time (reports over a period) and by status (holds pending the longest), as on SQLite.
    `CREATE INDEX ledger_entries_by_time ON ledger_entries (created_at, seq);
    CREATE INDEX ledger_holds_by_status ON ledger_holds (status, created_at);`,
  ],
};

const ACCOUNT_COLUMNS = 'id, currency, kind, min_balance, balance, held, created_at';
const HOLD_COLUMNS = 'id, account_id, amount, ref, status, captured_amount, capture_entry_id, created_at, ended_at';

const big = (value: unknown): bigint => BigInt(value as string);
const bigOrNull = (value: unknown): bigint | null => (value === null ? null : BigInt(value as string));

function accountOf(row: Record<string, unknown>): Account {
  return toAccount({
    id: row.id as string,
    currency: row.currency as string,
    kind: row.kind as Account['kind'],
    min_balance: bigOrNull(row.min_balance),
    balance: big(row.balance),
    held: big(row.held),
    created_at: big(row.created_at),
  });
}

function holdOf(row: Record<string, unknown>): Hold {
  return toHold({
    id: row.id as string,
    account_id: row.account_id as string,
    amount: big(row.amount),
    ref: row.ref as string,
    status: row.status as Hold['status'],
    captured_amount: bigOrNull(row.captured_amount),
    capture_entry_id: row.capture_entry_id as string | null,
    created_at: big(row.created_at),
    ended_at: bigOrNull(row.ended_at),
  });
}

export class PostgresLedger {
  constructor(private readonly clock: { now_ms(): number }) {}

  /** Creates the account, or returns it when an identical one exists; another under the id is account_exists. */
  createAccount(client: LedgerConnection, input: NewAccount): Promise<Account> {
    assertIdentifier(input.id, 'account id');
    assertCurrencyCode(input.currency, 'account currency');
    assertAccountKind(input.kind);
    assertFloor(input.minBalance);
    return this.inSavepoint(client, async () => {
      await client.query(
        `INSERT INTO ledger_accounts (id, currency, kind, min_balance, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO NOTHING`,
        [input.id, input.currency, input.kind, input.minBalance?.toString() ?? null, this.clock.now_ms()],
      );
      const account = await this.getAccount(client, input.id);
      const identical =
        account.currency === input.currency && account.kind === input.kind && account.minBalance === input.minBalance;
      if (identical) return account;
      throw new LedgerError(
        'account_exists',
        `Account ${input.id} already exists as ${account.kind} in ${account.currency} with floor ${account.minBalance}.`,
      );
    });
  }

  async findAccount(client: LedgerConnection, accountId: string): Promise<Account | undefined> {
    const { rows } = await client.query(`SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts WHERE id = $1`, [accountId]);
    return rows.length === 0 ? undefined : accountOf(rows[0]!);
  }

  async getAccount(client: LedgerConnection, accountId: string): Promise<Account> {
    const account = await this.findAccount(client, accountId);
    if (account === undefined) throw unknownAccount(accountId);
    return account;
  }

  /** Changes the floor (e.g. a new credit limit); refused if the account is already below it. */
  setMinBalance(client: LedgerConnection, accountId: string, minBalance: bigint | null): Promise<Account> {
    assertIdentifier(accountId, 'account id');
    assertFloor(minBalance);
    return this.inSavepoint(client, async () => {
      const { rowCount } = await client.query(
        `UPDATE ledger_accounts SET min_balance = $2::bigint
         WHERE id = $1 AND ($2::bigint IS NULL OR balance - held >= $2::bigint)`,
        [accountId, minBalance?.toString() ?? null],
      );
      if (rowCount !== 1) throw explainRefusedFloor(await this.findAccount(client, accountId), accountId, minBalance);
      return this.getAccount(client, accountId);
    });
  }

  async getHold(client: LedgerConnection, holdId: string): Promise<Hold> {
    const hold = await this.findHold(client, holdId);
    if (hold === undefined) throw new LedgerError('unknown_hold', `Hold ${holdId} does not exist.`);
    return hold;
  }

  async listHolds(client: LedgerConnection, filter: HoldFilter = {}): Promise<Hold[]> {
    const conditions: string[] = [];
    const values: unknown[] = [];
    const where = (column: string, value: string) => {
      values.push(value);
      conditions.push(`${column} = $${values.length}`);
    };
    if (filter.accountId !== undefined) assertIdentifier(filter.accountId, 'accountId filter');
    if (filter.ref !== undefined) assertIdentifier(filter.ref, 'ref filter');
    if (filter.status !== undefined) assertHoldStatus(filter.status);
    if (filter.accountId !== undefined) where('account_id', filter.accountId);
    if (filter.ref !== undefined) where('ref', filter.ref);
    if (filter.status !== undefined) where('status', filter.status);
    const { rows } = await client.query(
      `SELECT ${HOLD_COLUMNS} FROM ledger_holds ${whereClause(conditions)} ORDER BY created_at, id`,
      values,
    );
    return rows.map(holdOf);
  }

  /** Oldest first, with postings; with accountId, only entries that post to that account. */
  async listEntries(client: LedgerConnection, filter: EntryFilter = {}): Promise<JournalEntry[]> {
    const byAccount = filter.accountId !== undefined;
    const source = byAccount ? 'ledger_postings p JOIN ledger_entries e ON e.seq = p.entry_seq' : 'ledger_entries e';
    const time = byAccount ? 'p.created_at' : 'e.created_at';
    const order = byAccount ? 'p.created_at, p.entry_seq' : 'e.created_at, e.seq';
    const conditions: string[] = [];
    const values: unknown[] = [];
    const where = (condition: (placeholder: string) => string, value: unknown) => {
      values.push(value);
      conditions.push(condition(`$${values.length}`));
    };
    if (filter.accountId !== undefined) assertIdentifier(filter.accountId, 'accountId filter');
    if (filter.ref !== undefined) assertIdentifier(filter.ref, 'ref filter');
    if (filter.sinceMs !== undefined) assertTimestampMs(filter.sinceMs, 'sinceMs');
    if (filter.untilMs !== undefined) assertTimestampMs(filter.untilMs, 'untilMs');
    if (filter.limit !== undefined) assertLimit(filter.limit);
    if (filter.accountId !== undefined) where((at) => `p.account_id = ${at}`, filter.accountId);
    if (filter.ref !== undefined) where((at) => `e.ref = ${at}`, filter.ref);
    if (filter.sinceMs !== undefined) where((at) => `${time} >= ${at}`, filter.sinceMs);
    if (filter.untilMs !== undefined) where((at) => `${time} < ${at}`, filter.untilMs);
    const limit = filter.limit === undefined ? '' : `LIMIT ${Number(filter.limit)}`;
    const { rows } = await client.query(
      `SELECT e.id FROM ${source} ${whereClause(conditions)} ORDER BY ${order} ${limit}`,
      values,
    );
    const entries: JournalEntry[] = [];
    for (const row of rows) entries.push((await this.findEntry(client, row.id as string))!);
    return entries;
  }

  async balancesByCurrency(client: LedgerConnection): Promise<Record<string, CurrencyBalances>> {
    const { rows } = await client.query(
      `SELECT currency, kind, SUM(balance)::text AS balance, SUM(held)::text AS held
       FROM ledger_accounts GROUP BY currency, kind ORDER BY currency, kind`,
    );
    const balances: Record<string, { total: bigint; held: bigint; balanceByKind: CurrencyBalances['balanceByKind'] }> =
      {};
    for (const row of rows) {
      const currency = (balances[row.currency as string] ??= { total: 0n, held: 0n, balanceByKind: {} });
      currency.total += big(row.balance);
      currency.held += big(row.held);
      currency.balanceByKind[row.kind as Account['kind']] = big(row.balance);
    }
    return balances;
  }

  /** The checks of invariants.ts, in the caller's transaction (one snapshot when it is REPEATABLE READ or a write). */
  async checkInvariants(client: LedgerConnection): Promise<InvariantReport> {
    const ids = async (sql: string) => (await client.query(sql)).rows.map((row) => row.id as string);
    const sumsByCurrency: Record<string, bigint> = {};
    const sums = await client.query(SUMS_BY_CURRENCY.replace('SUM(balance) AS total', 'SUM(balance)::text AS total'));
    for (const row of sums.rows) sumsByCurrency[row.currency as string] = big(row.total);
    return {
      sumsByCurrency,
      accountsBelowFloor: await ids(ACCOUNTS_BELOW_FLOOR),
      heldMismatches: await ids(HELD_MISMATCHES),
      balanceMismatches: await ids(BALANCE_MISMATCHES),
    };
  }

  async findHold(client: LedgerConnection, holdId: string): Promise<Hold | undefined> {
    const { rows } = await client.query(`SELECT ${HOLD_COLUMNS} FROM ledger_holds WHERE id = $1`, [holdId]);
    return rows.length === 0 ? undefined : holdOf(rows[0]!);
  }

  /**
   * Reserves `amount` if it fits above the account's floor. Repeating an identical call returns
   * the existing hold, whatever its status now; reusing the id for anything else is a conflict.
   */
  placeHold(client: LedgerConnection, input: NewHold): Promise<Hold> {
    assertIdentifier(input.id, 'hold id');
    assertIdentifier(input.accountId, 'hold account id');
    assertPositiveAmount(input.amount, 'hold amount');
    assertIdentifier(input.ref, 'hold ref');
    if (input.currency !== undefined) assertCurrencyCode(input.currency, 'hold currency');
    return this.inSavepoint(client, async () => {
      const createdAt = this.clock.now_ms();
      // A taken id is a replay before anything else, as on SQLite: the foreign key speaks only for a new hold.
      const inserted = await client
        .query(
          `INSERT INTO ledger_holds (id, account_id, amount, ref, status, created_at)
           VALUES ($1, $2, $3, $4, 'pending', $5) ON CONFLICT (id) DO NOTHING`,
          [input.id, input.accountId, input.amount.toString(), input.ref, createdAt],
        )
        .catch((error: unknown) => {
          throw isForeignKeyViolation(error) ? unknownAccount(input.accountId) : error;
        });
      if (inserted.rowCount !== 1) return this.replayPlaceHold(client, input);
      const currency = input.currency ?? null;
      const reserved = await client.query(
        `UPDATE ledger_accounts SET held = held + $2
         WHERE id = $1 AND ($3::text IS NULL OR currency = $3) AND held + $2 <= ${MAX_AMOUNT}
           AND (min_balance IS NULL OR balance - held - $2 >= min_balance)`,
        [input.accountId, input.amount.toString(), currency],
      );
      if (reserved.rowCount !== 1)
        throw explainRefusedReservation(
          await this.findAccount(client, input.accountId),
          input.accountId,
          input.amount,
          currency,
        );
      return {
        id: input.id,
        accountId: input.accountId,
        amount: input.amount,
        ref: input.ref,
        status: 'pending',
        capturedAmount: null,
        captureEntryId: null,
        createdAt,
        endedAt: null,
      };
    });
  }

  /** Ends a pending hold and frees its amount; releasing a released hold again returns it. */
  releaseHold(client: LedgerConnection, holdId: string): Promise<Hold> {
    assertIdentifier(holdId, 'hold id');
    return this.inSavepoint(client, async () => {
      const { rows } = await client.query(`SELECT ${HOLD_COLUMNS} FROM ledger_holds WHERE id = $1 FOR UPDATE`, [
        holdId,
      ]);
      if (rows.length === 0) throw new LedgerError('unknown_hold', `Hold ${holdId} does not exist.`);
      const hold = holdOf(rows[0]!);
      if (hold.status === 'released') return hold;
      if (hold.status === 'captured')
        throw new LedgerError('hold_not_pending', `Hold ${hold.id} was captured and cannot be released.`);
      const endedAt = this.clock.now_ms();
      await client.query(`UPDATE ledger_holds SET status = 'released', ended_at = $2 WHERE id = $1`, [holdId, endedAt]);
      const unreserved = await client.query(
        'UPDATE ledger_accounts SET held = held - $2 WHERE id = $1 AND held >= $2',
        [hold.accountId, hold.amount.toString()],
      );
      if (unreserved.rowCount !== 1)
        throw new Error(`account ${hold.accountId} holds less than its pending hold ${hold.id}`);
      return { ...hold, status: 'released', endedAt };
    });
  }

  /** Appends a balanced entry. Repeating an identical call returns the stored entry. */
  postEntry(client: LedgerConnection, input: NewJournalEntry): Promise<JournalEntry> {
    assertIdentifier(input.id, 'entry id');
    assertMemo(input.memo);
    if (input.ref !== undefined && input.ref !== null) assertIdentifier(input.ref, 'entry ref');
    assertPostingsShape(input.postings, 2);
    return this.inSavepoint(client, async () => {
      const accounts = await this.lockAccounts(
        client,
        input.postings.map((posting) => posting.accountId),
      );
      const stored = await this.findEntry(client, input.id);
      if (stored === undefined) return this.writeNewEntry(client, input, accounts, this.clock.now_ms());
      if (isSameEntry(stored, input)) return stored;
      throw new LedgerError('conflict', `Entry id ${input.id} is already used by an entry with different content.`);
    });
  }

  /**
   * Ends a pending hold as captured: posts the entry (which must debit the held account by
   * exactly `amount`) and releases the remainder, in one step. A zero capture posts nothing.
   */
  captureHold(client: LedgerConnection, input: CaptureHoldInput): Promise<CaptureResult> {
    assertIdentifier(input.holdId, 'hold id');
    assertNonNegativeAmount(input.amount, 'capture amount');
    assertIdentifier(input.entryId, 'capture entry id');
    assertMemo(input.memo);
    if (input.amount === 0n) {
      if (input.postings.length > 0)
        throw new LedgerError('amount_invalid', `A zero capture of hold ${input.holdId} must not carry postings.`);
    } else {
      assertPostingsShape(input.postings, 2);
    }
    return this.inSavepoint(client, async () => {
      const { rows } = await client.query(`SELECT ${HOLD_COLUMNS} FROM ledger_holds WHERE id = $1 FOR UPDATE`, [
        input.holdId,
      ]);
      if (rows.length === 0) throw new LedgerError('unknown_hold', `Hold ${input.holdId} does not exist.`);
      const hold = holdOf(rows[0]!);
      if (hold.status !== 'pending') return this.replayCaptureHold(client, hold, input);
      if (input.amount > hold.amount)
        throw new LedgerError(
          'amount_invalid',
          `Cannot capture ${input.amount} from hold ${hold.id} of ${hold.amount}.`,
        );
      const debit = input.postings.find((posting) => posting.accountId === hold.accountId);
      if (input.amount > 0n && debit?.amount !== -input.amount)
        throw new LedgerError(
          'amount_invalid',
          `Capture of hold ${hold.id} must debit ${hold.accountId} by exactly ${input.amount}, not ${debit?.amount ?? 0n}.`,
        );
      const accounts = await this.lockAccounts(client, [
        hold.accountId,
        ...input.postings.map((posting) => posting.accountId),
      ]);
      if (input.amount > 0n && (await this.findEntry(client, input.entryId)) !== undefined)
        throw new LedgerError('conflict', `Entry id ${input.entryId} is already used by another entry.`);
      const endedAt = this.clock.now_ms();
      const captureEntryId = input.amount > 0n ? input.entryId : null;
      await client.query(
        `UPDATE ledger_holds SET status = 'captured', captured_amount = $2, capture_entry_id = $3, ended_at = $4
         WHERE id = $1`,
        [hold.id, input.amount.toString(), captureEntryId, endedAt],
      );
      // The whole hold is unreserved before posting, so the capture is checked against the floor
      // without its own hold counting twice.
      await client.query('UPDATE ledger_accounts SET held = held - $2 WHERE id = $1', [
        hold.accountId,
        hold.amount.toString(),
      ]);
      const entry =
        captureEntryId === null
          ? null
          : await this.writeNewEntry(
              client,
              { id: captureEntryId, memo: input.memo, ref: hold.ref, postings: input.postings },
              accounts,
              endedAt,
            );
      return { hold: { ...hold, status: 'captured', capturedAmount: input.amount, captureEntryId, endedAt }, entry };
    });
  }

  async findEntry(client: LedgerConnection, entryId: string): Promise<JournalEntry | undefined> {
    const { rows } = await client.query('SELECT seq, id, memo, ref, created_at FROM ledger_entries WHERE id = $1', [
      entryId,
    ]);
    if (rows.length === 0) return undefined;
    const entry = rows[0]!;
    const postings = await client.query(
      `SELECT p.account_id, p.amount, a.currency FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id
       WHERE p.entry_seq = $1 ORDER BY p.position`,
      [entry.seq],
    );
    return toEntry(
      {
        seq: big(entry.seq),
        id: entry.id as string,
        memo: entry.memo as string,
        ref: entry.ref as string | null,
        created_at: big(entry.created_at),
      },
      postings.rows.map((row) => ({
        account_id: row.account_id as string,
        amount: big(row.amount),
        currency: row.currency as string,
      })),
    );
  }

  /** The accounts, locked in id order until the transaction ends; unknown_account for a missing one. */
  private async lockAccounts(client: LedgerConnection, ids: readonly string[]): Promise<Map<string, Account>> {
    const { rows } = await client.query(
      `SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`,
      [[...new Set(ids)]],
    );
    const accounts = new Map(rows.map((row) => [row.id as string, accountOf(row)]));
    const missing = ids.find((id) => !accounts.has(id));
    if (missing !== undefined) throw unknownAccount(missing);
    return accounts;
  }

  /** Writes an entry whose id the caller has checked is unused, on accounts it has locked. */
  private async writeNewEntry(
    client: LedgerConnection,
    input: NewJournalEntry,
    accounts: ReadonlyMap<string, Account>,
    createdAt: number,
  ): Promise<JournalEntry> {
    const resolved = input.postings.map((posting) => ({ posting, account: accounts.get(posting.accountId)! }));
    assertBalancedPerCurrency(input.id, resolved);
    const ref = input.ref ?? null;
    const { rows } = await client.query(
      'INSERT INTO ledger_entries (id, memo, ref, created_at) VALUES ($1, $2, $3, $4) RETURNING seq',
      [input.id, input.memo, ref, createdAt],
    );
    const entrySeq = rows[0]!.seq;
    for (const [position, { posting, account }] of resolved.entries()) {
      const moved = await client.query(
        `UPDATE ledger_accounts SET balance = balance + $2
         WHERE id = $1 AND balance + $2 BETWEEN -${MAX_AMOUNT} AND ${MAX_AMOUNT}
           AND (min_balance IS NULL OR balance + $2 - held >= min_balance)`,
        [account.id, posting.amount.toString()],
      );
      if (moved.rowCount !== 1)
        throw explainRefusedBalanceDelta(await this.findAccount(client, account.id), account.id, posting.amount);
      await client.query(
        `INSERT INTO ledger_postings (entry_seq, position, account_id, amount, created_at)
         VALUES ($1, $2, $3, $4, $5)`,
        [entrySeq, position, account.id, posting.amount.toString(), createdAt],
      );
    }
    return {
      id: input.id,
      memo: input.memo,
      ref,
      createdAt,
      postings: resolved.map(({ posting, account }) => ({
        accountId: account.id,
        amount: posting.amount,
        currency: account.currency,
      })),
    };
  }

  private async replayCaptureHold(
    client: LedgerConnection,
    hold: Hold,
    input: CaptureHoldInput,
  ): Promise<CaptureResult> {
    if (hold.status === 'released')
      throw new LedgerError('hold_not_pending', `Hold ${hold.id} was released and cannot be captured.`);
    const entry = hold.captureEntryId === null ? null : ((await this.findEntry(client, hold.captureEntryId)) ?? null);
    if (isSameCapture(hold, entry, input)) return { hold, entry };
    throw new LedgerError(
      'conflict',
      `Hold ${hold.id} was already captured for ${hold.capturedAmount} (entry ${hold.captureEntryId ?? 'none'}).`,
    );
  }

  private async replayPlaceHold(client: LedgerConnection, input: NewHold): Promise<Hold> {
    const stored = (await this.findHold(client, input.id))!;
    if (isSameHold(stored, input)) return stored;
    throw new LedgerError(
      'conflict',
      `Hold id ${input.id} is already used for ${stored.amount} on ${stored.accountId} (ref ${stored.ref}).`,
    );
  }

  /** Runs one ledger call in a savepoint of the caller's transaction: a throw undoes its writes only. */
  private async inSavepoint<T>(client: LedgerConnection, call: () => Promise<T>): Promise<T> {
    await client.query('SAVEPOINT ledger_call');
    try {
      const result = await call();
      await client.query('RELEASE SAVEPOINT ledger_call');
      return result;
    } catch (error) {
      await client.query('ROLLBACK TO SAVEPOINT ledger_call');
      throw error;
    }
  }
}

function isForeignKeyViolation(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === '23503';
}

function whereClause(conditions: readonly string[]): string {
  return conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
}

/** The ledger group of the operator's store interface, on one transaction's client. */
export function postgresLedgerAccess(ledger: PostgresLedger, client: LedgerConnection): LedgerAccess {
  return {
    createAccount: (input) => ledger.createAccount(client, input),
    setMinBalance: (accountId, minBalance) => ledger.setMinBalance(client, accountId, minBalance),
    placeHold: (input) => ledger.placeHold(client, input),
    captureHold: (input) => ledger.captureHold(client, input),
    releaseHold: (holdId) => ledger.releaseHold(client, holdId),
    postEntry: (input) => ledger.postEntry(client, input),
    findAccount: (accountId) => ledger.findAccount(client, accountId),
    getAccount: (accountId) => ledger.getAccount(client, accountId),
    findHold: (holdId) => ledger.findHold(client, holdId),
    getHold: (holdId) => ledger.getHold(client, holdId),
    findEntry: (entryId) => ledger.findEntry(client, entryId),
    listHolds: (filter) => ledger.listHolds(client, filter),
    listEntries: (filter) => ledger.listEntries(client, filter),
    balancesByCurrency: () => ledger.balancesByCurrency(client),
    checkInvariants: () => ledger.checkInvariants(client),
  };
}
