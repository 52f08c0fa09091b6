// Trust this operator's staff took back: a merchant or a peer operator revoked here is refused
// for good. Read on every new tab, so the list is kept in memory beside its table; one process
// writes both, and a revocation is in force the moment its row commits.
//
// What a revocation stops, and what it must not (docs/operations.md): nothing new starts with a
// revoked party (no merchant lookup, no tab, no escrow for a delivery, no re-registration), but
// the records and clearings of tabs opened before it are still taken and sent, because the chain
// link bounds what they can claim and dropping them would lose what customers already paid.

import type Database from 'better-sqlite3';
import { OpentabError } from '@opentab/protocol';
import { type Revocation, RevocationTable, type RevocationSubject } from './revocation-table';

export type { Revocation, RevocationSubject } from './revocation-table';

const keyOf = (kind: RevocationSubject, subjectId: string) => `${kind}:${subjectId}`;

export class Revocations {
  private readonly inForce = new Map<string, Revocation>();
  private readonly table: RevocationTable;

  constructor(db: Database.Database) {
    this.table = new RevocationTable(db);
    for (const revocation of this.table.revocations())
      this.inForce.set(keyOf(revocation.kind, revocation.subjectId), revocation);
  }

  of(kind: RevocationSubject, subjectId: string): Revocation | null {
    return this.inForce.get(keyOf(kind, subjectId)) ?? null;
  }

  /**
   * Revokes once: a second revocation of the same party returns the first, unchanged. Called on
   * its own, never inside a wider transaction that could still roll the row back.
   */
  revoke(kind: RevocationSubject, subjectId: string, reason: string, revokedBy: string, now_ms: number): Revocation {
    const known = this.of(kind, subjectId);
    if (known !== null) return known;
    const revocation: Revocation = { kind, subjectId, revokedAt: now_ms, reason, revokedBy };
    // Another process may have revoked the party first: its revocation stands.
    const kept = this.table.insertRevocation(revocation) ? revocation : this.table.revocation(kind, subjectId)!;
    this.inForce.set(keyOf(kind, subjectId), kept);
    return kept;
  }

  /** Every revocation, newest first. */
  list(): Revocation[] {
    return [...this.inForce.values()].sort((a, b) => b.revokedAt - a.revokedAt);
  }

  /** Refuses anything new with a revoked merchant. */
  assertMerchantInGoodStanding(merchantId: string): void {
    const revocation = this.of('merchant', merchantId);
    if (revocation !== null)
      throw new OpentabError('merchant_revoked', `Merchant ${merchantId} is revoked here: ${revocation.reason}`);
  }

  /** Refuses anything new with a revoked peer operator. */
  assertPeerInGoodStanding(operatorId: string): void {
    const revocation = this.of('peer', operatorId);
    if (revocation !== null)
      throw new OpentabError('peer_revoked', `Operator ${operatorId} is revoked here: ${revocation.reason}`);
  }
}
