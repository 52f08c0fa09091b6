// Zone 1 of the seed: an operator is trusted only through a certificate the common CA signed.

import { fromBase64urlOfLength } from './encoding/base64url';
import type { CryptoProvider } from './crypto/provider';
import { verifyEnvelope } from './envelope';
import type { OperatorCertificate, OperatorCertificatePayload } from './messages/certificates';
import type { KeyRotation } from './messages/key-rotation';
import { parseTimestamp } from './time';

export type CertificateCheck =
  | { ok: true; certificate: OperatorCertificatePayload; publicKey: Uint8Array }
  | { ok: false; problem: 'not_signed_by_ca' | 'expired' };

export function checkOperatorCertificate(
  crypto: CryptoProvider,
  caPublicKey: Uint8Array,
  certificate: OperatorCertificate,
  now_ms: number,
): CertificateCheck {
  if (!verifyEnvelope(crypto, certificate, caPublicKey)) return { ok: false, problem: 'not_signed_by_ca' };
  const validUntil_ms = parseTimestamp(certificate.payload.validUntil);
  if (validUntil_ms === null || validUntil_ms <= now_ms) return { ok: false, problem: 'expired' };
  return {
    ok: true,
    certificate: certificate.payload,
    publicKey: fromBase64urlOfLength(certificate.payload.publicKey, 32),
  };
}

export type KeyRotationCheck =
  | { ok: true; operatorId: string; retiringKey: string; successorKey: string; retiresAt_ms: number }
  | { ok: false; problem: string };

/**
 * A key rotation notice holds when the CA certified both keys for the operator it names, the keys
 * differ, and the retiring key signed it. Either certificate may have expired since: the notice
 * says only that the retiring key is refused from `retiresAt` on, which can never widen trust.
 */
export function checkKeyRotation(
  crypto: CryptoProvider,
  caPublicKey: Uint8Array,
  rotation: KeyRotation,
): KeyRotationCheck {
  const { operatorId, retiringCertificate, successorCertificate, retiresAt } = rotation.payload;
  for (const certificate of [retiringCertificate, successorCertificate]) {
    if (!verifyEnvelope(crypto, certificate, caPublicKey))
      return { ok: false, problem: 'a certificate in the notice is not signed by the CA' };
    if (certificate.payload.operatorId !== operatorId)
      return { ok: false, problem: `a certificate in the notice is not ${operatorId}'s` };
  }
  const retiringKey = retiringCertificate.payload.publicKey;
  const successorKey = successorCertificate.payload.publicKey;
  if (retiringKey === successorKey) return { ok: false, problem: 'the successor key is the retiring key' };
  if (rotation.kid !== retiringKey || !verifyEnvelope(crypto, rotation, fromBase64urlOfLength(retiringKey, 32)))
    return { ok: false, problem: 'the notice is not signed by the key it retires' };
  const retiresAt_ms = parseTimestamp(retiresAt);
  if (retiresAt_ms === null) return { ok: false, problem: 'retiresAt is not a timestamp' };
  return { ok: true, operatorId, retiringKey, successorKey, retiresAt_ms };
}
