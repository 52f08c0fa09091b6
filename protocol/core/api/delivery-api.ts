// Routes of secure delivery (seed FIG 4): the merchant agent's, relative to where the merchant
// mounts it, and the operator's (AM: the customer's K1; MTA: the relayed K1, the merchant's escrow,
// an arbiter's key release). The ciphertext itself is a streamed GET of the agent
// (`/delivery/content/{productId}`), outside these JSON routes.

import * as v from 'valibot';
import {
  DeliveryAccept,
  DeliveryEscrow,
  DeliveryEscrowAck,
  DeliveryKey,
  DeliveryOrder,
  DeliveryReject,
  DeliveryState,
  K1Registration,
  K1Relay,
  K1Request,
  KeyRelease,
  KeyReleaseRequest,
  ProductList,
} from '../messages/delivery';
import { LARGE_BODY_BYTES, SMALL_BODY_BYTES, route } from './route';

export const DELIVERY_CONTENT_PREFIX = '/delivery/content/';

export const DELIVERY_AGENT_API = {
  products: route({
    method: 'GET',
    path: '/delivery/products',
    summary: 'The signed descriptions of the products this merchant delivers encrypted.',
    auth: 'public',
    request: null,
    response: ProductList,
    maxBody_bytes: 0,
  }),
  order: route({
    method: 'POST',
    path: '/delivery/order',
    summary:
      "The customer's signed order (by the tab key); answered with the package once K1 has come from the MTA, else awaiting-k1.",
    auth: 'tab-signature',
    request: DeliveryOrder,
    response: DeliveryState,
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
  reject: route({
    method: 'POST',
    path: '/delivery/reject',
    summary: 'The package failed the check; answered with the package re-sent, or aborted after the last attempt.',
    auth: 'tab-signature',
    request: DeliveryReject,
    response: DeliveryState,
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
  accept: route({
    method: 'POST',
    path: '/delivery/accept',
    summary: 'The signed accept, carrying the purchase that pays; answered with K2 sealed to K1 and the receipt.',
    auth: 'tab-signature',
    request: DeliveryAccept,
    response: DeliveryKey,
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
  k1Registration: route({
    method: 'POST',
    path: '/mta/k1-registration',
    summary: "The MTA passes on the customer's K1 for an order, signed.",
    auth: 'operator-signature',
    request: K1Registration,
    response: v.strictObject({ received: v.literal(true) }),
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
} as const;

export const DELIVERY_OPERATOR_API = {
  k1: route({
    method: 'POST',
    path: '/v1/customer/delivery-k1',
    summary:
      "The customer's K1 for an order (signed by the tab key), to be signed by the MTA and passed to the merchant.",
    auth: 'tab-signature',
    request: K1Request,
    response: K1Registration,
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
  peerK1: route({
    method: 'POST',
    path: '/v1/peer/delivery-k1',
    summary: "The customer AM relays a customer's K1 to the MTA.",
    auth: 'operator-signature',
    request: K1Relay,
    response: K1Registration,
    maxBody_bytes: LARGE_BODY_BYTES,
  }),
  escrow: route({
    method: 'POST',
    path: '/v1/merchant/delivery-escrow',
    summary: "The merchant escrows an order's K2, sealed to the MTA's escrow key.",
    auth: 'merchant-signature',
    request: DeliveryEscrow,
    response: DeliveryEscrowAck,
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
  keyRelease: route({
    method: 'POST',
    path: '/v1/arbiter/key-release',
    summary:
      "A registered arbiter's request for an order's K2 with the evidence bundle; logged, answered sealed to the arbiter.",
    auth: 'arbiter-signature',
    request: KeyReleaseRequest,
    response: KeyRelease,
    maxBody_bytes: LARGE_BODY_BYTES,
  }),
} as const;
