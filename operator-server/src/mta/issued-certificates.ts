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

export function recordIssuedCertificate(db: Database.Database, issued: IssuedCertificate): void {
  db.prepare(
    'INSERT INTO merchant_certificates (merchant_id, issued_at, valid_until, signed_by) VALUES (?, ?, ?, ?)',
  ).run(issued.merchantId, issued.issuedAt_ms, issued.validUntil_ms, issued.signedBy);
}

/** The merchant's latest certificate and how many it was issued in all. */
export function certificatesOf(
  db: Database.Database,
  merchantId: string,
): { latest: IssuedCertificate | null; issued: number } {
  const row = db
    .prepare<[string, string], { issued_at: number; valid_until: number; signed_by: string; issued: number }>(
      `SELECT issued_at, valid_until, signed_by, (SELECT COUNT(*) FROM merchant_certificates WHERE merchant_id = ?) AS issued
       FROM merchant_certificates WHERE merchant_id = ? ORDER BY seq DESC LIMIT 1`,
    )
    .get(merchantId, merchantId);
  if (row === undefined) return { latest: null, issued: 0 };
  return {
    latest: { merchantId, issuedAt_ms: row.issued_at, validUntil_ms: row.valid_until, signedBy: row.signed_by },
    issued: row.issued,
  };
}
