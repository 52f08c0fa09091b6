// The keys peer operators have retired, from their signed rotation notices (pushed to
// /v1/peer/key-rotation, or read from their /v1/operator). Kept in the operator's file so that a
// restart does not trust a retired key again, and in memory because every peer message asks.

import type Database from 'better-sqlite3';
import type { KeyRotation } from '@opentab/protocol';
import { type PeerKeyRetirement, PeerKeyRetirementTable } from './peer-key-retirement-table';

export type { PeerKeyRetirement } from './peer-key-retirement-table';

const keyOf = (operatorId: string, publicKey: string) => `${operatorId}:${publicKey}`;

export class PeerKeyRetirements {
  private readonly known = new Map<string, PeerKeyRetirement>();
  private readonly table: PeerKeyRetirementTable;

  constructor(db: Database.Database) {
    this.table = new PeerKeyRetirementTable(db);
    for (const retirement of this.table.peerKeyRetirements())
      this.known.set(keyOf(retirement.operatorId, retirement.publicKey), retirement);
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
    const kept = this.table.keepEarliestRetirement({
      ...retirement,
      receivedAt_ms: now_ms,
      notice: JSON.stringify(notice),
    });
    this.known.set(keyOf(retirement.operatorId, retirement.publicKey), kept);
    return kept;
  }

  list(): PeerKeyRetirement[] {
    return [...this.known.values()].sort((a, b) => b.retiresAt_ms - a.retiresAt_ms);
  }
}
