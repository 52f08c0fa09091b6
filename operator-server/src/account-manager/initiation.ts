// Seed FIG 2 at the customer's account manager: check the customer's initiation, place the hold
// in one atomic ledger step (which is what makes double spending impossible), vouch for the
// customer under a pseudonym, and open the tab through the merchant's MTA.
//
// The initiation's message id is the idempotency key of the whole initiation, across stops: the
// hold, the transaction (keyed by that id) and the amended initiation for the MTA commit together
// before anything is sent, so a replay after a stop finds them and resumes, never a second hold.
// The MTA is idempotent on the transaction id, so asking it again is always safe. Only a definite
// answer ends 'opening': the MTA's acknowledgement (open) or its refusal (failed, hold released).
// No answer leaves the transaction opening, for the customer's replay or the opening sweep
// (opening-sweep.ts) to settle; nothing stays opening past `tabs.openingBound_s`.

import { fromBase64urlOfLength } from '@opentab/protocol';
import { seal, verifyEnvelope, type PayloadBody } from '@opentab/protocol';
import { OpentabError, isErrorCode } from '@opentab/protocol';
import { makeTransactionId, newPrefixedId } from '@opentab/protocol';
import type { CustomerCertificatePayload } from '@opentab/protocol';
import type { Initiation, TabOpened, TabOpenedPayload } from '@opentab/protocol';
import type { TabAck } from '@opentab/protocol';
import { moneyFromWire, moneyToWire } from '@opentab/protocol';
import { depositInMerchantCurrency, lockRate } from '@opentab/protocol';
import { formatTimestamp } from '@opentab/protocol';
import { ledgerAccount } from '../ledger-accounts';
import type { OperatorContext } from '../operator-context';
import { assertPeerInGoodStanding } from '../revocation/revocations';
import type { OperatorStoreTransaction } from '../store/operator-storage';
import type { AmendedInitiationBody, Customer, Session, Transaction, TransactionFailure } from '../store/records';
import { authenticateCustomer, requireSession } from './customer-auth';

export async function openTab(context: OperatorContext, initiation: Initiation, now_ms: number): Promise<TabOpened> {
  const p = initiation.payload;
  const authenticate = async () => {
    const customer = await authenticateCustomer(context, initiation, now_ms);
    return { customer, session: await requireSession(context, p.sessionId, customer.accountId, now_ms) };
  };
  return context.receipts.once('openTab', initiation, now_ms, authenticate, ({ customer, session }) =>
    context.locks.initiations.run(p.id, async () => {
      const known = await context.storage.transactions.transactionByInitiation(p.id);
      if (known !== null && (known.accountId !== customer.accountId || known.chainRoot !== p.chain.root))
        throw new OpentabError('id_reused');
      const transaction = known ?? (await placeHold(context, initiation, customer, session, now_ms));
      return answerInitiation(context, await settleOpening(context, transaction, now_ms), p.id, now_ms);
    }),
  );
}

/** Checks the terms, then holds the deposit and writes the transaction with what the MTA will be sent: one
 * transaction. */
async function placeHold(
  context: OperatorContext,
  initiation: Initiation,
  customer: Customer,
  session: Session,
  now_ms: number,
): Promise<Transaction> {
  const p = initiation.payload;
  const transaction = await context.storage.transaction(async (tx) => {
    // Tabs already open run to their clearing; a suspended account only opens no new ones.
    if ((await tx.customers.customer(customer.accountId))?.status !== 'active')
      throw new OpentabError('account_suspended');
    if (moneyFromWire(p.deposit).currency !== customer.currency)
      throw new OpentabError('currency_mismatch', `The deposit must be in ${customer.currency}.`);
    if (!context.peers.knows(p.merchantOperatorId))
      throw new OpentabError('unknown_merchant', `Operator ${p.merchantOperatorId} is not known here.`);
    await assertPeerInGoodStanding(tx.revocations, p.merchantOperatorId);
    const { minTimeout_s, maxTimeout_s } = context.config.tabs;
    if (p.timeout_s < minTimeout_s || p.timeout_s > maxTimeout_s) {
      throw new OpentabError(
        'timeout_out_of_range',
        `The timeout must be between ${minTimeout_s} and ${maxTimeout_s} seconds.`,
      );
    }
    // A link revealed on one tab must never be claimable on another.
    if ((await tx.transactions.transactionByChainRoot(p.chain.root)) !== null) throw new OpentabError('chain_reused');
    return holdDeposit(context, tx, initiation, customer, session, now_ms);
  });
  context.log.info('hold.placed', {
    tx: transaction.transactionId,
    account: customer.accountId,
    hold: `${moneyToWire({ currency: customer.currency, minor: transaction.hold_minor }).value} ${customer.currency}`,
    merchant: p.merchantId,
  });
  return transaction;
}

/** The terms at the locked rate, the hold and the transaction, in the caller's transaction. */
async function holdDeposit(
  context: OperatorContext,
  tx: OperatorStoreTransaction,
  initiation: Initiation,
  customer: Customer,
  session: Session,
  now_ms: number,
): Promise<Transaction> {
  const p = initiation.payload;
  const hold = moneyFromWire(p.deposit);
  const table = await context.rates.tableForInitiation(tx.rateTables, p.rateTableId, now_ms);
  const merchantCurrency = p.chain.unit.currency;
  const rate = lockRate({ id: table.id, base: table.base, rates: table.rates }, customer.currency, merchantCurrency);
  if (rate === null)
    throw new OpentabError('unsupported_currency', `The rate table has no rate for ${merchantCurrency}.`);
  const deposit_minor = depositInMerchantCurrency(hold.minor, rate);
  if (deposit_minor === 0n) throw new OpentabError('deposit_too_small');
  const unit_minor = moneyFromWire(p.chain.unit).minor;
  if (unit_minor === 0n || BigInt(p.chain.length) * unit_minor < deposit_minor) {
    throw new OpentabError(
      'chain_too_short',
      `The chain must cover ${moneyToWire({ currency: merchantCurrency, minor: deposit_minor }).value} ${merchantCurrency}.`,
    );
  }
  const expiresAt_ms = now_ms + p.timeout_s * 1000;
  const pseudonym = newPrefixedId(context.crypto, 'psn');
  const holdWire = moneyToWire(hold);
  const depositWire = moneyToWire({ currency: merchantCurrency, minor: deposit_minor });

  const id = makeTransactionId(session.sessionId, await tx.customers.nextTransactionSeq(session.seq));
  const amended: AmendedInitiationBody = {
    type: 'amended-initiation',
    operatorCertificate: context.identity.certificate,
    transactionId: id,
    merchantId: p.merchantId,
    deposit: { customer: holdWire, merchant: depositWire },
    rate,
    customerCertificate: seal(
      context.crypto,
      context.identity.signer,
      {
        type: 'customer-certificate',
        operatorId: context.identity.operatorId,
        transactionId: id,
        pseudonym,
        tabPublicKey: p.tabPublicKey,
        validUntil: formatTimestamp(expiresAt_ms),
      } satisfies PayloadBody<CustomerCertificatePayload>,
      now_ms,
    ),
    chain: p.chain,
    expiresAt: formatTimestamp(expiresAt_ms),
    ...(p.orderInfo !== undefined ? { orderInfo: p.orderInfo } : {}),
  };
  await tx.ledger.placeHold({
    id: `hold:${id}`,
    accountId: ledgerAccount.customer(customer.accountId),
    amount: hold.minor,
    ref: id,
    currency: customer.currency,
  });
  await tx.transactions.insertTransaction({
    transactionId: id,
    sessionId: session.sessionId,
    accountId: customer.accountId,
    merchantId: p.merchantId,
    merchantOperatorId: p.merchantOperatorId,
    hold_minor: hold.minor,
    customerCurrency: customer.currency,
    deposit_minor,
    merchantCurrency,
    rate,
    tabPublicKey: p.tabPublicKey,
    chain: p.chain,
    pseudonym,
    openedAt: now_ms,
    expiresAt: expiresAt_ms,
    initiationId: p.id,
    chainRoot: p.chain.root,
    amendedInitiation: amended,
  });
  return (await tx.transactions.transaction(id))!;
}

/**
 * Asks the MTA to register the tab of a transaction still opening, and records the definite
 * answer; returns the transaction as it stands after. A transaction that already left opening is
 * returned as it is. The caller holds `locks.initiations` for the transaction's initiation.
 * `onNoAnswer`: what a call without a definite answer does: leave it opening (a customer's
 * replay) or fail it (the opening sweep, once the bound has passed).
 */
export async function settleOpening(
  context: OperatorContext,
  transaction: Transaction,
  now_ms: number,
  onNoAnswer: 'stay-opening' | 'fail' = 'stay-opening',
): Promise<Transaction> {
  if (transaction.state !== 'opening') return transaction;
  const body = transaction.amendedInitiation;
  if (body === null) {
    // Written before the amended initiation was kept: nothing to resend, and no answer can come.
    return fail(context, transaction, 'opening-bound-passed', {
      code: 'tab_not_opened',
      message: 'The tab could not be opened; try again.',
    });
  }
  const amended = seal(context.crypto, context.identity.signer, body, now_ms);
  let ack: TabAck;
  try {
    ack = await context.peers.call(transaction.merchantOperatorId, 'peerInitiation', amended);
  } catch (error) {
    if (isDefiniteRefusal(error))
      return fail(context, transaction, 'refused', { code: error.code, message: error.message });
    if (onNoAnswer === 'fail') {
      // A definite answer for the customer's next resend: unlike no answer, it means "open a new tab".
      return fail(context, transaction, 'opening-bound-passed', {
        code: 'tab_not_opened',
        message: `Operator ${transaction.merchantOperatorId} did not answer in time; the tab was not opened and the deposit was released.`,
      });
    }
    context.log.warn('initiation.unanswered', { tx: transaction.transactionId, reason: (error as Error).message });
    throw error instanceof OpentabError ? error : new OpentabError('peer_unreachable');
  }
  const problem = await tabAckProblem(context, ack, transaction, amended.payload.id, now_ms);
  if (problem !== null) return fail(context, transaction, 'refused', { code: 'peer_refused', message: problem });
  await context.storage.transactions.markTransactionOpen(
    transaction.transactionId,
    ack,
    ack.payload.merchantCertificate.payload.displayName,
  );
  context.log.info('tab.opened', {
    tx: transaction.transactionId,
    tab: ack.payload.tabId,
    merchant: transaction.merchantId,
    deposit: `${ack.payload.depositMerchant.value} ${transaction.merchantCurrency}`,
  });
  return (await context.storage.transactions.transaction(transaction.transactionId))!;
}

/** The customer's answer for a transaction that has settled: tab-opened from the stored ack, or the refusal
 * it failed with. */
function answerInitiation(
  context: OperatorContext,
  transaction: Transaction,
  initiationId: string,
  now_ms: number,
): TabOpened {
  if (transaction.state === 'failed' || transaction.tabAck === null) {
    const failure = transaction.failure ?? { code: 'tab_not_opened', message: 'The tab never opened.' };
    throw new OpentabError(isErrorCode(failure.code) ? failure.code : 'tab_not_opened', failure.message);
  }
  const ack = transaction.tabAck.payload;
  return seal(
    context.crypto,
    context.identity.signer,
    {
      type: 'tab-opened',
      operatorId: context.identity.operatorId,
      initiationId,
      transactionId: transaction.transactionId,
      tabId: ack.tabId,
      merchantCertificate: ack.merchantCertificate,
      deposit: {
        customer: moneyToWire({ currency: transaction.customerCurrency, minor: transaction.hold_minor }),
        merchant: moneyToWire({ currency: transaction.merchantCurrency, minor: transaction.deposit_minor }),
      },
      rate: transaction.rate,
      chain: transaction.chain,
      expiresAt: ack.expiresAt,
    } satisfies PayloadBody<TabOpenedPayload>,
    now_ms,
  );
}

/** Fails a transaction still opening and releases its hold, together; the transaction as it stands after. */
async function fail(
  context: OperatorContext,
  transaction: Transaction,
  event: 'refused' | 'opening-bound-passed',
  failure: TransactionFailure,
): Promise<Transaction> {
  const { failed, after } = await context.storage.transaction(async (tx) => {
    const failed = await tx.transactions.markTransactionFailed(transaction.transactionId, event, failure);
    if (failed) await tx.ledger.releaseHold(`hold:${transaction.transactionId}`);
    return { failed, after: (await tx.transactions.transaction(transaction.transactionId))! };
  });
  if (failed) context.log.info('hold.released', { tx: transaction.transactionId, reason: failure.message });
  return after;
}

/**
 * A refusal the MTA gave on purpose (its code says why: merchant refused or unreachable, terms
 * wrong, tab never opened) ends the transaction. No answer, or an answer that says nothing about
 * what the MTA did (its own failure), does not: the MTA may have opened the tab.
 */
function isDefiniteRefusal(error: unknown): error is OpentabError {
  return (
    error instanceof OpentabError &&
    error.code !== 'peer_unreachable' &&
    error.code !== 'peer_refused' &&
    error.code !== 'internal_error'
  );
}

/** Why the MTA's answer cannot be believed, or null: from the operator asked, about this very initiation,
 * with a merchant certificate it signed. */
async function tabAckProblem(
  context: OperatorContext,
  ack: TabAck,
  transaction: Transaction,
  amendedId: string,
  now_ms: number,
): Promise<string | null> {
  const merchantOperatorId = transaction.merchantOperatorId;
  let mtaKey: string;
  try {
    mtaKey = (await context.trust.verifyAnswerFrom(merchantOperatorId, ack, now_ms)).publicKey;
  } catch (error) {
    return `The acknowledgement from ${merchantOperatorId} cannot be verified: ${(error as Error).message}`;
  }
  const certificate = ack.payload.merchantCertificate;
  const consistent =
    ack.payload.amendedInitiationId === amendedId &&
    ack.payload.transactionId === transaction.transactionId &&
    ack.payload.depositMerchant.value ===
      moneyToWire({ currency: transaction.merchantCurrency, minor: transaction.deposit_minor }).value &&
    certificate.payload.operatorId === merchantOperatorId &&
    certificate.payload.merchantId === transaction.merchantId &&
    verifyEnvelope(context.crypto, certificate, fromBase64urlOfLength(mtaKey, 32));
  return consistent ? null : `The acknowledgement from ${merchantOperatorId} does not match the initiation.`;
}
