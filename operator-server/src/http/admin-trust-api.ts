// The staff's routes about whom this operator trusts and how it is trusted: revoking a merchant or
// a peer operator (for good: revocation/revocations.ts says what that stops and what it must not),
// the peers as this operator sees them, and the rotation of this operator's own key with an overlap
// (identity/key-rotation.ts).

import * as v from 'valibot';
import { SMALL_BODY_BYTES, route } from '@opentab/protocol';
import { OperatorCertificate, OperatorId, PublicKey, Timestamp } from '@opentab/protocol';

const Reason = v.pipe(v.string(), v.minLength(1), v.maxLength(500));

export const RevocationRequest = v.strictObject({ reason: Reason });

export const RevocationView = v.strictObject({
  kind: v.picklist(['merchant', 'peer']),
  subjectId: v.string(),
  revokedAt: Timestamp,
  reason: v.string(),
  /** The staff member who revoked it, or `admin` for the admin token. */
  revokedBy: v.string(),
});

export const PeerView = v.strictObject({
  operatorId: OperatorId,
  baseUrl: v.string(),
  revocation: v.nullable(RevocationView),
});

export const RotationView = v.strictObject({
  retiringKey: PublicKey,
  successorKey: PublicKey,
  rotatedAt: Timestamp,
  /** From then on peers and wallets refuse what the retiring key signs. */
  retiresAt: Timestamp,
  retired: v.boolean(),
  rotatedBy: v.string(),
});

export const KeysView = v.strictObject({
  current: v.strictObject({ publicKey: PublicKey, validUntil: Timestamp }),
  /** Successor keys made here, waiting for the CA's certificate. */
  prepared: v.array(PublicKey),
  rotations: v.array(RotationView),
  /** Keys peer operators announced they retire, as this operator keeps them. */
  peerRetirements: v.array(
    v.strictObject({ operatorId: OperatorId, publicKey: PublicKey, successorKey: PublicKey, retiresAt: Timestamp }),
  ),
});

export const PreparedKey = v.strictObject({
  /** What the CA certifies: `opentab-operator ca-sign --public-key … --operator-id … --base-url … --currency …`. */
  publicKey: PublicKey,
  operatorId: OperatorId,
  baseUrl: v.string(),
  currencies: v.array(v.string()),
});

/** At most 90 days of overlap; zero retires the key at once (a key known to be stolen). */
export const RotationRequest = v.strictObject({
  certificate: OperatorCertificate,
  overlap_s: v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(90 * 24 * 3600)),
});

const admin = { auth: 'admin-token' as const, maxBody_bytes: SMALL_BODY_BYTES };
const read = { ...admin, request: null, maxBody_bytes: 0 } as const;

export const ADMIN_TRUST_API = {
  revokeMerchant: route({
    ...admin,
    method: 'POST',
    path: '/v1/admin/merchants/{merchantId}/revocation',
    summary:
      'Revoke a merchant for good: its lookups, new tabs, escrows and re-registration are refused with merchant_revoked at once; records of its tabs opened before are still taken and cleared. Revoking again returns the first revocation.',
    request: RevocationRequest,
    response: RevocationView,
  }),
  listPeers: route({
    ...read,
    method: 'GET',
    path: '/v1/admin/peers',
    summary: 'The peer operators this operator is configured with, and any revocation of each.',
    response: v.array(PeerView),
  }),
  revokePeer: route({
    ...admin,
    method: 'POST',
    path: '/v1/admin/peers/{operatorId}/revocation',
    summary:
      'Revoke a peer operator for good: new tabs between the two (lookups, initiations, in either direction) are refused with peer_revoked at once; customer records, clearings and their settlement for tabs opened before still flow. Revoking again returns the first revocation.',
    request: RevocationRequest,
    response: RevocationView,
  }),
  listKeys: route({
    ...read,
    method: 'GET',
    path: '/v1/admin/keys',
    summary: "This operator's current key, keys prepared for rotation, its rotations, and the keys peers retired.",
    response: KeysView,
  }),
  prepareKey: route({
    ...admin,
    method: 'POST',
    path: '/v1/admin/keys/prepared',
    summary:
      'Make a successor key (its secret stays in the data directory) and return what the CA must certify for it.',
    request: v.strictObject({}),
    response: PreparedKey,
  }),
  rotateKey: route({
    ...admin,
    method: 'POST',
    path: '/v1/admin/keys/rotation',
    summary:
      "Rotate to a prepared key under the CA's certificate for it: sign with it from now on, and announce to every peer and on /v1/operator, signed by the retiring key, that the retiring key is refused after overlap_s.",
    request: RotationRequest,
    response: RotationView,
  }),
  listRevocations: route({
    ...read,
    method: 'GET',
    path: '/v1/admin/revocations',
    summary: 'Every revocation in force here, newest first.',
    response: v.array(RevocationView),
  }),
} as const;
