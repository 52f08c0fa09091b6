// Test support: a clock that moves only when the test moves it. Wherever elapsed time decides an
// outcome (a rate limit's refill, a timeout, a grace period, a deadline), a test injects one of
// these and advances it, so the outcome does not depend on how fast the machine runs the test.

import type { Clock } from '@opentab/protocol';

export class ManualClock implements Clock {
  constructor(private current_ms: number = Date.now()) {}

  /** The current reading, in epoch milliseconds; bound, so it survives being passed on alone. */
  readonly now_ms = (): number => this.current_ms;

  advance(by_ms: number): void {
    this.current_ms += by_ms;
  }
}
