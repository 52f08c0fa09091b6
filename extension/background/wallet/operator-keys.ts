// The own operator's key across its rotations (docs/operations.md). The wallet pinned one key at
// enrolment; a rotation notice, signed by the key it retires and naming a successor the same CA
// certified for the same operator, moves the wallet on to the successor. A retiring key is still
// believed until its `retiresAt` (the overlap) and refused after it.

import type { CryptoProvider, KeyRotation } from '@opentab/protocol';
import { checkKeyRotation, fromBase64urlOfLength } from '@opentab/protocol';
import type { Enrolment } from './enrolment-record';

export interface KeyFollowing {
  /** The enrolment moved on to the last successor, or the same one when nothing rotated. */
  readonly enrolment: Enrolment;
  /** Keys a checked notice retires, with when. */
  readonly retiring: ReadonlyMap<string, number>;
}

/** Follows checked rotation notices from the enrolled key to its latest successor. */
export function followRotations(
  crypto: CryptoProvider,
  enrolment: Enrolment,
  rotations: readonly KeyRotation[],
): KeyFollowing {
  // The CA pinned at enrolment: the key that signed the operator's certificate then.
  const caPublicKey = fromBase64urlOfLength(enrolment.operatorCertificate.kid, 32);
  const retiring = new Map<string, number>();
  const successors = new Map<string, KeyRotation>();
  for (const rotation of rotations) {
    const check = checkKeyRotation(crypto, caPublicKey, rotation);
    if (!check.ok || check.operatorId !== enrolment.operatorId) continue;
    retiring.set(check.retiringKey, Math.min(check.retiresAt_ms, retiring.get(check.retiringKey) ?? Infinity));
    successors.set(check.retiringKey, rotation);
  }
  let current = enrolment;
  const seen = new Set<string>();
  for (
    let next = successors.get(current.operatorPublicKey);
    next !== undefined;
    next = successors.get(current.operatorPublicKey)
  ) {
    if (seen.has(current.operatorPublicKey)) break;
    seen.add(current.operatorPublicKey);
    const successor = next.payload.successorCertificate;
    current = { ...current, operatorPublicKey: successor.payload.publicKey, operatorCertificate: successor };
  }
  return { enrolment: current, retiring };
}

/** Whether a message signed by `kid` is the own operator's now: its current key, or a retiring one before its time. */
export function believedKey(following: KeyFollowing, kid: string, now_ms: number): boolean {
  if (kid === following.enrolment.operatorPublicKey) return true;
  const retiresAt_ms = following.retiring.get(kid);
  return retiresAt_ms !== undefined && now_ms < retiresAt_ms;
}
