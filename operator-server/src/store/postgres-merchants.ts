// The merchants group of the operator's store interface on PostgreSQL, on one connection (a
// transaction's client, or the pool for a statement of its own). Rows map to records as on SQLite;
// lists sort by code point (COLLATE "C"), as SQLite does, whatever the database's collation.

import type { MerchantAccess } from './operator-storage';
import { toMerchant } from './operator-store';

/** What a group needs of a connection (node-postgres's Pool, Client and PoolClient fit). */
export interface StoreConnection {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
}

export function postgresMerchantAccess(connection: StoreConnection): MerchantAccess {
  return {
    async upsertMerchant(merchant) {
      await connection.query(
        `INSERT INTO merchants (merchant_id, display_name, currency, origins, agent_url, public_key, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (merchant_id) DO UPDATE SET display_name = excluded.display_name, origins = excluded.origins,
           agent_url = excluded.agent_url, public_key = excluded.public_key`,
        [
          merchant.merchantId,
          merchant.displayName,
          merchant.currency,
          JSON.stringify(merchant.origins),
          merchant.agentUrl,
          merchant.publicKey,
          merchant.createdAt,
        ],
      );
    },
    async merchant(merchantId) {
      const { rows } = await connection.query('SELECT * FROM merchants WHERE merchant_id = $1', [merchantId]);
      return rows.length === 0 ? null : toMerchant(rows[0]!);
    },
    async merchants(limit) {
      const { rows } = await connection.query('SELECT * FROM merchants ORDER BY merchant_id COLLATE "C" LIMIT $1', [
        limit,
      ]);
      return rows.map(toMerchant);
    },
    async setMerchantStatus(merchantId, status, reason) {
      await connection.query('UPDATE merchants SET status = $1, status_reason = $2 WHERE merchant_id = $3', [
        status,
        reason,
        merchantId,
      ]);
    },
  };
}
