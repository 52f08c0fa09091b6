// The figures the console charts, one sample per minute of the operator's clock for the last
// 24 hours, so the charts show what happened before someone opened the page.
//
// It lives in memory: a restart starts it empty, and it fills again a minute at a time. That is
// acceptable because nothing here is a record of money (the ledger is, and every figure is counted
// from the store again at each sample); these are operating charts, and losing a day of them on a
// restart costs a picture, not a fact.

import type * as v from 'valibot';
import type { Figures } from '../http/admin-operations-api';

type FigureSample = v.InferOutput<typeof Figures>;

export const FIGURE_SAMPLE_EVERY_MS = 60_000;
/** 24 hours of one sample a minute. */
export const FIGURE_SAMPLES_KEPT = 1_440;

export class FigureHistory {
  private readonly samples: { readonly minute: number; readonly figures: FigureSample }[] = [];
  /** The minute last sampled or being sampled now: at most one read of the store per minute. */
  private claimedMinute = Number.NEGATIVE_INFINITY;

  /**
   * Reads the figures once if no sample was taken in the minute of `now_ms`. The first sample of
   * a minute stands: a later pass in the same minute neither reads the store nor replaces it, so
   * the background jobs may call this at every tick. A read that fails leaves the minute open.
   */
  async recordIfDue(now_ms: number, read: () => Promise<FigureSample>): Promise<void> {
    const minute = Math.floor(now_ms / FIGURE_SAMPLE_EVERY_MS);
    if (minute <= this.claimedMinute) return;
    const before = this.claimedMinute;
    this.claimedMinute = minute;
    let figures: FigureSample;
    try {
      figures = await read();
    } catch (error) {
      this.claimedMinute = before;
      throw error;
    }
    this.samples.push({ minute, figures });
    // Oldest out: no more than a day of minutes, and none older than a day (the clock may jump).
    const oldestKept = minute - FIGURE_SAMPLES_KEPT + 1;
    while (this.samples.length > FIGURE_SAMPLES_KEPT || (this.samples[0]?.minute ?? minute) < oldestKept)
      this.samples.shift();
  }

  /** The samples of the last 24 hours at `now_ms`, oldest first, each with the time it was read. */
  recent(now_ms: number): FigureSample[] {
    const oldestKept = Math.floor(now_ms / FIGURE_SAMPLE_EVERY_MS) - FIGURE_SAMPLES_KEPT + 1;
    return this.samples.filter((sample) => sample.minute >= oldestKept).map((sample) => sample.figures);
  }
}
