// Zone 1 at the receiving end: a message from another operator is believed only if the CA
// signed the certificate it carries and the certificate's key signed the message. Verified
// certificates are cached by their signature, so a busy peer costs one CA check, not one per message.

import { fromBase64urlOfLength } from '@opentab/protocol';
import type { CryptoProvider } from '@opentab/protocol';
import { verifyEnvelope, type Envelope, type PayloadHeader } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import type { OperatorCertificate, OperatorCertificatePayload } from '@opentab/protocol';
import { checkOperatorCertificate } from '@opentab/protocol';
import { parseTimestamp } from '@opentab/protocol';

interface TrustedCertificate {
  readonly certificate: OperatorCertificatePayload;
  readonly publicKey: Uint8Array;
  readonly validUntil_ms: number;
}

const CACHE_LIMIT = 1024;

export class PeerTrust {
  private readonly verified = new Map<string, TrustedCertificate>();

  constructor(
    private readonly crypto: CryptoProvider,
    private readonly caPublicKey: Uint8Array,
  ) {}

  /** The certificate, if the CA signed it and it is still valid; otherwise a 403 refusal. */
  trustCertificate(certificate: OperatorCertificate, now_ms: number): TrustedCertificate {
    const cached = this.verified.get(certificate.sig);
    if (cached !== undefined && cached.validUntil_ms > now_ms) return cached;
    const check = checkOperatorCertificate(this.crypto, this.caPublicKey, certificate, now_ms);
    if (!check.ok) {
      throw new OpentabError(
        'uncertified_peer',
        check.problem === 'expired' ? "The sending operator's certificate has expired." : undefined,
      );
    }
    const trusted = {
      certificate: check.certificate,
      publicKey: check.publicKey,
      validUntil_ms: parseTimestamp(check.certificate.validUntil)!,
    };
    if (this.verified.size >= CACHE_LIMIT) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(certificate.sig, trusted);
    return trusted;
  }

  /** Verifies a peer envelope whose payload carries the sender's certificate; returns the sender's certificate. */
  verifyPeerEnvelope(
    envelope: Envelope<PayloadHeader & { operatorCertificate: OperatorCertificate }>,
    now_ms: number,
  ): OperatorCertificatePayload {
    const sender = this.trustCertificate(envelope.payload.operatorCertificate, now_ms);
    if (!verifyEnvelope(this.crypto, envelope, sender.publicKey)) throw new OpentabError('bad_signature');
    return sender.certificate;
  }

  /** For answers from a peer we called: the answer must come from the operator we meant. */
  verifyAnswerFrom(
    expectedOperatorId: string,
    envelope: Envelope<PayloadHeader & { operatorCertificate: OperatorCertificate }>,
    now_ms: number,
  ): OperatorCertificatePayload {
    const sender = this.verifyPeerEnvelope(envelope, now_ms);
    if (sender.operatorId !== expectedOperatorId)
      throw new OpentabError('peer_refused', `The answer came from ${sender.operatorId}, not ${expectedOperatorId}.`);
    return sender;
  }

  publicKeyOf(certificate: OperatorCertificatePayload): Uint8Array {
    return fromBase64urlOfLength(certificate.publicKey, 32);
  }
}
