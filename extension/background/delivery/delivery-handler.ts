// The delivery calls of the extension's own pages (messaging/delivery-calls.ts), each checked
// against its schema and handed to the delivery service.

import * as v from 'valibot';
import {
  DELIVERY_CALL_PARAMS,
  type DeliveryCall,
  type DeliveryCallMessage,
  type DeliveryCallResult,
  type DeliveryCalls,
} from '../../messaging/delivery-calls';
import { failed, succeeded } from '../../messaging/result';
import { asAgentError, toBridgeErrorCode } from '../errors';
import type { DeliveryService } from './delivery-service';

type Handlers = { [C in DeliveryCall]: (params: DeliveryCalls[C]['params']) => Promise<DeliveryCalls[C]['result']> };

function handlers(deliveries: DeliveryService): Handlers {
  return {
    getDelivery: ({ localId }) => deliveries.view(localId),
    listDeliveries: () => deliveries.list(),
    orderDelivery: ({ localId }) => deliveries.order(localId),
    declineDelivery: ({ localId }) => deliveries.decline(localId),
    checkDownload: ({ localId, ...downloaded }) => deliveries.checkDownload(localId, downloaded),
    deliverySaved: ({ localId }) => deliveries.saved(localId),
    deliveryFailed: ({ localId, message }) => deliveries.failed(localId, message),
    redownload: ({ localId }) => deliveries.redownload(localId),
    exportEvidence: ({ localId }) => deliveries.evidence(localId),
  };
}

export function createDeliveryHandler(deliveries: DeliveryService) {
  const all = handlers(deliveries);
  return async function handleDeliveryCall(message: DeliveryCallMessage): Promise<DeliveryCallResult> {
    const call = message.call;
    if (!Object.hasOwn(DELIVERY_CALL_PARAMS, call))
      return failed('invalid_request', `Opentab has no delivery call named ${String(call).slice(0, 40)}.`);
    const params = v.safeParse(DELIVERY_CALL_PARAMS[call], message.params);
    if (!params.success) return failed('invalid_request', `The ${call} call has invalid parameters.`);
    try {
      const handler = all[call] as (params: unknown) => Promise<DeliveryCalls[DeliveryCall]['result']>;
      return succeeded(await handler(params.output));
    } catch (error) {
      const agentError = asAgentError(error);
      return failed(toBridgeErrorCode(agentError.code), agentError.message.slice(0, 500));
    }
  };
}
