// The revocations group on PostgreSQL. A party is revoked once: the insert does nothing when a
// revocation of it is there, so of two processes revoking it at once the first one's stands.

import { type RevocationSubject, toRevocation } from '../revocation/revocation-table';
import type { RevocationAccess } from './operator-records-storage';
import type { StoreConnection } from './postgres-merchants';

export function postgresRevocationAccess(connection: StoreConnection): RevocationAccess {
  return {
    async insertRevocation(r) {
      const { rowCount } = await connection.query(
        `INSERT INTO revocations (subject_kind, subject_id, revoked_at, reason, revoked_by) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (subject_kind, subject_id) DO NOTHING`,
        [r.kind, r.subjectId, r.revokedAt, r.reason, r.revokedBy],
      );
      return rowCount === 1;
    },
    async revocation(kind: RevocationSubject, subjectId: string) {
      const { rows } = await connection.query('SELECT * FROM revocations WHERE subject_kind = $1 AND subject_id = $2', [
        kind,
        subjectId,
      ]);
      return rows.length === 0 ? null : toRevocation(rows[0]!);
    },
    async revocations() {
      const { rows } = await connection.query(
        'SELECT * FROM revocations ORDER BY revoked_at DESC, subject_kind COLLATE "C", subject_id COLLATE "C"',
      );
      return rows.map(toRevocation);
    },
  };
}
