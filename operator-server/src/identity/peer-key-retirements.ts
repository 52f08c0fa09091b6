// The keys peer operators have retired, from their signed rotation notices (pushed to
// /v1/peer/key-rotation, or read from their /v1/operator). Kept in the operator's file so that a
// restart does not trust a retired key again, and in memory because every peer message asks.

import type Database from 'better-sqlite3';
import type { KeyRotation } from '@opentab/protocol';

export interface PeerKeyRetirement {
  readonly operatorId: string;
  readonly publicKey: string;
  readonly successorKey: string;
  readonly retiresAt_ms: number;
  readonly receivedAt_ms: number;
}

interface Row {
  operator_id: string;
  public_key: string;
  successor_key: string;
  retires_at: number;
  received_at: number;
}

const keyOf = (operatorId: string, publicKey: string) => `${operatorId}:${publicKey}`;

export class PeerKeyRetirements {
  private readonly known = new Map<string, PeerKeyRetirement>();

  constructor(private readonly db: Database.Database) {
    for (const row of db.prepare<[], Row>('SELECT * FROM peer_key_retirements').all())
      this.known.set(keyOf(row.operator_id, row.public_key), {
        operatorId: row.operator_id,
        publicKey: row.public_key,
        successorKey: row.successor_key,
        retiresAt_ms: row.retires_at,
        receivedAt_ms: row.received_at,
      });
  }

  /** When the key retires (or retired), if its operator said so. */
  retiresAt(operatorId: string, publicKey: string): number | null {
    return this.known.get(keyOf(operatorId, publicKey))?.retiresAt_ms ?? null;
  }

  /**
   * Keeps a checked notice. Notices about the same key keep the earliest retirement: a key once
   * announced to retire never gets longer to live.
   */
  record(retirement: Omit<PeerKeyRetirement, 'receivedAt_ms'>, notice: KeyRotation, now_ms: number): PeerKeyRetirement {
    const known = this.known.get(keyOf(retirement.operatorId, retirement.publicKey));
    if (known !== undefined && known.retiresAt_ms <= retirement.retiresAt_ms) return known;
    this.db
      .prepare(
        `INSERT INTO peer_key_retirements (operator_id, public_key, successor_key, retires_at, received_at, notice)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (operator_id, public_key) DO UPDATE SET retires_at = excluded.retires_at, notice = excluded.notice`,
      )
      .run(
        retirement.operatorId,
        retirement.publicKey,
        retirement.successorKey,
        retirement.retiresAt_ms,
        now_ms,
        JSON.stringify(notice),
      );
    const kept = { ...retirement, receivedAt_ms: known?.receivedAt_ms ?? now_ms };
    this.known.set(keyOf(retirement.operatorId, retirement.publicKey), kept);
    return kept;
  }

  list(): PeerKeyRetirement[] {
    return [...this.known.values()].sort((a, b) => b.retiresAt_ms - a.retiresAt_ms);
  }
}
