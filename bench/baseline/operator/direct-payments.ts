// The baseline (seed FIG 1): the account manager's rows for one-purchase payments, kept
// beside the ledger in the same SQLite file so a hold and its payment row commit together.

import type Database from 'better-sqlite3';
import type { LockedRate } from '@opentab/protocol';

export const DIRECT_PAYMENTS_SCHEMA = `
CREATE TABLE IF NOT EXISTS direct_payments (
  payment_id           TEXT PRIMARY KEY,
  account_id           TEXT NOT NULL REFERENCES customers(account_id),
  merchant_id          TEXT NOT NULL,
  merchant_operator_id TEXT NOT NULL,
  merchant_order_id    TEXT,
  item_id              TEXT NOT NULL,
  price_minor          INTEGER NOT NULL,
  merchant_currency    TEXT NOT NULL,
  charge_minor         INTEGER NOT NULL,
  customer_currency    TEXT NOT NULL,
  rate                 TEXT NOT NULL,
  state                TEXT NOT NULL CHECK (state IN ('held', 'captured', 'failed')),
  created_at           INTEGER NOT NULL,
  ended_at             INTEGER
) STRICT;
`;

export type DirectPaymentState = 'held' | 'captured' | 'failed';

export interface NewDirectPayment {
  readonly paymentId: string;
  readonly accountId: string;
  readonly merchantId: string;
  readonly merchantOperatorId: string;
  /** The merchant agent's order id (seed FIG 1, step 1) the payment pays. */
  readonly merchantOrderId: string;
  readonly itemId: string;
  readonly price_minor: bigint;
  readonly merchantCurrency: string;
  readonly charge_minor: bigint;
  readonly customerCurrency: string;
  readonly rate: LockedRate;
  readonly createdAt: number;
}

export interface DirectPayment extends Omit<NewDirectPayment, 'merchantOrderId'> {
  /** Null for payments made before payments named the merchant's order. */
  readonly merchantOrderId: string | null;
  readonly state: DirectPaymentState;
  readonly endedAt: number | null;
}

interface DirectPaymentRow {
  payment_id: string;
  account_id: string;
  merchant_id: string;
  merchant_operator_id: string;
  merchant_order_id: string | null;
  item_id: string;
  price_minor: bigint;
  merchant_currency: string;
  charge_minor: bigint;
  customer_currency: string;
  rate: string;
  state: DirectPaymentState;
  created_at: bigint;
  ended_at: bigint | null;
}

export class DirectPaymentStore {
  private readonly insertRow;
  private readonly endRow;
  private readonly selectRow;

  constructor(db: Database.Database) {
    this.insertRow = db.prepare(
      `INSERT INTO direct_payments (payment_id, account_id, merchant_id, merchant_operator_id, merchant_order_id, item_id, price_minor, merchant_currency,
         charge_minor, customer_currency, rate, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'held', ?)`,
    );
    this.endRow = db.prepare(
      "UPDATE direct_payments SET state = ?, ended_at = ? WHERE payment_id = ? AND state = 'held'",
    );
    this.selectRow = db
      .prepare<[string], DirectPaymentRow>('SELECT * FROM direct_payments WHERE payment_id = ?')
      .safeIntegers(true);
  }

  insert(p: NewDirectPayment): void {
    this.insertRow.run(
      p.paymentId,
      p.accountId,
      p.merchantId,
      p.merchantOperatorId,
      p.merchantOrderId,
      p.itemId,
      p.price_minor,
      p.merchantCurrency,
      p.charge_minor,
      p.customerCurrency,
      JSON.stringify(p.rate),
      p.createdAt,
    );
  }

  /** False when the payment had already ended: a payment is captured or failed exactly once. */
  end(paymentId: string, state: Exclude<DirectPaymentState, 'held'>, now_ms: number): boolean {
    return this.endRow.run(state, now_ms, paymentId).changes === 1;
  }

  payment(paymentId: string): DirectPayment | null {
    const row = this.selectRow.get(paymentId);
    if (row === undefined) return null;
    return {
      paymentId: row.payment_id,
      accountId: row.account_id,
      merchantId: row.merchant_id,
      merchantOperatorId: row.merchant_operator_id,
      merchantOrderId: row.merchant_order_id,
      itemId: row.item_id,
      price_minor: row.price_minor,
      merchantCurrency: row.merchant_currency,
      charge_minor: row.charge_minor,
      customerCurrency: row.customer_currency,
      rate: JSON.parse(row.rate) as LockedRate,
      state: row.state,
      createdAt: Number(row.created_at),
      endedAt: row.ended_at === null ? null : Number(row.ended_at),
    };
  }
}
