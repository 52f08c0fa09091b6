// Runs an outbox's passes by itself: at start (whatever an earlier run left), whenever the owner
// wakes it (an entry was just written), and on a timer set to the earliest next attempt. For a
// party whose other background work does not already drive the passes (the operator's job loop
// does; the merchant agent has none).

import type { Clock } from '@opentab/protocol';
import type { OutboxDelivery, OutboxEntry, OutboxSender } from './outbox-delivery';

export interface OutboxRunnerOptions<E extends OutboxEntry, Receipt, Retry> {
  readonly delivery: OutboxDelivery<E, Receipt, Retry>;
  readonly send: OutboxSender<E, Receipt, Retry>;
  readonly clock: Clock;
  /** The longest sleep between passes, so that a clock that jumps backwards cannot stall delivery. */
  readonly maxSleep_ms: number;
  readonly warn: (message: string, error: unknown) => void;
}

export class OutboxRunner<E extends OutboxEntry, Receipt = undefined, Retry = never> {
  private timer: NodeJS.Timeout | null = null;
  private pass: Promise<void> | null = null;
  private passRequested = false;
  private closed = false;

  constructor(private readonly options: OutboxRunnerOptions<E, Receipt, Retry>) {}

  /** Picks up whatever an earlier run left undelivered. */
  start(): void {
    this.wake();
  }

  /** An entry was written (or is due): deliver it as soon as the current pass ends. */
  wake(): void {
    if (this.closed) return;
    this.clearTimer();
    if (this.pass !== null) {
      this.passRequested = true;
      return;
    }
    this.pass = this.guarded(this.runPasses());
  }

  /** Attempts every undelivered entry now, ignoring backoff and leases; resolves when the attempt is over. */
  async flush(): Promise<void> {
    while (this.pass !== null) await this.pass;
    if (this.closed) return;
    this.clearTimer();
    const { delivery, send, clock } = this.options;
    this.pass = this.guarded(delivery.deliverDue(send, clock.now_ms(), Number.MAX_SAFE_INTEGER));
    await this.pass;
  }

  /** Stops the timer and the engine, and waits for a pass in flight, so the store can be closed after. */
  async close(): Promise<void> {
    this.closed = true;
    this.options.delivery.stop();
    this.clearTimer();
    await this.pass;
  }

  /** A pass must never reject: nobody awaits the timer's pass, and the next one retries anyway. */
  private guarded(pass: Promise<unknown>): Promise<void> {
    return pass
      .catch((error: unknown) => this.options.warn('outbox delivery pass failed', error))
      .then(() => this.nextDue_ms())
      .then((due_ms) => {
        this.pass = null;
        // A wake that came while the next due time was being read would otherwise be lost.
        if (this.passRequested) this.wake();
        else this.scheduleNextPass(due_ms);
      });
  }

  private async nextDue_ms(): Promise<number | null> {
    try {
      return await this.options.delivery.nextDue_ms();
    } catch (error) {
      this.options.warn('reading when the next outbox entry is due failed', error);
      return this.options.clock.now_ms() + this.options.maxSleep_ms;
    }
  }

  private async runPasses(): Promise<void> {
    const { delivery, send, clock } = this.options;
    do {
      this.passRequested = false;
      const pass = await delivery.deliverDue(send, clock.now_ms());
      if (pass.dueAgain) this.passRequested = true;
    } while (this.passRequested && !this.closed);
  }

  private scheduleNextPass(due_ms: number | null): void {
    if (this.closed || due_ms === null) return;
    const delay_ms = Math.min(Math.max(due_ms - this.options.clock.now_ms(), 0), this.options.maxSleep_ms);
    this.timer = setTimeout(() => this.wake(), delay_ms);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
