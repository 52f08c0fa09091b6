// The peers' retired keys on PostgreSQL. The upsert's own condition keeps the earliest
// retirement, so notices taken by two processes at once can only bring a retirement earlier.

import { KEEP_EARLIEST_RETIREMENT_SQL, toPeerKeyRetirement } from '../identity/peer-key-retirement-table';
import type { PeerKeyRetirementAccess } from './operator-records-storage';
import type { StoreConnection } from './postgres-merchants';

export function postgresPeerKeyRetirementAccess(connection: StoreConnection): PeerKeyRetirementAccess {
  const peerKeyRetirement = async (operatorId: string, publicKey: string) => {
    const { rows } = await connection.query(
      'SELECT * FROM peer_key_retirements WHERE operator_id = $1 AND public_key = $2',
      [operatorId, publicKey],
    );
    return rows.length === 0 ? null : toPeerKeyRetirement(rows[0]!);
  };
  return {
    async keepEarliestRetirement(r) {
      await connection.query(KEEP_EARLIEST_RETIREMENT_SQL, [
        r.operatorId,
        r.publicKey,
        r.successorKey,
        r.retiresAt_ms,
        r.receivedAt_ms,
        r.notice,
      ]);
      return (await peerKeyRetirement(r.operatorId, r.publicKey))!;
    },
    peerKeyRetirement,
    async peerKeyRetirements() {
      const { rows } = await connection.query(
        'SELECT * FROM peer_key_retirements ORDER BY retires_at DESC, operator_id COLLATE "C", public_key COLLATE "C"',
      );
      return rows.map(toPeerKeyRetirement);
    },
  };
}
