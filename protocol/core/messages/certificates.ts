// Certificates of the four trust zones. Zone 1: the CA certifies operators. Zone 4: operators
// issue short-lived certificates for one tab, so the merchant learns only a pseudonym and the
// customer trusts only its own operator.

import * as v from 'valibot';
import {
  CurrencyCode,
  DisplayName,
  HttpUrl,
  MerchantId,
  OperatorId,
  Pseudonym,
  PublicKey,
  TabId,
  Timestamp,
  TransactionId,
  WebOrigin,
  envelopeOf,
  payloadHeader,
} from './primitives';

/** Signed by the CA: this operator id owns this key and serves at this URL. */
export const OperatorCertificatePayload = v.strictObject({
  ...payloadHeader('operator-certificate'),
  operatorId: OperatorId,
  publicKey: PublicKey,
  baseUrl: HttpUrl,
  currencies: v.pipe(v.array(CurrencyCode), v.minLength(1), v.maxLength(16)),
  validUntil: Timestamp,
});
export type OperatorCertificatePayload = v.InferOutput<typeof OperatorCertificatePayload>;
export const OperatorCertificate = envelopeOf(OperatorCertificatePayload);
export type OperatorCertificate = v.InferOutput<typeof OperatorCertificate>;

/** Signed by the merchant's operator (MTA): who the merchant is and where the customer may pay it. */
export const MerchantCertificatePayload = v.strictObject({
  ...payloadHeader('merchant-certificate'),
  operatorId: OperatorId,
  merchantId: MerchantId,
  displayName: DisplayName,
  currency: CurrencyCode,
  origins: v.pipe(v.array(WebOrigin), v.minLength(1), v.maxLength(16)),
  agentUrl: HttpUrl,
  publicKey: PublicKey,
  validUntil: Timestamp,
});
export type MerchantCertificatePayload = v.InferOutput<typeof MerchantCertificatePayload>;

/** What a merchant registers at its operator: exactly what its certificates will state. */
export const MerchantRegistration = v.pick(MerchantCertificatePayload, [
  'merchantId',
  'displayName',
  'currency',
  'origins',
  'agentUrl',
  'publicKey',
]);
export type MerchantRegistration = v.InferOutput<typeof MerchantRegistration>;
export const MerchantCertificate = envelopeOf(MerchantCertificatePayload);
export type MerchantCertificate = v.InferOutput<typeof MerchantCertificate>;

/** Signed by the customer's AM for the MTA: this tab key belongs to a customer the AM vouches for. */
export const CustomerCertificatePayload = v.strictObject({
  ...payloadHeader('customer-certificate'),
  operatorId: OperatorId,
  transactionId: TransactionId,
  pseudonym: Pseudonym,
  tabPublicKey: PublicKey,
  validUntil: Timestamp,
});
export type CustomerCertificatePayload = v.InferOutput<typeof CustomerCertificatePayload>;
export const CustomerCertificate = envelopeOf(CustomerCertificatePayload);
export type CustomerCertificate = v.InferOutput<typeof CustomerCertificate>;

/** The MTA's re-signing of the customer certificate for its merchant: tab id instead of transaction id. */
export const TabCustomerCertificatePayload = v.strictObject({
  ...payloadHeader('tab-customer-certificate'),
  operatorId: OperatorId,
  merchantId: MerchantId,
  tabId: TabId,
  pseudonym: Pseudonym,
  tabPublicKey: PublicKey,
  validUntil: Timestamp,
});
export type TabCustomerCertificatePayload = v.InferOutput<typeof TabCustomerCertificatePayload>;
export const TabCustomerCertificate = envelopeOf(TabCustomerCertificatePayload);
export type TabCustomerCertificate = v.InferOutput<typeof TabCustomerCertificate>;
