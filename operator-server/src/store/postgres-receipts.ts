// The receipts group of the operator's store interface on PostgreSQL. The insert is the one that
// decides between processes: of two answers to one message id, the primary key keeps the first
// to commit, and the other's insert (waiting for that commit) changes nothing.

import type { ReceiptAccess } from './operator-storage';
import { toStoredAnswer } from './message-receipt-store';
import type { StoreConnection } from './postgres-merchants';

export function postgresReceiptAccess(connection: StoreConnection): ReceiptAccess {
  return {
    async storedAnswer(messageId) {
      const { rows } = await connection.query('SELECT * FROM message_receipts WHERE message_id = $1', [messageId]);
      return rows[0] === undefined ? null : toStoredAnswer(rows[0]);
    },
    async insertAnswer(answer) {
      const { rowCount } = await connection.query(
        `INSERT INTO message_receipts (message_id, route, body_digest, status, response, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (message_id) DO NOTHING`,
        [answer.messageId, answer.route, answer.bodyDigest, answer.status, answer.response, answer.createdAt_ms],
      );
      return rowCount === 1;
    },
    async pruneAnswers(olderThan_ms, limit) {
      const { rowCount } = await connection.query(
        `DELETE FROM message_receipts WHERE message_id IN
           (SELECT message_id FROM message_receipts WHERE created_at < $1 ORDER BY created_at LIMIT $2)`,
        [olderThan_ms, limit],
      );
      return rowCount ?? 0;
    },
  };
}
