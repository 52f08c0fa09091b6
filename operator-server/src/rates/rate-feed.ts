// Keeps the last good quotes of the operator's rate source and looks for new ones on the
// source's schedule, retrying sooner after a failure (refresh-schedule.ts). A failed read never
// takes the last good quotes away: whether they may still be published is rate-freshness.ts's
// business. One read at a time; the clock is the caller's.

import type { Logger } from '../support/logger';
import { describeSource } from './rate-freshness';
import type { RateQuotes } from './rate-quotes';
import { RateSourceError, type RateSourceReader } from './rate-source-reader';
import { nextAttemptAt, worthLogging } from './refresh-schedule';

export interface FeedStatus {
  readonly quotes: RateQuotes | null;
  /** Failed reads since the last good one. */
  readonly failures: number;
  /** Why the latest read failed; null once a read succeeds. */
  readonly problem: string | null;
}

export class RateFeed {
  private quotes: RateQuotes | null;
  private failures = 0;
  private problem: string | null = null;
  private nextAttempt_ms = -Infinity;
  private reading: Promise<void> | null = null;
  private readonly stop = new AbortController();

  constructor(
    private readonly reader: RateSourceReader,
    private readonly log: Logger,
    /** Quotes to serve until the source is first read (the last ones published before a restart). */
    initial: RateQuotes | null = null,
  ) {
    this.quotes = initial;
  }

  latest(): RateQuotes | null {
    return this.quotes;
  }

  status(): FeedStatus {
    return { quotes: this.quotes, failures: this.failures, problem: this.problem };
  }

  /** Reads the source if a read is due at `now_ms`; while one is under way, waits for that one. Never rejects. */
  refreshIfDue(now_ms: number): Promise<void> {
    if (this.reading !== null) return this.reading;
    if (now_ms < this.nextAttempt_ms || this.stop.signal.aborted) return Promise.resolve();
    this.reading = this.read(now_ms).finally(() => {
      this.reading = null;
    });
    return this.reading;
  }

  /** Stops a read under way; no further reads start. */
  async close(): Promise<void> {
    this.stop.abort();
    await this.reading;
  }

  private async read(attempted_ms: number): Promise<void> {
    try {
      const fresh = await this.reader.read(this.stop.signal);
      if (this.failures > 0)
        this.log.info('rates.source_recovered', { source: this.reader.name, failures: this.failures });
      this.failures = 0;
      this.problem = null;
      if (fresh !== null) {
        this.quotes = fresh;
        this.log.info('rates.read', { source: this.reader.name, rates: describeSource(fresh.source) });
      }
    } catch (error) {
      if (this.stop.signal.aborted) return;
      this.failures += 1;
      this.problem =
        error instanceof RateSourceError ? error.message : `${this.reader.name}: ${(error as Error).message}`;
      const retryAt_ms = nextAttemptAt(attempted_ms, this.failures, this.reader.policy);
      if (worthLogging(this.failures)) {
        this.log.warn('rates.read_failed', {
          problem: this.problem,
          failures: this.failures,
          retryIn_s: Math.round((retryAt_ms - attempted_ms) / 1000),
          keeping: this.quotes === null ? 'no rates yet' : describeSource(this.quotes.source),
        });
      }
    } finally {
      this.nextAttempt_ms = nextAttemptAt(attempted_ms, this.failures, this.reader.policy);
    }
  }
}
