// The keys peer operators retired, on the SQLite file: statements only. One row per peer key; a
// later notice about the same key may only bring its retirement earlier, never later, and that
// rule is the statement's own condition so two processes taking notices at once cannot lengthen it.

import type Database from 'better-sqlite3';

export interface PeerKeyRetirement {
  readonly operatorId: string;
  readonly publicKey: string;
  readonly successorKey: string;
  readonly retiresAt_ms: number;
  readonly receivedAt_ms: number;
}

/** A notice about to be kept, with its signed text. */
export interface PeerKeyRetirementNotice extends PeerKeyRetirement {
  readonly notice: string;
}

/** The upsert both stores run: insert, or move an earlier retirement in; a later one changes nothing. */
export const KEEP_EARLIEST_RETIREMENT_SQL = `INSERT INTO peer_key_retirements (operator_id, public_key, successor_key, retires_at, received_at, notice)
  VALUES ($1, $2, $3, $4, $5, $6)
  ON CONFLICT (operator_id, public_key) DO UPDATE SET retires_at = excluded.retires_at, notice = excluded.notice
  WHERE excluded.retires_at < peer_key_retirements.retires_at`;

export function toPeerKeyRetirement(row: Record<string, unknown>): PeerKeyRetirement {
  return {
    operatorId: row.operator_id as string,
    publicKey: row.public_key as string,
    successorKey: row.successor_key as string,
    retiresAt_ms: Number(row.retires_at),
    receivedAt_ms: Number(row.received_at),
  };
}

export class PeerKeyRetirementTable {
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      keep: db.prepare(KEEP_EARLIEST_RETIREMENT_SQL.replace(/\$\d/g, '?')),
      one: db.prepare('SELECT * FROM peer_key_retirements WHERE operator_id = ? AND public_key = ?'),
      all: db.prepare('SELECT * FROM peer_key_retirements ORDER BY retires_at DESC, operator_id, public_key'),
    };
  }

  /** Keeps the notice, or the earlier retirement already kept; what is kept now for the key. */
  keepEarliestRetirement(retirement: PeerKeyRetirementNotice): PeerKeyRetirement {
    const r = retirement;
    this.s.keep.run(r.operatorId, r.publicKey, r.successorKey, r.retiresAt_ms, r.receivedAt_ms, r.notice);
    return this.peerKeyRetirement(r.operatorId, r.publicKey)!;
  }

  /** What is kept for one key of a peer; null when its operator never said it retires. */
  peerKeyRetirement(operatorId: string, publicKey: string): PeerKeyRetirement | null {
    const row = this.s.one.get(operatorId, publicKey) as Record<string, unknown> | undefined;
    return row === undefined ? null : toPeerKeyRetirement(row);
  }

  /** Latest retirement first. */
  peerKeyRetirements(): PeerKeyRetirement[] {
    return (this.s.all.all() as Record<string, unknown>[]).map(toPeerKeyRetirement);
  }
}
