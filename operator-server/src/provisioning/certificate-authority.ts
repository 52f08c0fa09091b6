// The common CA of zone 1: it signs operator certificates binding an operator id to its key,
// base URL and currencies. Here as a small offline tool; its secret key never enters a server.

import { fromBase64urlOfLength } from '../../../protocol/encoding/base64url';
import { seal, signerFromSecretKey, type PayloadBody } from '../../../protocol/envelope';
import type { CryptoProvider } from '../../../protocol/crypto/provider';
import type { OperatorCertificate, OperatorCertificatePayload } from '../../../protocol/messages/certificates';
import { insecureAddressProblem } from '../../../protocol/messages/secure-address';
import { formatTimestamp } from '../../../protocol/time';

export interface CertificateRequest {
  readonly operatorId: string;
  readonly publicKey: string;
  readonly baseUrl: string;
  readonly currencies: readonly string[];
  readonly validFor_days: number;
}

/** Refuses a base URL that would carry the operator's traffic in clear (the certificate would outlive any fix of the configuration). */
export function signOperatorCertificate(crypto: CryptoProvider, caSecretKey: string, request: CertificateRequest, now_ms: number): OperatorCertificate {
  const problem = insecureAddressProblem('base URL', request.baseUrl);
  if (problem !== null) throw new Error(`cannot certify operator ${request.operatorId}: its ${problem}`);
  const ca = signerFromSecretKey(crypto, fromBase64urlOfLength(caSecretKey, 32));
  return seal(crypto, ca, {
    type: 'operator-certificate',
    operatorId: request.operatorId,
    publicKey: request.publicKey,
    baseUrl: request.baseUrl,
    currencies: [...request.currencies],
    validUntil: formatTimestamp(now_ms + request.validFor_days * 24 * 3600 * 1000),
  } satisfies PayloadBody<OperatorCertificatePayload>, now_ms);
}
