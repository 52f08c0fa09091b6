// The agent's delivery routes (DELIVERY_AGENT_API) bound to its delivery service: browser-facing
// ones answer CORS, the MTA's K1 registration does not.

import { DELIVERY_AGENT_API } from '@opentab/protocol';
import { agentRoute, type AgentRoute } from '../http/handler';
import type { DeliveryService } from './delivery-service';

export function deliveryRoutes(delivery: DeliveryService): AgentRoute[] {
  const api = DELIVERY_AGENT_API;
  return [
    agentRoute(api.products, true, () => delivery.products()),
    agentRoute(api.order, true, (order) => delivery.order(order)),
    agentRoute(api.reject, true, (reject) => delivery.reject(reject)),
    agentRoute(api.accept, true, (accept) => delivery.accept(accept)),
    agentRoute(api.k1Registration, false, (registration) => delivery.acceptK1Registration(registration)),
  ];
}
