// The revocations group of the operator's store, one suite run on both stores: a party is revoked
// once, and of revocations racing for it exactly one is kept.

import { describe, expect, it } from 'vitest';
import type { Revocation } from '../revocation/revocation-table';
import { BOTH_STORES } from './testing/both-stores';

const NOW_MS = 1_800_000_000_000;

const revocation = (by: string, at_ms: number): Revocation => ({
  kind: 'merchant',
  subjectId: 'shop-1',
  revokedAt: at_ms,
  reason: `sold counterfeits (${by})`,
  revokedBy: by,
});

describe.each(BOTH_STORES)('the revocations of the operator store on $name', ({ open }) => {
  it('keeps the first revocation of a party, however many race to revoke it', async () => {
    const { revocations } = await open();
    expect(await revocations.revocation('merchant', 'shop-1')).toBeNull();
    const staff = ['ana', 'bo', 'cy', 'di'];
    const kept = await Promise.all(staff.map((by, i) => revocations.insertRevocation(revocation(by, NOW_MS + i))));
    expect(kept.filter(Boolean)).toHaveLength(1);
    const winner = staff[kept.indexOf(true)]!;
    expect(await revocations.revocation('merchant', 'shop-1')).toEqual(
      revocation(winner, NOW_MS + staff.indexOf(winner)),
    );
    expect(await revocations.insertRevocation(revocation('eve', NOW_MS + 9))).toBe(false);
    expect((await revocations.revocation('merchant', 'shop-1'))?.revokedBy).toBe(winner);
  });

  it('tells a merchant from a peer of the same id, and lists the newest first', async () => {
    const { revocations } = await open();
    await revocations.insertRevocation({ ...revocation('ana', NOW_MS), kind: 'peer', subjectId: 'op-us' });
    await revocations.insertRevocation({ ...revocation('bo', NOW_MS + 2), subjectId: 'op-us' });
    await revocations.insertRevocation({ ...revocation('cy', NOW_MS + 1), subjectId: 'shop-2' });
    expect(await revocations.revocation('peer', 'op-us')).toMatchObject({ kind: 'peer', revokedBy: 'ana' });
    expect(await revocations.revocation('merchant', 'op-us')).toMatchObject({ kind: 'merchant', revokedBy: 'bo' });
    expect(await revocations.revocation('peer', 'shop-2')).toBeNull();
    expect((await revocations.revocations()).map((r) => `${r.kind}:${r.subjectId}@${r.revokedAt - NOW_MS}`)).toEqual([
      'merchant:op-us@2',
      'merchant:shop-2@1',
      'peer:op-us@0',
    ]);
  });
});
