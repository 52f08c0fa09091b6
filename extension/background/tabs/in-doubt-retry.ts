// When purchases in doubt are re-sent in the background, so that one finishes even when no page
// asks for it again: in rounds, woken by one alarm (which outlives the worker; a new worker also
// runs a round as it starts, agent.ts). The wait doubles after every round that still leaves a
// purchase in doubt, up to a cap, so a merchant that stays down is asked a few times an hour, not
// hammered. Chrome runs no alarm sooner than 30 s after it is set, hence the first wait.

import type { AlarmPort, Clock } from '../ports';

export interface Backoff {
  readonly first_ms: number;
  readonly max_ms: number;
}

export const IN_DOUBT_BACKOFF: Backoff = { first_ms: 30_000, max_ms: 10 * 60_000 };

/** The wait before the next round once `failedRounds` (≥ 1) rounds in a row left a purchase in doubt. */
export function nextRoundDelay_ms(failedRounds: number, backoff: Backoff = IN_DOUBT_BACKOFF): number {
  // Beyond 2^20 the cap has long been reached; the bound keeps the arithmetic finite.
  const doubled_ms = backoff.first_ms * 2 ** Math.min(Math.max(failedRounds, 1) - 1, 20);
  return Math.min(doubled_ms, backoff.max_ms);
}

export class InDoubtRetry {
  /** Worker memory: a new worker starts again from the first wait. */
  private failedRounds = 0;

  constructor(
    private readonly alarms: AlarmPort,
    private readonly clock: Clock,
    private readonly backoff: Backoff = IN_DOUBT_BACKOFF,
  ) {}

  /** A click left a purchase in doubt just now: the next round comes after the first wait. */
  async purchaseInDoubt(): Promise<void> {
    this.failedRounds = 0;
    await this.roundDone(1);
  }

  /** A round ended with `inDoubt` purchases still in doubt: the next one comes later than the last, or never when none is left. */
  async roundDone(inDoubt: number): Promise<void> {
    if (inDoubt === 0) {
      this.failedRounds = 0;
      await this.alarms.cancel('purchase-retry');
      return;
    }
    this.failedRounds++;
    await this.alarms.schedule(
      'purchase-retry',
      this.clock.now_ms() + nextRoundDelay_ms(this.failedRounds, this.backoff),
    );
  }
}
