// An arbiter (configured by name and key) asks for a delivery's K2 with the customer's evidence
// bundle. The MTA releases it only for a bundle that verifies from the CA key down and names a K1
// it registered itself, re-sealed to the arbiter's own X25519 key, and logs every release (who, which
// order, when) in its database and its log. A replayed request gets the same answer, logged once.

import {
  fromBase64url,
  fromBase64urlOfLength,
  OpentabError,
  openSealedKey,
  seal,
  sealKey,
  toBase64url,
  verifyEnvelope,
  verifyEvidenceBundle,
  type DeliveryEscrow,
  type K1Registration,
  type KeyRelease,
  type KeyReleasePayload,
  type KeyReleaseRequest,
  type PayloadBody,
} from '@opentab/protocol';
import { assertFresh } from '../account-manager/customer-auth';
import type { OperatorContext } from '../operator-context';
import type { MtaDelivery } from './mta-delivery';

export function releaseKey(
  context: OperatorContext,
  delivery: MtaDelivery,
  request: KeyReleaseRequest,
  now_ms: number,
): KeyRelease {
  const arbiter = context.config.arbiters.find((candidate) => candidate.publicKey === request.kid);
  if (arbiter === undefined) throw new OpentabError('unknown_arbiter');
  if (!verifyEnvelope(context.crypto, request, fromBase64urlOfLength(arbiter.publicKey, 32)))
    throw new OpentabError('bad_signature');
  // sync: delivery store (from here to the logged release nothing awaits, so a replay is logged once)
  const replay = delivery.store.releaseAnswerJson(request.payload.id);
  if (replay !== null) return JSON.parse(replay) as KeyRelease;
  assertFresh(context, request.payload.iat, now_ms);

  const bundle = request.payload.bundle;
  const verdict = verifyEvidenceBundle(context.crypto, bundle, context.config.caPublicKey);
  if (!verdict.ok) throw new OpentabError('evidence_invalid', undefined, verdict.problems);
  if (bundle.operatorCertificate.payload.operatorId !== context.identity.operatorId)
    throw new OpentabError('evidence_invalid', 'The bundle is about a delivery at another MTA.');
  const orderId = verdict.orderId;
  const registered = delivery.store.registrationJson(orderId);
  if (registered === null || (JSON.parse(registered) as K1Registration).sig !== bundle.k1Registration.sig)
    throw new OpentabError('evidence_invalid', 'This MTA registered no such K1 for that order.');
  const stored = delivery.store.escrow(orderId);
  if (stored === null) throw new OpentabError('escrow_missing');
  const escrow = JSON.parse(stored.escrowJson) as DeliveryEscrow;
  if (escrow.payload.ciphertextHash !== bundle.description.payload.ciphertextHash)
    throw new OpentabError('evidence_invalid', 'The key escrowed for that order is for another ciphertext.');

  const key = openSealedKey(delivery.escrowKey(now_ms).secretKey, fromBase64url(escrow.payload.sealedKey), orderId);
  const answer = seal(
    context.crypto,
    context.identity.signer,
    {
      type: 'key-release',
      operatorId: context.identity.operatorId,
      orderId,
      requestId: request.payload.id,
      sealedKey: toBase64url(
        sealKey(
          (length) => context.crypto.randomBytes(length),
          fromBase64url(request.payload.arbiterKey),
          key,
          orderId,
        ),
      ),
    } satisfies PayloadBody<KeyReleasePayload>,
    now_ms,
  );
  delivery.store.logRelease(
    {
      requestId: request.payload.id,
      arbiterName: arbiter.name,
      arbiterKey: arbiter.publicKey,
      orderId,
      releasedAt_ms: now_ms,
    },
    JSON.stringify(request),
    JSON.stringify(answer),
  );
  context.log.info('delivery.key-released', { arbiter: arbiter.name, order: orderId, merchant: verdict.merchantId });
  return answer;
}
