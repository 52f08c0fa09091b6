// PRIOR-ART BASELINE (seed FIG 1): the merchant agent's rows for direct orders, in the agent's own
// SQLite file (so the group commit of protocol/server/wal-flusher.ts covers them like tabs and purchases). An order
// is written pending when the customer orders, and paid — with the receipt the customer then
// fetches — when the MTA's payment notice arrives; both before the agent answers.

import assert from 'node:assert/strict';
import type Database from 'better-sqlite3';
import { big, text } from '@opentab/merchant-agent/extension';

export const DIRECT_ORDERS_SCHEMA = `
CREATE TABLE IF NOT EXISTS direct_orders (
  order_id TEXT PRIMARY KEY,
  request_id TEXT NOT NULL UNIQUE,
  request_digest TEXT NOT NULL,
  order_json TEXT NOT NULL,
  item_id TEXT NOT NULL,
  price_minor INTEGER NOT NULL CHECK (price_minor > 0),
  created_at_ms INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'paid')),
  payment_id TEXT,
  paid_at_ms INTEGER,
  receipt_json TEXT,
  CHECK ((status = 'paid') = (payment_id IS NOT NULL AND paid_at_ms IS NOT NULL AND receipt_json IS NOT NULL))
) STRICT;
`;

export interface NewDirectOrder {
  readonly orderId: string;
  /** The customer's order request id: idempotency key, and the customer's claim on the goods. */
  readonly requestId: string;
  readonly requestDigest: string;
  /** The signed order as answered, so a replayed request gets it byte for byte. */
  readonly orderJson: string;
  readonly itemId: string;
  readonly price_minor: bigint;
  readonly createdAt_ms: number;
}

export type DirectOrderRecord = NewDirectOrder &
  (
    | { readonly status: 'pending' }
    | { readonly status: 'paid'; readonly paymentId: string; readonly paidAt_ms: number; readonly receiptJson: string }
  );

type Row = Record<string, unknown>;

export class DirectOrderStore {
  private readonly insertRow;
  private readonly byId;
  private readonly byRequest;
  private readonly markPaidRow;

  constructor(db: Database.Database) {
    this.insertRow =
      db.prepare(`INSERT INTO direct_orders (order_id, request_id, request_digest, order_json, item_id, price_minor, created_at_ms, status)
      VALUES (@orderId, @requestId, @requestDigest, @orderJson, @itemId, @price, @createdAt, 'pending')`);
    this.byId = db.prepare('SELECT * FROM direct_orders WHERE order_id = ?');
    this.byRequest = db.prepare('SELECT * FROM direct_orders WHERE request_id = ?');
    this.markPaidRow =
      db.prepare(`UPDATE direct_orders SET status = 'paid', payment_id = @paymentId, paid_at_ms = @paidAt, receipt_json = @receiptJson
      WHERE order_id = @orderId AND status = 'pending'`);
  }

  insert(order: NewDirectOrder): void {
    this.insertRow.run({
      orderId: order.orderId,
      requestId: order.requestId,
      requestDigest: order.requestDigest,
      orderJson: order.orderJson,
      itemId: order.itemId,
      price: order.price_minor,
      createdAt: order.createdAt_ms,
    });
  }

  find(orderId: string): DirectOrderRecord | null {
    const row = this.byId.get(orderId) as Row | undefined;
    return row === undefined ? null : orderFromRow(row);
  }

  findByRequest(requestId: string): DirectOrderRecord | null {
    const row = this.byRequest.get(requestId) as Row | undefined;
    return row === undefined ? null : orderFromRow(row);
  }

  /** Pending → paid, exactly once. */
  markPaid(orderId: string, paymentId: string, receiptJson: string, now_ms: number): void {
    const result = this.markPaidRow.run({ orderId, paymentId, paidAt: now_ms, receiptJson });
    assert(result.changes === 1, `direct order ${orderId} is not pending`);
  }
}

function orderFromRow(row: Row): DirectOrderRecord {
  const order: NewDirectOrder = {
    orderId: text(row.order_id),
    requestId: text(row.request_id),
    requestDigest: text(row.request_digest),
    orderJson: text(row.order_json),
    itemId: text(row.item_id),
    price_minor: big(row.price_minor),
    createdAt_ms: Number(big(row.created_at_ms)),
  };
  const status = text(row.status);
  if (status === 'pending') return { ...order, status };
  assert(status === 'paid', `unknown direct order status ${status}`);
  return {
    ...order,
    status,
    paymentId: text(row.payment_id),
    paidAt_ms: Number(big(row.paid_at_ms)),
    receiptJson: text(row.receipt_json),
  };
}
