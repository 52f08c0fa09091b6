// What the customer agent trusts, all learnt at enrolment from the operator the customer chose
// (zone 2): its own operator, whose key signs vouches, tab openings and rate tables, and the CA
// that signed that operator's certificate. One CA certifies every operator (zone 1), so the key
// that signed the own operator's certificate is that CA; pinned with the enrolment, it cannot be
// changed afterwards, by the own AM or anyone else, and every merchant's operator must hold a
// certificate from it (merchant-check.ts).

import type { CryptoProvider } from '@opentab/protocol';
import { fromBase64urlOfLength } from '@opentab/protocol';
import { verifyEnvelope } from '@opentab/protocol';
import type { OperatorCertificate } from '@opentab/protocol';
import { checkOperatorCertificate } from '@opentab/protocol';
import type { Enrolment } from './enrolment-record';

export interface TrustAnchors {
  readonly operatorId: string;
  readonly operatorKey: Uint8Array;
  readonly caPublicKey: Uint8Array;
}

/** The CA of an operator certificate: the key that signed it, its kid. */
function signerOf(certificate: OperatorCertificate): Uint8Array {
  return fromBase64urlOfLength(certificate.kid, 32);
}

/** At enrolment: the operator's certificate is signed by the key it names as its signer, and current. */
export function ownCertificateProblem(
  crypto: CryptoProvider,
  certificate: OperatorCertificate,
  now_ms: number,
): string | null {
  const check = checkOperatorCertificate(crypto, signerOf(certificate), certificate, now_ms);
  if (check.ok) return null;
  return check.problem === 'expired'
    ? "the operator's certificate has expired"
    : "the operator's certificate is not signed by the CA it names";
}

/**
 * The anchors of an enrolment; null when its stored certificate does not bear them out (an
 * enrolment made before certificates were checked at enrolment is checked here instead). The
 * certificate may have expired since: the CA that signed it has not changed.
 */
export function trustAnchorsOf(crypto: CryptoProvider, enrolment: Enrolment): TrustAnchors | null {
  const certificate = enrolment.operatorCertificate;
  const caPublicKey = signerOf(certificate);
  const consistent =
    certificate.payload.operatorId === enrolment.operatorId &&
    certificate.payload.publicKey === enrolment.operatorPublicKey &&
    verifyEnvelope(crypto, certificate, caPublicKey);
  if (!consistent) return null;
  return {
    operatorId: enrolment.operatorId,
    operatorKey: fromBase64urlOfLength(enrolment.operatorPublicKey, 32),
    caPublicKey,
  };
}
