// Seed FIG 2 at the customer's account manager: check the customer's initiation, place the hold
// in one atomic ledger step (which is what makes double spending impossible), vouch for the
// customer under a pseudonym, and open the tab through the merchant's MTA. If the MTA or the
// merchant refuses, the hold is released in the same breath.

import { fromBase64urlOfLength } from '../../../protocol/encoding/base64url';
import { seal, verifyEnvelope, type PayloadBody } from '../../../protocol/envelope';
import { OpentabError } from '../../../protocol/errors';
import { makeTransactionId, newPrefixedId } from '../../../protocol/ids';
import type { CustomerCertificatePayload } from '../../../protocol/messages/certificates';
import type { Initiation, TabOpened, TabOpenedPayload } from '../../../protocol/messages/customer';
import type { AmendedInitiationPayload, TabAck } from '../../../protocol/messages/peer';
import { moneyFromWire, moneyToWire } from '../../../protocol/money/amount';
import { depositInMerchantCurrency, lockRate } from '../../../protocol/rates/conversion';
import { formatTimestamp } from '../../../protocol/time';
import { ledgerAccount } from '../ledger-accounts';
import type { OperatorContext } from '../operator-context';
import { authenticateCustomer, requireSession } from './customer-auth';

export async function openTab(context: OperatorContext, initiation: Initiation, now_ms: number): Promise<TabOpened> {
  const p = initiation.payload;
  const authenticate = () => {
    const customer = authenticateCustomer(context, initiation, now_ms);
    return { customer, session: requireSession(context, p.sessionId, customer.accountId, now_ms) };
  };
  return context.receipts.once('openTab', initiation, now_ms, authenticate, async ({ customer, session }) => {

    const hold = moneyFromWire(p.deposit);
    if (hold.currency !== customer.currency) throw new OpentabError('currency_mismatch', `The deposit must be in ${customer.currency}.`);
    if (!context.peers.knows(p.merchantOperatorId)) throw new OpentabError('unknown_merchant', `Operator ${p.merchantOperatorId} is not known here.`);
    const { minTimeout_s, maxTimeout_s } = context.config.tabs;
    if (p.timeout_s < minTimeout_s || p.timeout_s > maxTimeout_s) {
      throw new OpentabError('timeout_out_of_range', `The timeout must be between ${minTimeout_s} and ${maxTimeout_s} seconds.`);
    }

    const table = context.rates.tableForInitiation(p.rateTableId, now_ms);
    const merchantCurrency = p.chain.unit.currency;
    const rate = lockRate({ id: table.id, base: table.base, rates: table.rates }, customer.currency, merchantCurrency);
    if (rate === null) throw new OpentabError('unsupported_currency', `The rate table has no rate for ${merchantCurrency}.`);
    const depositMinor = depositInMerchantCurrency(hold.minor, rate);
    if (depositMinor === 0n) throw new OpentabError('deposit_too_small');
    const unitMinor = moneyFromWire(p.chain.unit).minor;
    if (unitMinor === 0n || BigInt(p.chain.length) * unitMinor < depositMinor) {
      throw new OpentabError('chain_too_short', `The chain must cover ${moneyToWire({ currency: merchantCurrency, minor: depositMinor }).value} ${merchantCurrency}.`);
    }
    const expiresAt_ms = now_ms + p.timeout_s * 1000;
    const pseudonym = newPrefixedId(context.crypto, 'psn');

    const transactionId = context.db.transaction(() => {
      const id = makeTransactionId(session.sessionId, context.store.nextTransactionSeq(session.seq));
      context.ledger.placeHold({ id: `hold:${id}`, accountId: ledgerAccount.customer(customer.accountId), amount: hold.minor, ref: id, currency: customer.currency });
      context.store.insertTransaction({
        transactionId: id, sessionId: session.sessionId, accountId: customer.accountId, merchantId: p.merchantId,
        merchantOperatorId: p.merchantOperatorId, holdMinor: hold.minor, customerCurrency: customer.currency, depositMinor,
        merchantCurrency, rate, tabPublicKey: p.tabPublicKey, chain: p.chain, pseudonym, openedAt: now_ms, expiresAt: expiresAt_ms,
      });
      return id;
    })();
    const holdWire = moneyToWire(hold);
    const depositWire = moneyToWire({ currency: merchantCurrency, minor: depositMinor });
    context.log.info('hold.placed', { tx: transactionId, account: customer.accountId, hold: `${holdWire.value} ${hold.currency}`, merchant: p.merchantId });

    const sign = <B extends { readonly type: string }>(body: B) => seal(context.crypto, context.identity.signer, body, now_ms);
    const amended = sign({
      type: 'amended-initiation',
      operatorCertificate: context.identity.certificate,
      transactionId,
      merchantId: p.merchantId,
      deposit: { customer: holdWire, merchant: depositWire },
      rate,
      customerCertificate: sign({
        type: 'customer-certificate',
        operatorId: context.identity.operatorId,
        transactionId,
        pseudonym,
        tabPublicKey: p.tabPublicKey,
        validUntil: formatTimestamp(expiresAt_ms),
      } satisfies PayloadBody<CustomerCertificatePayload>),
      chain: p.chain,
      expiresAt: formatTimestamp(expiresAt_ms),
      ...(p.orderInfo !== undefined ? { orderInfo: p.orderInfo } : {}),
    } satisfies PayloadBody<AmendedInitiationPayload>);

    let ack: TabAck;
    try {
      ack = await context.peers.call(p.merchantOperatorId, 'peerInitiation', amended);
      checkTabAck(context, ack, p.merchantOperatorId, amended.payload.id, transactionId, p.merchantId, depositWire.value, now_ms);
    } catch (error) {
      context.db.transaction(() => {
        context.ledger.releaseHold(`hold:${transactionId}`);
        context.store.markTransactionFailed(transactionId);
      })();
      context.log.info('hold.released', { tx: transactionId, reason: (error as Error).message });
      throw error;
    }

    const merchantCertificate = ack.payload.merchantCertificate;
    context.store.markTransactionOpen(transactionId, ack.payload.tabId, merchantCertificate.payload.displayName);
    context.log.info('tab.opened', { tx: transactionId, tab: ack.payload.tabId, merchant: p.merchantId, deposit: `${depositWire.value} ${merchantCurrency}` });
    return sign({
      type: 'tab-opened',
      operatorId: context.identity.operatorId,
      initiationId: p.id,
      transactionId,
      tabId: ack.payload.tabId,
      merchantCertificate,
      deposit: { customer: holdWire, merchant: depositWire },
      rate,
      chain: p.chain,
      expiresAt: ack.payload.expiresAt,
    } satisfies PayloadBody<TabOpenedPayload>);
  });
}

/** The MTA's answer must be from the operator asked, about this very initiation, with a merchant certificate it signed. */
function checkTabAck(
  context: OperatorContext,
  ack: TabAck,
  merchantOperatorId: string,
  amendedId: string,
  transactionId: string,
  merchantId: string,
  depositValue: string,
  now_ms: number,
): void {
  const mta = context.trust.verifyAnswerFrom(merchantOperatorId, ack, now_ms);
  const certificate = ack.payload.merchantCertificate;
  const consistent =
    ack.payload.amendedInitiationId === amendedId &&
    ack.payload.transactionId === transactionId &&
    ack.payload.depositMerchant.value === depositValue &&
    certificate.payload.operatorId === merchantOperatorId &&
    certificate.payload.merchantId === merchantId &&
    verifyEnvelope(context.crypto, certificate, fromBase64urlOfLength(mta.publicKey, 32));
  if (!consistent) throw new OpentabError('peer_refused', `The acknowledgement from ${merchantOperatorId} does not match the initiation.`);
}
