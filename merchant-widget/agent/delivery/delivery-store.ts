// The agent's delivery orders and the K1s its MTA registered for them, in tables of their own in
// the agent's store (on SQLite created at start if missing; on PostgreSQL by the agent's second
// migration step). One row per order carries its whole state: the current package, how many were
// sent, the escrow's acknowledgement, and once accepted the accept's id and the key answer, so a
// replayed accept is answered from the row. Several agent processes may share the store: every
// change of an order is one conditional statement that says whether it was this one that made it.

import type { AgentStore, SqlSession } from '../store';

const SQLITE_TABLES = `
CREATE TABLE IF NOT EXISTS delivery_orders (
  order_id TEXT PRIMARY KEY,
  tab_id TEXT NOT NULL,
  product_id TEXT NOT NULL,
  order_digest TEXT NOT NULL,
  order_json TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('ordered', 'accepted', 'aborted')),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  package_json TEXT,
  escrow_ack_json TEXT,
  accept_id TEXT UNIQUE,
  accept_digest TEXT,
  key_json TEXT,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  CHECK ((status = 'accepted') = (accept_id IS NOT NULL AND key_json IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS delivery_orders_by_tab ON delivery_orders (tab_id);
CREATE TABLE IF NOT EXISTS delivery_k1 (
  order_id TEXT PRIMARY KEY,
  tab_id TEXT NOT NULL,
  registration_json TEXT NOT NULL,
  received_at_ms INTEGER NOT NULL
);
`;

export type DeliveryStatus = 'ordered' | 'accepted' | 'aborted';

export interface DeliveryOrderRow {
  readonly orderId: string;
  readonly tabId: string;
  readonly productId: string;
  readonly orderDigest: string;
  readonly orderJson: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly packageJson: string | null;
  readonly escrowAckJson: string | null;
  readonly acceptId: string | null;
  readonly acceptDigest: string | null;
  readonly keyJson: string | null;
}

interface Row {
  order_id: string;
  tab_id: string;
  product_id: string;
  order_digest: string;
  order_json: string;
  status: DeliveryStatus;
  attempts: number | bigint;
  package_json: string | null;
  escrow_ack_json: string | null;
  accept_id: string | null;
  accept_digest: string | null;
  key_json: string | null;
}

export class DeliveryStore {
  private constructor(private readonly sql: SqlSession) {}

  static async open(store: AgentStore): Promise<DeliveryStore> {
    if (store.kind === 'sqlite') await store.ensureTables(SQLITE_TABLES);
    return new DeliveryStore(store.sql);
  }

  async order(orderId: string): Promise<DeliveryOrderRow | null> {
    const rows = (await this.sql.all('SELECT * FROM delivery_orders WHERE order_id = ?', [
      orderId,
    ])) as unknown as Row[];
    return rows.length === 0 ? null : rowOf(rows[0]!);
  }

  async ordersOfTab(tabId: string): Promise<DeliveryOrderRow[]> {
    const rows = await this.sql.all('SELECT * FROM delivery_orders WHERE tab_id = ? ORDER BY created_at_ms, order_id', [
      tabId,
    ]);
    return (rows as unknown as Row[]).map(rowOf);
  }

  /** False, writing nothing, when an order of this id is stored already. */
  async insertOrder(
    order: { orderId: string; tabId: string; productId: string; digest: string; json: string },
    now_ms: number,
  ): Promise<boolean> {
    const inserted = await this.sql.run(
      `INSERT INTO delivery_orders (order_id, tab_id, product_id, order_digest, order_json, status, created_at_ms, updated_at_ms)
       VALUES (?, ?, ?, ?, ?, 'ordered', ?, ?) ON CONFLICT (order_id) DO NOTHING`,
      [order.orderId, order.tabId, order.productId, order.digest, order.json, now_ms, now_ms],
    );
    return inserted === 1;
  }

  /** The next package, only over the one that was current (`attempts` before): false when another came first. */
  async setPackage(orderId: string, packageJson: string, attempts: number, now_ms: number): Promise<boolean> {
    const changed = await this.sql.run(
      `UPDATE delivery_orders SET package_json = ?, attempts = ?, updated_at_ms = ?
       WHERE order_id = ? AND status = 'ordered' AND attempts = ?`,
      [packageJson, attempts, now_ms, orderId, attempts - 1],
    );
    return changed === 1;
  }

  /** False when the order had its escrow acknowledged already (by another process). */
  async setEscrowAck(orderId: string, ackJson: string, now_ms: number): Promise<boolean> {
    const changed = await this.sql.run(
      'UPDATE delivery_orders SET escrow_ack_json = ?, updated_at_ms = ? WHERE order_id = ? AND escrow_ack_json IS NULL',
      [ackJson, now_ms, orderId],
    );
    return changed === 1;
  }

  /** False when the order was no longer waiting for its accept (then nothing changed). */
  async abort(orderId: string, now_ms: number): Promise<boolean> {
    const changed = await this.sql.run(
      "UPDATE delivery_orders SET status = 'aborted', updated_at_ms = ? WHERE order_id = ? AND status = 'ordered'",
      [now_ms, orderId],
    );
    return changed === 1;
  }

  /** False when the order was no longer waiting for its accept (then nothing changed). */
  async accept(
    orderId: string,
    acceptId: string,
    acceptDigest: string,
    keyJson: string,
    now_ms: number,
  ): Promise<boolean> {
    const changed = await this.sql.run(
      `UPDATE delivery_orders SET status = 'accepted', accept_id = ?, accept_digest = ?, key_json = ?, updated_at_ms = ?
       WHERE order_id = ? AND status = 'ordered'`,
      [acceptId, acceptDigest, keyJson, now_ms, orderId],
    );
    return changed === 1;
  }

  async k1RegistrationJson(orderId: string): Promise<string | null> {
    const rows = await this.sql.all('SELECT registration_json FROM delivery_k1 WHERE order_id = ?', [orderId]);
    return rows.length === 0 ? null : String(rows[0]!.registration_json);
  }

  /** False, writing nothing, when the order has its K1 already. */
  async insertK1(orderId: string, tabId: string, registrationJson: string, now_ms: number): Promise<boolean> {
    const inserted = await this.sql.run(
      `INSERT INTO delivery_k1 (order_id, tab_id, registration_json, received_at_ms) VALUES (?, ?, ?, ?)
       ON CONFLICT (order_id) DO NOTHING`,
      [orderId, tabId, registrationJson, now_ms],
    );
    return inserted === 1;
  }
}

function rowOf(row: Row): DeliveryOrderRow {
  return {
    orderId: row.order_id,
    tabId: row.tab_id,
    productId: row.product_id,
    orderDigest: row.order_digest,
    orderJson: row.order_json,
    status: row.status,
    attempts: Number(row.attempts),
    packageJson: row.package_json,
    escrowAckJson: row.escrow_ack_json,
    acceptId: row.accept_id,
    acceptDigest: row.accept_digest,
    keyJson: row.key_json,
  };
}
