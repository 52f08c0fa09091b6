// Trust this operator's staff took back: a merchant or a peer operator revoked here is refused
// for good. Every check reads the store (one point read on the table's key, through the caller's
// transaction when it has one), never a copy in this process's memory: with several processes on
// one database, a revocation another one committed is refused here at once.
//
// What a revocation stops, and what it must not (docs/operations.md): nothing new starts with a
// revoked party (no merchant lookup, no tab, no escrow for a delivery, no re-registration), but
// the records and clearings of tabs opened before it are still taken and sent, because the chain
// link bounds what they can claim and dropping them would lose what customers already paid.

import { OpentabError } from '@opentab/protocol';
import type { RevocationAccess } from '../store/operator-records-storage';
import type { Revocation } from './revocation-table';

export type { Revocation, RevocationSubject } from './revocation-table';

/**
 * Revokes once: when the party is revoked already (here, or by another process first), that first
 * revocation stands and is answered, unchanged. The insert decides, so two revoking at once keep one.
 */
export async function revoke(revocations: RevocationAccess, revocation: Revocation): Promise<Revocation> {
  if (await revocations.insertRevocation(revocation)) return revocation;
  const first = await revocations.revocation(revocation.kind, revocation.subjectId);
  if (first === null) throw new Error(`the revocation of ${revocation.kind} ${revocation.subjectId} vanished`);
  return first;
}

/** Refuses anything new with a revoked merchant. */
export async function assertMerchantInGoodStanding(revocations: RevocationAccess, merchantId: string): Promise<void> {
  const revocation = await revocations.revocation('merchant', merchantId);
  if (revocation !== null)
    throw new OpentabError('merchant_revoked', `Merchant ${merchantId} is revoked here: ${revocation.reason}`);
}

/** Refuses anything new with a revoked peer operator. */
export async function assertPeerInGoodStanding(revocations: RevocationAccess, operatorId: string): Promise<void> {
  const revocation = await revocations.revocation('peer', operatorId);
  if (revocation !== null)
    throw new OpentabError('peer_revoked', `Operator ${operatorId} is revoked here: ${revocation.reason}`);
}
