// The operator's own tables on PostgreSQL: the same tables and columns as schema.ts has on SQLite
// once all its steps have run (a test holds the two together), as numbered steps for
// migratePostgres. BIGINT for amounts in minor units and for epoch milliseconds; JSON documents
// stay TEXT, as on SQLite, since the store writes and reads them whole. The ledger's tables come
// from its own steps (ledger/postgres-ledger.ts).

import { type PostgresMigrations, postgresOutboxTableSql } from '@opentab/server-kit';

export const POSTGRES_OPERATOR_MIGRATIONS: PostgresMigrations = {
  store: 'operator store',
  steps: [
    `CREATE TABLE customers (
      account_id     TEXT PRIMARY KEY,
      currency       TEXT NOT NULL,
      display_name   TEXT NOT NULL,
      public_key     TEXT UNIQUE,
      created_at     BIGINT NOT NULL,
      status         TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'closed')),
      status_reason  TEXT
    );
    CREATE INDEX customers_by_created ON customers (created_at);

    CREATE TABLE enrollment_codes (
      code           TEXT PRIMARY KEY,
      account_id     TEXT NOT NULL REFERENCES customers (account_id),
      expires_at     BIGINT NOT NULL,
      used_at        BIGINT
    );

    CREATE TABLE sessions (
      seq            BIGSERIAL PRIMARY KEY,
      account_id     TEXT NOT NULL REFERENCES customers (account_id),
      created_at     BIGINT NOT NULL,
      expires_at     BIGINT NOT NULL,
      transactions   INTEGER NOT NULL DEFAULT 0
    );

    CREATE TABLE merchants (
      merchant_id    TEXT PRIMARY KEY,
      display_name   TEXT NOT NULL,
      currency       TEXT NOT NULL,
      origins        TEXT NOT NULL,
      agent_url      TEXT NOT NULL,
      public_key     TEXT NOT NULL,
      created_at     BIGINT NOT NULL,
      status         TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
      status_reason  TEXT
    );

    CREATE TABLE transactions (
      transaction_id        TEXT PRIMARY KEY,
      session_id            TEXT NOT NULL,
      account_id            TEXT NOT NULL REFERENCES customers (account_id),
      merchant_id           TEXT NOT NULL,
      merchant_operator_id  TEXT NOT NULL,
      state                 TEXT NOT NULL CHECK (state IN ('opening', 'open', 'cleared', 'failed', 'lapsed')),
      hold_minor            BIGINT NOT NULL,
      customer_currency     TEXT NOT NULL,
      deposit_minor         BIGINT NOT NULL,
      merchant_currency     TEXT NOT NULL,
      rate                  TEXT NOT NULL,
      tab_public_key        TEXT NOT NULL,
      chain                 TEXT NOT NULL,
      pseudonym             TEXT NOT NULL,
      tab_id                TEXT,
      merchant_display_name TEXT,
      opened_at             BIGINT NOT NULL,
      expires_at            BIGINT NOT NULL,
      charged_minor         BIGINT,
      cleared_at            BIGINT,
      clearing_outcome      TEXT,
      customer_record       TEXT,
      initiation_id         TEXT,
      chain_root            TEXT,
      amended_initiation    TEXT,
      tab_ack               TEXT,
      failure               TEXT,
      cleared_minor         BIGINT,
      clearing_revision     INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX transactions_by_account ON transactions (account_id, opened_at);
    CREATE INDEX transactions_by_tab ON transactions (tab_id);
    CREATE INDEX transactions_by_opened ON transactions (opened_at);
    CREATE INDEX unsettled_transactions_by_expiry ON transactions (expires_at) WHERE state IN ('opening', 'open');
    CREATE INDEX opening_transactions ON transactions (opened_at) WHERE state = 'opening';
    CREATE UNIQUE INDEX transactions_by_initiation ON transactions (initiation_id);
    CREATE UNIQUE INDEX transactions_by_chain_root ON transactions (chain_root);

    CREATE TABLE tabs (
      tab_id                 TEXT PRIMARY KEY,
      merchant_id            TEXT NOT NULL REFERENCES merchants (merchant_id),
      customer_operator_id   TEXT NOT NULL,
      transaction_id         TEXT NOT NULL,
      state                  TEXT NOT NULL CHECK (state IN ('opening', 'open', 'cleared', 'failed')),
      pseudonym              TEXT NOT NULL,
      tab_public_key         TEXT NOT NULL,
      deposit_minor          BIGINT NOT NULL,
      currency               TEXT NOT NULL,
      chain                  TEXT NOT NULL,
      opened_at              BIGINT NOT NULL,
      expires_at             BIGINT NOT NULL,
      conclude_after         BIGINT NOT NULL,
      customer_record        TEXT,
      merchant_record        TEXT,
      cleared_minor          BIGINT,
      outcome                TEXT,
      cleared_at             BIGINT,
      chain_root             TEXT,
      merchant_asked_at      BIGINT,
      merchant_has_no_record INTEGER NOT NULL DEFAULT 0,
      clearing_revision      INTEGER NOT NULL DEFAULT 0,
      UNIQUE (customer_operator_id, transaction_id)
    );
    CREATE INDEX open_tabs_by_due ON tabs (conclude_after) WHERE state = 'open';
    CREATE INDEX opening_tabs ON tabs (tab_id) WHERE state = 'opening';
    CREATE INDEX tabs_by_opened ON tabs (opened_at);
    CREATE UNIQUE INDEX tabs_by_chain_root ON tabs (chain_root);

    CREATE TABLE late_records (
      record_id      TEXT PRIMARY KEY,
      tab_id         TEXT NOT NULL REFERENCES tabs (tab_id),
      party          TEXT NOT NULL CHECK (party IN ('customer', 'merchant')),
      record         TEXT NOT NULL,
      received_at    BIGINT NOT NULL,
      effect         TEXT NOT NULL
    );
    CREATE INDEX late_records_by_tab ON late_records (tab_id);

    CREATE TABLE disputes (
      dispute_id       TEXT PRIMARY KEY,
      tab_id           TEXT NOT NULL REFERENCES tabs (tab_id),
      created_at       BIGINT NOT NULL,
      cleared_minor    BIGINT NOT NULL,
      reason           TEXT NOT NULL,
      customer_record  TEXT,
      merchant_record  TEXT
    );

    CREATE TABLE dispute_resolutions (
      tab_id               TEXT PRIMARY KEY REFERENCES tabs (tab_id),
      dispute_id           TEXT NOT NULL REFERENCES disputes (dispute_id),
      decision             TEXT NOT NULL CHECK (decision IN ('uphold', 'adjust')),
      cleared_before_minor BIGINT NOT NULL,
      cleared_after_minor  BIGINT NOT NULL,
      revision             INTEGER NOT NULL,
      reason               TEXT NOT NULL,
      envelope             TEXT NOT NULL,
      decided_at           BIGINT NOT NULL
    );

    CREATE TABLE message_receipts (
      message_id     TEXT PRIMARY KEY,
      route          TEXT NOT NULL,
      body_digest    TEXT NOT NULL,
      status         INTEGER NOT NULL,
      response       TEXT NOT NULL,
      created_at     BIGINT NOT NULL
    );
    CREATE INDEX message_receipts_by_age ON message_receipts (created_at);

    CREATE TABLE rate_tables (
      table_id       TEXT PRIMARY KEY,
      envelope       TEXT NOT NULL,
      issued_at      BIGINT NOT NULL,
      valid_until    BIGINT NOT NULL
    );

    ${postgresOutboxTableSql('outbox')}`,
    // SQLite's steps 3 to 5: what the customer is told of a tab's clearing; revocations, the
    // operator's own and its peers' retired keys, staff and their sessions and actions, the
    // merchant certificates issued; merchants' refunds.
    `ALTER TABLE transactions ADD COLUMN clearing_note TEXT;
    ALTER TABLE transactions ADD COLUMN dispute_decision TEXT;

    CREATE TABLE revocations (
      subject_kind   TEXT NOT NULL CHECK (subject_kind IN ('merchant', 'peer')),
      subject_id     TEXT NOT NULL,
      revoked_at     BIGINT NOT NULL,
      reason         TEXT NOT NULL,
      revoked_by     TEXT NOT NULL,
      PRIMARY KEY (subject_kind, subject_id)
    );

    CREATE TABLE staff (
      name           TEXT PRIMARY KEY,
      password_hash  TEXT NOT NULL,
      created_at     BIGINT NOT NULL,
      disabled_at    BIGINT
    );
    CREATE TABLE staff_sessions (
      token_hash     TEXT PRIMARY KEY,
      name           TEXT NOT NULL REFERENCES staff (name),
      created_at     BIGINT NOT NULL,
      expires_at     BIGINT NOT NULL,
      ended_at       BIGINT
    );
    CREATE TABLE staff_actions (
      seq            BIGSERIAL PRIMARY KEY,
      at             BIGINT NOT NULL,
      actor          TEXT NOT NULL,
      action         TEXT NOT NULL,
      subject        TEXT NOT NULL,
      detail         TEXT NOT NULL
    );
    CREATE INDEX staff_actions_by_subject ON staff_actions (subject, seq);

    CREATE TABLE operator_keys (
      public_key     TEXT PRIMARY KEY,
      state          TEXT NOT NULL CHECK (state IN ('prepared', 'current', 'retired')),
      certificate    TEXT,
      created_at     BIGINT NOT NULL
    );
    CREATE TABLE key_rotations (
      retiring_key   TEXT PRIMARY KEY,
      successor_key  TEXT NOT NULL,
      retires_at     BIGINT NOT NULL,
      rotated_at     BIGINT NOT NULL,
      rotated_by     TEXT NOT NULL,
      notice         TEXT NOT NULL
    );
    CREATE TABLE merchant_certificates (
      seq            BIGSERIAL PRIMARY KEY,
      merchant_id    TEXT NOT NULL,
      issued_at      BIGINT NOT NULL,
      valid_until    BIGINT NOT NULL,
      signed_by      TEXT NOT NULL
    );
    CREATE INDEX merchant_certificates_by_merchant ON merchant_certificates (merchant_id, seq);
    CREATE TABLE peer_key_retirements (
      operator_id    TEXT NOT NULL,
      public_key     TEXT NOT NULL,
      successor_key  TEXT NOT NULL,
      retires_at     BIGINT NOT NULL,
      received_at    BIGINT NOT NULL,
      notice         TEXT NOT NULL,
      PRIMARY KEY (operator_id, public_key)
    );

    CREATE TABLE refunds (
      refund_id      TEXT PRIMARY KEY,
      tab_id         TEXT NOT NULL REFERENCES tabs (tab_id),
      amount_minor   BIGINT NOT NULL CHECK (amount_minor > 0),
      reason         TEXT NOT NULL,
      received_at    BIGINT NOT NULL,
      revision       INTEGER
    );
    CREATE INDEX refunds_by_tab ON refunds (tab_id);`,
    // The MTA's secure-delivery tables, which its delivery store creates in the SQLite file
    // (delivery/delivery-store.ts): its escrow key, the K1s it signed, the K2s escrowed with it and
    // the keys it released to arbiters.
    `CREATE TABLE delivery_escrow_key (
      id             INTEGER PRIMARY KEY CHECK (id = 1),
      secret_key     TEXT NOT NULL,
      public_key     TEXT NOT NULL,
      created_at_ms  BIGINT NOT NULL
    );
    CREATE TABLE delivery_k1_registrations (
      order_id           TEXT PRIMARY KEY,
      tab_id             TEXT NOT NULL,
      merchant_id        TEXT NOT NULL,
      k1                 TEXT NOT NULL,
      registration_json  TEXT NOT NULL,
      created_at_ms      BIGINT NOT NULL
    );
    CREATE TABLE delivery_escrows (
      order_id       TEXT PRIMARY KEY REFERENCES delivery_k1_registrations (order_id),
      merchant_id    TEXT NOT NULL,
      escrow_json    TEXT NOT NULL,
      ack_json       TEXT NOT NULL,
      created_at_ms  BIGINT NOT NULL
    );
    CREATE TABLE delivery_key_releases (
      request_id      TEXT PRIMARY KEY,
      arbiter_name    TEXT NOT NULL,
      arbiter_key     TEXT NOT NULL,
      order_id        TEXT NOT NULL REFERENCES delivery_escrows (order_id),
      request_json    TEXT NOT NULL,
      answer_json     TEXT NOT NULL,
      released_at_ms  BIGINT NOT NULL
    );`,
    // SQLite's step 6: staff roles, disabled logins and the failed log-ins counted towards a lock.
    `ALTER TABLE staff ADD COLUMN role TEXT NOT NULL DEFAULT 'staff' CHECK (role IN ('owner', 'staff'));
    ALTER TABLE staff ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE staff ADD COLUMN locked_until BIGINT;
    CREATE INDEX staff_sessions_by_name ON staff_sessions (name, ended_at);`,
    // SQLite's step 7: the opening sweep's claims on stalled openings, and each process's last sign of life.
    `ALTER TABLE transactions ADD COLUMN sweep_holder TEXT;
    ALTER TABLE transactions ADD COLUMN sweep_lease_until_ms BIGINT;
    CREATE TABLE operator_processes (
      process_id     TEXT PRIMARY KEY,
      started_at_ms  BIGINT NOT NULL,
      alive_at_ms    BIGINT NOT NULL
    );`,
  ],
};
