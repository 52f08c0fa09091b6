// When a rate source is read next: every `refreshEvery_ms` while reads succeed; after a failure
// sooner, first after `firstRetry_ms`, then twice as long after each further failure, never
// later than the regular schedule. The last good rates stay in use meanwhile.

export interface RefreshPolicy {
  readonly refreshEvery_ms: number;
  readonly firstRetry_ms: number;
}

/** The next attempt after one made at `attempted_ms`, with `failures` consecutive failures so far (0: it succeeded). */
export function nextAttemptAt(attempted_ms: number, failures: number, policy: RefreshPolicy): number {
  if (failures === 0) return attempted_ms + policy.refreshEvery_ms;
  const backoff_ms = policy.firstRetry_ms * 2 ** Math.min(failures - 1, 30);
  return attempted_ms + Math.min(backoff_ms, policy.refreshEvery_ms);
}

/** Whether the log should tell of the `failures`-th failure in a row: the 1st, 2nd, 4th, 8th…, so a long outage does not flood it. */
export function worthLogging(failures: number): boolean {
  return failures > 0 && (failures & (failures - 1)) === 0;
}
