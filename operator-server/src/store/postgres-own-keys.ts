// This operator's own keys and rotations on PostgreSQL. A rotation is one statement: its row goes
// in once per retiring key, and only when it did do the keys change state, so of two processes
// rotating the same key at once exactly one rotates it, whatever connection each runs on.

import { INSERT_ROTATION_SQL, toRotationRow } from '../identity/own-key-table';
import type { OwnKeyAccess } from './operator-records-storage';
import type { StoreConnection } from './postgres-merchants';

const RECORD_ROTATION_SQL = `WITH rotation AS (${INSERT_ROTATION_SQL} RETURNING retiring_key),
  retired AS (
    UPDATE operator_keys SET state = 'retired'
    WHERE state = 'current' AND EXISTS (SELECT 1 FROM rotation)
  ),
  made_current AS (
    UPDATE operator_keys SET state = 'current', certificate = $7
    WHERE public_key = $2 AND state = 'prepared' AND EXISTS (SELECT 1 FROM rotation)
  )
  SELECT COUNT(*) AS taken FROM rotation`;

export function postgresOwnKeyAccess(connection: StoreConnection): OwnKeyAccess {
  return {
    async insertPreparedKey(publicKey, now_ms) {
      await connection.query(
        "INSERT INTO operator_keys (public_key, state, certificate, created_at) VALUES ($1, 'prepared', NULL, $2)",
        [publicKey, now_ms],
      );
    },
    async preparedKeys() {
      const { rows } = await connection.query(
        'SELECT public_key FROM operator_keys WHERE state = \'prepared\' ORDER BY created_at, public_key COLLATE "C"',
      );
      return rows.map((row) => row.public_key as string);
    },
    async currentKey() {
      const { rows } = await connection.query(
        "SELECT public_key, certificate FROM operator_keys WHERE state = 'current'",
      );
      const row = rows[0];
      return row === undefined ? null : { publicKey: row.public_key as string, certificate: row.certificate as string };
    },
    async recordRotation(r, certificate) {
      const { rows } = await connection.query(RECORD_ROTATION_SQL, [
        r.retiringKey,
        r.successorKey,
        r.retiresAt_ms,
        r.rotatedAt_ms,
        r.rotatedBy,
        r.notice,
        certificate,
      ]);
      return Number(rows[0]!.taken) === 1;
    },
    async rotations() {
      const { rows } = await connection.query(
        'SELECT * FROM key_rotations ORDER BY rotated_at DESC, retiring_key COLLATE "C"',
      );
      return rows.map(toRotationRow);
    },
  };
}
