// Public shapes of the ledger. Every amount is a bigint of minor units; every timestamp is
// milliseconds since the Unix epoch.

export const ACCOUNT_KINDS = ['customer', 'merchant', 'settlement', 'fx', 'funding', 'revenue'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

export const HOLD_STATUSES = ['pending', 'captured', 'released'] as const;
export type HoldStatus = (typeof HOLD_STATUSES)[number];

export interface Account {
  readonly id: string;
  readonly currency: string;
  readonly kind: AccountKind;
  /**
   * The lowest value `balance - held` may reach; null means no floor (funding, fx and
   * settlement accounts may go arbitrarily negative). A customer with credit limit L has -L.
   */
  readonly minBalance: bigint | null;
  /** What the holder has: positive means the operator owes the holder. */
  readonly balance: bigint;
  /** Sum of the account's pending holds. */
  readonly held: bigint;
  /** `balance - held - minBalance`; null when the account has no floor. */
  readonly available: bigint | null;
  readonly createdAt: number;
}

export interface NewAccount {
  readonly id: string;
  readonly currency: string;
  readonly kind: AccountKind;
  /** Must be <= 0n: a new account starts at balance 0 and must not begin below its floor. */
  readonly minBalance: bigint | null;
}

export interface Hold {
  readonly id: string;
  readonly accountId: string;
  readonly amount: bigint;
  /** The caller's reference, e.g. the transaction id of the deposit. */
  readonly ref: string;
  readonly status: HoldStatus;
  /** Set once captured (0n for a zero capture); null while pending or after a release. */
  readonly capturedAmount: bigint | null;
  /** The journal entry that posted the capture; null when nothing was posted. */
  readonly captureEntryId: string | null;
  readonly createdAt: number;
  readonly endedAt: number | null;
}

export interface NewHold {
  readonly id: string;
  readonly accountId: string;
  readonly amount: bigint;
  readonly ref: string;
  /** When given, the hold is refused unless the account is in this currency. */
  readonly currency?: string;
}

export interface PostingInput {
  readonly accountId: string;
  /** Signed and non-zero: negative debits the account, positive credits it. */
  readonly amount: bigint;
  /** When given, the posting is refused unless the account is in this currency. */
  readonly currency?: string;
}

export interface Posting {
  readonly accountId: string;
  readonly amount: bigint;
  readonly currency: string;
}

export interface JournalEntry {
  readonly id: string;
  readonly memo: string;
  readonly ref: string | null;
  readonly createdAt: number;
  readonly postings: readonly Posting[];
}

export interface NewJournalEntry {
  readonly id: string;
  readonly memo: string;
  readonly ref?: string | null;
  /** At least two, one per account, summing to zero in every currency. */
  readonly postings: readonly PostingInput[];
}

export interface CaptureHoldInput {
  readonly holdId: string;
  /** 0n <= amount <= hold amount; the rest of the hold is released in the same step. */
  readonly amount: bigint;
  /** Id of the journal entry to write; no entry is written for a zero capture. */
  readonly entryId: string;
  /** Must debit the held account by exactly `amount`; must be empty for a zero capture. */
  readonly postings: readonly PostingInput[];
  readonly memo: string;
}

export interface CaptureResult {
  readonly hold: Hold;
  readonly entry: JournalEntry | null;
}

export interface HoldFilter {
  readonly accountId?: string;
  readonly ref?: string;
  readonly status?: HoldStatus;
}

export interface EntryFilter {
  /** Only entries with a posting on this account. */
  readonly accountId?: string;
  readonly ref?: string;
  /** Inclusive lower bound on createdAt. */
  readonly sinceMs?: number;
  /** Exclusive upper bound on createdAt. */
  readonly untilMs?: number;
  /** Oldest first; no limit when absent, so totals over a period are never silently cut. */
  readonly limit?: number;
}

export interface CurrencyBalances {
  /** Sum of all balances in the currency; zero in a consistent ledger. */
  readonly total: bigint;
  readonly held: bigint;
  readonly balanceByKind: Partial<Record<AccountKind, bigint>>;
}

export interface InvariantReport {
  /** Sum of balances per currency; every value must be 0n. */
  readonly sumsByCurrency: Record<string, bigint>;
  /** Accounts whose `balance - held` is below their floor. */
  readonly accountsBelowFloor: string[];
  /** Accounts whose held column differs from the sum of their pending holds. */
  readonly heldMismatches: string[];
  /** Accounts whose balance column differs from the sum of their postings. */
  readonly balanceMismatches: string[];
}
