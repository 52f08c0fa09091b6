// Names of the operator's ledger accounts. One place, so that the AM, the MTA, settlement and
// the admin API can never disagree on which account holds what.

import type { Ledger } from './ledger';
import type { LedgerAccess } from './store/operator-storage';

export const ledgerAccount = {
  customer: (accountId: string) => `customer:${accountId}`,
  merchant: (merchantId: string) => `merchant:${merchantId}`,
  /** The operator's own position in a currency when it converts between customer and merchant money. */
  fx: (currency: string) => `fx:${currency}`,
  /** What this operator owes (positive) or is owed by (negative) a peer operator, per currency. */
  settlement: (peerOperatorId: string, currency: string) => `settlement:${peerOperatorId}:${currency}`,
  /** What the operator carries itself: a late charge the customer's credit no longer covers. */
  writeOff: (currency: string) => `writeoff:${currency}`,
  /** Source of prepaid credit put on customer accounts by the operator. */
  funding: (currency: string) => `funding:${currency}`,
} as const;

/** The operator's own accounts (no floor) are made on first use, through the ledger of a store transaction. */
export async function ensureOwnAccount(
  ledger: LedgerAccess,
  id: string,
  currency: string,
  kind: 'settlement' | 'fx' | 'funding' | 'revenue',
): Promise<void> {
  if ((await ledger.findAccount(id)) === undefined)
    await ledger.createAccount({ id, currency, kind, minBalance: null });
}

/** The same on the SQLite file's ledger, for an extension's synchronous transactions. */
export function ensureAccount(
  ledger: Ledger,
  id: string,
  currency: string,
  kind: 'settlement' | 'fx' | 'funding' | 'revenue',
): void {
  if (ledger.findAccount(id) === undefined) ledger.createAccount({ id, currency, kind, minBalance: null });
}
