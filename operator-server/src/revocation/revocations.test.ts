// Revocations and peers' retired keys as two processes on one operator file see them: each keeps
// its own cache, and the file decides. A revocation the other process made first stands, and a
// retirement the other process heard of earlier is not made later.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KeyRotation } from '@opentab/protocol';
import { PeerKeyRetirements } from '../identity/peer-key-retirements';
import { openDatabase } from '../ledger';
import { migrateOperatorStore } from '../store/schema';
import { Revocations } from './revocations';

const NOW_MS = 1_800_000_000_000;
const DAY_MS = 86_400_000;

/** Two connections to one fresh operator file, as two processes would hold. */
function twoProcesses() {
  const path = join(mkdtempSync(join(tmpdir(), 'opentab-revocations-')), 'operator.sqlite');
  const first = openDatabase(path);
  migrateOperatorStore(first);
  return [first, openDatabase(path)] as const;
}

describe('revocations kept by two processes on one file', () => {
  it("answers the other process's revocation when it revoked the party first", () => {
    const [a, b] = twoProcesses();
    const inA = new Revocations(a);
    const inB = new Revocations(b);
    const first = inA.revoke('merchant', 'shop-1', 'sold counterfeits', 'ana', NOW_MS);
    const second = inB.revoke('merchant', 'shop-1', 'late deliveries', 'bo', NOW_MS + 1);
    expect(second).toEqual(first);
    expect(inB.of('merchant', 'shop-1')).toEqual(first);
    expect(new Revocations(b).list()).toEqual([first]);
  });
});

describe("peers' retired keys kept by two processes on one file", () => {
  it('never makes a retirement later than the one the other process kept', () => {
    const [a, b] = twoProcesses();
    const inA = new PeerKeyRetirements(a);
    const inB = new PeerKeyRetirements(b);
    const notice = {} as KeyRotation;
    const key = { operatorId: 'op-us', publicKey: 'us-key-0', successorKey: 'us-key-1' };
    inA.record({ ...key, retiresAt_ms: NOW_MS + 5 * DAY_MS }, notice, NOW_MS);
    const kept = inB.record({ ...key, retiresAt_ms: NOW_MS + 7 * DAY_MS }, notice, NOW_MS + 1);
    expect(kept).toEqual({ ...key, retiresAt_ms: NOW_MS + 5 * DAY_MS, receivedAt_ms: NOW_MS });
    expect(inB.retiresAt('op-us', 'us-key-0')).toBe(NOW_MS + 5 * DAY_MS);
    const earlier = inB.record({ ...key, retiresAt_ms: NOW_MS + DAY_MS }, notice, NOW_MS + 2);
    expect(earlier).toEqual({ ...key, retiresAt_ms: NOW_MS + DAY_MS, receivedAt_ms: NOW_MS });
    expect(new PeerKeyRetirements(a).retiresAt('op-us', 'us-key-0')).toBe(NOW_MS + DAY_MS);
  });
});
