// This operator's own keys and its peers' retired keys, as groups of the operator's store, one
// suite run on both stores: a key is rotated once however many rotate it at once, and a peer key's
// retirement only ever comes earlier.

import { describe, expect, it } from 'vitest';
import type { RotationRow } from '../identity/own-key-table';
import type { PeerKeyRetirementNotice } from '../identity/peer-key-retirement-table';
import { BOTH_STORES } from './testing/both-stores';

const NOW_MS = 1_800_000_000_000;
const DAY_MS = 86_400_000;

const rotation = (retiringKey: string, successorKey: string, rotatedBy: string): RotationRow => ({
  retiringKey,
  successorKey,
  retiresAt_ms: NOW_MS + DAY_MS,
  rotatedAt_ms: NOW_MS,
  rotatedBy,
  notice: JSON.stringify({ retiring: retiringKey, successor: successorKey }),
});

describe.each(BOTH_STORES)("this operator's keys in the operator store on $name", ({ open }) => {
  it('keeps prepared keys oldest first, and has no current key before a rotation', async () => {
    const { ownKeys } = await open();
    await ownKeys.insertPreparedKey('key-b', NOW_MS + 1);
    await ownKeys.insertPreparedKey('key-a', NOW_MS + 2);
    expect(await ownKeys.preparedKeys()).toEqual(['key-b', 'key-a']);
    expect(await ownKeys.currentKey()).toBeNull();
    expect(await ownKeys.rotations()).toEqual([]);
  });

  it('rotates a key once: of rotations racing to successors of their own, one makes its successor current', async () => {
    const { ownKeys } = await open();
    const successors = ['key-1', 'key-2', 'key-3'];
    for (const key of successors) await ownKeys.insertPreparedKey(key, NOW_MS);
    const taken = await Promise.all(
      successors.map((key) => ownKeys.recordRotation(rotation('key-0', key, `staff-${key}`), `cert-of-${key}`)),
    );
    expect(taken.filter(Boolean)).toHaveLength(1);
    const winner = successors[taken.indexOf(true)]!;
    expect(await ownKeys.currentKey()).toEqual({ publicKey: winner, certificate: `cert-of-${winner}` });
    expect(await ownKeys.preparedKeys()).toEqual(successors.filter((key) => key !== winner));
    expect(await ownKeys.rotations()).toEqual([rotation('key-0', winner, `staff-${winner}`)]);
  });

  it('retires the current key at the next rotation, and lists rotations newest first', async () => {
    const { ownKeys } = await open();
    await ownKeys.insertPreparedKey('key-1', NOW_MS);
    await ownKeys.insertPreparedKey('key-2', NOW_MS);
    expect(await ownKeys.recordRotation(rotation('key-0', 'key-1', 'ana'), 'cert-1')).toBe(true);
    const second = { ...rotation('key-1', 'key-2', 'bo'), rotatedAt_ms: NOW_MS + DAY_MS };
    expect(await ownKeys.recordRotation(second, 'cert-2')).toBe(true);
    expect(await ownKeys.currentKey()).toEqual({ publicKey: 'key-2', certificate: 'cert-2' });
    expect(await ownKeys.preparedKeys()).toEqual([]);
    expect((await ownKeys.rotations()).map((r) => r.retiringKey)).toEqual(['key-1', 'key-0']);
    // The retired key is neither current nor prepared again, whatever a late rotation says.
    expect(await ownKeys.recordRotation(rotation('key-1', 'key-1', 'cy'), 'cert-x')).toBe(false);
    expect(await ownKeys.currentKey()).toEqual({ publicKey: 'key-2', certificate: 'cert-2' });
  });
});

const notice = (retiresAt_ms: number, successorKey: string, receivedAt_ms: number): PeerKeyRetirementNotice => ({
  operatorId: 'op-us',
  publicKey: 'us-key-0',
  successorKey,
  retiresAt_ms,
  receivedAt_ms,
  notice: JSON.stringify({ retiresAt_ms, successorKey }),
});

describe.each(BOTH_STORES)("peers' retired keys in the operator store on $name", ({ open }) => {
  it('keeps the earliest retirement of a key, whatever order notices race in', async () => {
    const { peerKeyRetirements } = await open();
    const retirements = [5, 2, 9, 3].map((days) => NOW_MS + days * DAY_MS);
    const kept = await Promise.all(
      retirements.map((retiresAt_ms, i) =>
        peerKeyRetirements.keepEarliestRetirement(notice(retiresAt_ms, `us-key-${i + 1}`, NOW_MS + i)),
      ),
    );
    // Each answer is what was kept when it was taken: never later than its own notice.
    kept.forEach((retirement, i) => expect(retirement.retiresAt_ms).toBeLessThanOrEqual(retirements[i]!));
    const [only, ...more] = await peerKeyRetirements.peerKeyRetirements();
    expect(more).toEqual([]);
    expect(only?.retiresAt_ms).toBe(NOW_MS + 2 * DAY_MS);
  });

  it('moves a retirement earlier and never later, keeping when the key was first heard of', async () => {
    const { peerKeyRetirements } = await open();
    const first = await peerKeyRetirements.keepEarliestRetirement(notice(NOW_MS + 5 * DAY_MS, 'us-key-1', NOW_MS));
    expect(first).toEqual({
      operatorId: 'op-us',
      publicKey: 'us-key-0',
      successorKey: 'us-key-1',
      retiresAt_ms: NOW_MS + 5 * DAY_MS,
      receivedAt_ms: NOW_MS,
    });
    const later = await peerKeyRetirements.keepEarliestRetirement(notice(NOW_MS + 7 * DAY_MS, 'us-key-2', NOW_MS + 1));
    expect(later).toEqual(first);
    const earlier = await peerKeyRetirements.keepEarliestRetirement(notice(NOW_MS + DAY_MS, 'us-key-2', NOW_MS + 2));
    expect(earlier).toEqual({ ...first, retiresAt_ms: NOW_MS + DAY_MS });
    expect(await peerKeyRetirements.peerKeyRetirement('op-us', 'us-key-0')).toEqual(earlier);
    expect(await peerKeyRetirements.peerKeyRetirement('op-us', 'us-key-1')).toBeNull();
    expect(await peerKeyRetirements.peerKeyRetirement('op-eu', 'us-key-0')).toBeNull();
    await peerKeyRetirements.keepEarliestRetirement({
      ...notice(NOW_MS + 3 * DAY_MS, 'eu-key-1', NOW_MS + 3),
      operatorId: 'op-eu',
      publicKey: 'eu-key-0',
    });
    expect((await peerKeyRetirements.peerKeyRetirements()).map((r) => r.publicKey)).toEqual(['eu-key-0', 'us-key-0']);
  });
});
