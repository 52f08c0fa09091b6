// The log of temporary merchant certificates this MTA signed: when, valid until when, under
// which of its keys. Read by the staff (which certificate of a merchant is in force, and until
// when); the certificates themselves are signed anew whenever one no longer covers a tab.

import type Database from 'better-sqlite3';

export interface IssuedCertificate {
  readonly merchantId: string;
  readonly issuedAt_ms: number;
  readonly validUntil_ms: number;
  readonly signedBy: string;
}

export interface CertificatesOfMerchant {
  /** The one signed last. */
  readonly latest: IssuedCertificate | null;
  /** How many were signed in all. */
  readonly issued: number;
}

export const LATEST_CERTIFICATE_SQL = `SELECT issued_at, valid_until, signed_by,
    (SELECT COUNT(*) FROM merchant_certificates WHERE merchant_id = $1) AS issued
  FROM merchant_certificates WHERE merchant_id = $1 ORDER BY seq DESC LIMIT 1`;

export function toCertificatesOfMerchant(
  merchantId: string,
  row: Record<string, unknown> | undefined,
): CertificatesOfMerchant {
  if (row === undefined) return { latest: null, issued: 0 };
  return {
    latest: {
      merchantId,
      issuedAt_ms: Number(row.issued_at),
      validUntil_ms: Number(row.valid_until),
      signedBy: row.signed_by as string,
    },
    issued: Number(row.issued),
  };
}

/** The merchant_certificates table on the SQLite file. */
export class IssuedCertificateTable {
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      insert: db.prepare(
        'INSERT INTO merchant_certificates (merchant_id, issued_at, valid_until, signed_by) VALUES (?, ?, ?, ?)',
      ),
      // SQLite reads `$1` as a named parameter, bound from an object.
      latest: db.prepare(LATEST_CERTIFICATE_SQL.replaceAll('$1', '$merchant')),
    };
  }

  recordIssuedCertificate(issued: IssuedCertificate): void {
    this.s.insert.run(issued.merchantId, issued.issuedAt_ms, issued.validUntil_ms, issued.signedBy);
  }

  /** The merchant's latest certificate and how many it was issued in all. */
  certificatesOf(merchantId: string): CertificatesOfMerchant {
    return toCertificatesOfMerchant(
      merchantId,
      this.s.latest.get({ merchant: merchantId }) as Record<string, unknown> | undefined,
    );
  }
}
