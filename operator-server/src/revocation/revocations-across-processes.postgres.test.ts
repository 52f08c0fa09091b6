// Revocations as two operator processes on one store see them: a party one process revoked is
// refused by the other at once, outside a transaction and inside one, and the first revocation
// stands whichever process revokes the party after, or at the same moment.

import { describe, expect, it } from 'vitest';
import { TWO_PROCESSES_ON_ONE_STORE } from '../store/testing/processes-on-one-store';
import { assertMerchantInGoodStanding, assertPeerInGoodStanding, type Revocation, revoke } from './revocations';

const NOW_MS = 1_800_000_000_000;

const revocationBy = (revokedBy: string, at_ms: number, kind: Revocation['kind'] = 'merchant'): Revocation => ({
  kind,
  subjectId: kind === 'merchant' ? 'shop-1' : 'op-us',
  revokedAt: at_ms,
  reason: `sold counterfeits (${revokedBy})`,
  revokedBy,
});

describe.each(TWO_PROCESSES_ON_ONE_STORE)(
  'revocations of two operator processes on $name',
  ({ open, transactionsAtOnce }) => {
    it('refuses at once in one process a merchant or peer the other revoked', async () => {
      const [a, b] = await open();
      await assertMerchantInGoodStanding(b.revocations, 'shop-1');
      await assertPeerInGoodStanding(b.revocations, 'op-us');

      await a.transaction((tx) => revoke(tx.revocations, revocationBy('ana', NOW_MS)));
      await expect(assertMerchantInGoodStanding(b.revocations, 'shop-1')).rejects.toMatchObject({
        code: 'merchant_revoked',
      });
      await expect(b.transaction((tx) => assertMerchantInGoodStanding(tx.revocations, 'shop-1'))).rejects.toMatchObject(
        { code: 'merchant_revoked' },
      );
      // A peer of the same id as nothing revoked stays in good standing until it is revoked itself.
      await assertPeerInGoodStanding(b.revocations, 'op-us');
      await a.transaction((tx) => revoke(tx.revocations, revocationBy('ana', NOW_MS, 'peer')));
      await expect(b.transaction((tx) => assertPeerInGoodStanding(tx.revocations, 'op-us'))).rejects.toMatchObject({
        code: 'peer_revoked',
      });
      // Another merchant is untouched.
      await assertMerchantInGoodStanding(b.revocations, 'shop-2');
    });

    it("answers the other process's revocation when that one revoked the party first", async () => {
      const [a, b] = await open();
      const first = await revoke(a.revocations, revocationBy('ana', NOW_MS));
      const second = await b.transaction((tx) => revoke(tx.revocations, revocationBy('bo', NOW_MS + 1)));
      expect(second).toEqual(first);
      expect(await b.revocations.revocations()).toEqual([first]);
    });

    it.runIf(transactionsAtOnce)(
      'keeps one revocation of two processes revoking at once, and both answer it',
      async () => {
        const [a, b] = await open();
        const [inA, inB] = await Promise.all([
          a.transaction((tx) => revoke(tx.revocations, revocationBy('ana', NOW_MS))),
          b.transaction((tx) => revoke(tx.revocations, revocationBy('bo', NOW_MS + 1))),
        ]);
        expect(inA).toEqual(inB);
        expect(['ana', 'bo']).toContain(inA.revokedBy);
        expect(await a.revocations.revocations()).toEqual([inA]);
      },
    );
  },
);
