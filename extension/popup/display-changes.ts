// When what the popup shows changes by the clock alone: the rate table's expiry (the background
// then says "expired" and fetches new rates), and each open tab's minutes left.

import type { OverviewView } from '../messaging/views';

export type DisplayChange =
  /** Ask the background again: the rate table's status changes now. */
  | { readonly kind: 'reload'; readonly at_ms: number }
  /** Draw again: a tab's time left reads differently now. */
  | { readonly kind: 'redraw'; readonly at_ms: number };

const MINUTE_MS = 60_000;

/** The next moment timeLeft(until) reads differently: each whole minute, then "expired" at `until`. */
export function nextTimeLeftChange(until_ms: number, now_ms: number): number | null {
  const left_ms = until_ms - now_ms;
  if (!(left_ms > 0)) return null;
  const minutes = Math.floor(left_ms / MINUTE_MS);
  const next_ms = until_ms - minutes * MINUTE_MS;
  return next_ms > now_ms ? next_ms : next_ms + MINUTE_MS;
}

/** The earliest coming change, a reload winning a tie; null when nothing changes by the clock. */
export function nextDisplayChange(overview: OverviewView, now_ms: number): DisplayChange | null {
  const changes: DisplayChange[] = [];
  const { rates } = overview;
  if (rates.status === 'current' && rates.validUntil !== null) {
    const until_ms = Date.parse(rates.validUntil);
    if (until_ms > now_ms) changes.push({ kind: 'reload', at_ms: until_ms });
  }
  for (const tab of overview.tabs) {
    if (tab.expiresAt === null) continue;
    const at_ms = nextTimeLeftChange(Date.parse(tab.expiresAt), now_ms);
    if (at_ms !== null) changes.push({ kind: 'redraw', at_ms });
  }
  return changes.reduce<DisplayChange | null>(
    (soonest, change) =>
      soonest === null || change.at_ms < soonest.at_ms || (change.at_ms === soonest.at_ms && change.kind === 'reload')
        ? change
        : soonest,
    null,
  );
}
