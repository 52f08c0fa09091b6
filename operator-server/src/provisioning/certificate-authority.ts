// The common CA of zone 1: it signs operator certificates binding an operator id to its key,
// base URL and currencies. Here as a small offline tool; its secret key never enters a server.

import { checkPublicKey, weakKeySentence } from '@opentab/protocol';
import { fromBase64urlOfLength } from '@opentab/protocol';
import { seal, signerFromSecretKey, type PayloadBody } from '@opentab/protocol';
import type { CryptoProvider } from '@opentab/protocol';
import type { OperatorCertificate, OperatorCertificatePayload } from '@opentab/protocol';
import { insecureAddressProblem } from '@opentab/protocol';
import { formatTimestamp } from '@opentab/protocol';
import { ConfigError } from '../config/config';

export interface CertificateRequest {
  readonly operatorId: string;
  readonly publicKey: string;
  readonly baseUrl: string;
  readonly currencies: readonly string[];
  readonly validFor_days: number;
}

/** Refuses a base URL that would carry the operator's traffic in clear (the certificate would outlive any fix
 * of the configuration). */
export function signOperatorCertificate(
  crypto: CryptoProvider,
  caSecretKey: string,
  request: CertificateRequest,
  now_ms: number,
): OperatorCertificate {
  requireSoundKey(request.publicKey);
  const problem = insecureAddressProblem('base URL', request.baseUrl);
  if (problem !== null) throw new Error(`cannot certify operator ${request.operatorId}: its ${problem}`);
  const ca = signerFromSecretKey(crypto, fromBase64urlOfLength(caSecretKey, 32));
  return seal(
    crypto,
    ca,
    {
      type: 'operator-certificate',
      operatorId: request.operatorId,
      publicKey: request.publicKey,
      baseUrl: request.baseUrl,
      currencies: [...request.currencies],
      validUntil: formatTimestamp(now_ms + request.validFor_days * 24 * 3600 * 1000),
    } satisfies PayloadBody<OperatorCertificatePayload>,
    now_ms,
  );
}

/** Peers would refuse the certificate of a weak key (weak_key), and its holder could deny what it signed. */
function requireSoundKey(publicKey: string): void {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64urlOfLength(publicKey, 32);
  } catch {
    throw new ConfigError('the public key to certify must be 32 bytes in base64url');
  }
  const check = checkPublicKey(bytes);
  if (!check.ok)
    throw new ConfigError(
      `the public key to certify ${weakKeySentence(check.problem)}; the CA certifies only sound Ed25519 keys`,
    );
}
