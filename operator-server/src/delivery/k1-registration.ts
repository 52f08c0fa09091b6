// Claim 25: the customer's K1 reaches the merchant agent only through the MTA, which signs it. The
// customer agent sends it, signed by the tab key, to its own AM; the AM relays it to the MTA inside
// its own signature; the MTA checks the tab and the tab key, signs the registration (with the tab
// key it vouches for and its escrow key) and passes it to the merchant agent before it answers.

import {
  callRoute,
  DELIVERY_AGENT_API,
  DELIVERY_OPERATOR_API,
  fromBase64urlOfLength,
  OpentabError,
  RemoteCallError,
  seal,
  verifyEnvelope,
  type K1Registration,
  type K1RegistrationPayload,
  type K1Relay,
  type K1RelayPayload,
  type K1Request,
  type PayloadBody,
} from '@opentab/protocol';
import { assertFresh } from '../account-manager/customer-auth';
import type { OperatorContext } from '../operator-context';
import type { DeliveryAccess } from '../store/operator-records-storage';
import type { DeliverySigning, MtaDelivery } from './mta-delivery';

/** The merchant agent stores K1 and answers at once. */
const MERCHANT_K1_TIMEOUT_MS = 10_000;

/** At the customer's AM: check the tab key's signature, relay to the MTA, and check what it signed. */
export async function relayK1(
  context: OperatorContext,
  delivery: MtaDelivery,
  request: K1Request,
  now_ms: number,
): Promise<K1Registration> {
  const p = request.payload;
  const transaction = await context.storage.transactions.transaction(p.transactionId);
  if (transaction === null || transaction.tabId !== p.tabId) throw new OpentabError('unknown_tab');
  if (request.kid !== transaction.tabPublicKey)
    throw new OpentabError('unknown_key', 'K1 is not signed by the tab key of this transaction.');
  if (!verifyEnvelope(context.crypto, request, fromBase64urlOfLength(transaction.tabPublicKey, 32)))
    throw new OpentabError('bad_signature');
  assertFresh(context, p.iat, now_ms);

  const relay = seal(
    context.crypto,
    context.identity.signer,
    {
      type: 'k1-relay',
      operatorCertificate: context.identity.certificate,
      request,
    } satisfies PayloadBody<K1RelayPayload>,
    now_ms,
  );
  const registration = await context.peers.callRoute(
    transaction.merchantOperatorId,
    DELIVERY_OPERATOR_API.peerK1,
    relay,
    (local) => registerK1(context, delivery, local, now_ms),
  );
  const mta = await context.peers.certificateOf(transaction.merchantOperatorId, now_ms);
  const r = registration.payload;
  if (
    !verifyEnvelope(context.crypto, registration, fromBase64urlOfLength(mta.payload.publicKey, 32)) ||
    r.orderId !== p.orderId ||
    r.tabId !== p.tabId ||
    r.k1 !== p.k1 ||
    r.tabPublicKey !== transaction.tabPublicKey
  )
    throw new OpentabError('peer_refused', 'The MTA signed another K1 than the customer sent, or did not sign it.');
  return registration;
}

/** At the MTA: one registration per order, signed once and passed to the merchant agent (again, on a retry). */
export async function registerK1(
  context: OperatorContext,
  delivery: MtaDelivery,
  relay: K1Relay,
  now_ms: number,
): Promise<K1Registration> {
  const sender = await context.trust.verifyPeerEnvelope(relay, now_ms);
  assertFresh(context, relay.payload.iat, now_ms);
  const request = relay.payload.request;
  const p = request.payload;
  const tab = await context.storage.tabs.tab(p.tabId);
  if (tab === null || tab.customerOperatorId !== sender.operatorId || tab.transactionId !== p.transactionId)
    throw new OpentabError('unknown_tab');
  if (
    request.kid !== tab.tabPublicKey ||
    !verifyEnvelope(context.crypto, request, fromBase64urlOfLength(tab.tabPublicKey, 32))
  )
    throw new OpentabError('bad_signature', 'K1 is not signed by the tab key.');
  if (tab.state !== 'open' || now_ms >= tab.expiresAt) throw new OpentabError('tab_closed');
  const merchant = await context.storage.merchants.merchant(tab.merchantId);
  if (merchant === null) throw new OpentabError('unknown_merchant');

  // Under the order's lock a copy of the request waits for the first, merchant agent's answer included.
  return delivery.orders.run(p.orderId, async () => {
    const registration = await context.storage.transaction((tx) =>
      keepFirstRegistration(context, delivery, tx.delivery, tab, request, now_ms),
    );
    try {
      await callRoute(merchant.agentUrl, DELIVERY_AGENT_API.k1Registration, registration, {
        timeout_ms: MERCHANT_K1_TIMEOUT_MS,
        transport: context.transport,
      });
    } catch (error) {
      if (error instanceof RemoteCallError && error.failure.kind === 'refused')
        throw new OpentabError('merchant_refused', `The merchant's agent refused K1: ${error.failure.message}`);
      throw new OpentabError('merchant_unreachable');
    }
    context.log.info('delivery.k1-registered', { tab: p.tabId, order: p.orderId, merchant: tab.merchantId });
    return registration;
  });
}

/**
 * The order's one registration: the one kept (by this process or another) if it is of the same K1
 * and tab, else a new one signed and kept; another K1 for the order is a conflict. The store's
 * insert-once decides which of two registrations racing in two processes stands.
 */
export async function keepFirstRegistration(
  signing: DeliverySigning,
  delivery: MtaDelivery,
  store: DeliveryAccess,
  tab: { readonly merchantId: string; readonly tabPublicKey: string },
  request: K1Request,
  now_ms: number,
): Promise<K1Registration> {
  const p = request.payload;
  const sameAsAsked = (json: string): K1Registration => {
    const registration = JSON.parse(json) as K1Registration;
    if (registration.payload.k1 !== p.k1 || registration.payload.tabId !== p.tabId)
      throw new OpentabError('conflict', 'This order already has another K1.');
    return registration;
  };
  const known = await store.registrationJson(p.orderId);
  if (known !== null) return sameAsAsked(known);
  const registration = seal(
    signing.crypto,
    signing.identity.signer,
    {
      type: 'k1-registration',
      operatorId: signing.identity.operatorId,
      merchantId: tab.merchantId,
      tabId: p.tabId,
      tabPublicKey: tab.tabPublicKey,
      orderId: p.orderId,
      k1: p.k1,
      escrowKey: (await delivery.escrowKey(store, now_ms)).publicKey,
    } satisfies PayloadBody<K1RegistrationPayload>,
    now_ms,
  );
  const json = JSON.stringify(registration);
  const entry = { orderId: p.orderId, tabId: p.tabId, merchantId: tab.merchantId, k1: p.k1, json };
  if (await store.insertRegistration(entry, now_ms)) return registration;
  // Another process registered the order meanwhile: its registration stands.
  return sameAsAsked((await store.registrationJson(p.orderId))!);
}
