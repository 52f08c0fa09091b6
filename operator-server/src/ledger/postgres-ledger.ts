// The ledger's accounts and holds on PostgreSQL, for operator processes that share one database.
// Each call runs on the caller's transaction client, inside a savepoint of its own, so that a
// refused call undoes only its own writes, as on SQLite. A hold is placed by one conditional
// UPDATE of the account row: of two processes holding against the same credit limit at once,
// the second waits for the first's row lock and then re-checks the floor on the row the first
// committed (READ COMMITTED re-evaluates the WHERE on the newest row version), so together they
// never pass the limit; the CHECK on the table says the same at the storage level.

import type { PostgresMigrations } from '@opentab/server-kit';
import { LedgerError } from './errors';
import { isSameHold } from './idempotency';
import { explainRefusedReservation, unknownAccount } from './rejections';
import { toAccount, toHold } from './rows';
import { ACCOUNT_KINDS, type Account, HOLD_STATUSES, type Hold, type NewAccount, type NewHold } from './types';
import {
  assertAccountKind,
  assertCurrencyCode,
  assertFloor,
  assertIdentifier,
  assertPositiveAmount,
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
      const account = await this.findAccount(client, input.accountId);
      if (account === undefined) throw unknownAccount(input.accountId);
      const inserted = await client.query(
        `INSERT INTO ledger_holds (id, account_id, amount, ref, status, created_at)
         VALUES ($1, $2, $3, $4, 'pending', $5) ON CONFLICT (id) DO NOTHING`,
        [input.id, input.accountId, input.amount.toString(), input.ref, createdAt],
      );
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
