// Merchants' refunds on PostgreSQL. A refund is kept once under its id; a refund after the
// clearing lowers the tab's cleared amount in one conditional statement (the tab still in a state
// that takes a refund, and clearing at least the amount), so two refunds racing for what is left
// on a tab cannot both take it.

import { tabStatesAccepting } from '../mta/tab-states';
import type { RefundAccess } from './operator-records-storage';
import type { StoreConnection } from './postgres-merchants';
import type { StoredRefund } from './records';

const TAB_TAKES_REFUND = `state IN (${tabStatesAccepting('refunded')
  .map((state) => `'${state}'`)
  .join(', ')})`;

export function postgresRefundAccess(connection: StoreConnection): RefundAccess {
  return {
    async insertRefund(r) {
      const { rowCount } = await connection.query(
        `INSERT INTO refunds (refund_id, tab_id, amount_minor, reason, received_at, revision) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (refund_id) DO NOTHING`,
        [r.refundId, r.tabId, r.amount_minor.toString(), r.reason, r.receivedAt, r.revision],
      );
      return rowCount === 1;
    },
    async refund(refundId) {
      const { rows } = await connection.query('SELECT * FROM refunds WHERE refund_id = $1', [refundId]);
      const row = rows[0];
      return row === undefined ? null : toRefund(row);
    },
    async refundsOfTab(tabId) {
      // The order they were taken in: by arrival, and a later revision after an earlier one.
      const { rows } = await connection.query(
        'SELECT * FROM refunds WHERE tab_id = $1 ORDER BY received_at, revision NULLS FIRST, refund_id',
        [tabId],
      );
      return rows.map(toRefund);
    },
    async refundedOfTab(tabId) {
      // SUM of BIGINT is NUMERIC: exact, read back as its decimal text.
      const { rows } = await connection.query(
        'SELECT COALESCE(SUM(amount_minor), 0)::TEXT AS total FROM refunds WHERE tab_id = $1',
        [tabId],
      );
      return BigInt(rows[0]!.total as string);
    },
    async refundTabClearing(tabId, amount_minor) {
      const { rows } = await connection.query(
        `UPDATE tabs SET cleared_minor = cleared_minor - $1, clearing_revision = clearing_revision + 1
         WHERE tab_id = $2 AND ${TAB_TAKES_REFUND} AND cleared_minor >= $1 RETURNING clearing_revision`,
        [amount_minor.toString(), tabId],
      );
      return rows.length === 0 ? null : Number(rows[0]!.clearing_revision);
    },
  };
}

function toRefund(row: Record<string, unknown>): StoredRefund {
  return {
    refundId: row.refund_id as string,
    tabId: row.tab_id as string,
    amount_minor: BigInt(row.amount_minor as string),
    reason: row.reason as string,
    receivedAt: Number(row.received_at),
    revision: row.revision === null ? null : Number(row.revision),
  };
}
