// Zone 1 at the receiving end: a message from another operator is believed only if the CA
// signed the certificate it carries and the certificate's key signed the message. Verified
// certificates are cached by their signature, so a busy peer costs one CA check, not one per message.
// A key its operator retired (a signed rotation notice, key-rotation.ts) is refused from its
// retirement on, however valid its certificate; before that, both the retiring key and its
// successor are believed, each under its own certificate: the overlap.

import { fromBase64urlOfLength } from '@opentab/protocol';
import type { CryptoProvider } from '@opentab/protocol';
import { verifyEnvelope, type Envelope, type PayloadHeader } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import type { OperatorCertificate, OperatorCertificatePayload } from '@opentab/protocol';
import { checkOperatorCertificate } from '@opentab/protocol';
import { parseTimestamp } from '@opentab/protocol';
import { checkKeyRotation, formatTimestamp, type KeyRotation, type KeyRotationCheck } from '@opentab/protocol';
import type { PeerKeyRetirements } from './peer-key-retirements';

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
    readonly retirements: PeerKeyRetirements,
  ) {}

  /** Whether the certificate's key has been retired by its operator by now. */
  isRetired(certificate: OperatorCertificatePayload, now_ms: number): boolean {
    const retiresAt_ms = this.retirements.retiresAt(certificate.operatorId, certificate.publicKey);
    return retiresAt_ms !== null && retiresAt_ms <= now_ms;
  }

  /** Checks a rotation notice and keeps the retirement it announces; a notice that does not hold changes nothing. */
  takeRotation(rotation: KeyRotation, now_ms: number): KeyRotationCheck {
    const check = checkKeyRotation(this.crypto, this.caPublicKey, rotation);
    if (check.ok)
      this.retirements.record(
        {
          operatorId: check.operatorId,
          publicKey: check.retiringKey,
          successorKey: check.successorKey,
          retiresAt_ms: check.retiresAt_ms,
        },
        rotation,
        now_ms,
      );
    return check;
  }

  /** The certificate, if the CA signed it and it is still valid; otherwise a 403 refusal. */
  trustCertificate(certificate: OperatorCertificate, now_ms: number): TrustedCertificate {
    const trusted = this.caCheckedCertificate(certificate, now_ms);
    if (this.isRetired(trusted.certificate, now_ms)) {
      const retiresAt_ms = this.retirements.retiresAt(trusted.certificate.operatorId, trusted.certificate.publicKey)!;
      throw new OpentabError(
        'key_retired',
        `Operator ${trusted.certificate.operatorId} retired this key at ${formatTimestamp(retiresAt_ms)}.`,
      );
    }
    return trusted;
  }

  private caCheckedCertificate(certificate: OperatorCertificate, now_ms: number): TrustedCertificate {
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
