// The MTA's part of secure delivery in tables of its own: its X25519 escrow key, the K1s it signed,
// the K2s merchants escrowed with it, and the log of every key it released to an arbiter.

import type Database from 'better-sqlite3';

export const DELIVERY_TABLES = `
CREATE TABLE IF NOT EXISTS delivery_escrow_key (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  secret_key TEXT NOT NULL,
  public_key TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS delivery_k1_registrations (
  order_id TEXT PRIMARY KEY,
  tab_id TEXT NOT NULL,
  merchant_id TEXT NOT NULL,
  k1 TEXT NOT NULL,
  registration_json TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS delivery_escrows (
  order_id TEXT PRIMARY KEY REFERENCES delivery_k1_registrations (order_id),
  merchant_id TEXT NOT NULL,
  escrow_json TEXT NOT NULL,
  ack_json TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS delivery_key_releases (
  request_id TEXT PRIMARY KEY,
  arbiter_name TEXT NOT NULL,
  arbiter_key TEXT NOT NULL,
  order_id TEXT NOT NULL REFERENCES delivery_escrows (order_id),
  request_json TEXT NOT NULL,
  answer_json TEXT NOT NULL,
  released_at_ms INTEGER NOT NULL
);
`;

export interface KeyReleaseLogEntry {
  readonly requestId: string;
  readonly arbiterName: string;
  readonly arbiterKey: string;
  readonly orderId: string;
  readonly releasedAt_ms: number;
}

export class MtaDeliveryStore {
  private readonly statements;

  constructor(db: Database.Database) {
    db.exec(DELIVERY_TABLES);
    this.statements = {
      escrowKey: db.prepare('SELECT secret_key, public_key FROM delivery_escrow_key WHERE id = 1'),
      insertEscrowKey: db.prepare(
        'INSERT INTO delivery_escrow_key (id, secret_key, public_key, created_at_ms) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
      ),
      registration: db.prepare('SELECT registration_json FROM delivery_k1_registrations WHERE order_id = ?'),
      insertRegistration: db.prepare(
        `INSERT INTO delivery_k1_registrations (order_id, tab_id, merchant_id, k1, registration_json, created_at_ms)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (order_id) DO NOTHING`,
      ),
      escrow: db.prepare('SELECT escrow_json, ack_json FROM delivery_escrows WHERE order_id = ?'),
      insertEscrow: db.prepare(
        `INSERT INTO delivery_escrows (order_id, merchant_id, escrow_json, ack_json, created_at_ms) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (order_id) DO NOTHING`,
      ),
      release: db.prepare('SELECT answer_json FROM delivery_key_releases WHERE request_id = ?'),
      insertRelease: db.prepare(
        `INSERT INTO delivery_key_releases (request_id, arbiter_name, arbiter_key, order_id, request_json, answer_json, released_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING`,
      ),
      releases: db.prepare(
        'SELECT request_id, arbiter_name, arbiter_key, order_id, released_at_ms FROM delivery_key_releases ORDER BY released_at_ms, request_id',
      ),
    };
  }

  /** The escrow key pair, made once (by whichever caller comes first) and kept. */
  escrowKey(
    make: () => { secretKey: string; publicKey: string },
    now_ms: number,
  ): { secretKey: string; publicKey: string } {
    let row = this.statements.escrowKey.get() as { secret_key: string; public_key: string } | undefined;
    if (row === undefined) {
      const made = make();
      this.statements.insertEscrowKey.run(made.secretKey, made.publicKey, now_ms);
      row = this.statements.escrowKey.get() as { secret_key: string; public_key: string };
    }
    return { secretKey: row.secret_key, publicKey: row.public_key };
  }

  registrationJson(orderId: string): string | null {
    return (
      (this.statements.registration.get(orderId) as { registration_json: string } | undefined)?.registration_json ??
      null
    );
  }

  insertRegistration(
    entry: { orderId: string; tabId: string; merchantId: string; k1: string; json: string },
    now_ms: number,
  ): boolean {
    const { orderId, tabId, merchantId, k1, json } = entry;
    return this.statements.insertRegistration.run(orderId, tabId, merchantId, k1, json, now_ms).changes === 1;
  }

  escrow(orderId: string): { escrowJson: string; ackJson: string } | null {
    const row = this.statements.escrow.get(orderId) as { escrow_json: string; ack_json: string } | undefined;
    return row === undefined ? null : { escrowJson: row.escrow_json, ackJson: row.ack_json };
  }

  insertEscrow(orderId: string, merchantId: string, escrowJson: string, ackJson: string, now_ms: number): boolean {
    return this.statements.insertEscrow.run(orderId, merchantId, escrowJson, ackJson, now_ms).changes === 1;
  }

  releaseAnswerJson(requestId: string): string | null {
    return (this.statements.release.get(requestId) as { answer_json: string } | undefined)?.answer_json ?? null;
  }

  logRelease(entry: KeyReleaseLogEntry, requestJson: string, answerJson: string): boolean {
    const taken = this.statements.insertRelease.run(
      entry.requestId,
      entry.arbiterName,
      entry.arbiterKey,
      entry.orderId,
      requestJson,
      answerJson,
      entry.releasedAt_ms,
    );
    return taken.changes === 1;
  }

  releases(): KeyReleaseLogEntry[] {
    return (
      this.statements.releases.all() as Array<{
        request_id: string;
        arbiter_name: string;
        arbiter_key: string;
        order_id: string;
        released_at_ms: number;
      }>
    ).map((row) => ({
      requestId: row.request_id,
      arbiterName: row.arbiter_name,
      arbiterKey: row.arbiter_key,
      orderId: row.order_id,
      releasedAt_ms: Number(row.released_at_ms),
    }));
  }
}
