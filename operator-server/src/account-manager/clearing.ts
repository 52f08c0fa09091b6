// Seed FIG 3, step 4 at the customer's AM: the MTA says what the tab cleared in merchant money;
// the AM converts once with the rate locked at initiation, captures that much of the hold,
// releases the rest, and writes the withdrawal record — one SQLite transaction.

import { seal, type PayloadBody } from '../../../protocol/envelope';
import { OpentabError } from '../../../protocol/errors';
import type { Clearing, ClearingAck, ClearingAckPayload } from '../../../protocol/messages/peer';
import { moneyFromWire, moneyToWire } from '../../../protocol/money/amount';
import { chargeInCustomerCurrency } from '../../../protocol/rates/conversion';
import { formatTimestamp } from '../../../protocol/time';
import { enqueueBillingRecord } from '../billing/billing-outbox';
import type { WithdrawalRecord } from '../billing/billing-records';
import { ensureAccount, ledgerAccount } from '../ledger-accounts';
import { isLedgerError, type PostingInput } from '../ledger';
import type { OperatorContext } from '../operator-context';
import type { Transaction } from '../store/records';
import { assertFresh } from './customer-auth';

export async function applyClearing(context: OperatorContext, clearing: Clearing, now_ms: number): Promise<ClearingAck> {
  const authenticate = () => {
    const sender = context.trust.verifyPeerEnvelope(clearing, now_ms);
    assertFresh(context, clearing.payload.iat, now_ms);
    return sender;
  };
  return context.receipts.onceInTransaction('peerClearing', clearing, now_ms, authenticate, (sender) => {
    const p = clearing.payload;
    const transaction = context.store.transaction(p.transactionId);
    if (transaction === null || transaction.merchantOperatorId !== sender.operatorId) throw new OpentabError('unknown_tab');
    if (transaction.tabId !== null && transaction.tabId !== p.tabId) throw new OpentabError('unknown_tab');
    const cleared = moneyFromWire(p.cleared);
    if (cleared.currency !== transaction.merchantCurrency) throw new OpentabError('currency_mismatch');
    if (cleared.minor > transaction.depositMinor) throw new OpentabError('invalid_message', 'The cleared amount exceeds the deposit.');

    if (transaction.state === 'failed') {
      // The tab never opened for the customer, so no link can have been revealed: only zero can clear.
      if (cleared.minor !== 0n) throw new OpentabError('tab_closed', 'This transaction failed to open; nothing can be charged.');
      return acknowledge(context, p.id, transaction, 0n, now_ms);
    }
    // The MTA's outbox may deliver the clearing again under a new message id: the transaction's
    // state, not the id, makes the capture happen once.
    if (transaction.state !== 'cleared') capture(context, transaction, p.tabId, cleared.minor, p.outcome, now_ms);
    const settled = context.store.transaction(transaction.transactionId)!;
    if (settled.chargedMinor === null) throw new OpentabError('internal_error', 'The transaction was cleared without a charge.');
    return acknowledge(context, p.id, settled, settled.chargedMinor, now_ms);
  });
}

/** `tabId` is the clearing's: a transaction still 'opening' (or lapsed from it) never stored the tab id the MTA acknowledged. */
function capture(context: OperatorContext, transaction: Transaction, tabId: string, clearedMinor: bigint, outcome: Clearing['payload']['outcome'], now_ms: number): void {
  const charge = chargeInCustomerCurrency(clearedMinor, transaction.rate, transaction.holdMinor);
  const { customerCurrency, merchantCurrency } = transaction;
  const owedTo = ledgerAccount.settlement(transaction.merchantOperatorId, merchantCurrency);
  const customerAccount = ledgerAccount.customer(transaction.accountId);
  const sameCurrency = customerCurrency === merchantCurrency;
  // Across currencies the operator takes the customer's money into its own position and owes the
  // merchant side from its position in the other currency: exactly the two amounts the locked
  // rate fixed. In one currency the charge and the cleared amount are the same number.
  const customerSide: PostingInput[] =
    charge > 0n ? [{ accountId: customerAccount, amount: -charge }, { accountId: sameCurrency ? owedTo : ledgerAccount.fx(customerCurrency), amount: charge }] : [];
  const merchantSide: PostingInput[] =
    !sameCurrency && clearedMinor > 0n ? [{ accountId: ledgerAccount.fx(merchantCurrency), amount: -clearedMinor }, { accountId: owedTo, amount: clearedMinor }] : [];

  context.db.transaction(() => {
    if (!context.store.markTransactionCleared(transaction.transactionId, charge, outcome, now_ms)) return;
    ensureAccount(context, owedTo, merchantCurrency, 'settlement');
    if (!sameCurrency) {
      ensureAccount(context, ledgerAccount.fx(customerCurrency), customerCurrency, 'fx');
      ensureAccount(context, ledgerAccount.fx(merchantCurrency), merchantCurrency, 'fx');
    }
    const holdId = `hold:${transaction.transactionId}`;
    const entryId = `charge:${transaction.transactionId}`;
    const memo = `tab ${transaction.tabId ?? transaction.transactionId} at ${transaction.merchantDisplayName ?? transaction.merchantId}`;
    if (transaction.state === 'lapsed') {
      postLateCharge(context, transaction, entryId, memo, customerSide, merchantSide);
    } else if (charge > 0n) {
      context.ledger.captureHold({ holdId, amount: charge, entryId, postings: [...customerSide, ...merchantSide], memo });
    } else {
      context.ledger.captureHold({ holdId, amount: 0n, entryId, postings: [], memo });
      // A merchant amount too small to cost the customer one minor unit is the operator's to carry.
      if (merchantSide.length > 0) context.ledger.postEntry({ id: `fx-absorb:${transaction.transactionId}`, memo, ref: transaction.transactionId, postings: merchantSide });
    }
    enqueueBillingRecord(context, withdrawalRecord(context, transaction, tabId, charge, clearedMinor, outcome, now_ms), now_ms);
  })();
  context.log.info('hold.captured', {
    tx: transaction.transactionId, tab: transaction.tabId, charge: `${moneyToWire({ currency: customerCurrency, minor: charge }).value} ${customerCurrency}`,
    released: `${moneyToWire({ currency: customerCurrency, minor: transaction.holdMinor - charge }).value} ${customerCurrency}`, outcome,
  });
}

/**
 * A clearing after the hold deadline: the hold is gone, so the charge is posted directly. If the
 * customer's credit no longer covers it, the operator carries it (write-off account): the merchant
 * side was cleared and must be paid either way.
 */
function postLateCharge(context: OperatorContext, transaction: Transaction, entryId: string, memo: string, customerSide: PostingInput[], merchantSide: PostingInput[]): void {
  const postings = [...customerSide, ...merchantSide];
  if (postings.length === 0) return;
  try {
    context.ledger.postEntry({ id: entryId, memo: `${memo} (late clearing)`, ref: transaction.transactionId, postings });
  } catch (error) {
    if (!isLedgerError(error, 'insufficient_funds')) throw error;
    const writeOff = ledgerAccount.writeOff(transaction.customerCurrency);
    ensureAccount(context, writeOff, transaction.customerCurrency, 'revenue');
    const customerAccount = ledgerAccount.customer(transaction.accountId);
    context.ledger.postEntry({
      id: entryId,
      memo: `${memo} (late clearing, written off)`,
      ref: transaction.transactionId,
      postings: postings.map((posting) => (posting.accountId === customerAccount ? { ...posting, accountId: writeOff } : posting)),
    });
    context.log.warn('clearing.written-off', { tx: transaction.transactionId, account: transaction.accountId });
  }
}

function withdrawalRecord(context: OperatorContext, t: Transaction, tabId: string, charge: bigint, clearedMinor: bigint, outcome: Clearing['payload']['outcome'], now_ms: number): WithdrawalRecord {
  return {
    recordType: 'withdrawal',
    source: 'tab',
    recordId: `withdrawal:${context.identity.operatorId}:${t.transactionId}`,
    operatorId: context.identity.operatorId,
    accountId: t.accountId,
    transactionId: t.transactionId,
    tabId,
    merchantId: t.merchantId,
    merchantOperatorId: t.merchantOperatorId,
    amount: moneyToWire({ currency: t.customerCurrency, minor: charge }),
    hold: moneyToWire({ currency: t.customerCurrency, minor: t.holdMinor }),
    released: moneyToWire({ currency: t.customerCurrency, minor: t.holdMinor - charge }),
    merchantAmount: moneyToWire({ currency: t.merchantCurrency, minor: clearedMinor }),
    rate: t.rate,
    outcome,
    clearedAt: formatTimestamp(now_ms),
  };
}

function acknowledge(context: OperatorContext, clearingId: string, transaction: Transaction, charge: bigint, now_ms: number): ClearingAck {
  return seal(context.crypto, context.identity.signer, {
    type: 'clearing-ack',
    operatorCertificate: context.identity.certificate,
    clearingId,
    transactionId: transaction.transactionId,
    charge: moneyToWire({ currency: transaction.customerCurrency, minor: charge }),
    released: moneyToWire({ currency: transaction.customerCurrency, minor: transaction.holdMinor - charge }),
  } satisfies PayloadBody<ClearingAckPayload>, now_ms);
}
