// The outbox group of the operator's store interface on PostgreSQL: the server kit's outbox table
// (`outbox`, the same columns as the SQLite file's) written on a transaction's client, so that a
// message commits with the change it reports. Destinations are encoded as on SQLite.

import type { OutboxConnection, PostgresOutbox } from '@opentab/server-kit';
import type { OutboxAccess } from '../store/operator-storage';
import { encodeDestination } from './outbox';

export function postgresOutboxAccess(outbox: PostgresOutbox, connection: OutboxConnection): OutboxAccess {
  return {
    enqueue: (recordId, destination, payload, now_ms, firstAttemptAt_ms) =>
      outbox.enqueue(connection, recordId, encodeDestination(destination), payload, now_ms, firstAttemptAt_ms),
    markDelivered: (recordId, destination, now_ms) =>
      outbox.markDelivered(connection, recordId, encodeDestination(destination), now_ms),
    // On the transaction's client, not the pool: the staff's retry commits with its log line.
    async undelivered(failedOnly, limit) {
      const { rows } = await connection.query(
        `SELECT record_id, destination, created_at, attempts, next_attempt_at, last_error FROM outbox
         WHERE delivered_at IS NULL AND attempts >= $1 ORDER BY seq LIMIT $2`,
        [failedOnly ? 1 : 0, limit],
      );
      return rows.map((row) => ({
        recordId: row.record_id as string,
        destination: row.destination as string,
        createdAt: Number(row.created_at),
        attempts: Number(row.attempts),
        nextAttemptAt: Number(row.next_attempt_at),
        lastError: row.last_error as string | null,
      }));
    },
    async retryNow(now_ms, recordIds) {
      const { rowCount } =
        recordIds === undefined
          ? await connection.query(
              `UPDATE outbox SET next_attempt_at = $1
               WHERE delivered_at IS NULL AND attempts > 0 AND next_attempt_at > $1`,
              [now_ms],
            )
          : await connection.query(
              `UPDATE outbox SET next_attempt_at = $1
               WHERE record_id = ANY($2::text[]) AND delivered_at IS NULL AND next_attempt_at > $1`,
              [now_ms, recordIds],
            );
      return rowCount ?? 0;
    },
  };
}
