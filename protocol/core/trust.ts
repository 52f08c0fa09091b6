// Zone 1 of the seed: an operator is trusted only through a certificate the common CA signed.

import { fromBase64urlOfLength } from './encoding/base64url';
import type { CryptoProvider } from './crypto/provider';
import { verifyEnvelope } from './envelope';
import type { OperatorCertificate, OperatorCertificatePayload } from './messages/certificates';
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
