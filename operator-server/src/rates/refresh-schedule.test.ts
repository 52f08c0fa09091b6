import { describe, expect, it } from 'vitest';
import { nextAttemptAt, worthLogging } from './refresh-schedule';

const policy = { refreshEvery_ms: 900_000, firstRetry_ms: 30_000 };

describe('rate source refresh schedule', () => {
  it('reads on the regular schedule while reads succeed', () => {
    expect(nextAttemptAt(1_000, 0, policy)).toBe(901_000);
  });

  it('retries sooner after a failure, backing off to the regular schedule', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 1000].map((failures) => nextAttemptAt(0, failures, policy))).toEqual([
      30_000, 60_000, 120_000, 240_000, 480_000, 900_000, 900_000, 900_000,
    ]);
  });

  it('logs the 1st, 2nd, 4th, 8th… failure in a row', () => {
    expect([0, 1, 2, 3, 4, 5, 8, 9, 1024].map(worthLogging)).toEqual([
      false,
      true,
      true,
      false,
      true,
      false,
      true,
      false,
      true,
    ]);
  });
});
