// The processes group on PostgreSQL (process-liveness.ts): each process's last sign of life, one
// row per process, written by that process only.

import type { ProcessLivenessAccess } from './operator-records-storage';
import type { StoreConnection } from './postgres-merchants';

export function postgresProcessLivenessAccess(connection: StoreConnection): ProcessLivenessAccess {
  return {
    async markProcessAlive(processId, now_ms) {
      await connection.query(
        `INSERT INTO operator_processes (process_id, started_at_ms, alive_at_ms) VALUES ($1, $2, $2)
         ON CONFLICT (process_id) DO UPDATE SET alive_at_ms = GREATEST(operator_processes.alive_at_ms, excluded.alive_at_ms)`,
        [processId, now_ms],
      );
    },
    async lastAliveOfOthers(processId) {
      const { rows } = await connection.query(
        'SELECT MAX(alive_at_ms) AS alive_at_ms FROM operator_processes WHERE process_id <> $1',
        [processId],
      );
      const last = rows[0]?.alive_at_ms;
      return last === null || last === undefined ? null : Number(last);
    },
    async forgetProcess(processId) {
      await connection.query('DELETE FROM operator_processes WHERE process_id = $1', [processId]);
    },
    async forgetProcessesSilentSince(before_ms) {
      const { rowCount } = await connection.query('DELETE FROM operator_processes WHERE alive_at_ms < $1', [before_ms]);
      return rowCount ?? 0;
    },
  };
}
