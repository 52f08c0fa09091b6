// The staff's routes about whom this operator trusts: revoking a merchant or a peer operator (for
// good: revocation/revocations.ts says what that stops and what it must not), and the peers as
// this operator sees them.

import * as v from 'valibot';
import { SMALL_BODY_BYTES, route } from '@opentab/protocol';
import { OperatorId, Timestamp } from '@opentab/protocol';

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
  listRevocations: route({
    ...read,
    method: 'GET',
    path: '/v1/admin/revocations',
    summary: 'Every revocation in force here, newest first.',
    response: v.array(RevocationView),
  }),
} as const;
