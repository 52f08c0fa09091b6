// Who this operator is: its signing key and the CA certificate that binds the key to its id.
// Checked once at start-up, so a server never runs with a certificate that peers would refuse.
// A key rotation (key-rotation.ts) hands it a successor: everything signed afterwards is signed
// with that, so the key and certificate are read at each signature, never kept.

import { readFileSync } from 'node:fs';
import { fromBase64urlOfLength } from '@opentab/protocol';
import { signerFromSecretKey, type Signer } from '@opentab/protocol';
import type { CryptoProvider } from '@opentab/protocol';
import { OperatorCertificate } from '@opentab/protocol';
import { parseMessage } from '@opentab/protocol';
import { checkOperatorCertificate } from '@opentab/protocol';
import { ConfigError, type OperatorConfig } from '../config/config';

export class OperatorIdentity {
  constructor(
    readonly operatorId: string,
    private current: { readonly signer: Signer; readonly certificate: OperatorCertificate },
    readonly caPublicKey: Uint8Array,
  ) {}

  get signer(): Signer {
    return this.current.signer;
  }

  get certificate(): OperatorCertificate {
    return this.current.certificate;
  }

  /** From now on, sign with the successor key under its certificate. */
  switchTo(signer: Signer, certificate: OperatorCertificate): void {
    this.current = { signer, certificate };
  }
}

export function loadOperatorIdentity(crypto: CryptoProvider, config: OperatorConfig, now_ms: number): OperatorIdentity {
  let secretKey: Uint8Array;
  try {
    secretKey = fromBase64urlOfLength(config.secretKey, 32);
  } catch {
    throw new ConfigError('the operator secret key must be 32 bytes in base64url');
  }
  const signer = signerFromSecretKey(crypto, secretKey);
  const caPublicKey = fromBase64urlOfLength(config.caPublicKey, 32);

  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(config.certificateFile, 'utf8'));
  } catch (error) {
    throw new ConfigError(
      `cannot read the operator certificate ${config.certificateFile}: ${(error as Error).message}`,
    );
  }
  const parsed = parseMessage(OperatorCertificate, raw);
  if (!parsed.ok) throw new ConfigError(`the operator certificate is malformed: ${parsed.error.details.join('; ')}`);
  const certificate = parsed.value;
  const check = checkOperatorCertificate(crypto, caPublicKey, certificate, now_ms);
  if (!check.ok)
    throw new ConfigError(
      `the operator certificate is ${check.problem === 'expired' ? 'expired' : 'not signed by the configured CA'}`,
    );
  if (certificate.payload.operatorId !== config.operatorId)
    throw new ConfigError(`the certificate is for ${certificate.payload.operatorId}, not ${config.operatorId}`);
  if (certificate.payload.publicKey !== signer.kid)
    throw new ConfigError("the certificate's public key is not this operator's key");
  if (!certificate.payload.currencies.includes(config.currency))
    throw new ConfigError(`the certificate does not list ${config.currency}`);
  return new OperatorIdentity(config.operatorId, { signer, certificate }, caPublicKey);
}
