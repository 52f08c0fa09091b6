// The agent's delivery orders and the K1s its MTA registered for them, in tables of their own in
// the agent's SQLite file (created at start if missing). One row per order carries its whole
// state: the current package, how many were sent, the escrow's acknowledgement, and once accepted
// the accept's id and the key answer, so a replayed accept is answered from the row.

import type Database from 'better-sqlite3';
import type { SqliteAgentStore } from '../sqlite-store';

const TABLES = `
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
  attempts: number;
  package_json: string | null;
  escrow_ack_json: string | null;
  accept_id: string | null;
  accept_digest: string | null;
  key_json: string | null;
}

export class DeliveryStore {
  private readonly db: Database.Database;
  private readonly statements;

  /** In the agent's SQLite file (resolveConfig refuses delivery on PostgreSQL). */
  constructor(store: SqliteAgentStore) {
    this.db = store.database;
    this.db.exec(TABLES);
    this.statements = {
      order: this.db.prepare('SELECT * FROM delivery_orders WHERE order_id = ?'),
      insertOrder: this.db.prepare(
        `INSERT INTO delivery_orders (order_id, tab_id, product_id, order_digest, order_json, status, created_at_ms, updated_at_ms)
         VALUES (?, ?, ?, ?, ?, 'ordered', ?, ?)`,
      ),
      setPackage: this.db.prepare(
        'UPDATE delivery_orders SET package_json = ?, attempts = ?, updated_at_ms = ? WHERE order_id = ?',
      ),
      setEscrow: this.db.prepare(
        'UPDATE delivery_orders SET escrow_ack_json = ?, updated_at_ms = ? WHERE order_id = ?',
      ),
      abort: this.db.prepare(
        "UPDATE delivery_orders SET status = 'aborted', updated_at_ms = ? WHERE order_id = ? AND status = 'ordered'",
      ),
      accept: this.db.prepare(
        `UPDATE delivery_orders SET status = 'accepted', accept_id = ?, accept_digest = ?, key_json = ?, updated_at_ms = ?
         WHERE order_id = ? AND status = 'ordered'`,
      ),
      k1: this.db.prepare('SELECT registration_json FROM delivery_k1 WHERE order_id = ?'),
      insertK1: this.db.prepare(
        'INSERT INTO delivery_k1 (order_id, tab_id, registration_json, received_at_ms) VALUES (?, ?, ?, ?)',
      ),
      ordersOfTab: this.db.prepare('SELECT * FROM delivery_orders WHERE tab_id = ? ORDER BY created_at_ms, order_id'),
    };
  }

  order(orderId: string): DeliveryOrderRow | null {
    const row = this.statements.order.get(orderId) as Row | undefined;
    return row === undefined ? null : rowOf(row);
  }

  ordersOfTab(tabId: string): DeliveryOrderRow[] {
    return (this.statements.ordersOfTab.all(tabId) as Row[]).map(rowOf);
  }

  insertOrder(
    order: { orderId: string; tabId: string; productId: string; digest: string; json: string },
    now_ms: number,
  ): void {
    this.statements.insertOrder.run(
      order.orderId,
      order.tabId,
      order.productId,
      order.digest,
      order.json,
      now_ms,
      now_ms,
    );
  }

  setPackage(orderId: string, packageJson: string, attempts: number, now_ms: number): void {
    this.statements.setPackage.run(packageJson, attempts, now_ms, orderId);
  }

  setEscrowAck(orderId: string, ackJson: string, now_ms: number): void {
    this.statements.setEscrow.run(ackJson, now_ms, orderId);
  }

  abort(orderId: string, now_ms: number): void {
    this.statements.abort.run(now_ms, orderId);
  }

  /** False when the order was no longer waiting for its accept (then nothing changed). */
  accept(orderId: string, acceptId: string, acceptDigest: string, keyJson: string, now_ms: number): boolean {
    return this.statements.accept.run(acceptId, acceptDigest, keyJson, now_ms, orderId).changes === 1;
  }

  k1RegistrationJson(orderId: string): string | null {
    const row = this.statements.k1.get(orderId) as { registration_json: string } | undefined;
    return row?.registration_json ?? null;
  }

  insertK1(orderId: string, tabId: string, registrationJson: string, now_ms: number): void {
    this.statements.insertK1.run(orderId, tabId, registrationJson, now_ms);
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
