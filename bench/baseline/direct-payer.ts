// The prior-art baseline (seed FIG 1) from the customer's side, for tests and the benchmark: per
// purchase, order the item at the merchant agent (step 1), have the AM pay the merchant-signed
// order (steps 2–3; the MTA notifies the merchant, step 4), and fetch the goods: the merchant's
// signed receipt with the access token — what one tab purchase gives in one exchange.

import { callRoute } from '@opentab/protocol';
import {
  DIRECT_ORDER_API,
  type DirectOrder,
  type DirectOrderReceipt,
  type DirectOrderRequest,
} from './direct-order-api';
import { DIRECT_PAYMENT_API, type DirectPaymentOrderPayload, type DirectPaymentReceipt } from './direct-payment-api';
import { nodeCrypto } from '@opentab/server-kit';
import { seal, type PayloadBody } from '@opentab/protocol';
import { newMessageId } from '@opentab/protocol';
import { nodeHttpTransport } from '@opentab/server-kit';
import type { TestCustomer } from '@opentab/test-kit/worlds';

const CALL = { transport: nodeHttpTransport } as const;

/** HTTP exchanges of one direct purchase: customer→agent order, customer→AM, AM→MTA, MTA→agent notice,
 * customer→agent goods. */
export const DIRECT_PURCHASE_HTTP_EXCHANGES = 5;

export interface DirectPurchase {
  /** The merchant agent's base URL (where it is mounted). */
  readonly agentUrl: string;
  readonly itemId: string;
}

export interface PlacedOrder {
  readonly request: DirectOrderRequest;
  readonly order: DirectOrder;
}

export interface DirectPurchaseOutcome extends PlacedOrder {
  /** The customer AM's receipt of the payment. */
  readonly payment: DirectPaymentReceipt;
  /** The merchant's receipt, with the access token. */
  readonly receipt: DirectOrderReceipt;
}

/** Step 1: the merchant-signed order for one item. */
export async function placeOrder(purchase: DirectPurchase): Promise<PlacedOrder> {
  const request: DirectOrderRequest = {
    type: 'direct-order-request',
    id: newMessageId(nodeCrypto),
    itemId: purchase.itemId,
  };
  const order = await callRoute(purchase.agentUrl, DIRECT_ORDER_API.directOrder, request, CALL);
  if (order.payload.itemId !== purchase.itemId)
    throw new Error(`the merchant answered an order for ${order.payload.itemId}, not ${purchase.itemId}`);
  return { request, order };
}

/** Step 2: the customer's signed payment order for a merchant order. */
export async function directPaymentOrder(customer: TestCustomer, merchantOrder: DirectOrder) {
  const table = (await customer.rateTable()).payload;
  return seal(
    nodeCrypto,
    customer.signer,
    {
      type: 'direct-payment-order',
      accountId: customer.accountId,
      sessionId: customer.session,
      merchantOrder,
      rateTableId: table.id,
    } satisfies PayloadBody<DirectPaymentOrderPayload>,
    customer.clock.now_ms(),
  );
}

/** Steps 2–4: the AM pays the order; resolves once the merchant is credited (and, normally, notified). */
export async function payOrder(customer: TestCustomer, merchantOrder: DirectOrder): Promise<DirectPaymentReceipt> {
  return callRoute(
    customer.operatorUrl,
    DIRECT_PAYMENT_API.directPayment,
    await directPaymentOrder(customer, merchantOrder),
    CALL,
  );
}

/** Delivery: the merchant's receipt of a paid order. */
export async function fetchGoods(agentUrl: string, placed: PlacedOrder): Promise<DirectOrderReceipt> {
  return callRoute(
    agentUrl,
    DIRECT_ORDER_API.directGoods,
    { type: 'direct-goods-request', orderId: placed.order.payload.orderId, requestId: placed.request.id },
    CALL,
  );
}

/** One whole FIG 1 purchase, one step after the other, as a customer clicking once. */
export async function payDirectly(customer: TestCustomer, purchase: DirectPurchase): Promise<DirectPurchaseOutcome> {
  const placed = await placeOrder(purchase);
  const payment = await payOrder(customer, placed.order);
  const receipt = await fetchGoods(purchase.agentUrl, placed);
  return { ...placed, payment, receipt };
}
