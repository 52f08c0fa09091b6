// The rate tables issued, on PostgreSQL: each kept once under its id.

import { toStoredRateTable } from '../rates/rate-table-store';
import type { RateTableAccess } from './operator-records-storage';
import type { StoreConnection } from './postgres-merchants';

export function postgresRateTableAccess(connection: StoreConnection): RateTableAccess {
  return {
    async insertRateTable(table) {
      const { rowCount } = await connection.query(
        `INSERT INTO rate_tables (table_id, envelope, issued_at, valid_until) VALUES ($1, $2, $3, $4)
         ON CONFLICT (table_id) DO NOTHING`,
        [table.tableId, table.envelope, table.issuedAt_ms, table.validUntil_ms],
      );
      return rowCount === 1;
    },
    async rateTable(tableId) {
      const { rows } = await connection.query('SELECT * FROM rate_tables WHERE table_id = $1', [tableId]);
      return rows.length === 0 ? null : toStoredRateTable(rows[0]!);
    },
    async latestRateTable() {
      // Table ids compare by code point, as on SQLite.
      const { rows } = await connection.query(
        'SELECT * FROM rate_tables ORDER BY issued_at DESC, table_id COLLATE "C" DESC LIMIT 1',
      );
      return rows.length === 0 ? null : toStoredRateTable(rows[0]!);
    },
  };
}
