// The hot-path updates are conditional and report only "changed nothing". These functions
// re-read the account afterwards and say precisely which condition failed.
import { LedgerError } from './errors';
import type { Account } from './types';
import { MAX_AMOUNT } from './validation';

export function unknownAccount(accountId: string): LedgerError {
  return new LedgerError('unknown_account', `Account ${accountId} does not exist.`);
}

function insufficientFunds(account: Account, amount: bigint, action: string): LedgerError {
  return new LedgerError(
    'insufficient_funds',
    `Account ${account.id} cannot ${action} ${amount} ${account.currency}: ` +
      `balance ${account.balance}, held ${account.held}, floor ${account.minBalance}, available ${account.available}.`,
  );
}

export function explainRefusedReservation(
  account: Account | undefined,
  accountId: string,
  amount: bigint,
  expectedCurrency: string | null,
): LedgerError {
  if (account === undefined) return unknownAccount(accountId);
  if (expectedCurrency !== null && account.currency !== expectedCurrency) {
    return new LedgerError(
      'currency_mismatch',
      `Account ${account.id} is in ${account.currency}, the hold is in ${expectedCurrency}.`,
    );
  }
  if (account.held + amount > MAX_AMOUNT) {
    return new LedgerError(
      'amount_invalid',
      `Holds on account ${account.id} would exceed the ledger range of ${MAX_AMOUNT}.`,
    );
  }
  return insufficientFunds(account, amount, 'hold');
}

export function explainRefusedBalanceDelta(
  account: Account | undefined,
  accountId: string,
  delta: bigint,
): LedgerError {
  if (account === undefined) return unknownAccount(accountId);
  const newBalance = account.balance + delta;
  if (newBalance > MAX_AMOUNT || newBalance < -MAX_AMOUNT) {
    return new LedgerError(
      'amount_invalid',
      `Balance of account ${account.id} would become ${newBalance}, outside the ledger range of ±${MAX_AMOUNT}.`,
    );
  }
  return insufficientFunds(account, -delta, 'be debited');
}

export function explainRefusedFloor(
  account: Account | undefined,
  accountId: string,
  minBalance: bigint | null,
): LedgerError {
  if (account === undefined) return unknownAccount(accountId);
  return new LedgerError(
    'insufficient_funds',
    `Account ${account.id} cannot take floor ${minBalance}: ` +
      `balance ${account.balance} minus held ${account.held} is already below it.`,
  );
}
