import { LedgerError } from './errors';
import type { Account, PostingInput } from './types';

export interface ResolvedPosting {
  readonly posting: PostingInput;
  readonly account: Account;
}

/**
 * Checks what needs the accounts: declared currencies match, and the postings sum to zero in
 * each currency separately (an FX entry balances through one fx account per currency).
 */
export function assertBalancedPerCurrency(entryId: string, resolved: readonly ResolvedPosting[]): void {
  const sums = new Map<string, bigint>();
  for (const { posting, account } of resolved) {
    if (posting.currency !== undefined && posting.currency !== account.currency) {
      throw new LedgerError(
        'currency_mismatch',
        `Entry ${entryId} posts ${posting.currency} to account ${account.id}, which is in ${account.currency}.`,
      );
    }
    sums.set(account.currency, (sums.get(account.currency) ?? 0n) + posting.amount);
  }
  const unbalanced = [...sums].filter(([, sum]) => sum !== 0n);
  if (unbalanced.length > 0) {
    const described = unbalanced.map(([currency, sum]) => `${currency} by ${sum}`).join(', ');
    throw new LedgerError('unbalanced_entry', `Entry ${entryId} does not balance: off in ${described}.`);
  }
}
