// PRIOR-ART BASELINE (seed FIG 1): the MTA's rows for merchant orders paid directly, one per
// (merchant, order), beside the ledger in the same SQLite file so the credit and its row commit
// together. The row is what keeps one order from being paid twice by two different payments.

import type Database from 'better-sqlite3';

export const DIRECT_ORDER_CREDITS_SCHEMA = `
CREATE TABLE IF NOT EXISTS direct_order_credits (
  merchant_id          TEXT NOT NULL,
  order_id             TEXT NOT NULL,
  customer_operator_id TEXT NOT NULL,
  payment_id           TEXT NOT NULL,
  amount_minor         INTEGER NOT NULL CHECK (amount_minor > 0),
  currency             TEXT NOT NULL,
  created_at           INTEGER NOT NULL,
  PRIMARY KEY (merchant_id, order_id),
  UNIQUE (customer_operator_id, payment_id)
) STRICT;
`;

export interface DirectOrderCredit {
  readonly merchantId: string;
  readonly orderId: string;
  readonly customerOperatorId: string;
  readonly paymentId: string;
  readonly amount_minor: bigint;
  readonly currency: string;
  readonly createdAt: number;
}

interface Row {
  merchant_id: string;
  order_id: string;
  customer_operator_id: string;
  payment_id: string;
  amount_minor: bigint;
  currency: string;
  created_at: bigint;
}

export class DirectOrderCreditStore {
  private readonly insertRow;
  private readonly byOrder;
  private readonly byPayment;

  constructor(db: Database.Database) {
    this.insertRow = db.prepare(
      `INSERT INTO direct_order_credits (merchant_id, order_id, customer_operator_id, payment_id, amount_minor, currency, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.byOrder = db
      .prepare<[string, string], Row>('SELECT * FROM direct_order_credits WHERE merchant_id = ? AND order_id = ?')
      .safeIntegers(true);
    this.byPayment = db
      .prepare<[string, string], Row>(
        'SELECT * FROM direct_order_credits WHERE customer_operator_id = ? AND payment_id = ?',
      )
      .safeIntegers(true);
  }

  insert(credit: DirectOrderCredit): void {
    this.insertRow.run(
      credit.merchantId,
      credit.orderId,
      credit.customerOperatorId,
      credit.paymentId,
      credit.amount_minor,
      credit.currency,
      credit.createdAt,
    );
  }

  ofOrder(merchantId: string, orderId: string): DirectOrderCredit | null {
    const row = this.byOrder.get(merchantId, orderId);
    return row === undefined ? null : fromRow(row);
  }

  ofPayment(customerOperatorId: string, paymentId: string): DirectOrderCredit | null {
    const row = this.byPayment.get(customerOperatorId, paymentId);
    return row === undefined ? null : fromRow(row);
  }
}

function fromRow(row: Row): DirectOrderCredit {
  return {
    merchantId: row.merchant_id,
    orderId: row.order_id,
    customerOperatorId: row.customer_operator_id,
    paymentId: row.payment_id,
    amount_minor: row.amount_minor,
    currency: row.currency,
    createdAt: Number(row.created_at),
  };
}
