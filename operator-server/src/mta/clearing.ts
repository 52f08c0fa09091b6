// Seed FIG 3, steps 3–5 at the MTA: decide what the tab clears, credit the merchant, and leave
// the clearing information for the customer's AM, the deposit record for billing and a notice
// for the merchant agent in the outbox — all in one SQLite transaction.

import { moneyToWire } from '../../../protocol/money/amount';
import { moneyFromWire } from '../../../protocol/money/amount';
import type { ClearingPayload } from '../../../protocol/messages/peer';
import type { TabClearedPayload } from '../../../protocol/messages/merchant';
import type { PayloadBody } from '../../../protocol/envelope';
import { formatTimestamp } from '../../../protocol/time';
import { enqueueBillingRecord } from '../billing/billing-outbox';
import type { DepositRecord } from '../billing/billing-records';
import { ensureAccount, ledgerAccount } from '../ledger-accounts';
import type { OperatorContext } from '../operator-context';
import type { Tab } from '../store/records';
import { concludeTab } from './conclusion';

/** The clearing message body kept in the outbox; it is signed afresh at each delivery attempt. */
export type ClearingBody = Omit<PayloadBody<ClearingPayload>, 'operatorCertificate'>;
export type TabClearedBody = PayloadBody<TabClearedPayload>;

/** Clears a tab exactly once; false when it was already cleared. */
export function clearTab(context: OperatorContext, tab: Tab, now_ms: number): boolean {
  const conclusion = concludeTab(context.crypto, {
    depositMinor: tab.depositMinor,
    currency: tab.currency,
    unitMinor: moneyFromWire(tab.chain.unit).minor,
    chain: { root: tab.chain.root, length: tab.chain.length },
    customerRecord: tab.customerRecord?.payload ?? null,
    merchantRecord: tab.merchantRecord?.payload ?? null,
  });
  const cleared = moneyToWire({ currency: tab.currency, minor: conclusion.clearedMinor });
  const clearedAt = formatTimestamp(now_ms);
  const note = conclusion.disputeReason ?? `${conclusion.outcome}: ${cleared.value} ${cleared.currency}`;

  const done = context.db.transaction(() => {
    if (!context.store.markTabCleared(tab.tabId, conclusion.clearedMinor, conclusion.outcome, now_ms)) return false;
    if (conclusion.clearedMinor > 0n) {
      const owedBy = ledgerAccount.settlement(tab.customerOperatorId, tab.currency);
      ensureAccount(context, owedBy, tab.currency, 'settlement');
      context.ledger.postEntry({
        id: `credit:${tab.tabId}`,
        memo: `tab ${tab.tabId} cleared (${conclusion.outcome})`,
        ref: tab.tabId,
        postings: [
          { accountId: owedBy, amount: -conclusion.clearedMinor },
          { accountId: ledgerAccount.merchant(tab.merchantId), amount: conclusion.clearedMinor },
        ],
      });
    }
    if (conclusion.disputeReason !== null) {
      context.store.insertDispute({
        disputeId: `dispute:${tab.tabId}`,
        tabId: tab.tabId,
        createdAt: now_ms,
        clearedMinor: conclusion.clearedMinor,
        reason: conclusion.disputeReason,
        customerRecord: tab.customerRecord,
        merchantRecord: tab.merchantRecord,
      });
    }
    const clearing: ClearingBody = { type: 'clearing', transactionId: tab.transactionId, tabId: tab.tabId, cleared, outcome: conclusion.outcome, note };
    context.outbox.enqueue(`clearing:${tab.tabId}`, { kind: 'peer-clearing', operatorId: tab.customerOperatorId }, clearing, now_ms);
    const notice: TabClearedBody = {
      type: 'tab-cleared', operatorId: context.identity.operatorId, merchantId: tab.merchantId, tabId: tab.tabId, cleared, outcome: conclusion.outcome,
    };
    context.outbox.enqueue(`tab-cleared:${tab.tabId}`, { kind: 'merchant-notice', merchantId: tab.merchantId }, notice, now_ms);
    const record: DepositRecord = {
      recordType: 'deposit',
      source: 'tab',
      recordId: `deposit:${context.identity.operatorId}:${tab.tabId}`,
      operatorId: context.identity.operatorId,
      merchantId: tab.merchantId,
      tabId: tab.tabId,
      customerOperatorId: tab.customerOperatorId,
      amount: cleared,
      outcome: conclusion.outcome,
      clearedAt,
    };
    enqueueBillingRecord(context, record, now_ms);
    return true;
  })();

  if (done) {
    context.log.info('tab.cleared', {
      tx: tab.transactionId, tab: tab.tabId, merchant: tab.merchantId, cleared: `${cleared.value} ${cleared.currency}`, outcome: conclusion.outcome,
      ...(conclusion.disputeReason !== null ? { dispute: conclusion.disputeReason } : {}),
    });
  }
  return done;
}
