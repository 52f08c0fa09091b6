// Seed FIG 3, step 4 at the customer's AM: the MTA says what the tab cleared in merchant money;
// the AM converts once with the rate locked at initiation, captures that much of the hold,
// releases the rest, and writes the withdrawal record — one SQLite transaction.

import { seal, type PayloadBody } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import type { Clearing, ClearingAck, ClearingAckPayload, ClearingOutcome } from '@opentab/protocol';
import { moneyFromWire, moneyToWire, signedMoneyToWire } from '@opentab/protocol';
import { chargeInCustomerCurrency } from '@opentab/protocol';
import { formatTimestamp } from '@opentab/protocol';
import { enqueueBillingRecord } from '../billing/billing-outbox';
import type { WithdrawalRecord } from '../billing/billing-records';
import { ensureAccount, ledgerAccount } from '../ledger-accounts';
import { isLedgerError, MAX_MEMO_LENGTH, type PostingInput } from '../ledger';
import type { OperatorContext } from '../operator-context';
import type { Transaction } from '../store/records';
import { assertFresh } from './customer-auth';

export async function applyClearing(
  context: OperatorContext,
  clearing: Clearing,
  now_ms: number,
): Promise<ClearingAck> {
  const authenticate = () => {
    const sender = context.trust.verifyPeerEnvelope(clearing, now_ms);
    assertFresh(context, clearing.payload.iat, now_ms);
    return sender;
  };
  return context.receipts.onceInTransaction('peerClearing', clearing, now_ms, authenticate, (sender) => {
    const p = clearing.payload;
    const transaction = context.store.transaction(p.transactionId);
    if (transaction === null || transaction.merchantOperatorId !== sender.operatorId)
      throw new OpentabError('unknown_tab');
    if (transaction.tabId !== null && transaction.tabId !== p.tabId) throw new OpentabError('unknown_tab');
    const cleared = moneyFromWire(p.cleared);
    if (cleared.currency !== transaction.merchantCurrency) throw new OpentabError('currency_mismatch');
    if (cleared.minor > transaction.depositMinor)
      throw new OpentabError('invalid_message', 'The cleared amount exceeds the deposit.');

    if (transaction.state === 'failed') {
      // The tab never opened for the customer, so no link can have been revealed: only zero can clear.
      if (cleared.minor !== 0n)
        throw new OpentabError('tab_not_opened', 'This transaction failed to open; nothing can be charged.');
      return acknowledge(context, p.id, transaction, 0n, now_ms);
    }
    const revision = p.revision ?? 0;
    // The MTA's outbox may deliver a clearing again under a new message id: the transaction's
    // state and revision, not the id, make each capture happen once. Every revision states the
    // whole amount, so one arriving after a higher one changes nothing. A higher revision may state
    // less: the operator resolved the tab's dispute in the customer's favour.
    if (transaction.state !== 'cleared')
      capture(context, transaction, p.tabId, cleared.minor, p.outcome, revision, now_ms);
    else if (revision > transaction.clearingRevision && cleared.minor !== (transaction.clearedMinor ?? 0n))
      correct(
        context,
        transaction,
        p.tabId,
        { clearedMinor: cleared.minor, outcome: p.outcome, revision, note: p.note },
        now_ms,
      );
    const settled = context.store.transaction(transaction.transactionId)!;
    if (settled.chargedMinor === null)
      throw new OpentabError('internal_error', 'The transaction was cleared without a charge.');
    return acknowledge(context, p.id, settled, settled.chargedMinor, now_ms);
  });
}

/**
 * The postings that charge the customer `chargeMinor` (customer currency) for `clearedMinor`
 * (merchant currency) owed to the merchant's operator. Across currencies the operator takes the
 * customer's money into its own position and owes the merchant side from its position in the
 * other currency: exactly the two amounts the locked rate fixed. In one currency the charge and
 * the cleared amount are the same number.
 */
function chargePostings(context: OperatorContext, transaction: Transaction, chargeMinor: bigint, clearedMinor: bigint) {
  const { customerCurrency, merchantCurrency } = transaction;
  const owedTo = ledgerAccount.settlement(transaction.merchantOperatorId, merchantCurrency);
  const sameCurrency = customerCurrency === merchantCurrency;
  ensureAccount(context, owedTo, merchantCurrency, 'settlement');
  if (!sameCurrency) {
    ensureAccount(context, ledgerAccount.fx(customerCurrency), customerCurrency, 'fx');
    ensureAccount(context, ledgerAccount.fx(merchantCurrency), merchantCurrency, 'fx');
  }
  // Negative amounts (a resolution that gives money back) reverse the same postings.
  const customerSide: PostingInput[] =
    chargeMinor !== 0n
      ? [
          { accountId: ledgerAccount.customer(transaction.accountId), amount: -chargeMinor },
          { accountId: sameCurrency ? owedTo : ledgerAccount.fx(customerCurrency), amount: chargeMinor },
        ]
      : [];
  const merchantSide: PostingInput[] =
    !sameCurrency && clearedMinor !== 0n
      ? [
          { accountId: ledgerAccount.fx(merchantCurrency), amount: -clearedMinor },
          { accountId: owedTo, amount: clearedMinor },
        ]
      : [];
  return { customerSide, merchantSide };
}

function memoOf(transaction: Transaction): string {
  return `tab ${transaction.tabId ?? transaction.transactionId} at ${transaction.merchantDisplayName ?? transaction.merchantId}`;
}

/** `tabId` is the clearing's: a transaction still 'opening' (or lapsed from it) never stored the tab id the MTA acknowledged. */
function capture(
  context: OperatorContext,
  transaction: Transaction,
  tabId: string,
  clearedMinor: bigint,
  outcome: ClearingOutcome,
  revision: number,
  now_ms: number,
): void {
  const charge = chargeInCustomerCurrency(clearedMinor, transaction.rate, transaction.holdMinor);
  const { customerCurrency } = transaction;
  context.db.transaction(() => {
    if (
      !context.store.markTransactionCleared(transaction.transactionId, charge, outcome, now_ms, clearedMinor, revision)
    )
      return;
    const { customerSide, merchantSide } = chargePostings(context, transaction, charge, clearedMinor);
    const holdId = `hold:${transaction.transactionId}`;
    const entryId = `charge:${transaction.transactionId}`;
    const memo = memoOf(transaction);
    if (transaction.state === 'lapsed') {
      postWithoutHold(context, transaction, entryId, `${memo} (late clearing)`, [...customerSide, ...merchantSide]);
    } else if (charge > 0n) {
      context.ledger.captureHold({
        holdId,
        amount: charge,
        entryId,
        postings: [...customerSide, ...merchantSide],
        memo,
      });
    } else {
      context.ledger.captureHold({ holdId, amount: 0n, entryId, postings: [], memo });
      // A merchant amount too small to cost the customer one minor unit is the operator's to carry.
      if (merchantSide.length > 0)
        context.ledger.postEntry({
          id: `fx-absorb:${transaction.transactionId}`,
          memo,
          ref: transaction.transactionId,
          postings: merchantSide,
        });
    }
    const record = withdrawalRecord(
      context,
      transaction,
      tabId,
      { chargeMinor: charge, clearedMinor, totalChargeMinor: charge, outcome, revision },
      now_ms,
    );
    enqueueBillingRecord(context, record, now_ms);
  })();
  context.log.info('hold.captured', {
    tx: transaction.transactionId,
    tab: transaction.tabId,
    charge: `${moneyToWire({ currency: customerCurrency, minor: charge }).value} ${customerCurrency}`,
    released: `${moneyToWire({ currency: customerCurrency, minor: transaction.holdMinor - charge }).value} ${customerCurrency}`,
    outcome,
  });
}

/**
 * A higher revision of a cleared transaction's clearing: late evidence at the MTA proved more, or
 * the operator resolved a dispute (either way). The customer is charged what the new total costs at
 * the locked rate (still never more than the hold) less what it was charged already, posted
 * directly, as the hold is gone; a negative difference is given back.
 */
interface Revision {
  readonly clearedMinor: bigint;
  readonly outcome: ClearingOutcome;
  readonly revision: number;
  /** The MTA's sentence about it (a late record, or the operator's decision and its reason). */
  readonly note: string;
}

function correct(
  context: OperatorContext,
  transaction: Transaction,
  tabId: string,
  { clearedMinor, outcome, revision, note }: Revision,
  now_ms: number,
): void {
  const previousCharge = transaction.chargedMinor ?? 0n;
  const totalCharge = chargeInCustomerCurrency(clearedMinor, transaction.rate, transaction.holdMinor);
  const addedCharge = totalCharge - previousCharge;
  const addedCleared = clearedMinor - (transaction.clearedMinor ?? 0n);
  context.db.transaction(() => {
    if (
      !context.store.correctTransactionClearing(transaction.transactionId, totalCharge, outcome, clearedMinor, revision)
    )
      return;
    const { customerSide, merchantSide } = chargePostings(context, transaction, addedCharge, addedCleared);
    postWithoutHold(
      context,
      transaction,
      `charge:${transaction.transactionId}:r${revision}`,
      // The customer reads this in the wallet's history: what changed, and the MTA's reason.
      `${memoOf(transaction)} (corrected clearing, revision ${revision}: ${note})`.slice(0, MAX_MEMO_LENGTH),
      [...customerSide, ...merchantSide],
    );
    const record = withdrawalRecord(
      context,
      transaction,
      tabId,
      { chargeMinor: addedCharge, clearedMinor: addedCleared, totalChargeMinor: totalCharge, outcome, revision },
      now_ms,
    );
    enqueueBillingRecord(context, record, now_ms);
  })();
  context.log.warn('clearing.corrected', {
    tx: transaction.transactionId,
    tab: tabId,
    revision,
    added: `${signedMoneyToWire(transaction.customerCurrency, addedCharge).value} ${transaction.customerCurrency}`,
  });
}

/**
 * A charge after the hold ended (lapsed at its deadline, or captured at an earlier revision) is
 * posted directly. If the customer's credit no longer covers it, the operator carries it
 * (write-off account): the merchant side was cleared and must be paid either way.
 */
function postWithoutHold(
  context: OperatorContext,
  transaction: Transaction,
  entryId: string,
  memo: string,
  postings: PostingInput[],
): void {
  if (postings.length === 0) return;
  try {
    context.ledger.postEntry({ id: entryId, memo, ref: transaction.transactionId, postings });
  } catch (error) {
    if (!isLedgerError(error, 'insufficient_funds')) throw error;
    const writeOff = ledgerAccount.writeOff(transaction.customerCurrency);
    ensureAccount(context, writeOff, transaction.customerCurrency, 'revenue');
    const customerAccount = ledgerAccount.customer(transaction.accountId);
    context.ledger.postEntry({
      id: entryId,
      memo: `${memo}, written off`.slice(0, MAX_MEMO_LENGTH),
      ref: transaction.transactionId,
      postings: postings.map((posting) =>
        posting.accountId === customerAccount ? { ...posting, accountId: writeOff } : posting,
      ),
    });
    context.log.warn('clearing.written-off', { tx: transaction.transactionId, account: transaction.accountId });
  }
}

interface WithdrawalStep {
  /** Charged by this revision (customer currency). */
  readonly chargeMinor: bigint;
  /** Cleared by this revision (merchant currency). */
  readonly clearedMinor: bigint;
  /** Charged by every revision so far, this one included. */
  readonly totalChargeMinor: bigint;
  readonly outcome: ClearingOutcome;
  readonly revision: number;
}

function withdrawalRecord(
  context: OperatorContext,
  t: Transaction,
  tabId: string,
  step: WithdrawalStep,
  now_ms: number,
): WithdrawalRecord {
  return {
    recordType: 'withdrawal',
    source: 'tab',
    recordId: `withdrawal:${context.identity.operatorId}:${t.transactionId}${step.revision === 0 ? '' : `:r${step.revision}`}`,
    operatorId: context.identity.operatorId,
    accountId: t.accountId,
    transactionId: t.transactionId,
    tabId,
    merchantId: t.merchantId,
    merchantOperatorId: t.merchantOperatorId,
    amount: signedMoneyToWire(t.customerCurrency, step.chargeMinor),
    hold: moneyToWire({ currency: t.customerCurrency, minor: t.holdMinor }),
    released: moneyToWire({ currency: t.customerCurrency, minor: t.holdMinor - step.totalChargeMinor }),
    merchantAmount: signedMoneyToWire(t.merchantCurrency, step.clearedMinor),
    rate: t.rate,
    outcome: step.outcome,
    clearedAt: formatTimestamp(now_ms),
    ...(step.revision === 0 ? {} : { revision: step.revision }),
  };
}

function acknowledge(
  context: OperatorContext,
  clearingId: string,
  transaction: Transaction,
  charge: bigint,
  now_ms: number,
): ClearingAck {
  return seal(
    context.crypto,
    context.identity.signer,
    {
      type: 'clearing-ack',
      operatorCertificate: context.identity.certificate,
      clearingId,
      transactionId: transaction.transactionId,
      charge: moneyToWire({ currency: transaction.customerCurrency, minor: charge }),
      released: moneyToWire({ currency: transaction.customerCurrency, minor: transaction.holdMinor - charge }),
    } satisfies PayloadBody<ClearingAckPayload>,
    now_ms,
  );
}
