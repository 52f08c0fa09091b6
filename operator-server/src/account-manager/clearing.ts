// Seed FIG 3, step 4 at the customer's AM: the MTA says what the tab cleared in merchant money;
// the AM converts once with the rate locked at initiation, captures that much of the hold,
// releases the rest, and writes the withdrawal record — one store transaction.

import { seal, type PayloadBody } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import type { Clearing, ClearingAck, ClearingAckPayload, ClearingOutcome } from '@opentab/protocol';
import { moneyFromWire, moneyToWire, signedMoneyToWire } from '@opentab/protocol';
import { chargeInCustomerCurrency } from '@opentab/protocol';
import { formatTimestamp } from '@opentab/protocol';
import { enqueueBillingRecordIn } from '../billing/billing-outbox';
import type { WithdrawalRecord } from '../billing/billing-records';
import { ensureOwnAccount, ledgerAccount } from '../ledger-accounts';
import { isLedgerError, MAX_MEMO_LENGTH, type PostingInput } from '../ledger';
import type { OperatorContext } from '../operator-context';
import type { LedgerAccess, OperatorStoreTransaction } from '../store/operator-storage';
import type { Transaction } from '../store/records';
import { assertFresh } from './customer-auth';

export async function applyClearing(
  context: OperatorContext,
  clearing: Clearing,
  now_ms: number,
): Promise<ClearingAck> {
  const authenticate = async () => {
    const sender = await context.trust.verifyPeerEnvelope(clearing, now_ms);
    assertFresh(context, clearing.payload.iat, now_ms);
    return sender;
  };
  return context.receipts.onceInTransaction('peerClearing', clearing, now_ms, authenticate, async (tx, sender) => {
    const p = clearing.payload;
    const transaction = await tx.transactions.transaction(p.transactionId);
    if (transaction === null || transaction.merchantOperatorId !== sender.operatorId)
      throw new OpentabError('unknown_tab');
    if (transaction.tabId !== null && transaction.tabId !== p.tabId) throw new OpentabError('unknown_tab');
    const cleared = moneyFromWire(p.cleared);
    if (cleared.currency !== transaction.merchantCurrency) throw new OpentabError('currency_mismatch');
    if (cleared.minor > transaction.deposit_minor)
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
      await capture(
        context,
        tx,
        transaction,
        p.tabId,
        cleared.minor,
        { outcome: p.outcome, note: p.note },
        revision,
        now_ms,
      );
    else if (revision > transaction.clearingRevision && cleared.minor !== (transaction.cleared_minor ?? 0n))
      await correct(
        context,
        tx,
        transaction,
        p.tabId,
        { cleared_minor: cleared.minor, outcome: p.outcome, revision, note: p.note },
        now_ms,
      );
    const settled = (await tx.transactions.transaction(transaction.transactionId))!;
    if (settled.charged_minor === null)
      throw new OpentabError('internal_error', 'The transaction was cleared without a charge.');
    return acknowledge(context, p.id, settled, settled.charged_minor, now_ms);
  });
}

/**
 * The postings that charge the customer `charge_minor` (customer currency) for `cleared_minor`
 * (merchant currency) owed to the merchant's operator. Across currencies the operator takes the
 * customer's money into its own position and owes the merchant side from its position in the
 * other currency: exactly the two amounts the locked rate fixed. In one currency the charge and
 * the cleared amount are the same number.
 */
async function chargePostings(
  ledger: LedgerAccess,
  transaction: Transaction,
  charge_minor: bigint,
  cleared_minor: bigint,
) {
  const { customerCurrency, merchantCurrency } = transaction;
  const owedTo = ledgerAccount.settlement(transaction.merchantOperatorId, merchantCurrency);
  const sameCurrency = customerCurrency === merchantCurrency;
  await ensureOwnAccount(ledger, owedTo, merchantCurrency, 'settlement');
  if (!sameCurrency) {
    await ensureOwnAccount(ledger, ledgerAccount.fx(customerCurrency), customerCurrency, 'fx');
    await ensureOwnAccount(ledger, ledgerAccount.fx(merchantCurrency), merchantCurrency, 'fx');
  }
  // Negative amounts (a resolution that gives money back) reverse the same postings.
  const customerSide: PostingInput[] =
    charge_minor !== 0n
      ? [
          { accountId: ledgerAccount.customer(transaction.accountId), amount: -charge_minor },
          { accountId: sameCurrency ? owedTo : ledgerAccount.fx(customerCurrency), amount: charge_minor },
        ]
      : [];
  const merchantSide: PostingInput[] =
    !sameCurrency && cleared_minor !== 0n
      ? [
          { accountId: ledgerAccount.fx(merchantCurrency), amount: -cleared_minor },
          { accountId: owedTo, amount: cleared_minor },
        ]
      : [];
  return { customerSide, merchantSide };
}

function memoOf(transaction: Transaction): string {
  return `tab ${transaction.tabId ?? transaction.transactionId} at ${transaction.merchantDisplayName ?? transaction.merchantId}`;
}

/** `tabId` is the clearing's: a transaction still 'opening' (or lapsed from it) never stored the tab id the MTA acknowledged. */
async function capture(
  context: OperatorContext,
  tx: OperatorStoreTransaction,
  transaction: Transaction,
  tabId: string,
  cleared_minor: bigint,
  { outcome, note }: { readonly outcome: ClearingOutcome; readonly note: string },
  revision: number,
  now_ms: number,
): Promise<void> {
  const charge = chargeInCustomerCurrency(cleared_minor, transaction.rate, transaction.hold_minor);
  const { customerCurrency } = transaction;
  const { transactionId } = transaction;
  if (
    !(await tx.transactions.markTransactionCleared(
      transactionId,
      charge,
      outcome,
      now_ms,
      cleared_minor,
      revision,
      note,
    ))
  )
    return;
  const { customerSide, merchantSide } = await chargePostings(tx.ledger, transaction, charge, cleared_minor);
  const holdId = `hold:${transactionId}`;
  const entryId = `charge:${transactionId}`;
  const memo = memoOf(transaction);
  if (transaction.state === 'lapsed') {
    await postWithoutHold(context, tx.ledger, transaction, entryId, `${memo} (late clearing)`, [
      ...customerSide,
      ...merchantSide,
    ]);
  } else if (charge > 0n) {
    await tx.ledger.captureHold({
      holdId,
      amount: charge,
      entryId,
      postings: [...customerSide, ...merchantSide],
      memo,
    });
  } else {
    await tx.ledger.captureHold({ holdId, amount: 0n, entryId, postings: [], memo });
    // A merchant amount too small to cost the customer one minor unit is the operator's to carry.
    if (merchantSide.length > 0)
      await tx.ledger.postEntry({ id: `fx-absorb:${transactionId}`, memo, ref: transactionId, postings: merchantSide });
  }
  const record = withdrawalRecord(
    context,
    transaction,
    tabId,
    { charge_minor: charge, cleared_minor, totalCharge_minor: charge, outcome, revision },
    now_ms,
  );
  await enqueueBillingRecordIn(tx.outbox, context, record, now_ms);
  context.log.info('hold.captured', {
    tx: transaction.transactionId,
    tab: transaction.tabId,
    charge: `${moneyToWire({ currency: customerCurrency, minor: charge }).value} ${customerCurrency}`,
    released: `${moneyToWire({ currency: customerCurrency, minor: transaction.hold_minor - charge }).value} ${customerCurrency}`,
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
  readonly cleared_minor: bigint;
  readonly outcome: ClearingOutcome;
  readonly revision: number;
  /** The MTA's sentence about it (a late record, or the operator's decision and its reason). */
  readonly note: string;
}

async function correct(
  context: OperatorContext,
  tx: OperatorStoreTransaction,
  transaction: Transaction,
  tabId: string,
  { cleared_minor, outcome, revision, note }: Revision,
  now_ms: number,
): Promise<void> {
  const previousCharge = transaction.charged_minor ?? 0n;
  const totalCharge = chargeInCustomerCurrency(cleared_minor, transaction.rate, transaction.hold_minor);
  const addedCharge = totalCharge - previousCharge;
  const addedCleared = cleared_minor - (transaction.cleared_minor ?? 0n);
  if (
    !(await tx.transactions.correctTransactionClearing(
      transaction.transactionId,
      totalCharge,
      outcome,
      cleared_minor,
      revision,
      note,
    ))
  )
    return;
  const { customerSide: charged, merchantSide } = await chargePostings(
    tx.ledger,
    transaction,
    addedCharge,
    addedCleared,
  );
  const customerSide = addedCharge < 0n ? await refundWrittenOffFirst(tx.ledger, transaction, charged) : charged;
  await postWithoutHold(
    context,
    tx.ledger,
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
    { charge_minor: addedCharge, cleared_minor: addedCleared, totalCharge_minor: totalCharge, outcome, revision },
    now_ms,
  );
  await enqueueBillingRecordIn(tx.outbox, context, record, now_ms);
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
/**
 * A revision that clears less gives the customer back only what the customer paid: the part of
 * this transaction's charges that was written off (the customer could not cover it) goes back to
 * the write-off account, and only the rest to the customer.
 */
async function refundWrittenOffFirst(
  ledger: LedgerAccess,
  transaction: Transaction,
  postings: PostingInput[],
): Promise<PostingInput[]> {
  const customerAccount = ledgerAccount.customer(transaction.accountId);
  const writeOff = ledgerAccount.writeOff(transaction.customerCurrency);
  let writtenOff_minor = 0n;
  for (const entry of await ledger.listEntries({ ref: transaction.transactionId }))
    for (const posting of entry.postings) if (posting.accountId === writeOff) writtenOff_minor -= posting.amount;
  if (writtenOff_minor <= 0n) return postings;
  return postings.flatMap((posting) => {
    if (posting.accountId !== customerAccount) return [posting];
    const fromWriteOff_minor = posting.amount < writtenOff_minor ? posting.amount : writtenOff_minor;
    const toCustomer_minor = posting.amount - fromWriteOff_minor;
    return [
      { accountId: writeOff, amount: fromWriteOff_minor },
      ...(toCustomer_minor > 0n ? [{ accountId: customerAccount, amount: toCustomer_minor }] : []),
    ];
  });
}

async function postWithoutHold(
  context: OperatorContext,
  ledger: LedgerAccess,
  transaction: Transaction,
  entryId: string,
  memo: string,
  postings: PostingInput[],
): Promise<void> {
  if (postings.length === 0) return;
  try {
    await ledger.postEntry({ id: entryId, memo, ref: transaction.transactionId, postings });
  } catch (error) {
    if (!isLedgerError(error, 'insufficient_funds')) throw error;
    const writeOff = ledgerAccount.writeOff(transaction.customerCurrency);
    await ensureOwnAccount(ledger, writeOff, transaction.customerCurrency, 'revenue');
    const customerAccount = ledgerAccount.customer(transaction.accountId);
    await ledger.postEntry({
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
  readonly charge_minor: bigint;
  /** Cleared by this revision (merchant currency). */
  readonly cleared_minor: bigint;
  /** Charged by every revision so far, this one included. */
  readonly totalCharge_minor: bigint;
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
    amount: signedMoneyToWire(t.customerCurrency, step.charge_minor),
    hold: moneyToWire({ currency: t.customerCurrency, minor: t.hold_minor }),
    released: moneyToWire({ currency: t.customerCurrency, minor: t.hold_minor - step.totalCharge_minor }),
    merchantAmount: signedMoneyToWire(t.merchantCurrency, step.cleared_minor),
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
      released: moneyToWire({ currency: transaction.customerCurrency, minor: transaction.hold_minor - charge }),
    } satisfies PayloadBody<ClearingAckPayload>,
    now_ms,
  );
}
