// Handlers of the staff's trust routes (admin-trust-api.ts): revocations of merchants and peers,
// and the rotation of this operator's key. Each change commits with its line in the staff log
// (changeWithLogLine), written through that transaction's groups; the lists read the store.

import type * as v from 'valibot';
import { OpentabError } from '@opentab/protocol';
import { formatTimestamp } from '@opentab/protocol';
import { bind, type RouteBinding } from '@opentab/server-kit';
import { ADMIN_TRUST_API, type RevocationView, type RotationView } from '../http/admin-trust-api';
import type { OperatorContext } from '../operator-context';
import { type Revocation, revoke } from '../revocation/revocations';
import type { OwnRotation } from '../identity/key-rotation';
import { actorOf } from '../staff/actor';
import { changeWithLogLine } from '../staff/staff-log';

export function revocationView(revocation: Revocation): v.InferOutput<typeof RevocationView> {
  return {
    kind: revocation.kind,
    subjectId: revocation.subjectId,
    revokedAt: formatTimestamp(revocation.revokedAt),
    reason: revocation.reason,
    revokedBy: revocation.revokedBy,
  };
}

function rotationView(rotation: OwnRotation, now_ms: number): v.InferOutput<typeof RotationView> {
  return {
    retiringKey: rotation.retiringKey,
    successorKey: rotation.successorKey,
    rotatedAt: formatTimestamp(rotation.rotatedAt_ms),
    retiresAt: formatTimestamp(rotation.retiresAt_ms),
    retired: rotation.retiresAt_ms <= now_ms,
    rotatedBy: rotation.rotatedBy,
  };
}

export function trustBindings(context: OperatorContext): RouteBinding[] {
  const api = ADMIN_TRUST_API;
  return [
    bind(api.revokeMerchant, async (body, { params, now_ms, request }) => {
      const merchantId = params.merchantId!;
      const revocation = await changeWithLogLine(context, request, async (tx) => {
        if ((await tx.merchants.merchant(merchantId)) === null) throw new OpentabError('unknown_merchant');
        return revoke(tx.revocations, {
          kind: 'merchant',
          subjectId: merchantId,
          revokedAt: now_ms,
          reason: body.reason,
          revokedBy: actorOf(request),
        });
      });
      context.log.warn('merchant.revoked', {
        merchant: merchantId,
        reason: revocation.reason,
        by: revocation.revokedBy,
      });
      return revocationView(revocation);
    }),

    bind(api.listPeers, () =>
      Promise.all(
        context.config.peers.map(async (peer) => {
          const revocation = await context.storage.revocations.revocation('peer', peer.operatorId);
          return {
            operatorId: peer.operatorId,
            baseUrl: peer.baseUrl,
            revocation: revocation === null ? null : revocationView(revocation),
          };
        }),
      ),
    ),

    bind(api.revokePeer, async (body, { params, now_ms, request }) => {
      const operatorId = params.operatorId!;
      if (operatorId === context.identity.operatorId)
        throw new OpentabError('invalid_message', 'An operator cannot revoke itself.', ['operatorId: this operator']);
      if (!context.config.peers.some((peer) => peer.operatorId === operatorId))
        throw new OpentabError('unknown_peer', `Operator ${operatorId} is not a configured peer of this operator.`);
      const revocation = await changeWithLogLine(context, request, (tx) =>
        revoke(tx.revocations, {
          kind: 'peer',
          subjectId: operatorId,
          revokedAt: now_ms,
          reason: body.reason,
          revokedBy: actorOf(request),
        }),
      );
      context.log.warn('peer.revoked', { peer: operatorId, reason: revocation.reason, by: revocation.revokedBy });
      return revocationView(revocation);
    }),

    bind(api.listRevocations, async () => (await context.storage.revocations.revocations()).map(revocationView)),

    bind(api.listKeys, async (_, { now_ms }) => {
      // Another process sharing the store may have rotated: the current key is the one it made current.
      await context.ownKeys.useCurrentKey();
      const [prepared, rotations, peerRetirements] = await Promise.all([
        context.ownKeys.prepared(),
        context.ownKeys.rotations(),
        context.storage.peerKeyRetirements.peerKeyRetirements(),
      ]);
      return {
        current: {
          publicKey: context.identity.certificate.payload.publicKey,
          validUntil: context.identity.certificate.payload.validUntil,
        },
        prepared,
        rotations: rotations.map((rotation) => rotationView(rotation, now_ms)),
        peerRetirements: peerRetirements.map((retirement) => ({
          operatorId: retirement.operatorId,
          publicKey: retirement.publicKey,
          successorKey: retirement.successorKey,
          retiresAt: formatTimestamp(retirement.retiresAt_ms),
        })),
      };
    }),

    bind(api.prepareKey, async (_, { now_ms, request }) => {
      const { publicKey } = await changeWithLogLine(context, request, (tx) => context.ownKeys.prepare(tx, now_ms));
      const current = context.identity.certificate.payload;
      context.log.info('key.prepared', { publicKey, by: actorOf(request) });
      return {
        publicKey,
        operatorId: current.operatorId,
        baseUrl: current.baseUrl,
        currencies: [...current.currencies],
      };
    }),

    bind(api.rotateKey, async (body, { now_ms, request }) => {
      const rotation = await changeWithLogLine(context, request, (tx) =>
        context.ownKeys.rotate(tx, body.certificate, body.overlap_s, actorOf(request), now_ms),
      );
      // Committed: sign with the successor from now on.
      await context.ownKeys.useCurrentKey();
      context.log.warn('key.rotated', {
        retiring: rotation.retiringKey,
        successor: rotation.successorKey,
        retiresAt: formatTimestamp(rotation.retiresAt_ms),
        by: rotation.rotatedBy,
      });
      return rotationView(rotation, now_ms);
    }),
  ];
}
