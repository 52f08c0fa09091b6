// Zone 1 at the receiving end: a message from another operator is believed only if the CA
// signed the certificate it carries and the certificate's key signed the message. Verified
// certificates are cached by their signature, so a busy peer costs one CA check, not one per message.
// A key its operator retired (a signed rotation notice, key-rotation.ts) is refused from its
// retirement on, however valid its certificate; before that, both the retiring key and its
// successor are believed, each under its own certificate: the overlap.
//
// Retirements are read from the store at each check, never kept in this process's memory: a
// retirement another process sharing the database took must be refused here at once, and making
// sure a cached "not retired" still holds would cost the same read. That read is one lookup on the
// table's key (operator, public key): on SQLite a prepared statement on the process's own
// connection, microseconds beside the signature check it guards, so the hot path stays as fast.
// A certificate's CA check never changes its answer, so that one stays cached. The checks read
// outside any transaction (a peer's message is authenticated before its step's transaction), so
// they must not be called inside one: on SQLite's single connection they would wait for it forever.

import { fromBase64urlOfLength } from '@opentab/protocol';
import type { CryptoProvider } from '@opentab/protocol';
import { verifyEnvelope, type Envelope, type PayloadHeader } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import type { OperatorCertificate, OperatorCertificatePayload } from '@opentab/protocol';
import { checkOperatorCertificate } from '@opentab/protocol';
import { parseTimestamp } from '@opentab/protocol';
import { checkKeyRotation, formatTimestamp, type KeyRotation, type KeyRotationCheck } from '@opentab/protocol';
import type { PeerKeyRetirementAccess } from '../store/operator-records-storage';
import type { PeerKeyRetirement } from './peer-key-retirement-table';

/** A rotation notice taken: what it announced, and the retirement kept for the key now (never later than an earlier notice's). */
export type TakenRotation =
  | (Extract<KeyRotationCheck, { ok: true }> & { readonly kept: PeerKeyRetirement })
  | Extract<KeyRotationCheck, { ok: false }>;

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
    /** The store's peers' retired keys, read outside any transaction. */
    private readonly retirements: PeerKeyRetirementAccess,
  ) {}

  /** When the certificate's key retires (or retired), if its operator said so. */
  async retiresAt(certificate: OperatorCertificatePayload): Promise<number | null> {
    return (
      (await this.retirements.peerKeyRetirement(certificate.operatorId, certificate.publicKey))?.retiresAt_ms ?? null
    );
  }

  /** Whether the certificate's key has been retired by its operator by now. */
  async isRetired(certificate: OperatorCertificatePayload, now_ms: number): Promise<boolean> {
    const retiresAt_ms = await this.retiresAt(certificate);
    return retiresAt_ms !== null && retiresAt_ms <= now_ms;
  }

  /**
   * Checks a rotation notice and keeps the retirement it announces, or the earlier one already
   * kept (the store's upsert decides, whichever process took a notice first); a notice that does
   * not hold changes nothing.
   */
  async takeRotation(rotation: KeyRotation, now_ms: number): Promise<TakenRotation> {
    const check = checkKeyRotation(this.crypto, this.caPublicKey, rotation);
    if (!check.ok) return check;
    const kept = await this.retirements.keepEarliestRetirement({
      operatorId: check.operatorId,
      publicKey: check.retiringKey,
      successorKey: check.successorKey,
      retiresAt_ms: check.retiresAt_ms,
      receivedAt_ms: now_ms,
      notice: JSON.stringify(rotation),
    });
    return { ...check, kept };
  }

  /** The certificate, if the CA signed it, it is still valid and its key is not retired; otherwise a 403 refusal. */
  async trustCertificate(certificate: OperatorCertificate, now_ms: number): Promise<TrustedCertificate> {
    const trusted = this.caCheckedCertificate(certificate, now_ms);
    const retiresAt_ms = await this.retiresAt(trusted.certificate);
    if (retiresAt_ms !== null && retiresAt_ms <= now_ms) {
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
  async verifyPeerEnvelope(
    envelope: Envelope<PayloadHeader & { operatorCertificate: OperatorCertificate }>,
    now_ms: number,
  ): Promise<OperatorCertificatePayload> {
    const sender = await this.trustCertificate(envelope.payload.operatorCertificate, now_ms);
    if (!verifyEnvelope(this.crypto, envelope, sender.publicKey)) throw new OpentabError('bad_signature');
    return sender.certificate;
  }

  /** For answers from a peer we called: the answer must come from the operator we meant. */
  async verifyAnswerFrom(
    expectedOperatorId: string,
    envelope: Envelope<PayloadHeader & { operatorCertificate: OperatorCertificate }>,
    now_ms: number,
  ): Promise<OperatorCertificatePayload> {
    const sender = await this.verifyPeerEnvelope(envelope, now_ms);
    if (sender.operatorId !== expectedOperatorId)
      throw new OpentabError('peer_refused', `The answer came from ${sender.operatorId}, not ${expectedOperatorId}.`);
    return sender;
  }

  publicKeyOf(certificate: OperatorCertificatePayload): Uint8Array {
    return fromBase64urlOfLength(certificate.publicKey, 32);
  }
}
