// The operator's outbox drained through its store, on both stores: a message committed with its
// change leaves once, one rolled back with its change never does, a failed one waits for the
// backoff; and on PostgreSQL two processes draining one database deliver each message once.

import { describe, expect, it } from 'vitest';
import { BOTH_STORES, postgresStoragesOnOneDatabase } from '../store/testing/both-stores';
import { OUTBOX_BACKOFF, type OutboxDeliverer, type OutboxDestination } from './outbox';

const T0_MS = 1_800_000_000_000;

interface Sent {
  readonly destination: OutboxDestination;
  readonly payload: unknown;
}

/** A deliverer that keeps what it was given, failing the first attempt at each record named in `failOnce`. */
function recordingDeliverer(failOnce: readonly string[] = []) {
  const sent: Sent[] = [];
  const failed = new Set<string>();
  const deliver: OutboxDeliverer = async (destination, payload) => {
    const recordId = (payload as { recordId: string }).recordId;
    if (failOnce.includes(recordId) && !failed.has(recordId)) {
      failed.add(recordId);
      throw new Error(`${recordId} is not taken yet`);
    }
    // Gives the other deliverer's pass its turn, as a network round trip would.
    await new Promise((resolve) => setImmediate(resolve));
    sent.push({ destination, payload });
  };
  return { sent, deliver };
}

describe.each(BOTH_STORES)('the outbox drained through the store on $name', ({ open }) => {
  it('sends what committed once, never what rolled back, and a failed message after its backoff', async () => {
    const { storage } = await open();
    const notice: OutboxDestination = { kind: 'merchant-notice', merchantId: 'shop-1' };
    const clearing: OutboxDestination = { kind: 'peer-clearing', operatorId: 'op-us' };
    await storage.transaction(async (tx) => {
      await tx.outbox.enqueue('notice-1', notice, { recordId: 'notice-1' }, T0_MS);
      await tx.outbox.enqueue('clearing-1', clearing, { recordId: 'clearing-1' }, T0_MS);
    });
    await expect(
      storage.transaction(async (tx) => {
        await tx.outbox.enqueue('notice-2', notice, { recordId: 'notice-2' }, T0_MS);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const receiver = recordingDeliverer(['clearing-1']);

    expect(await storage.deliverDueOutbox(T0_MS, receiver.deliver)).toBe(1);
    expect(receiver.sent).toEqual([{ destination: notice, payload: { recordId: 'notice-1' } }]);
    expect(await storage.deliverDueOutbox(T0_MS, receiver.deliver)).toBe(0);
    const [waiting, ...others] = await storage.outbox.undelivered(true, 10);
    expect(others).toEqual([]);
    expect(waiting).toMatchObject({ recordId: 'clearing-1', attempts: 1, lastError: 'clearing-1 is not taken yet' });
    expect(waiting!.nextAttemptAt).toBeGreaterThan(T0_MS);

    expect(await storage.deliverDueOutbox(T0_MS + OUTBOX_BACKOFF.max_ms * 2, receiver.deliver)).toBe(1);
    expect(receiver.sent.map((sent) => sent.destination)).toEqual([notice, clearing]);
    expect(await storage.outbox.undelivered(false, 10)).toEqual([]);
  });
});

describe('the outbox of two operator processes on one PostgreSQL database', () => {
  it('delivers every message once while both drain at the same time', async () => {
    const [first, second] = await postgresStoragesOnOneDatabase(2);
    const recordIds = Array.from({ length: 300 }, (_, index) => `record-${index}`);
    // Written by both processes, each message in the transaction of its change.
    await Promise.all(
      recordIds.map((recordId, index) =>
        (index % 2 === 0 ? first! : second!).transaction((tx) =>
          tx.outbox.enqueue(recordId, { kind: 'billing', sinkIndex: 0 }, { recordId }, T0_MS),
        ),
      ),
    );
    const receiver = recordingDeliverer();
    const drain = async (storage: typeof first) => {
      let delivered = 0;
      for (;;) {
        const pass = await storage!.deliverDueOutbox(T0_MS, receiver.deliver);
        if (pass === 0) return delivered;
        delivered += pass;
      }
    };

    const [byFirst, bySecond] = await Promise.all([drain(first), drain(second)]);

    expect(byFirst + bySecond).toBe(recordIds.length);
    const sentIds = receiver.sent.map((sent) => (sent.payload as { recordId: string }).recordId);
    expect(sentIds).toHaveLength(recordIds.length);
    expect(new Set(sentIds)).toEqual(new Set(recordIds));
    expect(await first!.outbox.undelivered(false, 10)).toEqual([]);
  });
});
