// PRIOR-ART BASELINE (seed FIG 1, step 4) at the merchant's MTA: tell the merchant agent that an
// order of its was paid, at the agent URL of the merchant's registration, signed by the operator
// key, and believe the agent only when it acknowledges with the merchant's key. Called at once
// when the payment is credited, and by the outbox for as long as that first attempt did not succeed.

import { callRoute, RemoteCallError } from '@opentab/protocol';
import { DIRECT_ORDER_API, type DirectPaymentNoticePayload } from '../direct-order-api';
import { fromBase64urlOfLength } from '@opentab/protocol';
import { seal, verifyEnvelope, type PayloadBody } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import type { Merchant, OperatorContext, OutboxDestination } from '@opentab/operator-server/extension';
import { noticeDestination } from './outbox-targets';

/** The agent answers a notice at once; the payer's AM (and the customer) wait for it. */
export const DIRECT_NOTICE_TIMEOUT_MS = 5_000;

/** The notice without id and iat: the outbox stores this, and every attempt is signed afresh. */
export type DirectPaymentNoticeBody = PayloadBody<DirectPaymentNoticePayload>;

export function isDirectPaymentNoticeBody(payload: unknown): payload is DirectPaymentNoticeBody {
  return (
    typeof payload === 'object' && payload !== null && (payload as { type?: unknown }).type === 'direct-payment-notice'
  );
}

export function directNoticeOutboxKey(
  merchantId: string,
  orderId: string,
): { recordId: string; destination: OutboxDestination } {
  return { recordId: `direct-notice:${orderId}`, destination: noticeDestination(merchantId) };
}

/** Resolves once the merchant agent has acknowledged the payment with the merchant's signature; throws otherwise. */
export async function notifyMerchantOfPayment(
  context: OperatorContext,
  merchant: Merchant,
  body: DirectPaymentNoticeBody,
  now_ms: number,
): Promise<void> {
  const notice = seal(context.crypto, context.identity.signer, body, now_ms);
  let ack;
  try {
    ack = await callRoute(merchant.agentUrl, DIRECT_ORDER_API.directPaymentNotice, notice, {
      timeout_ms: DIRECT_NOTICE_TIMEOUT_MS,
      transport: context.transport,
    });
  } catch (error) {
    if (error instanceof RemoteCallError && error.failure.kind === 'refused') {
      throw new OpentabError(
        'merchant_refused',
        `The merchant's agent refused the payment notice: ${error.failure.code}: ${error.failure.message}`,
      );
    }
    throw new OpentabError('merchant_unreachable');
  }
  const a = ack.payload;
  const signedByMerchant =
    ack.kid === merchant.publicKey &&
    verifyEnvelope(context.crypto, ack, fromBase64urlOfLength(merchant.publicKey, 32));
  if (
    !signedByMerchant ||
    a.noticeId !== notice.payload.id ||
    a.merchantId !== body.merchantId ||
    a.orderId !== body.orderId ||
    a.paymentId !== body.paymentId
  ) {
    throw new OpentabError(
      'merchant_refused',
      "The merchant's acknowledgement of the payment is not signed by the merchant or is about another order.",
    );
  }
}
