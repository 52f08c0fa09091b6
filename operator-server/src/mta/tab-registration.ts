// Seed FIG 2, steps 4–5 at the merchant's operator: check the amended initiation, register the
// tab, tell the merchant agent (information message), and answer the customer's AM with the
// acknowledgement and the temporary merchant certificate once the merchant has acknowledged.

import { callRoute, RemoteCallError } from '@opentab/protocol';
import { MERCHANT_AGENT_API } from '@opentab/protocol';
import { fromBase64urlOfLength } from '@opentab/protocol';
import { seal, verifyEnvelope, type PayloadBody } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import { newPrefixedId } from '@opentab/protocol';
import type { OperatorCertificatePayload, TabCustomerCertificatePayload } from '@opentab/protocol';
import type { TabInformationPayload } from '@opentab/protocol';
import type { AmendedInitiation, TabAck, TabAckPayload } from '@opentab/protocol';
import { moneyFromWire } from '@opentab/protocol';
import { depositInMerchantCurrency } from '@opentab/protocol';
import { parseTimestamp } from '@opentab/protocol';
import { assertFresh } from '../account-manager/customer-auth';
import type { OperatorContext } from '../operator-context';
import { assertMerchantInGoodStanding, assertPeerInGoodStanding } from '../revocation/revocations';
import type { Merchant, Tab } from '../store/records';
import { failRegistration } from './interrupted-registrations';
import type { MerchantCertificates } from './merchant-certificates';

/** The merchant agent answers an information message at once; waiting longer only holds the customer's click. */
export const MERCHANT_ACK_TIMEOUT_MS = 10_000;

export async function registerTab(
  context: OperatorContext,
  certificates: MerchantCertificates,
  amended: AmendedInitiation,
  now_ms: number,
): Promise<TabAck> {
  const authenticate = async () => {
    const sender = await context.trust.verifyPeerEnvelope(amended, now_ms);
    assertFresh(context, amended.payload.iat, now_ms);
    return sender;
  };
  return context.receipts.once('peerInitiation', amended, now_ms, authenticate, (sender) =>
    // The AM resends an initiation it has no answer to under a new message id: the transaction,
    // not the message, is what registers once. A resend waits here for a first run in flight.
    context.locks.registrations.run(`${sender.operatorId}/${amended.payload.transactionId}`, async () => {
      const p = amended.payload;
      const registered = await context.storage.transaction(async (tx) => {
        const { merchant, deposit_minor, expiresAt_ms } = checkAmendedInitiation(
          context,
          sender,
          await tx.merchants.merchant(p.merchantId),
          amended,
          now_ms,
        );
        const known = await tx.tabs.tabByTransaction(sender.operatorId, p.transactionId);
        if (known !== null) return { kind: 'known', known, merchant } as const;
        // Its open tabs still clear and pay it (and their registrations are answered above); no new ones.
        if (merchant.status === 'suspended') throw new OpentabError('merchant_suspended');
        await assertPeerInGoodStanding(tx.revocations, sender.operatorId);
        await assertMerchantInGoodStanding(tx.revocations, merchant.merchantId);
        // One chain root backs one tab: a link the customer revealed can be claimed on one tab only.
        if ((await tx.tabs.tabByChainRoot(p.chain.root)) !== null) throw new OpentabError('chain_reused');
        const tabId = newPrefixedId(context.crypto, 'tab');
        await tx.tabs.insertTab({
          tabId,
          merchantId: merchant.merchantId,
          customerOperatorId: sender.operatorId,
          transactionId: p.transactionId,
          pseudonym: p.customerCertificate.payload.pseudonym,
          tabPublicKey: p.customerCertificate.payload.tabPublicKey,
          deposit_minor,
          currency: merchant.currency,
          chain: p.chain,
          openedAt: now_ms,
          expiresAt: expiresAt_ms,
          concludeAfter: expiresAt_ms + context.config.tabs.recordGrace_s * 1000,
        });
        return { kind: 'new', tabId, merchant } as const;
      });
      const { merchant } = registered;
      if (registered.kind === 'known')
        return await answerKnownRegistration(context, certificates, registered.known, merchant, amended, now_ms);
      const { tabId } = registered;

      try {
        await informMerchant(context, merchant, tabId, amended, now_ms);
      } catch (error) {
        // The agent may have committed its acknowledgement and lost only the answer (it stopped,
        // the connection broke): whatever it holds, the void notice closes it there for good.
        await failRegistration(
          context,
          { tabId, merchantId: merchant.merchantId, currency: merchant.currency },
          now_ms,
        );
        context.log.info('tab.refused', {
          tx: p.transactionId,
          tab: tabId,
          merchant: merchant.merchantId,
          reason: (error as Error).message,
        });
        throw error;
      }
      await context.storage.tabs.markTabOpen(tabId);
      context.log.info('tab.registered', {
        tx: p.transactionId,
        tab: tabId,
        merchant: merchant.merchantId,
        deposit: `${p.deposit.merchant.value} ${merchant.currency}`,
      });
      return await tabAck(context, certificates, merchant, tabId, amended, now_ms);
    }),
  );
}

/** What the checks of an amended initiation read from it, so that nothing later reads it again. */
interface CheckedTerms {
  readonly merchant: Merchant;
  readonly deposit_minor: bigint;
  readonly expiresAt_ms: number;
}

/** The terms of an amended initiation, checked before anything is written. */
function checkAmendedInitiation(
  context: OperatorContext,
  sender: OperatorCertificatePayload,
  merchant: Merchant | null,
  amended: AmendedInitiation,
  now_ms: number,
): CheckedTerms {
  const p = amended.payload;
  // The customer certificate must come from the same AM, about the same transaction.
  const customerCertificate = p.customerCertificate;
  if (!verifyEnvelope(context.crypto, customerCertificate, context.trust.publicKeyOf(sender))) {
    throw new OpentabError('bad_signature', 'The customer certificate is not signed by the sending operator.');
  }
  if (
    customerCertificate.payload.operatorId !== sender.operatorId ||
    customerCertificate.payload.transactionId !== p.transactionId
  ) {
    throw new OpentabError('invalid_message', 'The customer certificate is about another operator or transaction.');
  }

  if (merchant === null) throw new OpentabError('unknown_merchant');
  const deposit = moneyFromWire(p.deposit.merchant);
  const hold = moneyFromWire(p.deposit.customer);
  const unit = moneyFromWire(p.chain.unit);
  if (
    deposit.currency !== merchant.currency ||
    unit.currency !== merchant.currency ||
    p.rate.merchant.currency !== merchant.currency
  ) {
    throw new OpentabError('currency_mismatch', `The merchant ${merchant.merchantId} takes ${merchant.currency}.`);
  }
  if (p.rate.customer.currency !== hold.currency)
    throw new OpentabError('currency_mismatch', 'The locked rate is not from the hold currency.');
  if (depositInMerchantCurrency(hold.minor, p.rate) !== deposit.minor) {
    throw new OpentabError(
      'invalid_message',
      'The merchant-currency deposit does not follow from the hold and the locked rate.',
    );
  }
  if (deposit.minor === 0n) throw new OpentabError('deposit_too_small');
  if (unit.minor === 0n || BigInt(p.chain.length) * unit.minor < deposit.minor)
    throw new OpentabError('chain_too_short');
  const expiresAt_ms = parseTimestamp(p.expiresAt)!;
  const maxExpiry_ms = now_ms + (context.config.tabs.maxTimeout_s + context.config.clockSkew_s) * 1000;
  if (expiresAt_ms <= now_ms || expiresAt_ms > maxExpiry_ms) throw new OpentabError('timeout_out_of_range');
  return { merchant, deposit_minor: deposit.minor, expiresAt_ms };
}

/**
 * A transaction that already has a tab here: the AM lost the answer (or stopped) and asks again.
 * Same terms: the answer the first run gave or would have given. Other terms under the same
 * transaction id are a conflict, never a second tab.
 */
async function answerKnownRegistration(
  context: OperatorContext,
  certificates: MerchantCertificates,
  known: Tab,
  merchant: Merchant,
  amended: AmendedInitiation,
  now_ms: number,
): Promise<TabAck> {
  const p = amended.payload;
  const sameTerms =
    known.merchantId === merchant.merchantId &&
    known.tabPublicKey === p.customerCertificate.payload.tabPublicKey &&
    known.pseudonym === p.customerCertificate.payload.pseudonym &&
    known.chain.root === p.chain.root &&
    known.deposit_minor === moneyFromWire(p.deposit.merchant).minor &&
    known.expiresAt === parseTimestamp(p.expiresAt);
  if (!sameTerms)
    throw new OpentabError('invalid_message', `Transaction ${p.transactionId} already has a tab with other terms.`);
  // Under the registration lock nothing else works on it, and a tab cut off mid-registration was failed at start-up.
  if (known.state === 'failed' || known.state === 'opening')
    throw new OpentabError('tab_not_opened', `The tab of transaction ${p.transactionId} never opened at the merchant.`);
  return tabAck(context, certificates, merchant, known.tabId, amended, now_ms);
}

async function tabAck(
  context: OperatorContext,
  certificates: MerchantCertificates,
  merchant: Merchant,
  tabId: string,
  amended: AmendedInitiation,
  now_ms: number,
): Promise<TabAck> {
  const merchantCertificate = await certificates.certificateForTab(
    merchant,
    parseTimestamp(amended.payload.expiresAt)!,
    now_ms,
  );
  return seal(
    context.crypto,
    context.identity.signer,
    {
      type: 'tab-ack',
      operatorCertificate: context.identity.certificate,
      amendedInitiationId: amended.payload.id,
      transactionId: amended.payload.transactionId,
      tabId,
      merchantCertificate,
      depositMerchant: amended.payload.deposit.merchant,
      expiresAt: amended.payload.expiresAt,
    } satisfies PayloadBody<TabAckPayload>,
    now_ms,
  );
}

/** Sends the information message and checks the merchant's signed acknowledgement. */
async function informMerchant(
  context: OperatorContext,
  merchant: Merchant,
  tabId: string,
  amended: AmendedInitiation,
  now_ms: number,
): Promise<void> {
  const p = amended.payload;
  const sign = <B extends { readonly type: string }>(body: B) =>
    seal(context.crypto, context.identity.signer, body, now_ms);
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
    ack = await callRoute(merchant.agentUrl, MERCHANT_AGENT_API.tabInformation, information, {
      timeout_ms: MERCHANT_ACK_TIMEOUT_MS,
      transport: context.transport,
    });
  } catch (error) {
    if (error instanceof RemoteCallError && error.failure.kind === 'refused') {
      throw new OpentabError('merchant_refused', `The merchant's agent refused the tab: ${error.failure.message}`);
    }
    throw new OpentabError('merchant_unreachable');
  }
  const signedByMerchant =
    ack.kid === merchant.publicKey &&
    verifyEnvelope(context.crypto, ack, fromBase64urlOfLength(merchant.publicKey, 32));
  if (
    !signedByMerchant ||
    ack.payload.tabId !== tabId ||
    ack.payload.informationId !== information.payload.id ||
    ack.payload.merchantId !== merchant.merchantId
  ) {
    throw new OpentabError(
      'merchant_refused',
      "The merchant's acknowledgement is not signed by the merchant or is about another tab.",
    );
  }
}
