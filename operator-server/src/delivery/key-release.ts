// An arbiter (configured by name and key) asks for a delivery's K2 with the customer's evidence
// bundle. The MTA releases it only for a bundle that verifies from the CA key down and names a K1
// it registered itself, re-sealed to the arbiter's own X25519 key, and logs every release (who, which
// order, when) in its database and its log. A replayed request gets the same answer, logged once,
// whichever process of the MTA it reaches: the log's insert-once decides.

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
import type { OperatorConfig } from '../config/config';
import type { OperatorContext } from '../operator-context';
import type { DeliveryAccess } from '../store/operator-records-storage';
import type { DeliverySigning, MtaDelivery } from './mta-delivery';

export async function releaseKey(
  context: OperatorContext,
  delivery: MtaDelivery,
  request: KeyReleaseRequest,
  now_ms: number,
): Promise<KeyRelease> {
  const arbiter = context.config.arbiters.find((candidate) => candidate.publicKey === request.kid);
  if (arbiter === undefined) throw new OpentabError('unknown_arbiter');
  if (!verifyEnvelope(context.crypto, request, fromBase64urlOfLength(arbiter.publicKey, 32)))
    throw new OpentabError('bad_signature');
  const { answer, logged } = await context.storage.transaction((tx) =>
    releaseOnce(
      context,
      delivery,
      tx.delivery,
      { request, arbiter, evidence: () => evidenceOf(context, request, now_ms) },
      now_ms,
    ),
  );
  if (logged)
    context.log.info('delivery.key-released', {
      arbiter: arbiter.name,
      order: answer.payload.orderId,
      merchant: logged.merchantId,
    });
  return answer;
}

/** What a verified evidence bundle says the release is for. */
export interface ReleaseEvidence {
  readonly orderId: string;
  readonly merchantId: string;
  /** The signature of the K1 registration in the bundle: this MTA must have registered exactly that one. */
  readonly k1RegistrationSig: string;
  readonly ciphertextHash: string;
}

export interface ReleaseAsked {
  /** The request (logged whole), to answer sealed to its arbiter key. */
  readonly request: { readonly payload: { readonly id: string; readonly arbiterKey: string } };
  /** The configured arbiter who signed the request. */
  readonly arbiter: OperatorConfig['arbiters'][number];
  /** Checks the request's freshness and its evidence (not asked of a replay, answered as first). */
  readonly evidence: () => ReleaseEvidence;
}

/** A fresh request's evidence bundle, verified from the CA key down and about a delivery at this MTA. */
function evidenceOf(context: OperatorContext, request: KeyReleaseRequest, now_ms: number): ReleaseEvidence {
  assertFresh(context, request.payload.iat, now_ms);
  const bundle = request.payload.bundle;
  const verdict = verifyEvidenceBundle(context.crypto, bundle, context.config.caPublicKey);
  if (!verdict.ok) throw new OpentabError('evidence_invalid', undefined, verdict.problems);
  if (bundle.operatorCertificate.payload.operatorId !== context.identity.operatorId)
    throw new OpentabError('evidence_invalid', 'The bundle is about a delivery at another MTA.');
  return {
    orderId: verdict.orderId,
    merchantId: verdict.merchantId,
    k1RegistrationSig: bundle.k1Registration.sig,
    ciphertextHash: bundle.description.payload.ciphertextHash,
  };
}

/**
 * The release's answer, logged once under the request's id: a replay (through any process) is
 * answered with the answer logged first. `logged` is the evidence of a release this call logged,
 * null for a replay.
 */
export async function releaseOnce(
  signing: DeliverySigning,
  delivery: MtaDelivery,
  store: DeliveryAccess,
  asked: ReleaseAsked,
  now_ms: number,
): Promise<{ readonly answer: KeyRelease; readonly logged: ReleaseEvidence | null }> {
  const { request, arbiter } = asked;
  const replay = await store.releaseAnswerJson(request.payload.id);
  if (replay !== null) return { answer: JSON.parse(replay) as KeyRelease, logged: null };
  const evidence = asked.evidence();
  const { orderId } = evidence;
  const registered = await store.registrationJson(orderId);
  if (registered === null || (JSON.parse(registered) as K1Registration).sig !== evidence.k1RegistrationSig)
    throw new OpentabError('evidence_invalid', 'This MTA registered no such K1 for that order.');
  const stored = await store.escrow(orderId);
  if (stored === null) throw new OpentabError('escrow_missing');
  const escrow = JSON.parse(stored.escrowJson) as DeliveryEscrow;
  if (escrow.payload.ciphertextHash !== evidence.ciphertextHash)
    throw new OpentabError('evidence_invalid', 'The key escrowed for that order is for another ciphertext.');

  const { secretKey } = await delivery.escrowKey(store, now_ms);
  const key = openSealedKey(secretKey, fromBase64url(escrow.payload.sealedKey), orderId);
  const answer = seal(
    signing.crypto,
    signing.identity.signer,
    {
      type: 'key-release',
      operatorId: signing.identity.operatorId,
      orderId,
      requestId: request.payload.id,
      sealedKey: toBase64url(
        sealKey(
          (length) => signing.crypto.randomBytes(length),
          fromBase64url(request.payload.arbiterKey),
          key,
          orderId,
        ),
      ),
    } satisfies PayloadBody<KeyReleasePayload>,
    now_ms,
  );
  const entry = {
    requestId: request.payload.id,
    arbiterName: arbiter.name,
    arbiterKey: arbiter.publicKey,
    orderId,
    releasedAt_ms: now_ms,
  };
  if (await store.logRelease(entry, JSON.stringify(request), JSON.stringify(answer)))
    return { answer, logged: evidence };
  // The same request was logged meanwhile (by another process): its answer is the one given.
  return { answer: JSON.parse((await store.releaseAnswerJson(request.payload.id))!) as KeyRelease, logged: null };
}
