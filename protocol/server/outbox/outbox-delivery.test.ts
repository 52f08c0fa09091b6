// The one outbox, over a real SQLite file and a real HTTP receiver on 127.0.0.1: retries with the
// backoff on an injected clock, leases that keep a second deliverer off an entry in flight and
// hand it over once the first deliverer died, and every id arriving exactly once at the receiver.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@opentab/test-kit';
import { retryDelay_ms } from '../retry-delay';
import { OutboxDelivery } from './outbox-delivery';
import { OutboxRunner } from './outbox-runner';
import { outboxTableSql, SqliteOutbox } from './sqlite-outbox';
import { startReceiver } from './testing/receiver';

const BACKOFF = { base_ms: 1_000, max_ms: 60_000 };
const LEASE_MS = 30_000;
const T0_MS = 1_800_000_000_000;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fresh outbox file; `connect` opens another connection to it, as another process would. */
function outboxFile() {
  const path = join(mkdtempSync(join(tmpdir(), 'opentab-kit-outbox-')), 'outbox.sqlite');
  const open = () => {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    cleanups.push(() => db.close());
    return db;
  };
  const connect = () => {
    const db = open();
    return { db, outbox: new SqliteOutbox(db, 'messages') };
  };
  open().exec(outboxTableSql('messages'));
  return { ...connect(), connect };
}

function engine(outbox: SqliteOutbox, clock?: ManualClock) {
  return new OutboxDelivery({
    storage: outbox.storage,
    backoff: BACKOFF,
    batchSize: 50,
    parallel: 10,
    lease_ms: LEASE_MS,
    random: () => 1,
    ...(clock === undefined ? {} : { clock }),
  });
}

describe('the one outbox', () => {
  it('retries a failing receiver after the backoff on the injected clock, then delivers once', async () => {
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    const { outbox } = outboxFile();
    const clock = new ManualClock(T0_MS);
    const delivery = engine(outbox, clock);
    outbox.enqueue('m1', 'receiver', { id: 'm1' }, clock.now_ms());
    outbox.enqueue('m1', 'receiver', { id: 'm1' }, clock.now_ms()); // the same message again adds nothing
    receiver.fail(true);

    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(await delivery.deliverDue(receiver.send, clock.now_ms())).toEqual({ delivered: 0, dueAgain: false });
      const [row] = outbox.rowsOfRecord('m1');
      expect(row).toMatchObject({ attempts: attempt, deliveredAt: null, lastError: 'receiver answered 503' });
      const wait_ms = retryDelay_ms(attempt, BACKOFF, () => 1);
      // Not due a moment before its backoff ends: not even tried.
      clock.advance(wait_ms - 1);
      expect(await delivery.deliverDue(receiver.send, clock.now_ms())).toEqual({ delivered: 0, dueAgain: false });
      expect(outbox.rowsOfRecord('m1')[0]!.attempts).toBe(attempt);
      clock.advance(1);
    }
    receiver.fail(false);
    expect((await delivery.deliverDue(receiver.send, clock.now_ms())).delivered).toBe(1);
    expect(outbox.rowsOfRecord('m1')[0]).toMatchObject({ attempts: 4, deliveredAt: clock.now_ms(), lastError: null });
    clock.advance(10 * 60_000);
    expect((await delivery.deliverDue(receiver.send, clock.now_ms())).delivered).toBe(0);
    expect(receiver.received).toEqual(['m1']);
    expect(outbox.pending()).toBe(0);
  });

  it('keeps a second deliverer off a leased entry, and hands it over once the lease of a dead one ran out', async () => {
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    const first = outboxFile();
    const second = first.connect();
    first.outbox.enqueue('m1', 'receiver', { id: 'm1' }, T0_MS);

    // The first deliverer claims the entry and dies in the middle of sending it: no outcome is ever recorded.
    let claimed!: () => void;
    const sendStarted = new Promise<void>((resolve) => (claimed = resolve));
    void engine(first.outbox).deliverDue(() => {
      claimed();
      return new Promise(() => undefined);
    }, T0_MS);
    await sendStarted;

    const survivor = engine(second.outbox);
    expect((await survivor.deliverDue(receiver.send, T0_MS + LEASE_MS - 1)).delivered).toBe(0);
    expect(receiver.received).toEqual([]);
    expect(await survivor.nextDue_ms()).toBe(T0_MS + LEASE_MS);
    expect((await survivor.deliverDue(receiver.send, T0_MS + LEASE_MS)).delivered).toBe(1);
    expect(receiver.received).toEqual(['m1']);
    // The lost send left no outcome behind: only the delivery is counted.
    expect(second.outbox.rowsOfRecord('m1')[0]).toMatchObject({ attempts: 1, deliveredAt: T0_MS + LEASE_MS });
  });

  it('delivers every id exactly once while two deliverers on two connections drain one table at once', async () => {
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    const first = outboxFile();
    const second = first.connect();
    const ids = Array.from({ length: 200 }, (_, index) => `m${index}`);
    first.db.transaction(() => {
      for (const id of ids) first.outbox.enqueue(id, 'receiver', { id }, T0_MS);
    })();

    const drain = async (outbox: SqliteOutbox) => {
      const delivery = engine(outbox);
      let delivered = 0;
      for (let pass = 0; pass < 10; pass++) delivered += (await delivery.deliverDue(receiver.send, T0_MS)).delivered;
      return delivered;
    };
    const [byFirst, bySecond] = await Promise.all([drain(first.outbox), drain(second.outbox)]);

    expect(byFirst + bySecond).toBe(ids.length);
    // Both took part: the leases, not one of them finishing before the other began, kept them apart.
    expect(byFirst).toBeGreaterThan(0);
    expect(bySecond).toBeGreaterThan(0);
    expect([...receiver.received].sort()).toEqual([...ids].sort());
    expect(first.outbox.pending()).toBe(0);
  });

  it('sends an entry again at once when the sender asks, and leaves one the sender concluded alone', async () => {
    const { outbox } = outboxFile();
    outbox.enqueue('again', 'receiver', { id: 'again' }, T0_MS);
    outbox.enqueue('done', 'receiver', { id: 'done' }, T0_MS);
    const delivery = engine(outbox);
    const pass = await delivery.deliverDue(async (entry) => {
      if (entry.recordId === 'done') return { kind: 'concluded' };
      return { kind: 'failed', error: 'signature too old', when: 'at-once' };
    }, T0_MS);
    expect(pass).toEqual({ delivered: 0, dueAgain: true });
    expect(outbox.rowsOfRecord('again')[0]).toMatchObject({ attempts: 1, lastError: 'signature too old' });
    // Due now, not after a backoff; the concluded one stays leased for its sender to settle.
    expect(await delivery.nextDue_ms()).toBe(T0_MS);
    expect(outbox.rowsOfRecord('done')[0]).toMatchObject({ attempts: 0, lastError: null });
  });

  it('runs by itself: picks up what is waiting, and stops without counting a cut-off send', async () => {
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    const { outbox } = outboxFile();
    const clock = new ManualClock(T0_MS);
    const delivery = engine(outbox, clock);
    const warnings: string[] = [];
    let releaseSend: (() => void) | null = null;
    const runner = new OutboxRunner({
      delivery,
      send: async (entry) => {
        if (entry.recordId !== 'slow') return receiver.send(entry);
        await new Promise<void>((resolve) => (releaseSend = resolve));
        return { kind: 'failed', error: 'connection reset' };
      },
      clock,
      maxSleep_ms: 60_000,
      warn: (message) => warnings.push(message),
    });
    outbox.enqueue('m1', 'receiver', { id: 'm1' }, T0_MS);
    runner.start();
    await expect.poll(() => receiver.received).toEqual(['m1']);

    outbox.enqueue('slow', 'receiver', { id: 'slow' }, T0_MS);
    runner.wake();
    await expect.poll(() => releaseSend !== null).toBe(true);
    const closed = runner.close();
    releaseSend!();
    await closed;
    // Cut off by the stop: due again at once for the next start, and not counted as a failed attempt.
    expect(outbox.rowsOfRecord('slow')[0]).toMatchObject({
      attempts: 0,
      lastError: 'delivery interrupted: connection reset',
    });
    expect(await delivery.nextDue_ms()).toBe(T0_MS);
    expect(warnings).toEqual([]);
  });
});
