// Failed log-ins under names that have no login, counted like a real login's: otherwise a
// guesser learns which names exist from which ones ever answer "locked". Kept in this process's
// memory (an unknown name has no row to count in), bounded so a flood of invented names cannot
// grow it without end: past the bound the oldest name is forgotten.

/** Far more distinct names than a guesser's lock-outs within one lock period could matter for. */
export const UNKNOWN_NAMES_KEPT = 10_000;

interface Failures {
  count: number;
  lockedUntil_ms: number | null;
}

export class UnknownNameLock {
  private readonly failures = new Map<string, Failures>();

  constructor(
    private readonly maxFailures: number,
    private readonly lock_ms: number,
    private readonly kept = UNKNOWN_NAMES_KEPT,
  ) {}

  /** When the name is locked at `now_ms`, until when; otherwise null. */
  lockedUntil(name: string, now_ms: number): number | null {
    const failures = this.failures.get(name);
    if (failures?.lockedUntil_ms == null) return null;
    if (failures.lockedUntil_ms > now_ms) return failures.lockedUntil_ms;
    // The lock has run out: the count starts again, as a real login's does after it.
    this.failures.delete(name);
    return null;
  }

  /** Counts one failure; answers the lock's end when this failure locks the name. */
  countFailure(name: string, now_ms: number): number | null {
    const failures = this.failures.get(name) ?? { count: 0, lockedUntil_ms: null };
    this.failures.delete(name);
    failures.count += 1;
    if (failures.count >= this.maxFailures) failures.lockedUntil_ms = now_ms + this.lock_ms;
    this.failures.set(name, failures);
    if (this.failures.size > this.kept) this.failures.delete(this.failures.keys().next().value!);
    return failures.lockedUntil_ms;
  }

  get size(): number {
    return this.failures.size;
  }
}
