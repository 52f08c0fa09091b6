// The MTA's secure-delivery tables on PostgreSQL. Every row is insert-once under its id: the
// escrow key is made by whichever process comes first and kept, and a registration, an escrow or
// a release kept twice is kept once (the second insert says it changed nothing).

import type { DeliveryAccess } from './operator-records-storage';
import type { StoreConnection } from './postgres-merchants';

export function postgresDeliveryAccess(connection: StoreConnection): DeliveryAccess {
  const one = async (text: string, values: unknown[]) => (await connection.query(text, values)).rows[0];
  const inserted = async (text: string, values: unknown[]) => (await connection.query(text, values)).rowCount === 1;
  const escrowKey = () => one('SELECT secret_key, public_key FROM delivery_escrow_key WHERE id = 1', []);
  return {
    async escrowKey(make, now_ms) {
      let row = await escrowKey();
      if (row === undefined) {
        const made = make();
        await connection.query(
          `INSERT INTO delivery_escrow_key (id, secret_key, public_key, created_at_ms) VALUES (1, $1, $2, $3)
           ON CONFLICT (id) DO NOTHING`,
          [made.secretKey, made.publicKey, now_ms],
        );
        row = await escrowKey();
      }
      return { secretKey: row!.secret_key as string, publicKey: row!.public_key as string };
    },
    async registrationJson(orderId) {
      const row = await one('SELECT registration_json FROM delivery_k1_registrations WHERE order_id = $1', [orderId]);
      return row === undefined ? null : (row.registration_json as string);
    },
    insertRegistration: (entry, now_ms) =>
      inserted(
        `INSERT INTO delivery_k1_registrations (order_id, tab_id, merchant_id, k1, registration_json, created_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (order_id) DO NOTHING`,
        [entry.orderId, entry.tabId, entry.merchantId, entry.k1, entry.json, now_ms],
      ),
    async escrow(orderId) {
      const row = await one('SELECT escrow_json, ack_json FROM delivery_escrows WHERE order_id = $1', [orderId]);
      return row === undefined ? null : { escrowJson: row.escrow_json as string, ackJson: row.ack_json as string };
    },
    insertEscrow: (orderId, merchantId, escrowJson, ackJson, now_ms) =>
      inserted(
        `INSERT INTO delivery_escrows (order_id, merchant_id, escrow_json, ack_json, created_at_ms) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (order_id) DO NOTHING`,
        [orderId, merchantId, escrowJson, ackJson, now_ms],
      ),
    async releaseAnswerJson(requestId) {
      const row = await one('SELECT answer_json FROM delivery_key_releases WHERE request_id = $1', [requestId]);
      return row === undefined ? null : (row.answer_json as string);
    },
    logRelease: (entry, requestJson, answerJson) =>
      inserted(
        `INSERT INTO delivery_key_releases (request_id, arbiter_name, arbiter_key, order_id, request_json, answer_json, released_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (request_id) DO NOTHING`,
        [
          entry.requestId,
          entry.arbiterName,
          entry.arbiterKey,
          entry.orderId,
          requestJson,
          answerJson,
          entry.releasedAt_ms,
        ],
      ),
    async releases() {
      const { rows } = await connection.query(
        `SELECT request_id, arbiter_name, arbiter_key, order_id, released_at_ms FROM delivery_key_releases
         ORDER BY released_at_ms, request_id COLLATE "C"`,
      );
      return rows.map((row) => ({
        requestId: row.request_id as string,
        arbiterName: row.arbiter_name as string,
        arbiterKey: row.arbiter_key as string,
        orderId: row.order_id as string,
        releasedAt_ms: Number(row.released_at_ms),
      }));
    },
  };
}
