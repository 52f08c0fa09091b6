// The one outbox on a real PostgreSQL database shared by two deliverers with pools of their own,
// as two processes behind a load balancer would: each id reaches the receiver exactly once, a
// leased entry waits for its lease, and a chunk's outcomes and the backoff land as on SQLite.

import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@opentab/test-kit/postgres';
import { retryDelay_ms } from '../retry-delay';
import { OutboxDelivery } from './outbox-delivery';
import { PostgresOutbox, postgresOutboxTableSql } from './postgres-outbox';
import { startReceiver } from './testing/receiver';

const BACKOFF = { base_ms: 1_000, max_ms: 60_000 };
const LEASE_MS = 30_000;
const T0_MS = 1_800_000_000_000;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fresh database with an outbox table; `pool` opens another pool on it, as another process would. */
async function outboxDatabase() {
  const url = await createTestDatabase('outbox');
  const pool = () => {
    const opened = new pg.Pool({ connectionString: url, max: 4 });
    cleanups.push(() => opened.end());
    return opened;
  };
  const first = pool();
  await first.query(postgresOutboxTableSql('messages'));
  return { first, pool };
}

function engine(outbox: PostgresOutbox) {
  return new OutboxDelivery({
    storage: outbox.storage,
    backoff: BACKOFF,
    batchSize: 25,
    parallel: 5,
    lease_ms: LEASE_MS,
    random: () => 1,
  });
}

describe('the one outbox on PostgreSQL', () => {
  it('delivers every id exactly once while two processes drain one table at once', async () => {
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    const { first, pool } = await outboxDatabase();
    const outboxes = [new PostgresOutbox(first, 'messages'), new PostgresOutbox(pool(), 'messages')];
    const ids = Array.from({ length: 200 }, (_, index) => `m${index}`);
    for (const id of ids) await outboxes[0]!.enqueue(first, id, 'receiver', { id }, T0_MS);
    await outboxes[0]!.enqueue(first, 'm0', 'receiver', { id: 'm0' }, T0_MS); // once per record and destination

    const drain = async (outbox: PostgresOutbox) => {
      const delivery = engine(outbox);
      let delivered = 0;
      for (;;) {
        const pass = await delivery.deliverDue(receiver.send, T0_MS);
        if (pass.delivered === 0) return delivered;
        delivered += pass.delivered;
      }
    };
    const counts = await Promise.all(outboxes.map(drain));

    expect(counts[0]! + counts[1]!).toBe(ids.length);
    expect(receiver.received).toHaveLength(ids.length);
    expect(new Set(receiver.received)).toEqual(new Set(ids));
    expect(await outboxes[1]!.pending()).toBe(0);
  });

  it('keeps a second process off a leased entry, and hands it over once the lease of a dead one ran out', async () => {
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    const { first, pool } = await outboxDatabase();
    const dying = new PostgresOutbox(first, 'messages');
    await dying.enqueue(first, 'm1', 'receiver', { id: 'm1' }, T0_MS);
    let claimed!: () => void;
    const sendStarted = new Promise<void>((resolve) => (claimed = resolve));
    void engine(dying).deliverDue(() => {
      claimed();
      return new Promise(() => undefined);
    }, T0_MS);
    await sendStarted;

    const survivor = new PostgresOutbox(pool(), 'messages');
    const delivery = engine(survivor);
    expect((await delivery.deliverDue(receiver.send, T0_MS + LEASE_MS - 1)).delivered).toBe(0);
    expect(await delivery.nextDue_ms()).toBe(T0_MS + LEASE_MS);
    expect((await delivery.deliverDue(receiver.send, T0_MS + LEASE_MS)).delivered).toBe(1);
    expect(receiver.received).toEqual(['m1']);
    expect((await survivor.rowsOfRecord('m1'))[0]).toMatchObject({ attempts: 1, deliveredAt: T0_MS + LEASE_MS });
  });

  it('records a failure with its backoff and error, and a retry brought forward by hand', async () => {
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    const { first } = await outboxDatabase();
    const outbox = new PostgresOutbox(first, 'messages');
    await outbox.enqueue(first, 'm1', 'receiver', { id: 'm1' }, T0_MS);
    receiver.fail(true);
    const delivery = engine(outbox);
    expect((await delivery.deliverDue(receiver.send, T0_MS)).delivered).toBe(0);
    expect((await outbox.rowsOfRecord('m1'))[0]).toMatchObject({
      attempts: 1,
      deliveredAt: null,
      lastError: 'receiver answered 503',
    });
    expect(await delivery.nextDue_ms()).toBe(T0_MS + retryDelay_ms(1, BACKOFF, () => 1));
    expect(await outbox.undelivered(true, 10)).toMatchObject([{ recordId: 'm1', attempts: 1 }]);

    receiver.fail(false);
    expect(await outbox.retryNow(T0_MS + 10, ['m1'])).toBe(1);
    expect((await delivery.deliverDue(receiver.send, T0_MS + 10)).delivered).toBe(1);
    expect(receiver.received).toEqual(['m1']);
    expect(await outbox.markDelivered(first, 'm1', 'receiver', T0_MS + 20)).toBe(false);
  });
});
