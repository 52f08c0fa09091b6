// The agent's PostgreSQL step for the tables of its admin API and secure delivery (on SQLite they
// are created at start, beside the code that uses them: admin/admin-store.ts, admin/catalogue-edits.ts,
// delivery/delivery-store.ts). Columns as there, integers BIGINT, money in minor units.

export const ADMIN_AND_DELIVERY_TABLES = `
CREATE TABLE refunds (
  refund_id TEXT PRIMARY KEY,
  tab_id TEXT NOT NULL REFERENCES tabs (tab_id),
  amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
  reason TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  requested_at_ms BIGINT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'taken', 'refused')),
  timing TEXT CHECK (timing IN ('before-clearing', 'after-clearing')),
  revision BIGINT,
  attempts BIGINT NOT NULL DEFAULT 0,
  next_attempt_at_ms BIGINT NOT NULL,
  last_error TEXT,
  ack_json TEXT
);
CREATE INDEX refunds_due ON refunds (next_attempt_at_ms) WHERE status = 'pending';
CREATE INDEX refunds_by_tab ON refunds (tab_id);
CREATE TABLE refunded_purchases (
  tab_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  refund_id TEXT NOT NULL REFERENCES refunds (refund_id),
  PRIMARY KEY (tab_id, seq)
);
CREATE INDEX refunded_purchases_by_refund ON refunded_purchases (refund_id);

CREATE TABLE catalogue_edits (
  item_id TEXT PRIMARY KEY,
  entry_json TEXT NOT NULL,
  edited_by TEXT NOT NULL,
  edited_at_ms BIGINT NOT NULL
);
-- One row, moved on by every edit in the edit's own transaction: the order of revisions is the
-- order of commits, so a process that has seen revision r has seen every edit up to it.
CREATE TABLE catalogue_revision (
  id BIGINT PRIMARY KEY CHECK (id = 1),
  revision BIGINT NOT NULL
);
INSERT INTO catalogue_revision (id, revision) VALUES (1, 0);

CREATE TABLE delivery_orders (
  order_id TEXT PRIMARY KEY,
  tab_id TEXT NOT NULL,
  product_id TEXT NOT NULL,
  order_digest TEXT NOT NULL,
  order_json TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('ordered', 'accepted', 'aborted')),
  attempts BIGINT NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  package_json TEXT,
  escrow_ack_json TEXT,
  accept_id TEXT UNIQUE,
  accept_digest TEXT,
  key_json TEXT,
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  CHECK ((status = 'accepted') = (accept_id IS NOT NULL AND key_json IS NOT NULL))
);
CREATE INDEX delivery_orders_by_tab ON delivery_orders (tab_id);
CREATE TABLE delivery_k1 (
  order_id TEXT PRIMARY KEY,
  tab_id TEXT NOT NULL,
  registration_json TEXT NOT NULL,
  received_at_ms BIGINT NOT NULL
);
`;
