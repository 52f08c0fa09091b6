import assert from 'node:assert/strict';
import type Database from 'better-sqlite3';
import { systemClock, type Clock } from '@opentab/protocol';
import { LedgerError } from './errors';
import { isSameCapture, isSameEntry, isSameHold } from './idempotency';
import { checkLedgerInvariants } from './invariants';
import { assertBalancedPerCurrency } from './postings';
import { LedgerQueries } from './queries';
import {
  explainRefusedBalanceDelta,
  explainRefusedFloor,
  explainRefusedReservation,
  unknownAccount,
} from './rejections';
import { migrateLedger } from './schema';
import { prepareLedgerStatements, type LedgerStatements } from './statements';
import type {
  Account,
  CaptureHoldInput,
  CaptureResult,
  CurrencyBalances,
  EntryFilter,
  Hold,
  HoldFilter,
  InvariantReport,
  JournalEntry,
  NewAccount,
  NewHold,
  NewJournalEntry,
} from './types';
import {
  assertAccountKind,
  assertCurrencyCode,
  assertFloor,
  assertIdentifier,
  assertMemo,
  assertNonNegativeAmount,
  assertPositiveAmount,
  assertPostingsShape,
  assertTimestampMs,
} from './validation';

export interface LedgerOptions {
  /** Clock for createdAt/endedAt; injectable so tests can place entries in time. */
  readonly clock?: Clock;
}

/**
 * Double-entry ledger with holds over a caller-owned better-sqlite3 connection.
 *
 * Every mutating method runs in its own transaction, which better-sqlite3 turns into a
 * savepoint when the caller already has one open: the caller can put ledger calls and its own
 * rows (an outbox message, a tab) into one `db.transaction(...)`, and a ledger call that throws
 * undoes only its own writes. Reads need no transaction.
 */
export class Ledger {
  private readonly statements: LedgerStatements;
  private readonly queries: LedgerQueries;
  private readonly clock: Clock;

  // Wrapped once here, not per call; `.immediate` takes the write lock up front so that a
  // second connection cannot make this one fail half-way with SQLITE_BUSY.
  private readonly createAccountAtomically;
  private readonly setMinBalanceAtomically;
  private readonly placeHoldAtomically;
  private readonly captureHoldAtomically;
  private readonly releaseHoldAtomically;
  private readonly postEntryAtomically;

  constructor(
    readonly db: Database.Database,
    options: LedgerOptions = {},
  ) {
    // Migrating here means no Ledger can exist over a missing schema; it is idempotent.
    migrateLedger(db);
    this.statements = prepareLedgerStatements(db);
    this.queries = new LedgerQueries(db, this.statements);
    this.clock = options.clock ?? systemClock;

    this.createAccountAtomically = this.atomic((input: NewAccount) => this.createAccountInTransaction(input));
    this.setMinBalanceAtomically = this.atomic((accountId: string, minBalance: bigint | null) =>
      this.setMinBalanceInTransaction(accountId, minBalance),
    );
    this.placeHoldAtomically = this.atomic((input: NewHold) => this.placeHoldInTransaction(input));
    this.captureHoldAtomically = this.atomic((input: CaptureHoldInput) => this.captureHoldInTransaction(input));
    this.releaseHoldAtomically = this.atomic((holdId: string) => this.releaseHoldInTransaction(holdId));
    this.postEntryAtomically = this.atomic((input: NewJournalEntry) => this.postEntryInTransaction(input));
  }

  // ---- accounts -------------------------------------------------------------------------

  /** Creates an account at balance 0. Repeating an identical call returns the account. */
  createAccount(input: NewAccount): Account {
    assertIdentifier(input.id, 'account id');
    assertCurrencyCode(input.currency, 'account currency');
    assertAccountKind(input.kind);
    assertFloor(input.minBalance);
    return this.createAccountAtomically(input);
  }

  /** Changes the floor (e.g. a new credit limit); refused if the account is already below it. */
  setMinBalance(accountId: string, minBalance: bigint | null): Account {
    assertIdentifier(accountId, 'account id');
    assertFloor(minBalance);
    return this.setMinBalanceAtomically(accountId, minBalance);
  }

  // ---- holds ----------------------------------------------------------------------------

  /**
   * Reserves `amount` if it fits above the account's floor. Repeating an identical call returns
   * the existing hold, whatever its status now; reusing the id for anything else is a conflict.
   */
  placeHold(input: NewHold): Hold {
    assertIdentifier(input.id, 'hold id');
    assertIdentifier(input.accountId, 'hold account id');
    assertPositiveAmount(input.amount, 'hold amount');
    assertIdentifier(input.ref, 'hold ref');
    if (input.currency !== undefined) assertCurrencyCode(input.currency, 'hold currency');
    return this.placeHoldAtomically(input);
  }

  /**
   * Ends a pending hold as captured: posts the entry (which must debit the held account by
   * exactly `amount`) and releases the remainder, all in one step. A zero capture posts
   * nothing. Repeating the same capture returns the first result; a different capture is a
   * conflict; capturing a released hold is hold_not_pending.
   */
  captureHold(input: CaptureHoldInput): CaptureResult {
    assertIdentifier(input.holdId, 'hold id');
    assertNonNegativeAmount(input.amount, 'capture amount');
    assertIdentifier(input.entryId, 'capture entry id');
    assertMemo(input.memo);
    if (input.amount === 0n) {
      if (input.postings.length > 0) {
        throw new LedgerError('amount_invalid', `A zero capture of hold ${input.holdId} must not carry postings.`);
      }
    } else {
      assertPostingsShape(input.postings, 2);
    }
    return this.captureHoldAtomically(input);
  }

  /** Ends a pending hold without posting. Releasing a released hold returns it unchanged. */
  releaseHold(holdId: string): Hold {
    assertIdentifier(holdId, 'hold id');
    return this.releaseHoldAtomically(holdId);
  }

  // ---- entries --------------------------------------------------------------------------

  /** Appends a balanced entry. Repeating an identical call returns the stored entry. */
  postEntry(input: NewJournalEntry): JournalEntry {
    assertIdentifier(input.id, 'entry id');
    assertMemo(input.memo);
    if (input.ref !== undefined && input.ref !== null) assertIdentifier(input.ref, 'entry ref');
    assertPostingsShape(input.postings, 2);
    return this.postEntryAtomically(input);
  }

  // ---- reads ----------------------------------------------------------------------------

  findAccount(accountId: string): Account | undefined {
    return this.queries.findAccount(accountId);
  }

  getAccount(accountId: string): Account {
    const account = this.queries.findAccount(accountId);
    if (account === undefined) throw unknownAccount(accountId);
    return account;
  }

  findHold(holdId: string): Hold | undefined {
    return this.queries.findHold(holdId);
  }

  getHold(holdId: string): Hold {
    const hold = this.queries.findHold(holdId);
    if (hold === undefined) throw new LedgerError('unknown_hold', `Hold ${holdId} does not exist.`);
    return hold;
  }

  findEntry(entryId: string): JournalEntry | undefined {
    return this.queries.findEntry(entryId);
  }

  listHolds(filter: HoldFilter = {}): Hold[] {
    return this.queries.listHolds(filter);
  }

  listEntries(filter: EntryFilter = {}): JournalEntry[] {
    return this.queries.listEntries(filter);
  }

  balancesByCurrency(): Record<string, CurrencyBalances> {
    return this.queries.balancesByCurrency();
  }

  checkInvariants(): InvariantReport {
    return checkLedgerInvariants(this.db);
  }

  // ---- transaction bodies: each runs inside the transaction or savepoint opened by atomic() --

  private createAccountInTransaction(input: NewAccount): Account {
    const { id, currency, kind, minBalance } = input;
    const { changes } = this.statements.insertAccount.run({ id, currency, kind, minBalance, createdAt: this.now() });
    const account = this.getAccount(input.id);
    if (changes === 1) return account;
    const identical =
      account.currency === input.currency && account.kind === input.kind && account.minBalance === input.minBalance;
    if (identical) return account;
    throw new LedgerError(
      'account_exists',
      `Account ${input.id} already exists as ${account.kind} in ${account.currency} with floor ${account.minBalance}.`,
    );
  }

  private setMinBalanceInTransaction(accountId: string, minBalance: bigint | null): Account {
    const { changes } = this.statements.setMinBalance.run({ id: accountId, minBalance });
    if (changes !== 1) throw explainRefusedFloor(this.findAccount(accountId), accountId, minBalance);
    return this.getAccount(accountId);
  }

  // The hot path: one insert and one conditional update, no reads unless something is refused.
  private placeHoldInTransaction(input: NewHold): Hold {
    const createdAt = this.now();
    if (!this.insertPendingHold(input, createdAt)) return this.replayPlaceHold(input);

    const reservation = { accountId: input.accountId, amount: input.amount, currency: input.currency ?? null };
    if (this.statements.reserveFunds.run(reservation).changes !== 1) {
      // Throwing rolls back the hold row inserted above.
      throw explainRefusedReservation(
        this.findAccount(input.accountId),
        input.accountId,
        input.amount,
        reservation.currency,
      );
    }
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
  }

  /** Returns false when the id is taken. */
  private insertPendingHold(input: NewHold, createdAt: number): boolean {
    const row = { id: input.id, accountId: input.accountId, amount: input.amount, ref: input.ref, createdAt };
    try {
      return this.statements.insertHold.run(row).changes === 1;
    } catch (error) {
      // With foreign_keys on, an unknown account fails here rather than at the reservation.
      if (isForeignKeyViolation(error)) throw unknownAccount(input.accountId);
      throw error;
    }
  }

  private replayPlaceHold(input: NewHold): Hold {
    const stored = this.getHold(input.id);
    if (isSameHold(stored, input)) return stored;
    throw new LedgerError(
      'conflict',
      `Hold id ${input.id} is already used for ${stored.amount} on ${stored.accountId} (ref ${stored.ref}).`,
    );
  }

  private captureHoldInTransaction(input: CaptureHoldInput): CaptureResult {
    const hold = this.getHold(input.holdId);
    if (hold.status !== 'pending') return this.replayCaptureHold(hold, input);
    if (input.amount > hold.amount) {
      throw new LedgerError('amount_invalid', `Cannot capture ${input.amount} from hold ${hold.id} of ${hold.amount}.`);
    }
    const debit = input.postings.find((posting) => posting.accountId === hold.accountId);
    if (input.amount > 0n && debit?.amount !== -input.amount) {
      throw new LedgerError(
        'amount_invalid',
        `Capture of hold ${hold.id} must debit ${hold.accountId} by exactly ${input.amount}, not ${debit?.amount ?? 0n}.`,
      );
    }
    if (input.amount > 0n && this.findEntry(input.entryId) !== undefined) {
      throw new LedgerError('conflict', `Entry id ${input.entryId} is already used by another entry.`);
    }

    const endedAt = this.now();
    const captureEntryId = input.amount > 0n ? input.entryId : null;
    this.endPendingHold(hold, { status: 'captured', capturedAmount: input.amount, captureEntryId, endedAt });
    // The whole hold is unreserved before posting, so the capture is checked against the floor
    // without its own hold counting twice.
    const entry =
      captureEntryId === null
        ? null
        : this.writeNewEntry(
            { id: captureEntryId, memo: input.memo, ref: hold.ref, postings: input.postings },
            endedAt,
          );
    return {
      hold: { ...hold, status: 'captured', capturedAmount: input.amount, captureEntryId, endedAt },
      entry,
    };
  }

  private replayCaptureHold(hold: Hold, input: CaptureHoldInput): CaptureResult {
    if (hold.status === 'released') {
      throw new LedgerError('hold_not_pending', `Hold ${hold.id} was released and cannot be captured.`);
    }
    const entry = hold.captureEntryId === null ? null : (this.findEntry(hold.captureEntryId) ?? null);
    if (isSameCapture(hold, entry, input)) return { hold, entry };
    throw new LedgerError(
      'conflict',
      `Hold ${hold.id} was already captured for ${hold.capturedAmount} (entry ${hold.captureEntryId ?? 'none'}).`,
    );
  }

  private releaseHoldInTransaction(holdId: string): Hold {
    const hold = this.getHold(holdId);
    if (hold.status === 'released') return hold;
    if (hold.status === 'captured') {
      throw new LedgerError('hold_not_pending', `Hold ${hold.id} was captured and cannot be released.`);
    }
    const ending = { status: 'released', capturedAmount: null, captureEntryId: null, endedAt: this.now() } as const;
    this.endPendingHold(hold, ending);
    return { ...hold, ...ending };
  }

  private endPendingHold(
    hold: Hold,
    ending: Pick<Hold, 'capturedAmount' | 'captureEntryId'> & { status: 'captured' | 'released'; endedAt: number },
  ): void {
    const ended = this.statements.endHold.run({ id: hold.id, ...ending });
    assert(ended.changes === 1, `hold ${hold.id} was not pending when ending it`);
    const unreserved = this.statements.unreserveFunds.run({ accountId: hold.accountId, amount: hold.amount });
    assert(unreserved.changes === 1, `account ${hold.accountId} holds less than its pending hold ${hold.id}`);
  }

  private postEntryInTransaction(input: NewJournalEntry): JournalEntry {
    const stored = this.findEntry(input.id);
    if (stored === undefined) return this.writeNewEntry(input, this.now());
    if (isSameEntry(stored, input)) return stored;
    throw new LedgerError('conflict', `Entry id ${input.id} is already used by an entry with different content.`);
  }

  /** Writes an entry whose id the caller has checked is unused. */
  private writeNewEntry(input: NewJournalEntry, createdAt: number): JournalEntry {
    const resolved = input.postings.map((posting) => ({ posting, account: this.getAccount(posting.accountId) }));
    assertBalancedPerCurrency(input.id, resolved);

    const ref = input.ref ?? null;
    const entrySeq = BigInt(
      this.statements.insertEntry.run({ id: input.id, memo: input.memo, ref, createdAt }).lastInsertRowid,
    );
    resolved.forEach(({ posting, account }, position) => {
      const moved = this.statements.applyBalanceDelta.run({ accountId: account.id, delta: posting.amount });
      if (moved.changes !== 1)
        throw explainRefusedBalanceDelta(this.findAccount(account.id), account.id, posting.amount);
      this.statements.insertPosting.run({
        entrySeq,
        position,
        accountId: account.id,
        amount: posting.amount,
        createdAt,
      });
    });
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

  private now(): number {
    const now = this.clock.now_ms();
    assertTimestampMs(now, 'clock time');
    return now;
  }

  private atomic<Args extends unknown[], Result>(body: (...args: Args) => Result): (...args: Args) => Result {
    const transaction = this.db.transaction(body);
    return (...args: Args) => transaction.immediate(...args);
  }
}

function isForeignKeyViolation(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
