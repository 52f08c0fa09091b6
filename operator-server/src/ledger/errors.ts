// Errors a caller is expected to handle. Programmer errors (malformed ids, currency codes,
// kinds, memos) are assertions instead: they mean the caller skipped its own input validation.

export const LEDGER_ERROR_CODES = [
  'insufficient_funds',
  'unknown_account',
  'unknown_hold',
  'hold_not_pending',
  'conflict',
  'currency_mismatch',
  'unbalanced_entry',
  'amount_invalid',
  'account_exists',
] as const;
export type LedgerErrorCode = (typeof LEDGER_ERROR_CODES)[number];

/** One stable sentence per code, for logs and API error bodies that must not leak details. */
export const LEDGER_ERROR_SUMMARIES: Readonly<Record<LedgerErrorCode, string>> = {
  insufficient_funds: 'The account does not have enough available funds above its floor.',
  unknown_account: 'The account does not exist.',
  unknown_hold: 'The hold does not exist.',
  hold_not_pending: 'The hold has already ended in a different way.',
  conflict: 'The id was already used with different details.',
  currency_mismatch: 'The currency does not match the account currency.',
  unbalanced_entry: 'The postings do not sum to zero in every currency.',
  amount_invalid: 'The amount is not valid here.',
  account_exists: 'An account with this id already exists with different details.',
};

export class LedgerError extends Error {
  override readonly name = 'LedgerError';

  /** `message` is a specific sentence naming the ids and amounts involved. */
  constructor(
    readonly code: LedgerErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isLedgerError(error: unknown, code?: LedgerErrorCode): error is LedgerError {
  return error instanceof LedgerError && (code === undefined || error.code === code);
}
