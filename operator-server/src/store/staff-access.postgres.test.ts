// The staff group of the operator's store (logins, console sessions, who changed what), one suite
// run on both stores; failed log-ins are raced on each, and every failure counts.

import { describe, expect, it } from 'vitest';
import { BOTH_STORES } from './testing/both-stores';

const NOW_MS = 1_800_000_000_000;
const LOCK_MS = 15 * 60_000;

describe.each(BOTH_STORES)('the staff of the operator store on $name', ({ open }) => {
  it('keeps a login once, with its role; disabling and enabling it is kept too', async () => {
    const { staff } = await open();
    expect(await staff.createAccount('grace', 'owner', 'hash-1', NOW_MS)).toBe(true);
    expect(await staff.createAccount('grace', 'staff', 'hash-2', NOW_MS + 1)).toBe(false);
    expect(await staff.createAccount('alan', 'staff', 'hash-3', NOW_MS + 2)).toBe(true);
    expect(await staff.account('grace')).toEqual({
      name: 'grace',
      role: 'owner',
      passwordHash: 'hash-1',
      createdAt: NOW_MS,
      disabledAt: null,
      failedLogins: 0,
      lockedUntil: null,
    });
    expect(await staff.setDisabled('alan', NOW_MS + 10)).toBe(true);
    expect(await staff.setDisabled('nobody', NOW_MS + 10)).toBe(false);
    expect((await staff.accounts()).map((a) => [a.name, a.disabledAt])).toEqual([
      ['alan', NOW_MS + 10],
      ['grace', null],
    ]);
    await staff.setDisabled('alan', null);
    await staff.setPasswordHash('alan', 'hash-4');
    expect(await staff.account('alan')).toMatchObject({ disabledAt: null, passwordHash: 'hash-4' });
  });

  it('counts every failed log-in of those racing, locks at the limit and starts counting again', async () => {
    const { staff } = await open();
    await staff.createAccount('grace', 'staff', 'hash', NOW_MS);
    const counted = await Promise.all([1, 2, 3, 4].map(() => staff.countFailedLogin('grace', 5, NOW_MS + LOCK_MS)));
    expect(counted.map((c) => c?.failedLogins).sort()).toEqual([1, 2, 3, 4]);
    expect(counted.every((c) => c?.lockedUntil === null)).toBe(true);
    expect(await staff.countFailedLogin('grace', 5, NOW_MS + LOCK_MS)).toEqual({
      failedLogins: 0,
      lockedUntil: NOW_MS + LOCK_MS,
    });
    expect(await staff.countFailedLogin('nobody', 5, NOW_MS + LOCK_MS)).toBeNull();
    await staff.clearFailedLogins('grace');
    expect(await staff.account('grace')).toMatchObject({ failedLogins: 0, lockedUntil: null });
  });

  it('ends all of a login’s live sessions but the one kept, and keeps who changed what in order', async () => {
    const { staff } = await open();
    await staff.createAccount('grace', 'staff', 'hash', NOW_MS);
    await staff.createAccount('alan', 'staff', 'hash', NOW_MS);
    await staff.startSession('t1', 'grace', NOW_MS, NOW_MS + 1000);
    await staff.startSession('t2', 'grace', NOW_MS, NOW_MS + 1000);
    await staff.startSession('t3', 'grace', NOW_MS, NOW_MS + 1000);
    await staff.startSession('t4', 'alan', NOW_MS, NOW_MS + 1000);
    await staff.endSession('t3', NOW_MS + 1);
    expect(await staff.endSessionsOf('grace', NOW_MS + 5, 't1')).toBe(1);
    expect(await staff.session('t1')).toMatchObject({ name: 'grace', endedAt: null });
    expect(await staff.session('t2')).toMatchObject({ endedAt: NOW_MS + 5 });
    expect(await staff.session('t3')).toMatchObject({ endedAt: NOW_MS + 1 });
    expect(await staff.endSessionsOf('grace', NOW_MS + 6, null)).toBe(1);
    expect(await staff.session('t1')).toMatchObject({ endedAt: NOW_MS + 6 });
    expect(await staff.session('t4')).toMatchObject({ endedAt: null });
    expect(await staff.session('unknown')).toBeNull();

    for (const [at, subject] of [
      [1, 'acct_1'],
      [2, 'merchant_1'],
      [3, 'acct_1'],
    ] as const)
      await staff.recordAction({ at, actor: 'grace', action: 'setCreditLimit', subject, detail: '{}' });
    expect((await staff.actionsOn(['acct_1'])).map((a) => a.at)).toEqual([1, 3]);
    expect(await staff.actionsOn([])).toEqual([]);
    expect((await staff.recentActions(2)).map((a) => a.subject)).toEqual(['acct_1', 'merchant_1']);
  });
});
