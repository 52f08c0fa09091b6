// Temporary merchant certificates, signed by this operator as the merchant's MTA. A certificate
// handed out for a tab is valid until at least the tab concludes here (its expiry plus the record
// grace period): the customer agent pays only under a certificate in force, so a tab must never
// outlive the one it relies on (docs/DESIGN.md). One certificate is reused per merchant while it
// covers what is asked of it, so opening a tab does not usually cost a signature for it. Each
// process keeps the certificates it signed (they never change); every one is recorded in the
// store's log before it is handed out.

import { seal, type PayloadBody } from '@opentab/protocol';
import type { MerchantCertificate, MerchantCertificatePayload } from '@opentab/protocol';
import { formatTimestamp } from '@opentab/protocol';
import type { OperatorContext } from '../operator-context';
import type { Merchant } from '../store/records';

/** A certificate looked up before a tab opens stays good at least this long: the customer decides, then opens. */
const LOOKUP_VALIDITY_MS = 12 * 3600 * 1000;
/**
 * A new certificate is issued valid this much beyond what it must cover, so the lookups and tabs
 * of the hours after it reuse it rather than cost a signature each.
 */
const REUSE_MARGIN_MS = 12 * 3600 * 1000;

export class MerchantCertificates {
  private readonly issued = new Map<
    string,
    { certificate: MerchantCertificate; validUntil_ms: number; fingerprint: string }
  >();

  constructor(private readonly context: OperatorContext) {}

  /** For a lookup before a tab opens. */
  certificateFor(merchant: Merchant, now_ms: number): Promise<MerchantCertificate> {
    return this.certificateValidThrough(merchant, now_ms + LOOKUP_VALIDITY_MS, now_ms);
  }

  /** For a tab that expires at `expiresAt_ms`: valid until the MTA concludes it at the latest without being asked to wait. */
  certificateForTab(merchant: Merchant, expiresAt_ms: number, now_ms: number): Promise<MerchantCertificate> {
    return this.certificateValidThrough(merchant, expiresAt_ms + this.context.config.tabs.recordGrace_s * 1000, now_ms);
  }

  private async certificateValidThrough(
    merchant: Merchant,
    validThrough_ms: number,
    now_ms: number,
  ): Promise<MerchantCertificate> {
    // A re-registration (new origins, key or URL), or a rotation of this operator's key, must not
    // keep serving the old certificate.
    const fingerprint = JSON.stringify({ merchant, signer: this.context.identity.signer.kid });
    const cached = this.issued.get(merchant.merchantId);
    if (cached !== undefined && cached.fingerprint === fingerprint && cached.validUntil_ms >= validThrough_ms)
      return cached.certificate;
    const validUntil_ms = validThrough_ms + REUSE_MARGIN_MS;
    const certificate = seal(
      this.context.crypto,
      this.context.identity.signer,
      {
        type: 'merchant-certificate',
        operatorId: this.context.identity.operatorId,
        merchantId: merchant.merchantId,
        displayName: merchant.displayName,
        currency: merchant.currency,
        origins: [...merchant.origins],
        agentUrl: merchant.agentUrl,
        publicKey: merchant.publicKey,
        validUntil: formatTimestamp(validUntil_ms),
      } satisfies PayloadBody<MerchantCertificatePayload>,
      now_ms,
    );
    await this.context.storage.issuedCertificates.recordIssuedCertificate({
      merchantId: merchant.merchantId,
      issuedAt_ms: now_ms,
      validUntil_ms,
      signedBy: this.context.identity.signer.kid,
    });
    this.issued.set(merchant.merchantId, { certificate, validUntil_ms, fingerprint });
    return certificate;
  }
}
