// The operator's delivery routes (DELIVERY_OPERATOR_API), bound to its context.

import { DELIVERY_OPERATOR_API } from '@opentab/protocol';
import { bind, type RouteBinding } from '@opentab/server-kit';
import type { OperatorContext } from '../operator-context';
import { receiveEscrow } from './escrow';
import { registerK1, relayK1 } from './k1-registration';
import { releaseKey } from './key-release';
import type { MtaDelivery } from './mta-delivery';

export function deliveryBindings(context: OperatorContext, delivery: MtaDelivery): RouteBinding[] {
  const api = DELIVERY_OPERATOR_API;
  return [
    bind(api.k1, (body, { now_ms }) => relayK1(context, delivery, body, now_ms)),
    bind(api.peerK1, (body, { now_ms }) => registerK1(context, delivery, body, now_ms)),
    bind(api.escrow, (body, { now_ms }) => receiveEscrow(context, delivery, body, now_ms)),
    bind(api.keyRelease, (body, { now_ms }) => releaseKey(context, delivery, body, now_ms)),
  ];
}
