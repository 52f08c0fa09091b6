// Which merchant the customer agent will pay, and where: only a merchant certificate that its own
// operator vouched for, signed by the merchant's operator under a certificate of the CA pinned at
// enrolment, and only from a page whose origin the merchant certificate lists. Checked before any
// money is held. The CA check means the own AM can vouch only for operators the CA certified.

import type { CryptoProvider } from '@opentab/protocol';
import { verifyEnvelope } from '@opentab/protocol';
import type { MerchantCertificate, MerchantCertificatePayload, OperatorCertificate } from '@opentab/protocol';
import type { MerchantVouch } from '@opentab/protocol';
import { isSecureAddress } from '@opentab/protocol';
import { parseTimestamp } from '@opentab/protocol';
import { checkOperatorCertificate } from '@opentab/protocol';
import type { MerchantRef } from '../../messaging/views';
import type { TrustAnchors } from '../wallet/trust-anchors';

export type MerchantCheck =
  | { readonly ok: true; readonly certificate: MerchantCertificate; readonly operatorCertificate: OperatorCertificate }
  | { readonly ok: false; readonly code: 'origin_not_allowed' | 'merchant_refused'; readonly reason: string };

export function originAllowed(certificate: MerchantCertificatePayload, origin: string): boolean {
  return certificate.origins.includes(origin);
}

/** The merchant's operator is the one the CA certified under this id, and its certificate is current. */
export function checkMerchantOperator(
  crypto: CryptoProvider,
  certificate: OperatorCertificate,
  caPublicKey: Uint8Array,
  merchant: MerchantRef,
  now_ms: number,
): { ok: true; publicKey: Uint8Array } | { ok: false; reason: string } {
  const check = checkOperatorCertificate(crypto, caPublicKey, certificate, now_ms);
  if (!check.ok) {
    return {
      ok: false,
      reason:
        check.problem === 'expired'
          ? "the merchant operator's certificate has expired"
          : "the merchant operator's certificate is not signed by the CA your wallet trusts",
    };
  }
  if (check.certificate.operatorId !== merchant.operatorId)
    return {
      ok: false,
      reason: `the operator certificate is for ${check.certificate.operatorId}, not ${merchant.operatorId}`,
    };
  return { ok: true, publicKey: check.publicKey };
}

/** The certificate is signed by the merchant operator's key, and is for this merchant. */
export function checkMerchantCertificate(
  crypto: CryptoProvider,
  certificate: MerchantCertificate,
  merchantOperatorKey: Uint8Array,
  merchant: MerchantRef,
  now_ms: number,
): { ok: true } | { ok: false; reason: string } {
  const payload = certificate.payload;
  if (payload.merchantId !== merchant.merchantId || payload.operatorId !== merchant.operatorId) {
    return { ok: false, reason: 'the merchant certificate is for a different merchant' };
  }
  if (!verifyEnvelope(crypto, certificate, merchantOperatorKey))
    return { ok: false, reason: "the merchant certificate is not signed by the merchant's operator" };
  if (!certificateInForce(payload, now_ms)) return { ok: false, reason: 'the merchant certificate has expired' };
  // Purchases go to the agent URL and receipts come back to pages at the origins: none may travel in clear.
  const cleartext = [payload.agentUrl, ...payload.origins].find((address) => !isSecureAddress(address));
  if (cleartext !== undefined)
    return {
      ok: false,
      reason: `its certificate names ${cleartext}, an unencrypted address (Opentab pays only over https)`,
    };
  return { ok: true };
}

/**
 * Does the certificate still vouch for the merchant's key, origins and agent? Checked when a tab
 * opens and before each purchase on it; the merchant's operator issues the certificate of a tab
 * to outlast the tab (docs/DESIGN.md).
 */
export function certificateInForce(certificate: MerchantCertificatePayload, now_ms: number): boolean {
  const validUntil = parseTimestamp(certificate.validUntil);
  return validUntil !== null && now_ms < validUntil;
}

export function checkMerchantVouch(
  crypto: CryptoProvider,
  vouch: MerchantVouch,
  anchors: TrustAnchors,
  merchant: MerchantRef,
  pageOrigin: string,
  now_ms: number,
): MerchantCheck {
  if (!verifyEnvelope(crypto, vouch, anchors.operatorKey) || vouch.payload.operatorId !== anchors.operatorId) {
    return {
      ok: false,
      code: 'merchant_refused',
      reason: 'Your operator did not vouch for this merchant (the signature does not verify).',
    };
  }
  const operatorCertificate = vouch.payload.merchantOperatorCertificate;
  const operator = checkMerchantOperator(crypto, operatorCertificate, anchors.caPublicKey, merchant, now_ms);
  if (!operator.ok)
    return { ok: false, code: 'merchant_refused', reason: `Opentab cannot trust this merchant: ${operator.reason}.` };
  const certificate = vouch.payload.merchantCertificate;
  const check = checkMerchantCertificate(crypto, certificate, operator.publicKey, merchant, now_ms);
  if (!check.ok)
    return { ok: false, code: 'merchant_refused', reason: `Opentab cannot trust this merchant: ${check.reason}.` };
  if (!originAllowed(certificate.payload, pageOrigin)) {
    return {
      ok: false,
      code: 'origin_not_allowed',
      reason: `${certificate.payload.displayName} does not take Opentab payments on ${pageOrigin}; its certificate allows only ${certificate.payload.origins.join(', ')}.`,
    };
  }
  return { ok: true, certificate, operatorCertificate };
}
