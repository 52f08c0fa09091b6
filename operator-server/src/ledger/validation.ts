import assert from 'node:assert/strict';
import { LedgerError } from './errors';
import { ACCOUNT_KINDS, HOLD_STATUSES, type AccountKind, type HoldStatus, type PostingInput } from './types';

export const MAX_IDENTIFIER_LENGTH = 128;
export const MAX_MEMO_LENGTH = 512;

/**
 * Largest magnitude of any amount, balance, held sum or floor. SQLite silently turns an
 * overflowing integer expression into an inexact REAL, so the conditional updates must never
 * overflow: the widest one, `balance - held - amount`, stays within 3 × 2^61 < 2^63. That still
 * leaves 2.3 × 10^18 minor units, far beyond any real account.
 */
export const MAX_AMOUNT = 2n ** 61n;

const CURRENCY_CODE = /^[A-Z]{3}$/;

export function assertIdentifier(value: unknown, field: string): asserts value is string {
  assert(typeof value === 'string', `${field} must be a string, got ${typeof value}`);
  assert(
    value.length > 0 && value.length <= MAX_IDENTIFIER_LENGTH,
    `${field} must be 1..${MAX_IDENTIFIER_LENGTH} characters, got ${value.length}`,
  );
}

export function assertCurrencyCode(value: unknown, field: string): asserts value is string {
  assert(
    typeof value === 'string' && CURRENCY_CODE.test(value),
    `${field} must be a 3-letter uppercase ISO 4217 code, got ${String(value)}`,
  );
}

export function assertAccountKind(value: unknown): asserts value is AccountKind {
  assert(
    (ACCOUNT_KINDS as readonly unknown[]).includes(value),
    `account kind must be one of ${ACCOUNT_KINDS.join(', ')}, got ${String(value)}`,
  );
}

export function assertHoldStatus(value: unknown): asserts value is HoldStatus {
  assert(
    (HOLD_STATUSES as readonly unknown[]).includes(value),
    `hold status must be one of ${HOLD_STATUSES.join(', ')}, got ${String(value)}`,
  );
}

export function assertMemo(value: unknown): asserts value is string {
  assert(typeof value === 'string', `memo must be a string, got ${typeof value}`);
  assert(value.length <= MAX_MEMO_LENGTH, `memo must be at most ${MAX_MEMO_LENGTH} characters`);
}

export function assertTimestampMs(value: unknown, field: string): asserts value is number {
  assert(
    Number.isSafeInteger(value) && (value as number) >= 0,
    `${field} must be a non-negative integer of milliseconds, got ${String(value)}`,
  );
}

export function assertLimit(value: unknown): asserts value is number {
  assert(
    Number.isSafeInteger(value) && (value as number) > 0,
    `limit must be a positive integer, got ${String(value)}`,
  );
}

function assertAmountInRange(value: unknown, field: string): asserts value is bigint {
  if (typeof value !== 'bigint') {
    throw new LedgerError('amount_invalid', `${field} must be a bigint of minor units, got ${typeof value}.`);
  }
  if (value > MAX_AMOUNT || value < -MAX_AMOUNT) {
    throw new LedgerError('amount_invalid', `${field} ${value} is outside the ledger range of ±${MAX_AMOUNT}.`);
  }
}

export function assertPositiveAmount(value: unknown, field: string): asserts value is bigint {
  assertAmountInRange(value, field);
  if (value <= 0n) throw new LedgerError('amount_invalid', `${field} must be positive, got ${value}.`);
}

export function assertNonNegativeAmount(value: unknown, field: string): asserts value is bigint {
  assertAmountInRange(value, field);
  if (value < 0n) throw new LedgerError('amount_invalid', `${field} must not be negative, got ${value}.`);
}

export function assertNonZeroAmount(value: unknown, field: string): asserts value is bigint {
  assertAmountInRange(value, field);
  if (value === 0n) throw new LedgerError('amount_invalid', `${field} must not be zero.`);
}

/** A positive floor would put a brand-new account (balance 0) below its own floor. */
export function assertFloor(value: unknown): asserts value is bigint | null {
  if (value === null) return;
  assertAmountInRange(value, 'minBalance');
  if (value > 0n) throw new LedgerError('amount_invalid', `minBalance must be zero or negative, got ${value}.`);
}

/** Shape checks only; balance per currency needs the accounts and is checked when posting. */
export function assertPostingsShape(
  postings: unknown,
  minimumCount: number,
): asserts postings is readonly PostingInput[] {
  assert(Array.isArray(postings), 'postings must be an array');
  assert(postings.length >= minimumCount, `an entry needs at least ${minimumCount} postings, got ${postings.length}`);
  const seen = new Set<string>();
  postings.forEach((posting: PostingInput, index) => {
    assertIdentifier(posting.accountId, `postings[${index}].accountId`);
    assertNonZeroAmount(posting.amount, `postings[${index}].amount`);
    if (posting.currency !== undefined) assertCurrencyCode(posting.currency, `postings[${index}].currency`);
    // One posting per account keeps entries readable and lets the account+time index list
    // each entry at most once per account.
    assert(!seen.has(posting.accountId), `account ${posting.accountId} appears twice in one entry`);
    seen.add(posting.accountId);
  });
}
