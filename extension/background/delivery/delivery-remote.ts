// The network calls of a delivery: the merchant agent's delivery routes (always at the agentUrl of
// the merchant certificate the tab was opened under) and the own operator's K1 route. A failure
// becomes an AgentError a customer can read.

import {
  callRoute,
  DELIVERY_AGENT_API,
  DELIVERY_OPERATOR_API,
  type DeliveryAccept,
  type DeliveryKey,
  type DeliveryOrder,
  type DeliveryReject,
  type DeliveryState,
  type K1Registration,
  type K1Request,
  type ProductDescription,
} from '@opentab/protocol';
import { fromMerchantFailure, fromOperatorFailure } from '../wallet/remote-errors';

export class DeliveryRemote {
  constructor(private readonly fetchImpl: typeof fetch) {}

  async products(agentUrl: string): Promise<readonly ProductDescription[]> {
    const { products } = await this.merchant(callRoute(agentUrl, DELIVERY_AGENT_API.products, undefined, this.options));
    return products;
  }

  order(agentUrl: string, order: DeliveryOrder): Promise<DeliveryState> {
    return this.merchant(callRoute(agentUrl, DELIVERY_AGENT_API.order, order, this.options));
  }

  reject(agentUrl: string, reject: DeliveryReject): Promise<DeliveryState> {
    return this.merchant(callRoute(agentUrl, DELIVERY_AGENT_API.reject, reject, this.options));
  }

  /** Left as the remote's own error: the purchaser tells a refusal from no answer by it. */
  accept(agentUrl: string, accept: DeliveryAccept): Promise<DeliveryKey> {
    return callRoute(agentUrl, DELIVERY_AGENT_API.accept, accept, this.options);
  }

  k1(operatorUrl: string, request: K1Request): Promise<K1Registration> {
    return callRoute(operatorUrl, DELIVERY_OPERATOR_API.k1, request, this.options).catch((error: unknown) => {
      throw fromOperatorFailure(error);
    });
  }

  private get options() {
    return { fetch: this.fetchImpl };
  }

  private merchant<T>(call: Promise<T>): Promise<T> {
    return call.catch((error: unknown) => {
      throw fromMerchantFailure(error);
    });
  }
}
