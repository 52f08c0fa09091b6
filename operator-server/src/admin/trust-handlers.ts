// Handlers of the staff's trust routes (admin-trust-api.ts): revocations of merchants and peers.

import type * as v from 'valibot';
import { OpentabError } from '@opentab/protocol';
import { formatTimestamp } from '@opentab/protocol';
import { bind, type RouteBinding } from '@opentab/server-kit';
import { ADMIN_TRUST_API, type RevocationView } from '../http/admin-trust-api';
import type { OperatorContext } from '../operator-context';
import type { Revocation } from '../revocation/revocations';
import { actorOf } from '../staff/actor';

export function revocationView(revocation: Revocation): v.InferOutput<typeof RevocationView> {
  return {
    kind: revocation.kind,
    subjectId: revocation.subjectId,
    revokedAt: formatTimestamp(revocation.revokedAt),
    reason: revocation.reason,
    revokedBy: revocation.revokedBy,
  };
}

export function trustBindings(context: OperatorContext): RouteBinding[] {
  const api = ADMIN_TRUST_API;
  return [
    bind(api.revokeMerchant, (body, { params, now_ms, request }) => {
      const merchantId = params.merchantId!;
      if (context.store.merchant(merchantId) === null) throw new OpentabError('unknown_merchant');
      const revocation = context.revocations.revoke('merchant', merchantId, body.reason, actorOf(request), now_ms);
      context.log.warn('merchant.revoked', {
        merchant: merchantId,
        reason: revocation.reason,
        by: revocation.revokedBy,
      });
      return revocationView(revocation);
    }),

    bind(api.listPeers, () =>
      context.config.peers.map((peer) => {
        const revocation = context.revocations.of('peer', peer.operatorId);
        return {
          operatorId: peer.operatorId,
          baseUrl: peer.baseUrl,
          revocation: revocation === null ? null : revocationView(revocation),
        };
      }),
    ),

    bind(api.revokePeer, (body, { params, now_ms, request }) => {
      const operatorId = params.operatorId!;
      if (operatorId === context.identity.operatorId)
        throw new OpentabError('invalid_message', 'An operator cannot revoke itself.', ['operatorId: this operator']);
      if (!context.config.peers.some((peer) => peer.operatorId === operatorId))
        throw new OpentabError('unknown_peer', `Operator ${operatorId} is not a configured peer of this operator.`);
      const revocation = context.revocations.revoke('peer', operatorId, body.reason, actorOf(request), now_ms);
      context.log.warn('peer.revoked', { peer: operatorId, reason: revocation.reason, by: revocation.revokedBy });
      return revocationView(revocation);
    }),

    bind(api.listRevocations, () => context.revocations.list().map(revocationView)),
  ];
}
