// Sweeps of processes that share one PostgreSQL database: one process at a time runs a sweep, the
// others skip their turn, and a process that dies in the middle of one leaves nothing of it behind
// and the sweep free for the next.

import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@opentab/test-kit/postgres';
import { sweepOnce } from './postgres-sweep';

const pools: pg.Pool[] = [];
afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.end();
});

/** Pools on one fresh database with a table the sweeps write to; each pool stands for a process. */
async function processesOnOneDatabase(count: number): Promise<pg.Pool[]> {
  const url = await createTestDatabase('sweep');
  const opened = Array.from({ length: count }, () => {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    // A connection killed under a checked-out client is reported here as well as to its query.
    pool.on('error', () => undefined);
    return pool;
  });
  pools.push(...opened);
  await opened[0]!.query('CREATE TABLE swept (item TEXT PRIMARY KEY, by_process INT NOT NULL)');
  return opened;
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const sweptItems = async (pool: pg.Pool) =>
  (await pool.query<{ item: string; by_process: number }>('SELECT item, by_process FROM swept ORDER BY item')).rows;

describe('sweepOnce', () => {
  it('lets one process sweep at a time: the other skips its turn, and takes the next one', async () => {
    const [first, second] = await processesOnOneDatabase(2);
    const mayFinish = gate();
    const started = gate();
    const firstTurn = sweepOnce(first!, 'holds', async (client) => {
      await client.query("INSERT INTO swept VALUES ('hold:1', 1)");
      started.open();
      await mayFinish.opened;
      return 'swept';
    });
    await started.opened;

    expect(await sweepOnce(second!, 'holds', async () => 'should not run')).toEqual({ ran: false });
    // Another sweep is not held up by this one.
    expect(await sweepOnce(second!, 'tabs', async () => 'tabs swept')).toEqual({ ran: true, result: 'tabs swept' });

    mayFinish.open();
    expect(await firstTurn).toEqual({ ran: true, result: 'swept' });
    expect(
      await sweepOnce(second!, 'holds', async (client) => {
        await client.query("INSERT INTO swept VALUES ('hold:2', 2)");
        return 'swept too';
      }),
    ).toEqual({ ran: true, result: 'swept too' });
    expect(await sweptItems(first!)).toEqual([
      { item: 'hold:1', by_process: 1 },
      { item: 'hold:2', by_process: 2 },
    ]);
  });

  it('leaves nothing of a sweep whose process died in the middle, and frees it for the next process', async () => {
    const [dying, survivor, admin] = await processesOnOneDatabase(3);
    const halfDone = gate();
    const killed = gate();
    let backend = 0;
    const dyingTurn = sweepOnce(dying!, 'holds', async (client) => {
      (client as unknown as pg.PoolClient).on('error', () => undefined);
      backend = Number((await client.query('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
      await client.query("INSERT INTO swept VALUES ('hold:1', 1)");
      halfDone.open();
      await killed.opened;
      await client.query("INSERT INTO swept VALUES ('hold:2', 1)"); // the connection is gone by now
    });
    await halfDone.opened;
    expect(await sweepOnce(survivor!, 'holds', async () => 'too early')).toEqual({ ran: false });

    await admin!.query('SELECT pg_terminate_backend($1)', [backend]);
    // The kill is asynchronous: wait until the server no longer lists the process's connection.
    await expect
      .poll(
        async () =>
          (await admin!.query('SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [backend])).rows[0].n,
      )
      .toBe(0);
    killed.open();
    await expect(dyingTurn).rejects.toThrow();

    // PostgreSQL rolled the dead process's sweep back: its row is gone and the lock is free.
    expect(await sweptItems(survivor!)).toEqual([]);
    expect(
      await sweepOnce(survivor!, 'holds', async (client) => {
        await client.query("INSERT INTO swept VALUES ('hold:1', 2)");
        return 'swept';
      }),
    ).toEqual({ ran: true, result: 'swept' });
    expect(await sweptItems(admin!)).toEqual([{ item: 'hold:1', by_process: 2 }]);
  });
});
