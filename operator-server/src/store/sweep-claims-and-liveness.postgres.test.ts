// What lets several processes share one store without waiting on each other, one suite run on
// both stores: the opening sweep's claims on stalled openings (each held by one process until its
// lease runs out), and each process's last sign of life. On PostgreSQL, processes claiming at once
// each get openings no other got.

import { describe, expect, it } from 'vitest';
import type { OpeningClaim } from './operator-store';
import { BOTH_STORES, postgresStoragesOnOneDatabase, type StoreGroups } from './testing/both-stores';
import { ackOf, sampleTransaction, seedCustomerAndMerchant } from './testing/sample-records';

const ids = (list: ReadonlyArray<{ transactionId: string }>) => list.map((t) => t.transactionId);

const claim = (holder: string, fields: Partial<OpeningClaim> = {}): OpeningClaim => ({
  holder,
  openedBefore_ms: 1_000,
  now_ms: 5_000,
  leaseUntil_ms: 8_000,
  limit: 10,
  ...fields,
});

async function seededWithOpenings(open: () => Promise<StoreGroups>, openedAt_ms: readonly number[]) {
  const groups = await open();
  await seedCustomerAndMerchant(groups);
  for (const [i, openedAt] of openedAt_ms.entries())
    await groups.transactions.insertTransaction(sampleTransaction(i + 1, { openedAt, expiresAt: 100_000 }));
  return groups;
}

describe.each(BOTH_STORES)('claims and signs of life in the operator store on $name', ({ open }) => {
  it('claims stalled openings oldest first, up to a limit, each for one holder until its lease runs out', async () => {
    const { transactions, sql } = await seededWithOpenings(open, [300, 100, 400, 200, 2_000]);
    // Opened: no longer stalled, never claimed.
    expect(await transactions.markTransactionOpen('op-se.1.4', ackOf('tab_d'), 'News')).toBe(true);

    expect(ids(await transactions.claimStalledOpenings(claim('one', { limit: 2 })))).toEqual([
      'op-se.1.2',
      'op-se.1.1',
    ]);
    // Another holder gets only what is left; a later opening is not stalled yet.
    expect(ids(await transactions.claimStalledOpenings(claim('two')))).toEqual(['op-se.1.3']);
    expect(ids(await transactions.claimStalledOpenings(claim('two', { now_ms: 7_999 })))).toEqual([]);
    const holders = await sql.select(
      'SELECT transaction_id, sweep_holder, sweep_lease_until_ms FROM transactions ORDER BY transaction_id',
    );
    expect(holders.map((row) => [row.transaction_id, row.sweep_holder, Number(row.sweep_lease_until_ms)])).toEqual([
      ['op-se.1.1', 'one', 8_000],
      ['op-se.1.2', 'one', 8_000],
      ['op-se.1.3', 'two', 8_000],
      ['op-se.1.4', null, 0],
      ['op-se.1.5', null, 0],
    ]);

    // Once the leases run out, anyone may claim them again: the holder that stopped, or another.
    const taken = await transactions.claimStalledOpenings(claim('three', { now_ms: 8_000, leaseUntil_ms: 9_000 }));
    expect(ids(taken)).toEqual(['op-se.1.2', 'op-se.1.1', 'op-se.1.3']);
    expect(taken[0]).toMatchObject({ state: 'opening', openedAt: 100, initiationId: 'init-2' });
    // A settled opening is not claimed again, whatever its lease.
    expect(await transactions.markTransactionFailed('op-se.1.1', 'refused', { code: 'x', message: 'no' })).toBe(true);
    expect(ids(await transactions.claimStalledOpenings(claim('four', { now_ms: 9_000 })))).toEqual([
      'op-se.1.2',
      'op-se.1.3',
    ]);
  });

  it("keeps each process's last sign of life, never earlier than one it gave, until it is forgotten", async () => {
    const { storage } = await open();
    const { processes } = storage;
    expect(await processes.lastAliveOfOthers('a')).toBeNull();
    await processes.markProcessAlive('a', 1_000);
    await processes.markProcessAlive('b', 1_500);
    await processes.markProcessAlive('a', 2_000);
    // Out of order (two passes racing): the later sign stands.
    await processes.markProcessAlive('a', 1_800);
    expect(await processes.lastAliveOfOthers('b')).toBe(2_000);
    expect(await processes.lastAliveOfOthers('a')).toBe(1_500);
    expect(await processes.lastAliveOfOthers('c')).toBe(2_000);

    await processes.forgetProcess('a');
    expect(await processes.lastAliveOfOthers('b')).toBeNull();
    expect(await processes.lastAliveOfOthers('c')).toBe(1_500);
    await processes.markProcessAlive('c', 3_000);
    expect(await processes.forgetProcessesSilentSince(2_000)).toBe(1);
    expect(await processes.lastAliveOfOthers('x')).toBe(3_000);
  });
});

describe('claims of processes sharing one PostgreSQL database', () => {
  it('give each stalled opening to exactly one of the processes claiming at once', async () => {
    const storages = await postgresStoragesOnOneDatabase(3);
    const first = storages[0]!;
    await seedCustomerAndMerchant(first);
    const count = 40;
    for (let n = 1; n <= count; n++)
      await first.transactions.insertTransaction(sampleTransaction(n, { openedAt: n, expiresAt: 100_000 }));

    const claimed = await Promise.all(
      storages.flatMap((storage, i) =>
        [0, 1].map((round) => storage.transactions.claimStalledOpenings(claim(`p${i}.${round}`, { limit: 8 }))),
      ),
    );
    const all = claimed.flatMap(ids);
    // Six claims of eight: forty openings, each to one claim only.
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(count);
  });
});
