// PRIOR-ART BASELINE (seed FIG 1, steps 3–4) at the merchant's MTA: a peer AM says it holds the
// money for one merchant order. Check that the merchant really signed that order, credit the
// merchant at once (one ledger entry, keyed by the payment so it happens once, with the deposit
// record for billing in the same transaction, as a tab's clearing writes it), notify the merchant
// agent and wait for its signed acknowledgement, then answer signed. Opentab's tabs never
// come here; the benchmark compares them against this path.
//
// Once credited, the payment stands: a notice that fails (agent down, timeout) does not undo it.
// It was written to the outbox with the credit, and the outbox keeps delivering it (at least
// once; the agent is idempotent) after its first attempt here; the answer says whether the
// merchant had acknowledged by then. An order already paid by another payment is refused before
// any money moves.

import type { DirectOrder } from '../direct-order-api';
import type { DirectPaymentCredit, DirectPaymentCredited, DirectPaymentCreditedPayload } from '../direct-payment-api';
import { fromBase64urlOfLength } from '@opentab/protocol';
import { seal, verifyEnvelope, type PayloadBody } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import { moneyFromWire, moneyToWire, type WireAmount } from '@opentab/protocol';
import { formatTimestamp } from '@opentab/protocol';
import {
  assertFresh,
  enqueueBillingRecord,
  ensureAccount,
  ledgerAccount,
  type DepositRecord,
  type Merchant,
  type ExtensionContext,
} from '@opentab/operator-server/extension';
import type { DirectOrderCreditStore } from './order-credits';
import {
  DIRECT_NOTICE_TIMEOUT_MS,
  directNoticeOutboxKey,
  notifyMerchantOfPayment,
  type DirectPaymentNoticeBody,
} from './payment-notice';

/** The outbox takes over a notice whose first attempt has not succeeded by then. */
const OUTBOX_TAKES_OVER_AFTER_MS = DIRECT_NOTICE_TIMEOUT_MS + 1_000;

export async function creditDirectPayment(
  context: ExtensionContext,
  credits: DirectOrderCreditStore,
  credit: DirectPaymentCredit,
  now_ms: number,
): Promise<DirectPaymentCredited> {
  const authenticate = async () => {
    const sender = await context.trust.verifyPeerEnvelope(credit, now_ms);
    assertFresh(context, credit.payload.iat, now_ms);
    return sender;
  };
  return context.receipts.once('peerDirectPayment', credit, now_ms, authenticate, async (sender) => {
    const p = credit.payload;
    const order = p.merchantOrder.payload;
    const merchant = context.sqlite.store.merchant(order.merchantId);
    if (merchant === null) throw new OpentabError('unknown_merchant');
    requireSignedByMerchant(context, merchant, p.merchantOrder);
    if (order.operatorId !== context.identity.operatorId)
      throw new OpentabError(
        'unknown_merchant',
        `The order is for operator ${order.operatorId}, not ${context.identity.operatorId}.`,
      );
    const amount = moneyFromWire(p.amount);
    if (amount.currency !== merchant.currency)
      throw new OpentabError('currency_mismatch', `The merchant ${merchant.merchantId} takes ${merchant.currency}.`);
    if (amount.minor === 0n) throw new OpentabError('amount_invalid', 'The amount must be greater than zero.');
    if (p.amount.currency !== order.price.currency || amount.minor !== moneyFromWire(order.price).minor) {
      throw new OpentabError('price_mismatch', 'The amount paid is not the price of the order.');
    }

    const notice: DirectPaymentNoticeBody = {
      type: 'direct-payment-notice',
      operatorId: context.identity.operatorId,
      merchantId: merchant.merchantId,
      orderId: order.orderId,
      paymentId: p.paymentId,
      amount: p.amount,
    };
    const outboxKey = directNoticeOutboxKey(merchant.merchantId, order.orderId);
    const credited = context.sqlite.db.transaction((): boolean => {
      const paid = credits.ofOrder(merchant.merchantId, order.orderId);
      if (paid !== null) {
        // The same payment again (a resend under a new message id) is answered without a second credit.
        if (paid.customerOperatorId === sender.operatorId && paid.paymentId === p.paymentId) return false;
        throw new OpentabError('conflict', 'The order was already paid by another payment.');
      }
      if (credits.ofPayment(sender.operatorId, p.paymentId) !== null)
        throw new OpentabError('invalid_message', `Payment ${p.paymentId} already paid another order.`);
      const owedBy = ledgerAccount.settlement(sender.operatorId, amount.currency);
      ensureAccount(context.sqlite.ledger, owedBy, amount.currency, 'settlement');
      context.sqlite.ledger.postEntry({
        // Keyed by the sender's payment id, so a resent credit under a new message id cannot pay twice.
        id: `direct-credit:${sender.operatorId}:${p.paymentId}`,
        memo: `direct payment ${p.paymentId} of order ${order.orderId} for ${order.itemId}`,
        ref: p.paymentId,
        postings: [
          { accountId: owedBy, amount: -amount.minor },
          { accountId: ledgerAccount.merchant(merchant.merchantId), amount: amount.minor },
        ],
      });
      credits.insert({
        merchantId: merchant.merchantId,
        orderId: order.orderId,
        customerOperatorId: sender.operatorId,
        paymentId: p.paymentId,
        amount_minor: amount.minor,
        currency: amount.currency,
        createdAt: now_ms,
      });
      context.sqlite.outbox.enqueue(
        outboxKey.recordId,
        outboxKey.destination,
        notice,
        now_ms,
        now_ms + OUTBOX_TAKES_OVER_AFTER_MS,
      );
      // As a tab's clearing does at this MTA (mta/clearing.ts), once per purchase here.
      enqueueBillingRecord(
        context.sqlite.outbox,
        context,
        depositRecord(context, merchant.merchantId, order.orderId, sender.operatorId, moneyToWire(amount), now_ms),
        now_ms,
      );
      return true;
    })();

    const alreadyNotified =
      !credited && context.sqlite.outbox.rowsOfRecord(outboxKey.recordId).some((row) => row.deliveredAt !== null);
    const merchantNotified = alreadyNotified || (await notify(context, merchant, notice, outboxKey, now_ms));
    return seal(
      context.crypto,
      context.identity.signer,
      {
        type: 'direct-payment-credited',
        operatorCertificate: context.identity.certificate,
        creditId: p.id,
        paymentId: p.paymentId,
        merchantId: merchant.merchantId,
        orderId: order.orderId,
        amount: p.amount,
        merchantNotified,
      } satisfies PayloadBody<DirectPaymentCreditedPayload>,
      now_ms,
    );
  });
}

function requireSignedByMerchant(context: ExtensionContext, merchant: Merchant, order: DirectOrder): void {
  if (
    order.kid !== merchant.publicKey ||
    !verifyEnvelope(context.crypto, order, fromBase64urlOfLength(merchant.publicKey, 32))
  ) {
    throw new OpentabError('bad_signature', `The order is not signed by merchant ${merchant.merchantId}.`);
  }
}

/** The first attempt at the notice; true once the merchant acknowledged. A failure is left to the outbox. */
async function notify(
  context: ExtensionContext,
  merchant: Merchant,
  notice: DirectPaymentNoticeBody,
  outboxKey: ReturnType<typeof directNoticeOutboxKey>,
  now_ms: number,
): Promise<boolean> {
  try {
    await notifyMerchantOfPayment(context, merchant, notice, now_ms);
  } catch (error) {
    context.log.warn('direct-payment.notice-failed', {
      merchant: merchant.merchantId,
      order: notice.orderId,
      payment: notice.paymentId,
      reason: (error as Error).message,
    });
    return false;
  }
  context.sqlite.outbox.markDelivered(outboxKey.recordId, outboxKey.destination, context.clock.now_ms());
  return true;
}

/** The deposit record of one direct payment's credit: the same record a tab's clearing writes (source
 * 'direct-payment': tabId is the merchant's order id). */
function depositRecord(
  context: ExtensionContext,
  merchantId: string,
  orderId: string,
  customerOperatorId: string,
  amount: WireAmount,
  now_ms: number,
): DepositRecord {
  return {
    recordType: 'deposit',
    source: 'direct-payment',
    // One credit per (merchant, order), as the direct_order_credits table keeps it.
    recordId: `deposit:${context.identity.operatorId}:direct-payment:${merchantId}:${orderId}`,
    operatorId: context.identity.operatorId,
    merchantId,
    tabId: orderId,
    customerOperatorId,
    amount,
    outcome: 'agreed',
    clearedAt: formatTimestamp(now_ms),
  };
}
