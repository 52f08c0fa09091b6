// What a customer (or the operator's admin) sees of an account: balance, credit, holds, tabs
// and history, in the account's currency, as decimal strings.

import type { AccountView, AccountTab, HistoryEntry, TabClearing } from '@opentab/protocol';
import { moneyToWire, signedMoneyToWire } from '@opentab/protocol';
import { formatTimestamp } from '@opentab/protocol';
import { ledgerAccount } from '../ledger-accounts';
import type { OperatorContext } from '../operator-context';
import type { OperatorStoreTransaction } from '../store/operator-storage';
import type { Customer, Transaction } from '../store/records';

const TABS_SHOWN = 100;
const HISTORY_SHOWN = 200;

function toAccountTab(t: Transaction): AccountTab {
  return {
    transactionId: t.transactionId,
    tabId: t.tabId,
    merchantId: t.merchantId,
    merchantOperatorId: t.merchantOperatorId,
    merchantDisplayName: t.merchantDisplayName,
    state: t.state,
    hold: moneyToWire({ currency: t.customerCurrency, minor: t.hold_minor }),
    depositMerchant: moneyToWire({ currency: t.merchantCurrency, minor: t.deposit_minor }),
    charged: t.charged_minor === null ? null : moneyToWire({ currency: t.customerCurrency, minor: t.charged_minor }),
    openedAt: formatTimestamp(t.openedAt),
    expiresAt: formatTimestamp(t.expiresAt),
    clearedAt: t.clearedAt === null ? null : formatTimestamp(t.clearedAt),
    clearing: clearingOf(t),
  };
}

function clearingOf(t: Transaction): TabClearing | null {
  if (t.state !== 'cleared' || t.clearingOutcome === null) return null;
  const decision = t.disputeDecision?.payload ?? null;
  return {
    outcome: t.clearingOutcome,
    cleared: moneyToWire({ currency: t.merchantCurrency, minor: t.cleared_minor ?? 0n }),
    revision: t.clearingRevision,
    note: t.clearingNote,
    decision:
      decision === null
        ? null
        : {
            operatorId: decision.operatorId,
            decision: decision.decision,
            clearedBefore: decision.clearedBefore,
            clearedAfter: decision.clearedAfter,
            reason: decision.reason,
            decidedAt: decision.iat,
          },
  };
}

export function accountView(context: OperatorContext, customer: Customer): Promise<AccountView> {
  // One snapshot, so that the balance, the tabs and the history agree with each other.
  return context.storage.snapshot((tx) => accountViewIn(context, tx, customer));
}

/** `accountView` inside the caller's transaction (an admin change answers with the view it leaves). */
export async function accountViewIn(
  context: OperatorContext,
  tx: OperatorStoreTransaction,
  customer: Customer,
): Promise<AccountView> {
  const ledgerId = ledgerAccount.customer(customer.accountId);
  const account = await tx.ledger.getAccount(ledgerId);
  const transactions = await tx.transactions.transactionsOfAccount(customer.accountId, TABS_SHOWN);
  const entries = await tx.ledger.listEntries({ accountId: ledgerId });
  const merchantNames = new Map(transactions.map((t) => [t.transactionId, t.merchantDisplayName]));
  const history: HistoryEntry[] = entries
    .slice(-HISTORY_SHOWN)
    .reverse()
    .map((entry) => {
      const own = entry.postings.find((posting) => posting.accountId === ledgerId)!;
      const transactionId = entry.ref !== null && merchantNames.has(entry.ref) ? entry.ref : null;
      return {
        entryId: entry.id,
        at: formatTimestamp(entry.createdAt),
        kind: transactionId !== null ? 'charge' : own.amount > 0n ? 'credit' : 'adjustment',
        amount: signedMoneyToWire(customer.currency, own.amount),
        transactionId,
        merchantDisplayName: transactionId !== null ? (merchantNames.get(transactionId) ?? null) : null,
        memo: entry.memo.slice(0, 200),
      };
    });
  const creditLimit = account.minBalance === null ? 0n : -account.minBalance;
  return {
    accountId: customer.accountId,
    operatorId: context.identity.operatorId,
    currency: customer.currency,
    balance: signedMoneyToWire(customer.currency, account.balance),
    creditLimit: moneyToWire({ currency: customer.currency, minor: creditLimit }),
    held: moneyToWire({ currency: customer.currency, minor: account.held }),
    available: moneyToWire({ currency: customer.currency, minor: account.available ?? 0n }),
    tabs: transactions.map(toAccountTab),
    history,
  };
}
