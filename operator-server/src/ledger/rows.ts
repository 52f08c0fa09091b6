// Row shapes as SQLite returns them (integers as bigint, because every ledger statement reads
// with safeIntegers) and their conversion to the public types.
import assert from 'node:assert/strict';
import type { Account, AccountKind, Hold, HoldStatus, JournalEntry, Posting } from './types';

export interface AccountRow {
  id: string;
  currency: string;
  kind: AccountKind;
  min_balance: bigint | null;
  balance: bigint;
  held: bigint;
  created_at: bigint;
}

export interface HoldRow {
  id: string;
  account_id: string;
  amount: bigint;
  ref: string;
  status: HoldStatus;
  captured_amount: bigint | null;
  capture_entry_id: string | null;
  created_at: bigint;
  ended_at: bigint | null;
}

export interface EntryRow {
  seq: bigint;
  id: string;
  memo: string;
  ref: string | null;
  created_at: bigint;
}

export interface PostingRow {
  account_id: string;
  amount: bigint;
  currency: string;
}

function toMilliseconds(value: bigint): number {
  assert(value >= 0n && value <= BigInt(Number.MAX_SAFE_INTEGER), `stored timestamp ${value} is out of range`);
  return Number(value);
}

export function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    currency: row.currency,
    kind: row.kind,
    minBalance: row.min_balance,
    balance: row.balance,
    held: row.held,
    available: row.min_balance === null ? null : row.balance - row.held - row.min_balance,
    createdAt: toMilliseconds(row.created_at),
  };
}

export function toHold(row: HoldRow): Hold {
  return {
    id: row.id,
    accountId: row.account_id,
    amount: row.amount,
    ref: row.ref,
    status: row.status,
    capturedAmount: row.captured_amount,
    captureEntryId: row.capture_entry_id,
    createdAt: toMilliseconds(row.created_at),
    endedAt: row.ended_at === null ? null : toMilliseconds(row.ended_at),
  };
}

export function toPosting(row: PostingRow): Posting {
  return { accountId: row.account_id, amount: row.amount, currency: row.currency };
}

export function toEntry(row: EntryRow, postings: readonly PostingRow[]): JournalEntry {
  return {
    id: row.id,
    memo: row.memo,
    ref: row.ref,
    createdAt: toMilliseconds(row.created_at),
    postings: postings.map(toPosting),
  };
}
