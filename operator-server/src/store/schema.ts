// The operator's own tables beside the ledger's, in the same SQLite file so that one transaction
// covers a ledger change and the rows that explain it (tab state, outbox, message receipts).
// Amounts are INTEGER minor units; times are epoch milliseconds.

import type Database from 'better-sqlite3';
import { migrate, type StoreMigrations } from '@opentab/server-kit';

export const OPERATOR_SCHEMA = `
CREATE TABLE IF NOT EXISTS customers (
  account_id     TEXT PRIMARY KEY,
  currency       TEXT NOT NULL,
  display_name   TEXT NOT NULL,
  public_key     TEXT UNIQUE,
  created_at     INTEGER NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS enrollment_codes (
  code           TEXT PRIMARY KEY,
  account_id     TEXT NOT NULL REFERENCES customers(account_id),
  expires_at     INTEGER NOT NULL,
  used_at        INTEGER
) STRICT;

CREATE TABLE IF NOT EXISTS sessions (
  seq            INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id     TEXT NOT NULL REFERENCES customers(account_id),
  created_at     INTEGER NOT NULL,
  expires_at     INTEGER NOT NULL,
  transactions   INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE IF NOT EXISTS merchants (
  merchant_id    TEXT PRIMARY KEY,
  display_name   TEXT NOT NULL,
  currency       TEXT NOT NULL,
  origins        TEXT NOT NULL,
  agent_url      TEXT NOT NULL,
  public_key     TEXT NOT NULL,
  created_at     INTEGER NOT NULL
) STRICT;

-- The account manager's view of a deposit: one row per transaction id.
CREATE TABLE IF NOT EXISTS transactions (
  transaction_id       TEXT PRIMARY KEY,
  session_id           TEXT NOT NULL,
  account_id           TEXT NOT NULL REFERENCES customers(account_id),
  merchant_id          TEXT NOT NULL,
  merchant_operator_id TEXT NOT NULL,
  state                TEXT NOT NULL CHECK (state IN ('opening', 'open', 'cleared', 'failed', 'lapsed')),
  hold_minor           INTEGER NOT NULL,
  customer_currency    TEXT NOT NULL,
  deposit_minor        INTEGER NOT NULL,
  merchant_currency    TEXT NOT NULL,
  rate                 TEXT NOT NULL,
  tab_public_key       TEXT NOT NULL,
  chain                TEXT NOT NULL,
  pseudonym            TEXT NOT NULL,
  tab_id               TEXT,
  merchant_display_name TEXT,
  opened_at            INTEGER NOT NULL,
  expires_at           INTEGER NOT NULL,
  charged_minor        INTEGER,
  cleared_at           INTEGER,
  clearing_outcome     TEXT,
  customer_record      TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS transactions_by_account ON transactions(account_id, opened_at);
CREATE INDEX IF NOT EXISTS transactions_by_tab ON transactions(tab_id);
CREATE INDEX IF NOT EXISTS unsettled_transactions_by_expiry ON transactions(expires_at) WHERE state IN ('opening', 'open');

-- The MTA's view of a trading session: one row per tab id.
CREATE TABLE IF NOT EXISTS tabs (
  tab_id               TEXT PRIMARY KEY,
  merchant_id          TEXT NOT NULL REFERENCES merchants(merchant_id),
  customer_operator_id TEXT NOT NULL,
  transaction_id       TEXT NOT NULL,
  state                TEXT NOT NULL CHECK (state IN ('opening', 'open', 'cleared', 'failed')),
  pseudonym            TEXT NOT NULL,
  tab_public_key       TEXT NOT NULL,
  deposit_minor        INTEGER NOT NULL,
  currency             TEXT NOT NULL,
  chain                TEXT NOT NULL,
  opened_at            INTEGER NOT NULL,
  expires_at           INTEGER NOT NULL,
  conclude_after       INTEGER NOT NULL,
  customer_record      TEXT,
  merchant_record      TEXT,
  cleared_minor        INTEGER,
  outcome              TEXT,
  cleared_at           INTEGER,
  UNIQUE (customer_operator_id, transaction_id)
) STRICT;
CREATE INDEX IF NOT EXISTS open_tabs_by_due ON tabs(conclude_after) WHERE state = 'open';
-- The startup sweep of interrupted registrations reads only these, usually none: without it the
-- sweep scanned every tab ever opened.
CREATE INDEX IF NOT EXISTS opening_tabs ON tabs(tab_id) WHERE state = 'opening';

CREATE TABLE IF NOT EXISTS disputes (
  dispute_id       TEXT PRIMARY KEY,
  tab_id           TEXT NOT NULL REFERENCES tabs(tab_id),
  created_at       INTEGER NOT NULL,
  cleared_minor    INTEGER NOT NULL,
  reason           TEXT NOT NULL,
  customer_record  TEXT,
  merchant_record  TEXT
) STRICT;

-- Idempotency: every accepted message id with the digest of its body and the first answer.
CREATE TABLE IF NOT EXISTS message_receipts (
  message_id     TEXT PRIMARY KEY,
  route          TEXT NOT NULL,
  body_digest    TEXT NOT NULL,
  status         INTEGER NOT NULL,
  response       TEXT NOT NULL,
  created_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS message_receipts_by_age ON message_receipts(created_at);

CREATE TABLE IF NOT EXISTS rate_tables (
  table_id       TEXT PRIMARY KEY,
  envelope       TEXT NOT NULL,
  issued_at      INTEGER NOT NULL,
  valid_until    INTEGER NOT NULL
) STRICT;

-- Transactional outbox: written in the same transaction as the change it reports, delivered
-- at least once by a background loop, deduplicated by receivers on record_id.
CREATE TABLE IF NOT EXISTS outbox (
  seq              INTEGER PRIMARY KEY AUTOINCREMENT,
  record_id        TEXT NOT NULL,
  destination      TEXT NOT NULL,
  payload          TEXT NOT NULL,
  created_at       INTEGER NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  delivered_at     INTEGER,
  last_error       TEXT,
  UNIQUE (record_id, destination)
) STRICT;
CREATE INDEX IF NOT EXISTS outbox_due ON outbox(next_attempt_at) WHERE delivered_at IS NULL;
`;

/**
 * Numbered steps after the base schema (the server kit's migrate: each applied once in its own
 * transaction and counted in `PRAGMA user_version`). The base schema is all IF NOT EXISTS, so a
 * file written before steps were counted (user_version 0) gains its missing tables and indexes,
 * then every step. Never edit a step that has shipped: add the next one.
 */
export const OPERATOR_MIGRATIONS: readonly string[] = [
  // 1: a tab's life is keyed by what cannot repeat. The AM finds a replayed initiation by its id
  // (and keeps what it sent the MTA, to resume after a stop); one chain root backs at most one
  // transaction and one tab; the MTA remembers asking the merchant agent for its record, and a
  // clearing can be corrected by late evidence (revision, and what the merchant side cleared).
  `
  ALTER TABLE transactions ADD COLUMN initiation_id TEXT;
  ALTER TABLE transactions ADD COLUMN chain_root TEXT;
  ALTER TABLE transactions ADD COLUMN amended_initiation TEXT;
  ALTER TABLE transactions ADD COLUMN tab_ack TEXT;
  ALTER TABLE transactions ADD COLUMN failure TEXT;
  ALTER TABLE transactions ADD COLUMN cleared_minor INTEGER;
  ALTER TABLE transactions ADD COLUMN clearing_revision INTEGER NOT NULL DEFAULT 0;
  UPDATE transactions SET chain_root = json_extract(chain, '$.root');
  CREATE UNIQUE INDEX transactions_by_initiation ON transactions(initiation_id);
  CREATE UNIQUE INDEX transactions_by_chain_root ON transactions(chain_root);
  CREATE INDEX opening_transactions ON transactions(opened_at) WHERE state = 'opening';

  ALTER TABLE tabs ADD COLUMN chain_root TEXT;
  ALTER TABLE tabs ADD COLUMN merchant_asked_at INTEGER;
  ALTER TABLE tabs ADD COLUMN merchant_has_no_record INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE tabs ADD COLUMN clearing_revision INTEGER NOT NULL DEFAULT 0;
  UPDATE tabs SET chain_root = json_extract(chain, '$.root');
  CREATE UNIQUE INDEX tabs_by_chain_root ON tabs(chain_root);

  CREATE TABLE late_records (
    record_id      TEXT PRIMARY KEY,
    tab_id         TEXT NOT NULL REFERENCES tabs(tab_id),
    party          TEXT NOT NULL CHECK (party IN ('customer', 'merchant')),
    record         TEXT NOT NULL,
    received_at    INTEGER NOT NULL,
    effect         TEXT NOT NULL
  ) STRICT;
  CREATE INDEX late_records_by_tab ON late_records(tab_id);
  `,
  // 2: the operator's staff at work. Accounts and merchants can be suspended (no new tabs) and
  // accounts closed; a dispute's resolution is kept once per tab with its signed decision.
  `
  ALTER TABLE customers ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'suspended', 'closed'));
  ALTER TABLE customers ADD COLUMN status_reason TEXT;
  ALTER TABLE merchants ADD COLUMN status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended'));
  ALTER TABLE merchants ADD COLUMN status_reason TEXT;
  CREATE INDEX customers_by_created ON customers(created_at);
  CREATE INDEX tabs_by_opened ON tabs(opened_at);
  CREATE INDEX transactions_by_opened ON transactions(opened_at);

  CREATE TABLE dispute_resolutions (
    tab_id               TEXT PRIMARY KEY REFERENCES tabs(tab_id),
    dispute_id           TEXT NOT NULL REFERENCES disputes(dispute_id),
    decision             TEXT NOT NULL CHECK (decision IN ('uphold', 'adjust')),
    cleared_before_minor INTEGER NOT NULL,
    cleared_after_minor  INTEGER NOT NULL,
    revision             INTEGER NOT NULL,
    reason               TEXT NOT NULL,
    envelope             TEXT NOT NULL,
    decided_at           INTEGER NOT NULL
  ) STRICT;
  `,
  // 3: what the customer's AM tells the customer about a tab's clearing: the MTA's sentence on its
  // latest revision (why it was disputed, or what changed), and the MTA's signed decision when the
  // operator resolved the dispute.
  `
  ALTER TABLE transactions ADD COLUMN clearing_note TEXT;
  ALTER TABLE transactions ADD COLUMN dispute_decision TEXT;
  `,
  // 4: trust the staff can take back or hand on, and the staff themselves. A merchant or a peer
  // operator revoked here is refused for good; the operator's key is rotated with an overlap, and
  // peers' retired keys are refused; people log in to the console with a name and a password
  // (scrypt), for sessions of their own; each change they make is kept with who made it.
  `
  CREATE TABLE revocations (
    subject_kind   TEXT NOT NULL CHECK (subject_kind IN ('merchant', 'peer')),
    subject_id     TEXT NOT NULL,
    revoked_at     INTEGER NOT NULL,
    reason         TEXT NOT NULL,
    revoked_by     TEXT NOT NULL,
    PRIMARY KEY (subject_kind, subject_id)
  ) STRICT;

  CREATE TABLE staff (
    name           TEXT PRIMARY KEY,
    password_hash  TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    disabled_at    INTEGER
  ) STRICT;
  CREATE TABLE staff_sessions (
    token_hash     TEXT PRIMARY KEY,
    name           TEXT NOT NULL REFERENCES staff(name),
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    ended_at       INTEGER
  ) STRICT;

  CREATE TABLE staff_actions (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    at             INTEGER NOT NULL,
    actor          TEXT NOT NULL,
    action         TEXT NOT NULL,
    subject        TEXT NOT NULL,
    detail         TEXT NOT NULL
  ) STRICT;
  CREATE INDEX staff_actions_by_subject ON staff_actions(subject, seq);

  -- This operator's own keys beyond the one its configuration names: a key prepared for the CA to
  -- certify (its secret in <dataDir>/keys/), then current once rotated to. Each rotation's notice,
  -- signed by the key it retires, is kept and served.
  CREATE TABLE operator_keys (
    public_key     TEXT PRIMARY KEY,
    state          TEXT NOT NULL CHECK (state IN ('prepared', 'current', 'retired')),
    certificate    TEXT,
    created_at     INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE key_rotations (
    retiring_key   TEXT PRIMARY KEY,
    successor_key  TEXT NOT NULL,
    retires_at     INTEGER NOT NULL,
    rotated_at     INTEGER NOT NULL,
    rotated_by     TEXT NOT NULL,
    notice         TEXT NOT NULL
  ) STRICT;
  -- The temporary merchant certificates this MTA signed, for the staff to see what is in force.
  CREATE TABLE merchant_certificates (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id    TEXT NOT NULL,
    issued_at      INTEGER NOT NULL,
    valid_until    INTEGER NOT NULL,
    signed_by      TEXT NOT NULL
  ) STRICT;
  CREATE INDEX merchant_certificates_by_merchant ON merchant_certificates(merchant_id, seq);

  -- Keys peer operators retired, from their notices.
  CREATE TABLE peer_key_retirements (
    operator_id    TEXT NOT NULL,
    public_key     TEXT NOT NULL,
    successor_key  TEXT NOT NULL,
    retires_at     INTEGER NOT NULL,
    received_at    INTEGER NOT NULL,
    notice         TEXT NOT NULL,
    PRIMARY KEY (operator_id, public_key)
  ) STRICT;
  `,
  // 5: merchants' refunds, once per refund id. `revision` is the clearing revision a refund after the
  // clearing gave back as; null for one taken before, which the clearing subtracts.
  `
  CREATE TABLE refunds (
    refund_id     TEXT PRIMARY KEY,
    tab_id        TEXT NOT NULL REFERENCES tabs(tab_id),
    amount_minor  INTEGER NOT NULL CHECK (amount_minor > 0),
    reason        TEXT NOT NULL,
    received_at   INTEGER NOT NULL,
    revision      INTEGER
  ) STRICT;
  CREATE INDEX refunds_by_tab ON refunds(tab_id);
  `,
  // 6: staff logins as people use them: owners manage the other logins, an owner can disable one
  // (its sessions end), and failed log-ins are counted per login towards a lock for a while.
  `
  ALTER TABLE staff ADD COLUMN role TEXT NOT NULL DEFAULT 'staff' CHECK (role IN ('owner', 'staff'));
  ALTER TABLE staff ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE staff ADD COLUMN locked_until INTEGER;
  CREATE INDEX staff_sessions_by_name ON staff_sessions(name, ended_at);
  `,
  // 7: processes sharing a store work beside each other, not in turns. The opening sweep claims a
  // stalled opening for a while (who, until when) before it asks the MTA, so another process
  // leaves it alone until the claim ends; each process says when it was last alive, so one that
  // starts knows whether another was up to receive records meanwhile.
  `
  ALTER TABLE transactions ADD COLUMN sweep_holder TEXT;
  ALTER TABLE transactions ADD COLUMN sweep_lease_until_ms INTEGER;
  CREATE TABLE operator_processes (
    process_id     TEXT PRIMARY KEY,
    started_at_ms  INTEGER NOT NULL,
    alive_at_ms    INTEGER NOT NULL
  ) STRICT;
  `,
];

export const OPERATOR_STORE_MIGRATIONS: StoreMigrations = {
  store: 'operator.sqlite',
  base: OPERATOR_SCHEMA,
  steps: OPERATOR_MIGRATIONS,
};

export function migrateOperatorStore(db: Database.Database): void {
  migrate(db, OPERATOR_STORE_MIGRATIONS);
}
