// Temporary merchant certificates, signed by this operator as the merchant's MTA. One is reused
// per merchant while it has plenty of life left, so opening a tab does not cost a signature for it.

import { seal, type PayloadBody } from '../../../protocol/envelope';
import type { MerchantCertificate, MerchantCertificatePayload } from '../../../protocol/messages/certificates';
import { formatTimestamp } from '../../../protocol/time';
import type { OperatorContext } from '../operator-context';
import type { Merchant } from '../store/records';

const CERTIFICATE_LIFETIME_MS = 24 * 3600 * 1000;
const REISSUE_BEFORE_EXPIRY_MS = 12 * 3600 * 1000;

export class MerchantCertificates {
  private readonly issued = new Map<string, { certificate: MerchantCertificate; validUntil_ms: number; fingerprint: string }>();

  constructor(private readonly context: OperatorContext) {}

  certificateFor(merchant: Merchant, now_ms: number): MerchantCertificate {
    // A re-registration (new origins, key or URL) must not keep serving the old certificate.
    const fingerprint = JSON.stringify(merchant);
    const cached = this.issued.get(merchant.merchantId);
    if (cached !== undefined && cached.fingerprint === fingerprint && cached.validUntil_ms - now_ms > REISSUE_BEFORE_EXPIRY_MS) return cached.certificate;
    const validUntil_ms = now_ms + CERTIFICATE_LIFETIME_MS;
    const certificate = seal(this.context.crypto, this.context.identity.signer, {
      type: 'merchant-certificate',
      operatorId: this.context.identity.operatorId,
      merchantId: merchant.merchantId,
      displayName: merchant.displayName,
      currency: merchant.currency,
      origins: [...merchant.origins],
      agentUrl: merchant.agentUrl,
      publicKey: merchant.publicKey,
      validUntil: formatTimestamp(validUntil_ms),
    } satisfies PayloadBody<MerchantCertificatePayload>, now_ms);
    this.issued.set(merchant.merchantId, { certificate, validUntil_ms, fingerprint });
    return certificate;
  }
}
