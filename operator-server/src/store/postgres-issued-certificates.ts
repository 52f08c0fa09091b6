// The log of merchant certificates signed, on PostgreSQL.

import { LATEST_CERTIFICATE_SQL, toCertificatesOfMerchant } from '../mta/issued-certificates';
import type { IssuedCertificateAccess } from './operator-records-storage';
import type { StoreConnection } from './postgres-merchants';

export function postgresIssuedCertificateAccess(connection: StoreConnection): IssuedCertificateAccess {
  return {
    async recordIssuedCertificate(issued) {
      await connection.query(
        'INSERT INTO merchant_certificates (merchant_id, issued_at, valid_until, signed_by) VALUES ($1, $2, $3, $4)',
        [issued.merchantId, issued.issuedAt_ms, issued.validUntil_ms, issued.signedBy],
      );
    },
    async certificatesOf(merchantId) {
      const { rows } = await connection.query(LATEST_CERTIFICATE_SQL, [merchantId]);
      return toCertificatesOfMerchant(merchantId, rows[0]);
    },
  };
}
