// PRIOR-ART BASELINE (seed FIG 1, steps 2–3) at the customer's AM: every purchase is a full
// payment. Verify the customer's payment order, convert the price of the merchant order it names
// with the rate table it names, hold the charge, have the merchant's MTA credit the merchant (the
// MTA checks the merchant's signature on the order and notifies the merchant, step 4), capture,
// write the withdrawal record for billing (in the capture's transaction, like a tab's clearing),
// and answer with a signed receipt. Opentab never takes this path; it exists so the benchmark can
// measure what a tab saves, on the same servers and store.
//
// The credit request is in the outbox from the moment the hold is placed, its first attempt left
// to the request itself: a refusal releases the hold, a confirmation captures it, and either marks
// the outbox row done in the same transaction. A credit without a definite answer (the MTA's
// answer lost, a timeout, this AM stopped mid-call) may have been made, so the hold is neither
// released nor captured then: the outbox asks the MTA again (it credits a payment once, whatever
// the message id) until it answers, and `resolveDirectPayment` settles the hold that way.

import { seal, type PayloadBody } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import { makeTransactionId } from '@opentab/protocol';
import type { DirectOrder } from '../direct-order-api';
import type {
  DirectPaymentCredited,
  DirectPaymentCreditPayload,
  DirectPaymentOrder,
  DirectPaymentReceipt,
  DirectPaymentReceiptPayload,
} from '../direct-payment-api';
import { DIRECT_PAYMENT_API } from '../direct-payment-api';
import { moneyFromWire, moneyToWire } from '@opentab/protocol';
import { lockRate, merchantToCustomer } from '@opentab/protocol';
import { formatTimestamp } from '@opentab/protocol';
import {
  authenticateCustomer,
  enqueueBillingRecord,
  ensureAccount,
  ledgerAccount,
  PEER_CALL_TIMEOUT_MS,
  requireSession,
  type ExtensionContext,
  type PostingInput,
  type WithdrawalRecord,
} from '@opentab/operator-server/extension';
import { creditDirectPayment } from './credit-merchant';
import type { DirectPaymentStore, NewDirectPayment } from './direct-payments';
import { creditRetryDestination } from './outbox-targets';
import type { DirectOrderCreditStore } from './order-credits';

/** The baseline's tables at this operator: payments it made (AM), orders it credited (MTA). */
export interface BaselineStores {
  readonly payments: DirectPaymentStore;
  readonly credits: DirectOrderCreditStore;
}

/** What the outbox keeps to ask the merchant's MTA again about a payment's credit. */
export interface DirectCreditRetry {
  readonly paymentId: string;
  readonly merchantOrder: DirectOrder;
}

/** The outbox steps in only after the request's own attempt has had its full time. */
const OUTBOX_TAKES_OVER_AFTER_MS = PEER_CALL_TIMEOUT_MS + 1_000;

function creditRetryKey(paymentId: string): string {
  return `direct-credit:${paymentId}`;
}

export async function payDirectly(
  context: ExtensionContext,
  stores: BaselineStores,
  order: DirectPaymentOrder,
  now_ms: number,
): Promise<DirectPaymentReceipt> {
  const p = order.payload;
  // What the merchant signed; this AM cannot check the merchant's key, the merchant's MTA does.
  const m = p.merchantOrder.payload;
  const authenticate = async () => {
    const customer = await authenticateCustomer(context, order, now_ms);
    return { customer, session: await requireSession(context, p.sessionId, customer.accountId, now_ms) };
  };
  return context.receipts.once('directPayment', order, now_ms, authenticate, async ({ customer, session }) => {
    if (!context.peers.knows(m.operatorId))
      throw new OpentabError('unknown_merchant', `Operator ${m.operatorId} is not known here.`);
    const price = moneyFromWire(m.price);
    if (price.minor === 0n) throw new OpentabError('amount_invalid', 'The price must be greater than zero.');
    const table = await context.rates.tableForInitiation(context.storage.rateTables, p.rateTableId, now_ms);
    const rate = lockRate({ id: table.id, base: table.base, rates: table.rates }, customer.currency, price.currency);
    if (rate === null)
      throw new OpentabError('unsupported_currency', `The rate table has no rate for ${price.currency}.`);
    // The same rounding the customer agent shows prices with, so the price shown is the price charged.
    const charge_minor = merchantToCustomer(price.minor, rate);
    if (charge_minor === 0n)
      throw new OpentabError('amount_invalid', `The price converts to nothing in ${customer.currency}.`);

    const payment = context.sqlite.db.transaction((): NewDirectPayment => {
      const paymentId = makeTransactionId(session.sessionId, context.sqlite.store.nextTransactionSeq(session.seq));
      context.sqlite.ledger.placeHold({
        id: `hold:${paymentId}`,
        accountId: ledgerAccount.customer(customer.accountId),
        amount: charge_minor,
        ref: paymentId,
        currency: customer.currency,
      });
      const row: NewDirectPayment = {
        paymentId,
        accountId: customer.accountId,
        merchantId: m.merchantId,
        merchantOperatorId: m.operatorId,
        merchantOrderId: m.orderId,
        itemId: m.itemId,
        price_minor: price.minor,
        merchantCurrency: price.currency,
        charge_minor,
        customerCurrency: customer.currency,
        rate,
        createdAt: now_ms,
      };
      stores.payments.insert(row);
      const retry: DirectCreditRetry = { paymentId, merchantOrder: p.merchantOrder };
      context.sqlite.outbox.enqueue(
        creditRetryKey(paymentId),
        creditRetryDestination(m.operatorId),
        retry,
        now_ms,
        now_ms + OUTBOX_TAKES_OVER_AFTER_MS,
      );
      return row;
    })();

    let credited: DirectPaymentCredited;
    try {
      credited = await requestCredit(context, stores, payment, p.merchantOrder, now_ms);
    } catch (error) {
      if (!isDefiniteRefusal(error)) {
        throw new OpentabError(
          'peer_unreachable',
          `The merchant's operator gave no definite answer; the payment will be completed or released once it does.`,
        );
      }
      settle(context, stores.payments, payment, { credited: false }, now_ms);
      throw error;
    }
    settle(context, stores.payments, payment, { credited: true }, now_ms);

    return seal(
      context.crypto,
      context.identity.signer,
      {
        type: 'direct-payment-receipt',
        operatorId: context.identity.operatorId,
        orderId: p.id,
        paymentId: payment.paymentId,
        merchantId: m.merchantId,
        merchantOrderId: m.orderId,
        itemId: m.itemId,
        price: m.price,
        charged: moneyToWire({ currency: customer.currency, minor: charge_minor }),
        rate,
        merchantNotified: credited.payload.merchantNotified,
      } satisfies PayloadBody<DirectPaymentReceiptPayload>,
      now_ms,
    );
  });
}

/**
 * The outbox's attempt at a credit the request left without a definite answer: settles the hold
 * on the MTA's answer, or throws (and is tried again) while there is none. Done once the payment
 * has ended, whoever ended it.
 */
export async function resolveDirectPayment(
  context: ExtensionContext,
  stores: BaselineStores,
  retry: DirectCreditRetry,
  now_ms: number,
): Promise<void> {
  const payment = stores.payments.payment(retry.paymentId);
  if (payment === null || payment.state !== 'held' || payment.merchantOrderId === null) return;
  const pending: NewDirectPayment = { ...payment, merchantOrderId: payment.merchantOrderId };
  try {
    await requestCredit(context, stores, pending, retry.merchantOrder, now_ms);
  } catch (error) {
    if (!isDefiniteRefusal(error)) throw error;
    settle(context, stores.payments, pending, { credited: false }, now_ms);
    context.log.info('direct-payment.released', { payment: payment.paymentId, reason: (error as Error).message });
    return;
  }
  settle(context, stores.payments, pending, { credited: true }, now_ms);
  context.log.info('direct-payment.captured-late', { payment: payment.paymentId });
}

/**
 * A refusal the MTA itself gave (a 4xx with its own code): nothing was credited. Anything else —
 * unreachable, a timeout, a 5xx, an answer that does not match — may have come after a credit.
 */
function isDefiniteRefusal(error: unknown): boolean {
  return error instanceof OpentabError && error.status < 500 && error.code !== 'peer_refused';
}

/** Captures or releases the hold, ends the payment and the outbox's retry: one transaction, once. */
function settle(
  context: ExtensionContext,
  payments: DirectPaymentStore,
  payment: NewDirectPayment,
  outcome: { credited: boolean },
  now_ms: number,
): void {
  context.sqlite.db.transaction(() => {
    if (!payments.end(payment.paymentId, outcome.credited ? 'captured' : 'failed', now_ms)) return;
    if (outcome.credited) {
      capture(context, payment);
      // As a tab's clearing does at this AM (account-manager/clearing.ts), once per purchase here.
      enqueueBillingRecord(context.sqlite.outbox, context, withdrawalRecord(context, payment, now_ms), now_ms);
    } else {
      context.sqlite.ledger.releaseHold(`hold:${payment.paymentId}`);
    }
    context.sqlite.outbox.markDelivered(
      creditRetryKey(payment.paymentId),
      creditRetryDestination(payment.merchantOperatorId),
      now_ms,
    );
  })();
}

/** The signed peer call to the merchant's MTA; returns its answer once the merchant is credited, or throws
 * the refusal. */
async function requestCredit(
  context: ExtensionContext,
  { credits }: BaselineStores,
  payment: NewDirectPayment,
  merchantOrder: DirectOrder,
  now_ms: number,
): Promise<DirectPaymentCredited> {
  const credit = seal(
    context.crypto,
    context.identity.signer,
    {
      type: 'direct-payment-credit',
      operatorCertificate: context.identity.certificate,
      paymentId: payment.paymentId,
      merchantOrder,
      amount: moneyToWire({ currency: payment.merchantCurrency, minor: payment.price_minor }),
    } satisfies PayloadBody<DirectPaymentCreditPayload>,
    now_ms,
  );
  // At the merchant's operator; when that is this operator, its own handler answers.
  const credited: DirectPaymentCredited = await context.peers.callRoute(
    payment.merchantOperatorId,
    DIRECT_PAYMENT_API.peerDirectPayment,
    credit,
    (body) => creditDirectPayment(context, credits, body, context.clock.now_ms()),
  );
  await context.trust.verifyAnswerFrom(payment.merchantOperatorId, credited, now_ms);
  const c = credited.payload;
  const matches =
    c.creditId === credit.payload.id &&
    c.paymentId === payment.paymentId &&
    c.merchantId === payment.merchantId &&
    c.orderId === payment.merchantOrderId &&
    c.amount.value === credit.payload.amount.value &&
    c.amount.currency === credit.payload.amount.currency;
  if (!matches)
    throw new OpentabError(
      'peer_refused',
      `The credit confirmation from ${payment.merchantOperatorId} does not match the payment.`,
    );
  return credited;
}

/** Takes the held charge; across currencies through the operator's fx positions, exactly as a tab's clearing does. */
function capture(context: ExtensionContext, payment: NewDirectPayment): void {
  const { customerCurrency, merchantCurrency, charge_minor, price_minor } = payment;
  const owedTo = ledgerAccount.settlement(payment.merchantOperatorId, merchantCurrency);
  ensureAccount(context.sqlite.ledger, owedTo, merchantCurrency, 'settlement');
  const postings: PostingInput[] = [{ accountId: ledgerAccount.customer(payment.accountId), amount: -charge_minor }];
  if (customerCurrency === merchantCurrency) {
    postings.push({ accountId: owedTo, amount: charge_minor });
  } else {
    ensureAccount(context.sqlite.ledger, ledgerAccount.fx(customerCurrency), customerCurrency, 'fx');
    ensureAccount(context.sqlite.ledger, ledgerAccount.fx(merchantCurrency), merchantCurrency, 'fx');
    postings.push(
      { accountId: ledgerAccount.fx(customerCurrency), amount: charge_minor },
      { accountId: ledgerAccount.fx(merchantCurrency), amount: -price_minor },
      { accountId: owedTo, amount: price_minor },
    );
  }
  context.sqlite.ledger.captureHold({
    holdId: `hold:${payment.paymentId}`,
    amount: charge_minor,
    entryId: `charge:${payment.paymentId}`,
    postings,
    memo: `direct payment ${payment.paymentId} for ${payment.itemId} at ${payment.merchantId}`,
  });
}

/**
 * The withdrawal record of one captured direct payment: the same record a tab's clearing writes
 * (source 'direct-payment': transactionId is the payment id, tabId the merchant's order id). The
 * hold was the charge, so nothing is released.
 */
function withdrawalRecord(context: ExtensionContext, payment: NewDirectPayment, now_ms: number): WithdrawalRecord {
  const charged = moneyToWire({ currency: payment.customerCurrency, minor: payment.charge_minor });
  return {
    recordType: 'withdrawal',
    source: 'direct-payment',
    recordId: `withdrawal:${context.identity.operatorId}:direct-payment:${payment.paymentId}`,
    operatorId: context.identity.operatorId,
    accountId: payment.accountId,
    transactionId: payment.paymentId,
    tabId: payment.merchantOrderId,
    merchantId: payment.merchantId,
    merchantOperatorId: payment.merchantOperatorId,
    amount: charged,
    hold: charged,
    released: moneyToWire({ currency: payment.customerCurrency, minor: 0n }),
    merchantAmount: moneyToWire({ currency: payment.merchantCurrency, minor: payment.price_minor }),
    rate: payment.rate,
    outcome: 'agreed',
    clearedAt: formatTimestamp(now_ms),
  };
}
