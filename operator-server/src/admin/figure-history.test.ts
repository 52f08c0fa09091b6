import type * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { formatTimestamp } from '@opentab/protocol';
import { ManualClock } from '@opentab/test-kit';
import type { Figures } from '../http/admin-operations-api';
import { FIGURE_SAMPLES_KEPT, FigureHistory } from './figure-history';

const MINUTE_MS = 60_000;
/** A minute boundary, so a test knows where each minute starts. */
const START_MS = Date.UTC(2026, 0, 5, 12, 0, 0);

/** Figures read at `now_ms`; `opened` tells the samples apart. */
function figuresAt(now_ms: number, opened: number): v.InferOutput<typeof Figures> {
  return {
    at: formatTimestamp(now_ms),
    tabsByState: { open: opened },
    transactionsByState: {},
    clearedByCurrency: [],
    holdsPending: [],
    disputes: { total: 0, resolved: 0 },
    outbox: { pending: 0, failing: 0, delivered: 0 },
    customers: {},
    merchants: {},
    traffic: [],
  };
}

/** Records at the clock's time and counts the store reads the history asked for. */
function sampler(history: FigureHistory, clock: ManualClock) {
  let reads = 0;
  return {
    get reads() {
      return reads;
    },
    record: (opened: number) =>
      history.recordIfDue(clock.now_ms(), async () => {
        reads++;
        return figuresAt(clock.now_ms(), opened);
      }),
  };
}

const opened = (samples: v.InferOutput<typeof Figures>[]) => samples.map((s) => s.tabsByState.open);

describe('the figure history', () => {
  it('keeps one sample per minute of the clock: the first of a minute stands, later ones read nothing', async () => {
    const clock = new ManualClock(START_MS);
    const history = new FigureHistory();
    const sample = sampler(history, clock);
    await sample.record(1);
    clock.advance(59_999);
    await sample.record(2);
    expect(sample.reads).toBe(1);
    clock.advance(1);
    await sample.record(3);
    clock.advance(30_000);
    await sample.record(4);
    clock.advance(2 * MINUTE_MS);
    await sample.record(5);

    expect(sample.reads).toBe(3);
    const samples = history.recent(clock.now_ms());
    expect(opened(samples)).toEqual([1, 3, 5]);
    expect(samples.map((s) => s.at)).toEqual([
      formatTimestamp(START_MS),
      formatTimestamp(START_MS + MINUTE_MS),
      formatTimestamp(START_MS + 3.5 * MINUTE_MS),
    ]);
  });

  it('rolls over after 24 hours: 1,440 samples, the oldest dropped', async () => {
    const clock = new ManualClock(START_MS);
    const history = new FigureHistory();
    const sample = sampler(history, clock);
    for (let minute = 0; minute < FIGURE_SAMPLES_KEPT + 10; minute++) {
      await sample.record(minute);
      clock.advance(MINUTE_MS);
    }
    clock.advance(-MINUTE_MS); // back to the last minute sampled

    const samples = history.recent(clock.now_ms());
    expect(FIGURE_SAMPLES_KEPT).toBe(1_440);
    expect(samples).toHaveLength(1_440);
    expect(samples[0]!.tabsByState.open).toBe(10);
    expect(samples.at(-1)!.tabsByState.open).toBe(FIGURE_SAMPLES_KEPT + 9);
  });

  it('answers only the last 24 hours when the clock has moved on without samples', async () => {
    const clock = new ManualClock(START_MS);
    const history = new FigureHistory();
    const sample = sampler(history, clock);
    await sample.record(1);
    clock.advance(12 * 60 * MINUTE_MS);
    await sample.record(2);

    expect(opened(history.recent(clock.now_ms()))).toEqual([1, 2]);
    clock.advance(12 * 60 * MINUTE_MS);
    expect(opened(history.recent(clock.now_ms()))).toEqual([2]);
    await sample.record(3);
    expect(opened(history.recent(clock.now_ms()))).toEqual([2, 3]);
  });

  it('samples the minute again at the next pass when a read fails', async () => {
    const clock = new ManualClock(START_MS);
    const history = new FigureHistory();
    await expect(
      history.recordIfDue(clock.now_ms(), () => Promise.reject(new Error('the store is busy'))),
    ).rejects.toThrow('the store is busy');
    await history.recordIfDue(clock.now_ms(), async () => figuresAt(clock.now_ms(), 7));

    expect(opened(history.recent(clock.now_ms()))).toEqual([7]);
  });
});
