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
  };
}
