// What the customer agent keeps of one delivery: every signed message of the exchange (the
// evidence an arbiter checks), K1's secret sealed under the wallet (so the key can be opened again
// for a re-download, and never in clear at rest), and where it stands.

import type {
  DeliveryAccept,
  DeliveryKey,
  DeliveryOrder,
  DeliveryPackage,
  K1Registration,
  MerchantCertificate,
  OperatorCertificate,
  PackageProblem,
  ProductDescription,
} from '@opentab/protocol';
import type { DeliveryStatus, DeliveryView } from '../../messaging/delivery-calls';
import type { MerchantRef } from '../../messaging/views';
import type { SealedSecret } from '../keys/secret-box';

export interface StoredDelivery {
  readonly localId: string;
  readonly status: DeliveryStatus;
  readonly merchant: MerchantRef;
  readonly merchantDisplayName: string;
  /** The tab the order is signed on and the accept pays from. */
  readonly tabLocalId: string;
  readonly tabId: string;
  readonly agentUrl: string;
  readonly merchantCertificate: MerchantCertificate;
  /** The merchant operator's CA-signed certificate: the top of the evidence bundle. */
  readonly operatorCertificate: OperatorCertificate | null;
  readonly description: ProductDescription;
  readonly order: DeliveryOrder | null;
  /** K1's secret, sealed with the wallet's key for secrets under `k1Context(localId)`. */
  readonly k1: SealedSecret | null;
  readonly registration: K1Registration | null;
  /** The package last sent, checked by its signature and fields; its download is checked next. */
  readonly package: DeliveryPackage | null;
  readonly rejected: readonly PackageProblem[];
  /** Stored before it is sent, so the same accept (never a second purchase) is sent again. */
  readonly accept: DeliveryAccept | null;
  readonly key: DeliveryKey | null;
  readonly createdAt_ms: number;
  readonly accessUntil_ms: number | null;
  readonly failure: string | null;
}

export function k1Context(localId: string): string {
  return `opentab/delivery-k1/${localId}`;
}

export function deliveryView(record: StoredDelivery): DeliveryView {
  const p = record.description.payload;
  return {
    localId: record.localId,
    status: record.status,
    merchantId: record.merchant.merchantId,
    merchantDisplayName: record.merchantDisplayName,
    product: {
      productId: p.productId,
      name: p.name,
      summary: p.summary,
      fileName: p.fileName,
      mediaType: p.mediaType,
      size_bytes: p.size_bytes,
      price: p.price,
    },
    signedBy: record.description.kid,
    rejected: record.rejected,
    createdAt_ms: record.createdAt_ms,
    accessUntil_ms: record.accessUntil_ms,
    failure: record.failure,
  };
}
