// Seed FIG 2, steps 4–5 at the merchant's operator: check the amended initiation, register the
// tab, tell the merchant agent (information message), and answer the customer's AM with the
// acknowledgement and the temporary merchant certificate once the merchant has acknowledged.

import { callRoute, RemoteCallError } from '../../../protocol/api/client';
import { MERCHANT_AGENT_API } from '../../../protocol/api/merchant-agent-api';
import { fromBase64urlOfLength } from '../../../protocol/encoding/base64url';
import { seal, verifyEnvelope, type PayloadBody } from '../../../protocol/envelope';
import { OpentabError } from '../../../protocol/errors';
import { newPrefixedId } from '../../../protocol/ids';
import type { TabCustomerCertificatePayload } from '../../../protocol/messages/certificates';
import type { TabInformationPayload } from '../../../protocol/messages/merchant';
import type { AmendedInitiation, TabAck, TabAckPayload } from '../../../protocol/messages/peer';
import { moneyFromWire } from '../../../protocol/money/amount';
import { depositInMerchantCurrency } from '../../../protocol/rates/conversion';
import { parseTimestamp } from '../../../protocol/time';
import { assertFresh } from '../account-manager/customer-auth';
import type { OperatorContext } from '../operator-context';
import type { Merchant } from '../store/records';
import type { MerchantCertificates } from './merchant-certificates';

/** The merchant agent answers an information message at once; waiting longer only holds the customer's click. */
export const MERCHANT_ACK_TIMEOUT_MS = 10_000;

export async function registerTab(
  context: OperatorContext,
  certificates: MerchantCertificates,
  amended: AmendedInitiation,
  now_ms: number,
): Promise<TabAck> {
  const authenticate = () => {
    const sender = context.trust.verifyPeerEnvelope(amended, now_ms);
    assertFresh(context, amended.payload.iat, now_ms);
    return sender;
  };
  return context.receipts.once('peerInitiation', amended, now_ms, authenticate, async (sender) => {
    const p = amended.payload;

    // The customer certificate must come from the same AM, about the same transaction.
    const customerCertificate = p.customerCertificate;
    if (!verifyEnvelope(context.crypto, customerCertificate, context.trust.publicKeyOf(sender))) {
      throw new OpentabError('bad_signature', 'The customer certificate is not signed by the sending operator.');
    }
    if (customerCertificate.payload.operatorId !== sender.operatorId || customerCertificate.payload.transactionId !== p.transactionId) {
      throw new OpentabError('invalid_message', 'The customer certificate is about another operator or transaction.');
    }

    const merchant = context.store.merchant(p.merchantId);
    if (merchant === null) throw new OpentabError('unknown_merchant');
    const deposit = moneyFromWire(p.deposit.merchant);
    const hold = moneyFromWire(p.deposit.customer);
    const unit = moneyFromWire(p.chain.unit);
    if (deposit.currency !== merchant.currency || unit.currency !== merchant.currency || p.rate.merchant.currency !== merchant.currency) {
      throw new OpentabError('currency_mismatch', `The merchant ${merchant.merchantId} takes ${merchant.currency}.`);
    }
    if (p.rate.customer.currency !== hold.currency) throw new OpentabError('currency_mismatch', 'The locked rate is not from the hold currency.');
    if (depositInMerchantCurrency(hold.minor, p.rate) !== deposit.minor) {
      throw new OpentabError('invalid_message', 'The merchant-currency deposit does not follow from the hold and the locked rate.');
    }
    if (deposit.minor === 0n) throw new OpentabError('deposit_too_small');
    if (unit.minor === 0n || BigInt(p.chain.length) * unit.minor < deposit.minor) throw new OpentabError('chain_too_short');
    const expiresAt_ms = parseTimestamp(p.expiresAt)!;
    const maxExpiry_ms = now_ms + (context.config.tabs.maxTimeout_s + context.config.clockSkew_s) * 1000;
    if (expiresAt_ms <= now_ms || expiresAt_ms > maxExpiry_ms) throw new OpentabError('timeout_out_of_range');
    if (context.store.tabByTransaction(sender.operatorId, p.transactionId) !== null) {
      throw new OpentabError('invalid_message', `Transaction ${p.transactionId} already has a tab.`);
    }

    const tabId = newPrefixedId(context.crypto, 'tab');
    context.store.insertTab({
      tabId,
      merchantId: merchant.merchantId,
      customerOperatorId: sender.operatorId,
      transactionId: p.transactionId,
      pseudonym: customerCertificate.payload.pseudonym,
      tabPublicKey: customerCertificate.payload.tabPublicKey,
      depositMinor: deposit.minor,
      currency: merchant.currency,
      chain: p.chain,
      openedAt: now_ms,
      expiresAt: expiresAt_ms,
      concludeAfter: expiresAt_ms + context.config.tabs.recordGrace_s * 1000,
    });

    try {
      await informMerchant(context, merchant, tabId, amended, now_ms);
    } catch (error) {
      context.store.markTabFailed(tabId);
      context.log.info('tab.refused', { tx: p.transactionId, tab: tabId, merchant: merchant.merchantId, reason: (error as Error).message });
      throw error;
    }
    context.store.markTabOpen(tabId);
    context.log.info('tab.registered', { tx: p.transactionId, tab: tabId, merchant: merchant.merchantId, deposit: `${p.deposit.merchant.value} ${merchant.currency}` });

    return seal(context.crypto, context.identity.signer, {
      type: 'tab-ack',
      operatorCertificate: context.identity.certificate,
      amendedInitiationId: p.id,
      transactionId: p.transactionId,
      tabId,
      merchantCertificate: certificates.certificateFor(merchant, now_ms),
      depositMerchant: p.deposit.merchant,
      expiresAt: p.expiresAt,
    } satisfies PayloadBody<TabAckPayload>, now_ms);
  });
}

/** Sends the information message and checks the merchant's signed acknowledgement. */
async function informMerchant(context: OperatorContext, merchant: Merchant, tabId: string, amended: AmendedInitiation, now_ms: number): Promise<void> {
  const p = amended.payload;
  const sign = <B extends { readonly type: string }>(body: B) => seal(context.crypto, context.identity.signer, body, now_ms);
  const customerCertificate = sign({
    type: 'tab-customer-certificate',
    operatorId: context.identity.operatorId,
    merchantId: merchant.merchantId,
    tabId,
    pseudonym: p.customerCertificate.payload.pseudonym,
    tabPublicKey: p.customerCertificate.payload.tabPublicKey,
    validUntil: p.customerCertificate.payload.validUntil,
  } satisfies PayloadBody<TabCustomerCertificatePayload>);
  const information = sign({
    type: 'tab-information',
    operatorId: context.identity.operatorId,
    merchantId: merchant.merchantId,
    tabId,
    pseudonym: p.customerCertificate.payload.pseudonym,
    customerCertificate,
    deposit: p.deposit.merchant,
    chain: p.chain,
    expiresAt: p.expiresAt,
  } satisfies PayloadBody<TabInformationPayload>);

  let ack;
  try {
    ack = await callRoute(merchant.agentUrl, MERCHANT_AGENT_API.tabInformation, information, { timeout_ms: MERCHANT_ACK_TIMEOUT_MS, transport: context.transport });
  } catch (error) {
    if (error instanceof RemoteCallError && error.failure.kind === 'refused') {
      throw new OpentabError('merchant_refused', `The merchant's agent refused the tab: ${error.failure.message}`);
    }
    throw new OpentabError('merchant_unreachable');
  }
  const signedByMerchant = ack.kid === merchant.publicKey && verifyEnvelope(context.crypto, ack, fromBase64urlOfLength(merchant.publicKey, 32));
  if (!signedByMerchant || ack.payload.tabId !== tabId || ack.payload.informationId !== information.payload.id || ack.payload.merchantId !== merchant.merchantId) {
    throw new OpentabError('merchant_refused', "The merchant's acknowledgement is not signed by the merchant or is about another tab.");
  }
}
