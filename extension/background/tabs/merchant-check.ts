// Which merchant the customer agent will pay, and where: only a merchant certificate that its own
// operator vouched for, only from a page whose origin that certificate lists. Checked before any
// money is held.

import type { CryptoProvider } from '../../../protocol/crypto/provider';
import { fromBase64urlOfLength } from '../../../protocol/encoding/base64url';
import { verifyEnvelope } from '../../../protocol/envelope';
import type { MerchantCertificate, MerchantCertificatePayload } from '../../../protocol/messages/certificates';
import type { MerchantVouch } from '../../../protocol/messages/customer';
import { parseTimestamp } from '../../../protocol/time';
import type { MerchantRef } from '../../messaging/views';

export type MerchantCheck =
  | { readonly ok: true; readonly certificate: MerchantCertificate }
  | { readonly ok: false; readonly code: 'origin_not_allowed' | 'merchant_refused'; readonly reason: string };

export function originAllowed(certificate: MerchantCertificatePayload, origin: string): boolean {
  return certificate.origins.includes(origin);
}

/** The certificate is signed by the key it names (the merchant operator's), and is for this merchant. */
export function checkMerchantCertificate(
  crypto: CryptoProvider,
  certificate: MerchantCertificate,
  merchant: MerchantRef,
  now_ms: number,
): { ok: true } | { ok: false; reason: string } {
  const payload = certificate.payload;
  if (payload.merchantId !== merchant.merchantId || payload.operatorId !== merchant.operatorId) {
    return { ok: false, reason: 'the merchant certificate is for a different merchant' };
  }
  let signerKey: Uint8Array;
  try {
    signerKey = fromBase64urlOfLength(certificate.kid, 32);
  } catch {
    return { ok: false, reason: 'the merchant certificate names no usable key' };
  }
  if (!verifyEnvelope(crypto, certificate, signerKey)) return { ok: false, reason: 'the merchant certificate signature does not verify' };
  if (!certificateInForce(payload, now_ms)) return { ok: false, reason: 'the merchant certificate has expired' };
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
  operator: { readonly operatorId: string; readonly publicKey: Uint8Array },
  merchant: MerchantRef,
  pageOrigin: string,
  now_ms: number,
): MerchantCheck {
  if (!verifyEnvelope(crypto, vouch, operator.publicKey) || vouch.payload.operatorId !== operator.operatorId) {
    return { ok: false, code: 'merchant_refused', reason: 'Your operator did not vouch for this merchant (the signature does not verify).' };
  }
  const certificate = vouch.payload.merchantCertificate;
  const check = checkMerchantCertificate(crypto, certificate, merchant, now_ms);
  if (!check.ok) return { ok: false, code: 'merchant_refused', reason: `Opentab cannot trust this merchant: ${check.reason}.` };
  if (!originAllowed(certificate.payload, pageOrigin)) {
    return {
      ok: false,
      code: 'origin_not_allowed',
      reason: `${certificate.payload.displayName} does not take Opentab payments on ${pageOrigin}; its certificate allows only ${certificate.payload.origins.join(', ')}.`,
    };
  }
  return { ok: true, certificate };
}
