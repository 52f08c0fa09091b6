// The baseline at the merchant agent, as an extension: its table of orders and its three routes
// (the customer's order, the MTA's payment notice, the customer's fetch of the goods).

import { agentRoute, type AgentExtension } from '@opentab/merchant-agent/extension';
import { DIRECT_ORDER_API } from '../direct-order-api';
import { DIRECT_ORDERS_SCHEMA, DirectOrderStore } from './direct-order-store';
import { DirectOrderService, type DirectOrderView } from './direct-orders';

export interface DirectOrderExtension extends AgentExtension {
  /** An order of the agent it was bound to, or null (none yet, or no such order). */
  order(orderId: string): DirectOrderView | null;
}

/** One per agent: it keeps that agent's orders once bound. */
export function directOrderExtension(): DirectOrderExtension {
  let service: DirectOrderService | null = null;
  return {
    tables: DIRECT_ORDERS_SCHEMA,
    routes: DIRECT_ORDER_API,
    bind({ settings, crypto, store, signer, tokens }) {
      const orders = (service = new DirectOrderService({
        settings,
        crypto,
        store,
        signer,
        tokens,
        orders: new DirectOrderStore(store.database),
      }));
      return [
        agentRoute(DIRECT_ORDER_API.directOrder, true, (request) => orders.order(request)),
        agentRoute(DIRECT_ORDER_API.directPaymentNotice, false, (notice) => orders.acceptPaymentNotice(notice)),
        // Reads a receipt committed (and synced) before the notice that paid the order was acknowledged.
        agentRoute(DIRECT_ORDER_API.directGoods, true, (request) => orders.goods(request), true),
      ];
    },
    order: (orderId) => service?.view(orderId) ?? null,
  };
}
