import { describe, expect, it } from 'vitest';
import { ManualClock, RecordingAlarms } from '../testing/test-ports';
import { InDoubtRetry, nextRoundDelay_ms } from './in-doubt-retry';

// How often a merchant that stays down is asked again about a purchase in doubt.

const backoff = { first_ms: 30_000, max_ms: 600_000 };

describe('the background retry of purchases in doubt', () => {
  it('waits twice as long after every round that left one in doubt, up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 50].map((rounds) => nextRoundDelay_ms(rounds, backoff))).toEqual([
      30_000, 60_000, 120_000, 240_000, 480_000, 600_000, 600_000,
    ]);
  });

  it('schedules its alarm further out each round, starts over at a new purchase in doubt, and stops when none is left', async () => {
    const clock = new ManualClock(1_000_000);
    const alarms = new RecordingAlarms();
    const retry = new InDoubtRetry(alarms, clock, backoff);

    await retry.purchaseInDoubt();
    expect(alarms.scheduled.get('purchase-retry')).toBe(1_030_000);
    await retry.roundDone(1);
    expect(alarms.scheduled.get('purchase-retry')).toBe(1_060_000);
    await retry.roundDone(2);
    expect(alarms.scheduled.get('purchase-retry')).toBe(1_120_000);
    await retry.purchaseInDoubt();
    expect(alarms.scheduled.get('purchase-retry')).toBe(1_030_000);
    await retry.roundDone(0);
    expect(alarms.scheduled.has('purchase-retry')).toBe(false);
  });
});
